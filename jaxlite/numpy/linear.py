"""Linear products: dot, vdot, vecdot, matmul, tensordot, einsum, inner, outer,
kron, trace, diagonal, diag, diagflat and cross.

Every contraction is one ``lax.dot_general`` (plus transposes, reshapes and
diagonal gathers); ``einsum`` contracts its operands pairwise in an order
chosen by a greedy search that keeps intermediates small.

  >>> import jaxlite.numpy as jnp
  >>> jnp.einsum('ij,j->i', jnp.ones((2, 3)), jnp.arange(3.0))
  Array([3., 3.], dtype=float32)
"""
from __future__ import annotations

__all__ = ['dot', 'vdot', 'vecdot', 'matmul', 'matvec', 'vecmat', 'tensordot', 'inner',
           'outer', 'kron', 'diagonal', 'trace', 'diag', 'diagflat', 'cross', 'einsum',
           'einsum_path']

import builtins
import collections
import string

import numpy as np

from jaxlite import dtypes, lax
from jaxlite.lax.out_sharding import placed_after as _placed_after
from jaxlite.lax import structural as lax_structural
from jaxlite.numpy import promotion, ufuncs
from jaxlite.numpy.promotion import canonicalize_axis, check_arraylike, ensure_array
from jaxlite.numpy.library_jit import library_jit


def _arrays(fun_name, *args):
  check_arraylike(fun_name, *args)
  return [ensure_array(a) for a in promotion.promote_dtypes(*args)]


def _dot_general(a, b, contract, batch, precision, preferred_element_type):
  if preferred_element_type is None and not (a.aval.weak_type and b.aval.weak_type):
    # JAX's jnp functions name the (promoted) result dtype explicitly, so their
    # jaxprs show `dot_general[... preferred_element_type=float32]`.
    preferred_element_type = a.dtype
  return lax.dot_general(a, b, (contract, batch), precision=precision,
                         preferred_element_type=preferred_element_type)


def _preferred(dtype):
  return None if dtype is None else dtypes.check_and_canonicalize_user_dtype(dtype, "dot")


def dot(a, b, *, precision=None, preferred_element_type=None, out_sharding=None):
  """NumPy's ``dot``: products of scalars, inner products of vectors, matrix
  products, and sums over the last axis of ``a`` and second-to-last of ``b``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.dot(jnp.array([1, 2]), jnp.array([3, 4]))
  Array(11, dtype=int32)
  """
  if out_sharding is not None:   # laid out as asked, after computing
    return _placed_after(lambda: dot(a, b, precision=precision,
                                     preferred_element_type=preferred_element_type),
                         out_sharding, "jnp.dot")
  a, b = _arrays("dot", a, b)
  pet = _preferred(preferred_element_type)
  if a.ndim == 0 or b.ndim == 0:
    out = ufuncs.multiply(a, b)
    return out if pet is None else out.astype(pet)
  b_axis = 0 if b.ndim == 1 else b.ndim - 2
  return _dot_general(a, b, ((a.ndim - 1,), (b_axis,)), ((), ()), precision, pet)


def vdot(a, b, *, precision=None, preferred_element_type=None):
  """The dot product of the flattened arrays, conjugating ``a``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.vdot(jnp.array([1j, 2]), jnp.array([1j, 3]))
  Array(7.+0.j, dtype=complex64)
  """
  a, b = _arrays("vdot", a, b)
  if dtypes.issubdtype(a.dtype, np.complexfloating):
    a = ufuncs.conjugate(a)
  return dot(a.ravel(), b.ravel(), precision=precision,
             preferred_element_type=preferred_element_type)


def vecdot(x1, x2, /, *, axis: int = -1, precision=None, preferred_element_type=None):
  """The (conjugated) dot product of vectors along ``axis``, with broadcasting.

  >>> import jaxlite.numpy as jnp
  >>> jnp.vecdot(jnp.ones((2, 3)), jnp.arange(3.0))
  Array([3., 3.], dtype=float32)
  """
  x1, x2 = _arrays("vecdot", x1, x2)
  if x1.shape[axis] != x2.shape[axis]:
    raise ValueError(f"axes must match; got shapes {x1.shape} and {x2.shape} "
                     f"with axis={axis}")
  from jaxlite.numpy import manipulation as shape_lib  # pylint: disable=g-import-not-at-top
  x1 = shape_lib.moveaxis(x1, axis, -1)
  x2 = shape_lib.moveaxis(x2, axis, -1)
  if dtypes.issubdtype(x1.dtype, np.complexfloating):
    x1 = ufuncs.conjugate(x1)
  return matmul(x1[..., None, :], x2[..., :, None], precision=precision,
                preferred_element_type=preferred_element_type)[..., 0, 0]


def matmul(a, b, *, precision=None, preferred_element_type=None, out_sharding=None):
  """The matrix product, broadcasting leading (batch) axes; 1-D operands are
  promoted to matrices and the added axis removed again.

  >>> import jaxlite.numpy as jnp
  >>> jnp.matmul(jnp.ones((2, 2, 3)), jnp.ones((3, 1))).shape
  (2, 2, 1)
  """
  if out_sharding is not None:   # laid out as asked, after computing
    return _placed_after(lambda: matmul(a, b, precision=precision,
                                        preferred_element_type=preferred_element_type),
                         out_sharding, "jnp.matmul")
  a, b = _arrays("matmul", a, b)
  for i, x in enumerate((a, b)):
    if x.ndim == 0:
      raise ValueError(f"matmul input operand {i} must have ndim at least 1, but it "
                       "has ndim 0")
  pet = _preferred(preferred_element_type)
  a_mat, b_mat = a.ndim > 1, b.ndim > 1
  if a.shape[-1] != b.shape[-1 - b_mat]:
    # JAX's matmul is a dot_general: its shape check fails first.
    raise TypeError("dot_general requires contracting dimensions to have the same "
                    f"shape, got {(a.shape[-1],)} and {(b.shape[-1 - b_mat],)}.")
  # JAX's staging: size-1 batch axes are squeezed rather than broadcast, one
  # dot_general contracts (no vector reshapes), and a transpose puts the
  # batch, a's and b's free axes back in order.
  a_batch_shape = a.shape[:-2] if a_mat else ()
  b_batch_shape = b.shape[:-2] if b_mat else ()
  nb = builtins.max(len(a_batch_shape), len(b_batch_shape))
  a_batch_shape = (None,) * (nb - len(a_batch_shape)) + a_batch_shape
  b_batch_shape = (None,) * (nb - len(b_batch_shape)) + b_batch_shape
  a_squeeze, b_squeeze, both_squeeze, a_batch, b_batch = [], [], [], [], []
  out_batch, out_a_free, out_b_free = [], [], []
  for i, (sa, sb) in enumerate(zip(a_batch_shape, b_batch_shape)):
    if sa is None:
      out_b_free.append(i)
    elif sb is None:
      out_a_free.append(i)
    elif sa == 1 and sb == 1:
      a_squeeze.append(len(out_batch) + len(out_a_free) + len(a_squeeze))
      b_squeeze.append(len(out_batch) + len(out_b_free) + len(b_squeeze))
      both_squeeze.append(i)
    elif sa == 1:
      out_b_free.append(i)
      a_squeeze.append(len(out_batch) + len(out_a_free) + len(a_squeeze))
    elif sb == 1:
      out_a_free.append(i)
      b_squeeze.append(len(out_batch) + len(out_b_free) + len(b_squeeze))
    elif sa == sb:
      a_batch.append(len(out_batch) + len(out_a_free))
      b_batch.append(len(out_batch) + len(out_b_free))
      out_batch.append(i)
    else:
      a_type, b_type = (t.aval.str_short(short_dtypes=False) for t in (a, b))
      raise ValueError(f"Incompatible types for matmul arguments: {a_type} and {b_type}")
  if a_mat:
    out_a_free.append(nb)
  if b_mat:
    out_b_free.append(nb + a_mat)
  perm = tuple(int(d) for d in np.argsort(out_batch + out_a_free + out_b_free))
  if a_squeeze:
    a = lax_structural.squeeze(a, tuple(a_squeeze))
  if b_squeeze:
    b = lax_structural.squeeze(b, tuple(b_squeeze))
  out = _dot_general(a, b, ((a.ndim - 1,), (b.ndim - 1 - b_mat,)),
                     (tuple(a_batch), tuple(b_batch)), precision, pet)
  if perm != tuple(range(len(perm))):
    out = lax_structural.transpose(out, perm)
  if both_squeeze:
    out = lax_structural.expand_dims(out, tuple(both_squeeze))
  return out


@library_jit
def matvec(x1, x2, /):
  """Matrix-vector products, broadcasting over leading axes.

  >>> import jaxlite.numpy as jnp
  >>> jnp.matvec(jnp.eye(2), jnp.array([1.0, 2.0]))
  Array([1., 2.], dtype=float32)
  """
  from jaxlite.numpy.vectorize import vectorize  # pylint: disable=g-import-not-at-top
  check_arraylike("matvec", x1, x2)
  return vectorize(matmul, signature="(n,m),(m)->(n)")(x1, x2)


@library_jit
def vecmat(x1, x2, /):
  """Vector-matrix products (``x1`` conjugated), broadcasting over leading axes.

  >>> import jaxlite.numpy as jnp
  >>> jnp.vecmat(jnp.array([1.0, 2.0]), jnp.eye(2))
  Array([1., 2.], dtype=float32)
  """
  from jaxlite.numpy.vectorize import vectorize  # pylint: disable=g-import-not-at-top
  check_arraylike("matvec", x1, x2)   # JAX's name for it too
  return vectorize(matmul, signature="(n),(n,m)->(m)")(ufuncs.conjugate(x1), x2)


def tensordot(a, b, axes=2, *, precision=None, preferred_element_type=None, out_sharding=None):
  """Sums products over ``axes`` (an int: the last axes of ``a`` with the first of
  ``b``; or a pair of axis sequences).

  >>> import jaxlite.numpy as jnp
  >>> jnp.tensordot(jnp.ones((2, 3)), jnp.ones((3, 4)), axes=1).shape
  (2, 4)
  """
  if out_sharding is not None:   # laid out as asked, after computing
    return _placed_after(lambda: tensordot(a, b, axes, precision=precision,
                                           preferred_element_type=preferred_element_type),
                         out_sharding, "jnp.tensordot")
  a, b = _arrays("tensordot", a, b)
  if isinstance(axes, (int, np.integer)):
    n = int(axes)
    if n < 0 or n > min(a.ndim, b.ndim):
      raise TypeError(f"Number of tensordot axes (axes {n}) exceeds input ranks "
                      f"({a.shape} and {b.shape})")
    ca, cb = tuple(range(a.ndim - n, a.ndim)), tuple(range(n))
  else:
    try:
      ax_a, ax_b = axes
    except (TypeError, ValueError) as err:
      raise TypeError("tensordot axes argument must be an int, a pair of ints, or a "
                      f"pair of lists/tuples of ints; got {axes}") from err
    ax_a = (ax_a,) if isinstance(ax_a, (int, np.integer)) else tuple(ax_a)
    ax_b = (ax_b,) if isinstance(ax_b, (int, np.integer)) else tuple(ax_b)
    if len(ax_a) != len(ax_b):
      raise TypeError("tensordot requires axes lists to have equal length, got "
                      f"{ax_a} and {ax_b}.")
    ca = tuple(canonicalize_axis(x, a.ndim) for x in ax_a)
    cb = tuple(canonicalize_axis(x, b.ndim) for x in ax_b)
  return _dot_general(a, b, (ca, cb), ((), ()), precision,
                      _preferred(preferred_element_type))


def inner(a, b, *, precision=None, preferred_element_type=None):
  """Sums products over the last axes of ``a`` and ``b``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.inner(jnp.array([1, 2]), jnp.array([3, 4]))
  Array(11, dtype=int32)
  """
  a, b = _arrays("inner", a, b)
  if a.ndim == 0 or b.ndim == 0:
    return ufuncs.multiply(a, b)
  return tensordot(a, b, ((-1,), (-1,)), precision=precision,
                   preferred_element_type=preferred_element_type)


def outer(a, b, out=None):
  """The outer product of the flattened ``a`` and ``b``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.outer(jnp.array([1, 2]), jnp.array([1, 10]))
  Array([[ 1, 10],
         [ 2, 20]], dtype=int32)
  """
  del out
  a, b = _arrays("outer", a, b)
  return ufuncs.multiply(a.ravel()[:, None], b.ravel()[None, :])


@library_jit
def kron(a, b):
  """The Kronecker product.

  >>> import jaxlite.numpy as jnp
  >>> jnp.kron(jnp.eye(2, dtype=jnp.int32), jnp.array([[1, 2]]))
  Array([[1, 2, 0, 0],
         [0, 0, 1, 2]], dtype=int32)
  """
  a, b = _arrays("kron", a, b)
  nd = max(a.ndim, b.ndim)
  # New axes by expand_dims (broadcast_in_dim), as JAX stages them.
  if a.ndim < nd:
    a = lax_structural.expand_dims(a, tuple(range(nd - a.ndim)))
  if b.ndim < nd:
    b = lax_structural.expand_dims(b, tuple(range(nd - b.ndim)))
  a_wide = lax_structural.expand_dims(a, tuple(range(1, 2 * nd, 2)))
  b_wide = lax_structural.expand_dims(b, tuple(range(0, 2 * nd, 2)))
  out = lax.mul(a_wide, b_wide)
  return lax_structural.reshape(out, tuple(x * y for x, y in zip(a.shape, b.shape)))


# --- diagonals ----------------------------------------------------------------------------


@library_jit(static_argnames=('offset', 'axis1', 'axis2'))
def diagonal(a, offset: int = 0, axis1: int = 0, axis2: int = 1):
  """The ``offset`` diagonal of the ``axis1``/``axis2`` planes, as the last axis.

  >>> import jaxlite.numpy as jnp
  >>> jnp.diagonal(jnp.arange(4).reshape(2, 2))
  Array([0, 3], dtype=int32)
  """
  check_arraylike("diagonal", a)
  a = ensure_array(promotion.asarray_value(a))
  if a.ndim < 2:
    raise ValueError("diagonal requires an array of at least two dimensions.")
  offset = promotion.concrete_int(offset, "'offset' argument of jnp.diagonal()")
  if a.shape[0] != a.shape[1] or a.ndim != 2 or offset != 0 or a.dtype == np.bool_:
    return _gathered_diagonal(a, offset, axis1, axis2)
  # A square matrix's main diagonal: JAX stages a platform-dependent choice
  # between the gather and (for Mosaic kernels) a masked column sum.
  from jaxlite.lax.platform_branches import platform_dependent  # pylint: disable=g-import-not-at-top
  from jaxlite.numpy import creation  # pylint: disable=g-import-not-at-top
  identity = creation.eye(a.shape[0], dtype=a.dtype)

  def masked_sum(m):
    return lax.reduce(lax.mul(identity, m), np.array(0, m.dtype), lax.add, (0,))
  return platform_dependent(
      a, default=lambda m: _gathered_diagonal(m, offset, axis1, axis2), mosaic=masked_sum)


def _gathered_diagonal(a, offset, axis1, axis2):
  from jaxlite.numpy import creation, manipulation as shape_lib  # pylint: disable=g-import-not-at-top
  shape = a.shape
  if canonicalize_axis(axis1, a.ndim) == canonicalize_axis(axis2, a.ndim):
    raise ValueError("axis1 and axis2 can not be the same")
  a = shape_lib.moveaxis(a, (axis1, axis2), (-2, -1))
  size = max(0, min(shape[axis1] + min(offset, 0), shape[axis2] - max(offset, 0)))
  first = creation.arange(size)
  second = creation.arange(abs(offset), abs(offset) + size)
  return a[..., first, second] if offset >= 0 else a[..., second, first]


@library_jit(static_argnames=('axis1', 'axis2', 'dtype'))
def trace(a, offset: int = 0, axis1: int = 0, axis2: int = 1, dtype=None, out=None):
  """The sum along the ``offset`` diagonal.

  >>> import jaxlite.numpy as jnp
  >>> jnp.trace(jnp.eye(3))
  Array(3., dtype=float32)
  """
  check_arraylike("trace", a)
  if out is not None:
    raise NotImplementedError("The 'out' argument to jnp.trace is not supported.")
  a = ensure_array(promotion.asarray_value(a))
  if canonicalize_axis(axis1, a.ndim) == canonicalize_axis(axis2, a.ndim):
    raise ValueError(f"axis1 and axis2 can not be same. axis1={axis1} and axis2={axis2}")
  from jaxlite.numpy import creation, manipulation as shape_lib, reductions  # pylint: disable=g-import-not-at-top
  shape = a.shape
  a = shape_lib.moveaxis(a, (axis1, axis2), (-2, -1))
  # The diagonal by a mask, then one sum over both axes (JAX's jaxpr).
  mask = creation.eye(shape[axis1], shape[axis2], k=offset, dtype=bool)
  a = ufuncs.where(mask, a, creation.zeros_like(a))
  return reductions.sum(a, axis=(-2, -1), dtype=dtype)


def diag(v, k: int = 0):
  """The ``k``-th diagonal of a 2-D ``v``, or a 2-D array with 1-D ``v`` on it.

  >>> import jaxlite.numpy as jnp
  >>> jnp.diag(jnp.array([1, 2]))
  Array([[1, 0],
         [0, 2]], dtype=int32)
  """
  check_arraylike("diag", v)
  return _diag(v, promotion.concrete_int(k, "'k' argument of jnp.diag"))


@library_jit(static_argnames=('k',))
def _diag(v, k):
  v = ensure_array(promotion.asarray_value(v))
  if v.ndim == 2:
    return diagonal(v, offset=k)
  if v.ndim != 1:
    raise ValueError("diag input must be 1d or 2d")
  from jaxlite.numpy import creation  # pylint: disable=g-import-not-at-top
  zero = lax_structural.full((), 0, v.dtype)
  n = v.shape[0] + abs(k)
  v = lax.pad(v, zero, ((max(0, -k), max(0, k), 0),))
  return ufuncs.where(creation.eye(n, k=k, dtype=bool), v[:, None], zero)


def diagflat(v, k: int = 0):
  """A 2-D array with the flattened ``v`` on its ``k``-th diagonal.

  >>> import jaxlite.numpy as jnp
  >>> jnp.diagflat(jnp.array([[1, 2]])).shape
  (2, 2)
  """
  check_arraylike("diagflat", v)
  from jaxlite.numpy import creation  # pylint: disable=g-import-not-at-top
  flat = ensure_array(promotion.asarray_value(v)).ravel()
  side = len(flat) + abs(k)
  # JAX's staging: a scatter into the flattened square at i*side + i + k.
  out = creation.zeros(side * side, dtype=flat.dtype)
  i = creation.arange(0, side - abs(k))
  positions = i + k + i * side if k >= 0 else i + (i - k) * side
  out = out.at[positions].set(flat)
  return out.reshape(side, side)


@library_jit(static_argnames=("axisa", "axisb", "axisc", "axis"))
def cross(a, b, axisa: int = -1, axisb: int = -1, axisc: int = -1, axis=None):
  """The cross product of 2- or 3-component vectors along the given axes.

  >>> import jaxlite.numpy as jnp
  >>> jnp.cross(jnp.array([1, 0, 0]), jnp.array([0, 1, 0]))
  Array([0, 0, 1], dtype=int32)
  """
  if axis is not None:
    axisa = axisb = axisc = axis
  a, b = _arrays("cross", a, b)
  from jaxlite.numpy import manipulation as shape_lib  # pylint: disable=g-import-not-at-top
  a = shape_lib.moveaxis(a, axisa, -1)
  b = shape_lib.moveaxis(b, axisb, -1)
  if a.shape[-1] not in (2, 3) or b.shape[-1] not in (2, 3):
    raise ValueError("Dimension must be either 2 or 3 for cross product")
  if a.shape[-1] == 2 and b.shape[-1] == 2:
    return ufuncs.subtract(ufuncs.multiply(a[..., 0], b[..., 1]),
                           ufuncs.multiply(a[..., 1], b[..., 0]))
  a0, a1 = a[..., 0], a[..., 1]
  a2 = a[..., 2] if a.shape[-1] == 3 else ufuncs.multiply(a0, 0)
  b0, b1 = b[..., 0], b[..., 1]
  b2 = b[..., 2] if b.shape[-1] == 3 else ufuncs.multiply(b0, 0)
  mul, sub = ufuncs.multiply, ufuncs.subtract
  # jnp.array of the three components, as JAX (concatenate in the jaxpr, not stack).
  from jaxlite.numpy.creation import array  # pylint: disable=g-import-not-at-top
  c = array([sub(mul(a1, b2), mul(a2, b1)), sub(mul(a2, b0), mul(a0, b2)),
             sub(mul(a0, b1), mul(a1, b0))])
  return shape_lib.moveaxis(c, 0, axisc)


# --- einsum ------------------------------------------------------------------------------


def _parse_subscripts(subscripts: str, shapes):
  """Explicit per-operand label strings and the output labels; '...' becomes
  unique labels (right-aligned across operands)."""
  subscripts = subscripts.replace(" ", "")
  if "->" in subscripts:
    inputs, output = subscripts.split("->")
    explicit = True
  else:
    inputs, output, explicit = subscripts, "", False
  inputs = inputs.split(",")
  if len(inputs) != len(shapes):
    raise ValueError(f"einsum: {len(inputs)} operand subscripts for {len(shapes)} "
                     "operands")
  used = set(subscripts) - set(".,->")
  spare = [c for c in string.ascii_letters if c not in used]
  ell_rank = 0
  for term, shape in zip(inputs, shapes):
    if "..." in term:
      ell_rank = max(ell_rank, len(shape) - (len(term) - 3))
  ell_labels = "".join(spare[:ell_rank])
  terms = []
  for term, shape in zip(inputs, shapes):
    if "..." in term:
      n = len(shape) - (len(term) - 3)
      term = term.replace("...", ell_labels[ell_rank - n:] if n else "")
    if len(term) != len(shape):
      raise ValueError(f"einsum: operand with shape {shape} has subscripts {term!r} "
                       "of a different rank")
    terms.append(term)
  if explicit:
    output = output.replace("...", ell_labels)
    for c in output:
      if c not in "".join(terms):
        raise ValueError(f"Output character '{c}' did not appear in the input")
  else:
    counts = collections.Counter("".join(terms))
    output = ell_labels + "".join(sorted(c for c in counts if counts[c] == 1 and
                                         c not in ell_labels))
  return terms, output


def _interleaved(operands):
  ops, subs = [], []
  rest = list(operands)
  while len(rest) >= 2:
    ops.append(rest.pop(0))
    subs.append(rest.pop(0))
  out = rest[0] if rest else None

  def letters(sub):
    return "".join("..." if s is Ellipsis else string.ascii_letters[s] for s in sub)

  spec = ",".join(letters(s) for s in subs)
  if out is not None:
    spec += "->" + letters(out)
  return spec, ops


def _reduce_single(x, labels, keep):
  """Takes diagonals of repeated labels and sums out labels not in ``keep``."""
  from jaxlite.numpy import reductions  # pylint: disable=g-import-not-at-top
  while True:
    repeated = [c for c, n in collections.Counter(labels).items() if n > 1]
    if not repeated:
      break
    c = repeated[0]
    i = labels.index(c)
    j = labels.index(c, i + 1)
    x = diagonal(x, 0, i, j)
    labels = labels[:i] + labels[i + 1:j] + labels[j + 1:] + c
  drop = [i for i, c in enumerate(labels) if c not in keep]
  if drop:
    x = reductions.sum(x, axis=tuple(drop), promote_integers=False)
    labels = "".join(c for i, c in enumerate(labels) if i not in drop)
  return x, labels


def _contract_pair(a, la, b, lb, keep, precision, pet):
  batch = [c for c in la if c in lb and c in keep]
  contract = [c for c in la if c in lb and c not in keep]
  out = _dot_general(a, b, (tuple(la.index(c) for c in contract),
                            tuple(lb.index(c) for c in contract)),
                     (tuple(la.index(c) for c in batch), tuple(lb.index(c) for c in batch)),
                     precision, pet)
  labels = "".join(batch) + "".join(c for c in la if c not in batch and c not in contract) \
      + "".join(c for c in lb if c not in batch and c not in contract)
  return out, labels


def _path_optimizer(optimize):
  """The opt_einsum path choice JAX makes for ``optimize``: True is "optimal",
  False (or None) contracts left to right."""
  import opt_einsum  # pylint: disable=g-import-not-at-top  (only for 3+ operands)

  class LeftToRight(opt_einsum.paths.PathOptimizer):
    def __call__(self, inputs, *args, **kwargs):
      return [(0, 1)] * (len(inputs) - 1)
  if optimize is True:
    return "optimal"
  if optimize is False or optimize is None:
    return LeftToRight()
  return optimize


def _contract_in_jax_order(arrays, terms, output, optimize, precision, pet):
  """Contracts ``arrays`` (labelled ``terms``) pairwise as JAX does: in
  opt_einsum's order, each pair's intermediate labelled as opt_einsum labels it,
  and the pair's ``dot_general`` operands swapped when that avoids a transpose.
  The same order and operand order give JAX's jaxprs and JAX's rounding."""
  import opt_einsum  # pylint: disable=g-import-not-at-top
  spec = ",".join(terms) + "->" + output
  shapes = [tuple(x.shape) for x in arrays]
  _, contractions = opt_einsum.contract_path(spec, *shapes, shapes=True, einsum_call=True,
                                             use_blas=True, optimize=_path_optimizer(optimize))
  arrays, terms = list(arrays), list(terms)
  for indices, removed, einstr, *_ in contractions:
    inputs, result = einstr.split("->")
    if len(indices) == 1:   # a lone operand: diagonals and sums only
      x, labels = arrays.pop(indices[0]), terms.pop(indices[0])
      x, labels = _reduce_single(x, labels, set(result))
    else:
      lhs, rhs = (arrays.pop(k) for k in indices)
      lhs_names, rhs_names = (terms.pop(k) for k in indices)
      lhs, lhs_names = _reduce_single(lhs, lhs_names, set(result) | set(rhs_names))
      rhs, rhs_names = _reduce_single(rhs, rhs_names, set(result) | set(lhs_names))
      both = set(lhs_names) & set(rhs_names)
      contracted = [c for c in sorted(removed) if c in both]
      batch = [c for c in result if c in both]
      lhs_cont = tuple(lhs_names.index(c) for c in contracted)
      rhs_cont = tuple(rhs_names.index(c) for c in contracted)
      lhs_batch = tuple(lhs_names.index(c) for c in batch)
      rhs_batch = tuple(rhs_names.index(c) for c in batch)
      gone = set(batch) | set(contracted)
      lhs_rest = "".join(c for c in lhs_names if c not in gone)
      rhs_rest = "".join(c for c in rhs_names if c not in gone)
      labels = "".join(batch) + rhs_rest + lhs_rest
      if labels == result:   # (rhs, lhs) needs no transpose
        x = _dot_general(rhs, lhs, (rhs_cont, lhs_cont), (rhs_batch, lhs_batch), precision, pet)
      else:
        labels = "".join(batch) + lhs_rest + rhs_rest
        x = _dot_general(lhs, rhs, (lhs_cont, rhs_cont), (lhs_batch, rhs_batch), precision, pet)
    if labels != result:
      x = lax_structural.transpose(x, tuple(labels.index(c) for c in result))
    arrays.append(x)
    terms.append(result)
  return arrays, terms


def einsum(subscripts, *operands, out=None, optimize="auto", precision=None,
           preferred_element_type=None, _dot_general=None, out_sharding=None):
  """Einstein summation: ``einsum('ij,jk->ik', a, b)`` is ``a @ b``.

  Supports '...', implicit outputs, repeated labels (diagonals) and the
  interleaved ``einsum(a, [0, 1], b, [1, 2])`` form. ``optimize`` False
  contracts left to right; anything else uses a greedy order.

  >>> import jaxlite.numpy as jnp
  >>> jnp.einsum('ii', jnp.eye(3))
  Array(3., dtype=float32)
  """
  if out_sharding is not None:   # laid out as asked, after computing
    return _placed_after(lambda: einsum(subscripts, *operands, out=out, optimize=optimize,
                                        precision=precision,
                                        preferred_element_type=preferred_element_type),
                         out_sharding, "jnp.einsum")
  del out, _dot_general
  if not isinstance(subscripts, str):
    subscripts, operands = _interleaved((subscripts,) + operands)
  check_arraylike("einsum", *operands)
  arrays = [ensure_array(x) for x in promotion.promote_dtypes(*operands)]
  pet = _preferred(preferred_element_type)
  terms, output = _parse_subscripts(subscripts, [x.shape for x in arrays])
  sizes = {}
  for term, x in zip(terms, arrays):
    for c, d in zip(term, x.shape):
      if sizes.get(c, 1) not in (1, d) and d != 1:
        raise ValueError(f"Size of label '{c}' for operand {terms.index(term)} "
                         f"({d}) does not match previous terms ({sizes[c]}).")
      sizes[c] = d if sizes.get(c, 1) == 1 else sizes[c]   # (sizes may be symbolic)
  # A label of size 1 broadcasts against the same label elsewhere: drop it there.
  for k, (term, x) in enumerate(zip(terms, arrays)):
    drop = [i for i, c in enumerate(term) if x.shape[i] == 1 and sizes[c] != 1]
    if drop:
      arrays[k] = lax_structural.reshape(x, [d for i, d in enumerate(x.shape)
                                             if i not in drop])
      terms[k] = "".join(c for i, c in enumerate(term) if i not in drop)
  terms = list(terms)
  for k in range(len(arrays)):
    others = set(output).union(*(set(t) for i, t in enumerate(terms) if i != k))
    arrays[k], terms[k] = _reduce_single(arrays[k], terms[k], others)
  if len(arrays) > 2:   # JAX's order: opt_einsum's contractions, pairs as JAX forms them
    arrays, terms = _contract_in_jax_order(arrays, terms, output, optimize, precision, pet)
  for i, j in [(0, 1)] * (len(arrays) - 1):
    a, la, b, lb = arrays[i], terms[i], arrays[j], terms[j]
    rest = [k for k in range(len(arrays)) if k not in (i, j)]
    keep = set(output).union(*(set(terms[k]) for k in rest))
    a, la = _reduce_single(a, la, keep | set(lb))
    b, lb = _reduce_single(b, lb, keep | set(la))
    c, lc = _contract_pair(a, la, b, lb, keep, precision, pet)
    arrays = [arrays[k] for k in rest] + [c]
    terms = [terms[k] for k in rest] + [lc]
  (x,), (labels,) = arrays, terms
  x, labels = _reduce_single(x, labels, set(output))
  missing = [c for c in output if c not in labels]
  if missing:  # labels that only had size 1: broadcast back
    x = lax_structural.reshape(x, x.shape + (1,) * len(missing))
    labels += "".join(missing)
  perm = tuple(labels.index(c) for c in output)
  if perm != tuple(range(len(perm))):
    x = lax_structural.transpose(x, perm)
  if pet is not None and x.dtype != pet:
    x = x.astype(pet)
  return x


def einsum_path(subscripts, *operands, optimize="auto"):
  """The contraction order ``einsum`` uses, as opt_einsum's ``(path, PathInfo)``
  (as JAX: ``optimize`` True is "optimal", False left to right).

  >>> import jaxlite.numpy as jnp
  >>> x, y, z = jnp.ones((2, 3)), jnp.ones((3, 4)), jnp.ones((4, 5))
  >>> jnp.einsum_path("ij,jk,kl", x, y, z, optimize="optimal")[0]
  [(0, 1), (0, 1)]
  """
  import opt_einsum  # pylint: disable=g-import-not-at-top
  shapes = [promotion.shape(x) for x in operands]
  return opt_einsum.contract_path(subscripts, *shapes, shapes=True,
                                  optimize=_path_optimizer(optimize))
