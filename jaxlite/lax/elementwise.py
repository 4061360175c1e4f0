"""Elementwise primitives: arithmetic, absolute value and sign, complex parts,
rounding.

Each primitive is defined once, with its lowering, JVP, transpose and batching
rules registered right below it. The helpers at the top (JAX's dtype and shape
checks and their error messages, weak-type promotion in the wrappers, the
broadcasting batching rule) are shared with the other elementwise modules,
``transcendental`` (exp, log, trigonometric, special functions) and
``bitwise`` (comparisons, bitwise ops, select_n, clamp, bitcasts).
"""
from __future__ import annotations

__all__ = [
    'neg', 'sign', 'abs', 'add', 'sub', 'mul', 'div', 'rem', 'max', 'min', 'square',
    'integer_pow', 'real', 'imag', 'complex', 'conj', 'floor', 'ceil', 'round',
    'is_finite', 'RoundingMethod',
    'neg_p', 'sign_p', 'abs_p', 'add_p', 'sub_p', 'mul_p', 'div_p', 'rem_p', 'max_p',
    'min_p', 'square_p', 'integer_pow_p', 'real_p', 'imag_p', 'complex_p', 'conj_p',
    'floor_p', 'ceil_p', 'round_p', 'is_finite_p',
]

import builtins
import enum
from typing import Callable, Sequence

import numpy as np

from jaxlite import core, dtypes
from jaxlite.interpreters import ad, batching, mlir
from jaxlite.lax import base
from jaxlite.core import ShapedArray
from jaxlite.lax.base import standard_primitive

# --- dtype checks with JAX's messages ----------------------------------------------------

# Accepted dtypes are named by NumPy's abstract types, in the order JAX's
# messages list them ("float32"/"float64" name exact dtypes).
_bool = ("bool",)
_int = ("integer",)
_signedint = ("signedinteger",)
_float = ("floating",)
_complex = ("complexfloating",)
_fc = _float + _complex
_num = _int + _float + _complex
_any = _num + _bool

_ABSTRACT = {"integer": np.integer, "signedinteger": np.signedinteger,
             "unsignedinteger": np.unsignedinteger, "floating": np.floating,
             "complexfloating": np.complexfloating, "inexact": np.inexact}


def is_kind(dtype, kind: str) -> bool:
  """Whether ``dtype`` is of ``kind`` ('bool', 'integer', 'floating', ...).

  >>> is_kind(np.dtype('int8'), 'integer'), is_kind(np.dtype('int8'), 'floating')
  (True, False)
  """
  # Memoised: every staged elementwise primitive checks its operands' kinds.
  try:
    return _kinds_seen[dtype, kind]
  except KeyError:
    answer = _kinds_seen[dtype, kind] = _is_kind(dtype, kind)
    return answer


_kinds_seen: dict = {}


def _is_kind(dtype, kind: str) -> bool:
  if isinstance(dtype, dtypes.ExtendedDType):
    # Key arrays are of no numeric kind: ``keys + 1`` is this module's TypeError.
    return kind == "extended"
  dtype = np.dtype(dtype)
  if kind == "bool":
    return dtype == np.bool_
  if kind in ("float32", "float64"):
    return dtype == np.dtype(kind)
  return dtypes.issubdtype(dtype, _ABSTRACT[kind])


def _of_some_kind(dtype, kinds) -> bool:
  """Whether ``dtype`` is of one of ``kinds`` (memoised per ``(dtype, kinds)``)."""
  try:
    return _kinds_seen[dtype, kinds]
  except KeyError:
    answer = _kinds_seen[dtype, kinds] = builtins.any(is_kind(dtype, k) for k in kinds)
    return answer
  except TypeError:   # kinds given as a list
    return builtins.any(is_kind(dtype, k) for k in kinds)


def check_dtypes(name: str, accepted: Sequence[Sequence[str]], avals):
  """TypeError as JAX's when operand ``i`` is not of a kind in ``accepted[i]``."""
  for i, (aval, kinds) in enumerate(zip(avals, accepted)):
    if not _of_some_kind(aval.dtype, kinds):
      dt, names = aval.dtype.name, ", ".join(k for k in kinds if k != "extended")
      if len(avals) == 1:
        raise TypeError(f"{name} does not accept dtype {dt}. "
                        f"Accepted dtypes are subtypes of {names}.")
      raise TypeError(f"{name} does not accept dtype {dt} at position {i}. "
                      f"Accepted dtypes at position {i} are subtypes of {names}.")


# The jax.numpy function that promotes, named in lax's "same dtypes" message.
_NUMPY_TIPS = {
    "add": "add", "sub": "subtract", "mul": "multiply", "div": "divide",
    "max": "maximum", "min": "minimum", "atan2": "arctan2", "nextafter": "nextafter",
    "shift_left": "left_shift", "shift_right_arithmetic": "right_shift",
    "shift_right_logical": "right_shift", "eq": "equal", "ne": "not_equal",
    "select": "where",
}


def check_same_dtypes(name: str, avals):
  if avals and not builtins.all(a.dtype == avals[0].dtype for a in avals):
    # avals' dtypes: NumPy's or key<fry>
    msg = (f"lax.{name} requires arguments to have the same dtypes, got "
           f"{', '.join(a.dtype.name for a in avals)}.")
    if name in _NUMPY_TIPS:
      msg += (f" (Tip: jnp.{_NUMPY_TIPS[name]} is a similar function that does "
              "automatic type promotion on inputs).")
    raise TypeError(msg)


def broadcasting_shape(name: str, avals) -> tuple[int, ...]:
  """Elementwise operands have one shape; rank-0 operands and size-1 dimensions
  broadcast to it (see ``base.broadcast_lax_shapes``)."""
  return base.broadcast_lax_shapes(name, [a.shape for a in avals])


# --- weak-type promotion in the wrappers -------------------------------------------------


def promote_weak(*args):
  """Converts weakly typed operands (Python scalars, weak arrays) to the dtype of
  the strongly typed ones, where JAX's promotion would give exactly that dtype:
  ``lax.add(float16_array, 2.0)`` stays float16, ``lax.add(int8_array, 2.5)``
  still raises (it would promote to a float)."""
  avals = [core.get_aval(x) for x in args]
  strong = {a.dtype for a in avals if not a.weak_type}
  if len(strong) != 1 or builtins.all(a.dtype in strong for a in avals):
    return args
  (target,) = strong
  out = []
  for x, a in zip(args, avals):
    if a.weak_type and a.dtype != target and _promotes_to(x, target):
      x = _convert_weak(x, target)
    out.append(x)
  return out


def _promotes_to(x, target) -> bool:
  try:
    return dtypes.result_type(x, target) == target
  except (TypeError, ValueError):   # e.g. strict promotion: leave it to the dtype rule
    return False


def _convert_weak(x, dtype):
  if type(x) in dtypes.python_scalar_types:
    return np.asarray(x, dtype)
  from jaxlite.lax.structural import _convert_element_type
  return _convert_element_type(x, dtype, weak_type=True)


# --- batching -------------------------------------------------------------------------


def broadcast_batched(batched_args, batch_dims, out_shape, size, keep=()):
  """Batch axes to the front and each operand of shape ``(size, *out_shape)``;
  unbatched rank-0 operands (and those at indices in ``keep``) stay as they are."""
  from jaxlite.lax import structural
  out = []
  for i, (x, d) in enumerate(zip(batched_args, batch_dims)):
    ndim = core.get_aval(x).ndim
    if d is batching.not_mapped:
      if ndim == 0 or i in keep:
        out.append(x)
        continue
      out.append(structural.broadcast_in_dim(x, (size, *out_shape), tuple(range(1, ndim + 1))))
      continue
    x = batching.moveaxis(x, d, 0)
    if ndim == 1 and out_shape:   # a batched scalar meets batched arrays
      x = structural.broadcast_in_dim(x, (size, *out_shape), (0,))
    out.append(x)
  return out


def per_example_shape(x, d):
  shape = core.get_aval(x).shape
  return shape if d is batching.not_mapped else shape[:d] + shape[d + 1:]


def defbroadcasting(prim):
  """Batching for elementwise n-ary primitives, JAX's broadcast batcher: batch
  axes to the front (unbatched non-scalars get a size-1 axis there), lower-rank batched
  operands padded with trailing size-1 axes, rank-0 operands left alone."""
  def rule(batched_args, batch_dims, **params):
    avals = [core.get_aval(x) for x in batched_args]
    shape, dim = next((a.shape, d) for a, d in zip(avals, batch_dims)
                      if d is not batching.not_mapped)
    if builtins.all(a.shape == shape and d == dim
                    for a, d in zip(avals, batch_dims) if a.ndim):
      return prim.bind(*batched_args, **params), dim
    # Unbatched operands get a size-1 axis: the primitive broadcasts it.
    args = [batching.bdim_at_front(x, d, 1) if a.ndim else x
            for x, a, d in zip(batched_args, avals, batch_dims)]
    nd = builtins.max(core.get_aval(x).ndim for x in args)
    from jaxlite.lax import structural
    args = [x if d is batching.not_mapped or core.get_aval(x).ndim == nd
            else structural.expand_dims(x, tuple(range(core.get_aval(x).ndim, nd)))
            for x, d in zip(args, batch_dims)]
    return prim.bind(*args, **params), 0
  batching.primitive_batchers[prim] = rule
  return rule


# --- defining primitives ----------------------------------------------------------------


def naryop(name: str, accepted, lowering: str | Callable, *, result_dtype=None,
           same_dtypes=True, dtype_rule=None, shape_rule=None, weak_type_rule=None):
  """An elementwise primitive.

  ``accepted`` is a tuple of dtype kinds for a unary primitive, or a list of
  them, one per operand. ``lowering`` names a stablehlo/chlo op (``"add"``,
  ``"chlo.erf"``) or is a lowering rule. ``result_dtype(dtype)`` maps the operand
  dtype to the result's (default: the same)."""
  accepted = [accepted] if isinstance(accepted, tuple) else list(accepted)

  def default_dtype_rule(*avals, **params):
    check_dtypes(name, accepted, avals)
    if same_dtypes:
      check_same_dtypes(name, avals)
    dt = avals[0].dtype
    return np.dtype(dt if result_dtype is None else result_dtype(dt))

  prim = standard_primitive(
      shape_rule or (lambda *avals, **params: broadcasting_shape(name, avals)),
      dtype_rule or default_dtype_rule, name, weak_type_rule=weak_type_rule)
  if shape_rule is None and dtype_rule is None and weak_type_rule is None and \
      result_dtype is None and same_dtypes:
    prim.def_abstract_eval(_same_type_shortcut(prim._abstract_eval))
  return _register_naryop_rules(prim, accepted, lowering)


def _same_type_shortcut(abstract_eval):
  """``abstract_eval`` of an elementwise primitive whose result has its
  operands' shape, dtype and weak type (the default rules of ``naryop``),
  answering at once when the operands share one dtype and weak type, have one
  shape or are rank 0, and operands of that dtype passed the checks before:
  the result's type is then that of an operand of the full shape, when it is
  a plain one (no sharding, no varying axes).

  >>> from jaxlite.core import ShapedArray
  >>> f32 = ShapedArray((2,), np.dtype('float32'))
  >>> add_p.abstract_eval(f32, ShapedArray((), np.dtype('float32'))) is f32
  True
  """
  checked = set()   # (dtype, number of operands) that passed the dtype checks

  def shortcut(*avals, **params):
    full = avals[0]
    if type(full) is not ShapedArray:
      return abstract_eval(*avals, **params)
    dtype, weak = full.dtype, full.weak_type
    for a in avals:
      if a is full:
        continue
      if type(a) is not ShapedArray or a.dtype != dtype or a.weak_type != weak:
        return abstract_eval(*avals, **params)
      if a.shape != full.shape:
        if full.shape == ():
          full = a   # rank-0 operands so far: this one has the result's shape
        elif a.shape != ():
          return abstract_eval(*avals, **params)
    if full._sharding is not None or full.vma:
      return abstract_eval(*avals, **params)
    key = (dtype, len(avals))
    if key not in checked:
      abstract_eval(*avals, **params)   # raises what the checks raise
      checked.add(key)
    return full
  return shortcut


def _register_naryop_rules(prim, accepted, lowering):
  if isinstance(lowering, str):
    lowering = base.nary_lowering(lowering, broadcast=len(accepted) > 1)
  mlir.register_lowering(prim, lowering)
  if len(accepted) == 1:
    batching.defvectorized(prim)
  else:
    defbroadcasting(prim)
  return prim


def broadcast_lowering(fn):
  """A lowering ``fn(ctx, *operands, **params)`` whose rank-0 operands are first
  broadcast to the output shape."""
  def rule(ctx, *args, **params):
    shape = ctx.avals_out[0].shape
    if any(a.shape != shape for a in ctx.avals_in):   # fn sees operands of one shape
      args = base.broadcast_operands(ctx, args)
      ctx = ctx.replace(avals_in=[a.update(shape=shape) for a in ctx.avals_in])
    return fn(ctx, *args, **params)
  return rule


def const(example, value):
  """A host constant ``value`` of ``example``'s dtype (rank 0: it broadcasts).

  For a weakly typed rank-0 ``example`` it is a Python scalar, so that it stays
  weak, as JAX's: the tangent of ``x ** 3`` at a Python float is weak too.

  >>> import numpy as np
  >>> const(np.float32(2), 3)
  array(3., dtype=float32)
  >>> const(2.0, 3)
  3.0
  """
  aval = core.get_aval(example)
  if aval.weak_type and aval.ndim == 0:
    scalar = dtypes.scalar_type_of(aval.dtype)(value)
    if np.dtype(dtypes.dtype(scalar, canonicalize=True)) == aval.dtype:
      return scalar
  return np.array(value, dtype=aval.dtype)


def zeros_like(x):
  """Zeros of ``x``'s shape, dtype and weak type (JAX's ``lax._zeros``)."""
  from jaxlite.lax import structural
  return structural.full_like(x, 0)


def unbroadcast(aval, x):
  """Sums ``x`` down to ``aval``'s shape (for operands that were rank-0 broadcast)."""
  from jaxlite.lax import reductions
  x_aval = core.get_aval(x)
  if x_aval.shape == aval.shape:
    return x
  if aval.ndim == 0:
    return reductions.reduce_sum(x, tuple(range(x_aval.ndim)))
  # size-1 dimensions that were broadcast: summed, then kept as 1
  from jaxlite.lax import structural
  dims = tuple(i for i, (a, b) in enumerate(zip(aval.shape, x_aval.shape)) if a == 1 and b != 1)
  return structural.reshape(reductions.reduce_sum(x, dims), aval.shape)


def real_dtype(dtype):
  return np.finfo(dtype).dtype


def complex_dtype(dtype):
  return np.dtype({np.dtype(np.float32): np.complex64, np.dtype(np.float64): np.complex128}
                  .get(np.dtype(dtype), dtype))


# --- arithmetic ------------------------------------------------------------------------

neg_p = naryop("neg", _num, "negate")
ad.deflinear(neg_p, lambda ct: [neg(ct)])

add_p = naryop("add", [_num, _num], "add")
sub_p = naryop("sub", [_num, _num], "subtract")
mul_p = naryop("mul", [_num, _num], "multiply")


def _add_transpose(ct, x, y):
  return [unbroadcast(x.aval, ct) if ad.is_undefined_primal(x) else None,
          unbroadcast(y.aval, ct) if ad.is_undefined_primal(y) else None]


def _sub_transpose(ct, x, y):
  return [unbroadcast(x.aval, ct) if ad.is_undefined_primal(x) else None,
          unbroadcast(y.aval, neg(ct)) if ad.is_undefined_primal(y) else None]


ad.deflinear2(add_p, _add_transpose)
ad.deflinear2(sub_p, _sub_transpose)


def _mul_transpose(ct, x, y):
  if ad.is_undefined_primal(x) and ad.is_undefined_primal(y):
    raise ValueError("mul is linear in only one of its operands at a time; "
                     "both were undefined while transposing")
  if type(ct) is ad.Zero:
    return [ad.Zero(a.aval) if ad.is_undefined_primal(a) else None for a in (x, y)]
  if ad.is_undefined_primal(x):
    return [unbroadcast(x.aval, mul(ct, y)), None]
  return [None, unbroadcast(y.aval, mul(x, ct))]


ad.defjvp(mul_p, lambda xdot, x, y: mul(xdot, y), lambda ydot, x, y: mul(x, ydot))
ad.primitive_transposes[mul_p] = _mul_transpose

def _integer_division_lowering(op_name):
  """stablehlo.divide/remainder, with integer divisors of zero replaced by one
  and the result by XLA's (x / 0 = -1, all bits set; x % 0 = x): the same
  values, but XLA's constant folder, which crashes the whole process with
  SIGFPE on an integer division by a constant zero (JAX crashes too), never
  sees one."""
  def rule(ctx, x, y):
    hlo = mlir.hlo()
    aval = ctx.avals_out[0]
    if not is_kind(aval.dtype, "integer"):
      return getattr(hlo, op_name)(x, y)
    zero = mlir.full_like_aval(0, aval)
    is_zero = mlir.compare(y, zero, "EQ")
    safe = hlo.select(is_zero, mlir.full_like_aval(1, aval), y)
    all_ones = np.iinfo(aval.dtype).max if is_kind(aval.dtype, "unsignedinteger") else -1
    by_zero = mlir.full_like_aval(all_ones, aval) if op_name == "divide" else x
    return hlo.select(is_zero, by_zero, getattr(hlo, op_name)(x, safe))
  return broadcast_lowering(rule)


# Integer division rounds toward zero (stablehlo.divide), as C and lax do.
div_p = naryop("div", [_num, _num], _integer_division_lowering("divide"))


def _div_transpose(ct, x, y):
  if ad.is_undefined_primal(y):
    raise ValueError("div is linear only in its numerator; the denominator was "
                     "undefined while transposing")
  if type(ct) is ad.Zero:
    return [ad.Zero(x.aval), None]
  return [unbroadcast(x.aval, div(ct, y)), None]


ad.defjvp(div_p, lambda g, x, y: div(g, y),
          lambda g, x, y: mul(mul(neg(g), x), integer_pow(y, -2)))
ad.primitive_transposes[div_p] = _div_transpose

# The remainder has the sign of the dividend (C's fmod), as stablehlo.remainder.
rem_p = naryop("rem", [_int + _float, _int + _float],
              _integer_division_lowering("remainder"))
ad.defjvp(rem_p, lambda g, x, y: _broadcast_tangent(g, y),
          lambda g, x, y: mul(neg(g), mul(sign(div(x, y)), floor(abs(div(x, y))))))


def _broadcast_tangent(g, other):
  """``g`` at the output's shape (a rank-0 operand's tangent meets a shaped one)."""
  from jaxlite.lax import structural
  shape = core.get_aval(other).shape
  if core.get_aval(g).shape == () and shape != ():
    return structural.broadcast_in_dim(g, shape, ())
  return g


def _minmax_complex_lowering(direction):
  # Complex numbers are ordered lexicographically: real parts, then imaginary.
  def rule(ctx, x, y):
    hlo = mlir.hlo()
    rx, ry, ix, iy = hlo.real(x), hlo.real(y), hlo.imag(x), hlo.imag(y)
    pick_x = hlo.or_(mlir.compare(rx, ry, direction),
                     hlo.and_(mlir.compare(rx, ry, "EQ"), mlir.compare(ix, iy, direction)))
    return hlo.select(pick_x, x, y)
  return broadcast_lowering(rule)


def _minmax_lowering(op, direction):
  complex_rule = _minmax_complex_lowering(direction)
  real_rule = base.nary_lowering(op)

  def rule(ctx, x, y):
    if is_kind(ctx.avals_in[0].dtype, "complexfloating"):
      return complex_rule(ctx, x, y)
    return real_rule(ctx, x, y)
  return rule


max_p = naryop("max", [_any, _any], _minmax_lowering("maximum", "GT"))
min_p = naryop("min", [_any, _any], _minmax_lowering("minimum", "LT"))


def _balanced_eq(x, z, y):
  """1 where ``x`` is the extremum ``z`` (0.5 on ties with ``y``), else 0: the
  derivative of max/min splits evenly between equal operands."""
  from jaxlite.lax import bitwise, structural
  # ``z`` (the output) has the full shape; select's cases must have it too.
  one, half, zero = (structural.full_like(z, v) for v in (1, 0.5, 0))
  return bitwise.select(bitwise.eq(x, z), bitwise.select(bitwise.eq(y, z), half, one), zero)


def _minmax_jvp(prim):
  def lhs(g, ans, x, y):
    return mul(g, _balanced_eq(x, ans, y))

  def rhs(g, ans, x, y):
    return mul(g, _balanced_eq(y, ans, x))
  ad.defjvp2(prim, lhs, rhs)


_minmax_jvp(max_p)
_minmax_jvp(min_p)


def _sign_lowering(ctx, x):
  dtype = ctx.avals_in[0].dtype
  if is_kind(dtype, "unsignedinteger"):
    # stablehlo.sign is for signed types: 0 stays 0, everything else is 1.
    hlo = mlir.hlo()
    zero = mlir.full_like_aval(0, ctx.avals_in[0])
    one = mlir.full_like_aval(1, ctx.avals_in[0])
    return hlo.select(mlir.compare(x, zero, "EQ"), zero, one)
  return mlir.hlo().sign(x)


sign_p = naryop("sign", _num, _sign_lowering)
ad.defjvp_zero(sign_p)

abs_p = naryop("abs", _float + _complex + _signedint, "abs",
               result_dtype=lambda dt: real_dtype(dt) if is_kind(dt, "complexfloating") else dt)


def _abs_jvp(primals, tangents):
  from jaxlite.lax import bitwise
  (x,), (g,) = primals, tangents
  ans = abs(x)
  if type(g) is ad.Zero:
    return ans, ad.Zero(ad.tangent_aval(core.get_aval(ans)))
  # JAX's formulation, so rounding and signed zeros agree: Re(g conj(x) / |x|)
  # with |x| = 0 read as 1; for reals g where x >= 0 (also at -0.0), else -g.
  if is_kind(core.get_aval(x).dtype, "complexfloating"):
    from jaxlite.lax import structural
    modulus = structural.convert_element_type(ans, core.get_aval(x).dtype)
    safe = bitwise.select(bitwise.eq(modulus, const(modulus, 0)),
                          structural.full_like(modulus, 1), modulus)
    return ans, real(mul(g, div(conj(x), safe)))
  return ans, bitwise.select(bitwise.ge(x, const(x, 0)), g, neg(g))


ad.primitive_jvps[abs_p] = _abs_jvp


def _square_lowering(ctx, x):
  # As JAX: chlo.square for floats and complex (XLA expands complex squares
  # with its own rounding), a multiply for integers.
  if is_kind(ctx.avals_in[0].dtype, "integer"):
    return mlir.hlo().multiply(x, x)
  return mlir.chlo().square(x)


square_p = naryop("square", _num, _square_lowering)
ad.defjvp(square_p, lambda g, x: mul(g, mul(const(x, 2), x)))


def _integer_pow_dtype_rule(x, *, y):
  check_dtypes("integer_pow", [_num], [x])
  if y < 0 and is_kind(x.dtype, "integer"):
    raise TypeError("Integers cannot be raised to negative powers, got "
                    f"integer_pow({x.str_short(short_dtypes=False)}, {y})")
  return x.dtype


def _integer_pow(x, *, y):
  # Exponentiation by squaring: O(log |y|) multiplies.
  if y == 0:
    from jaxlite.lax import structural
    return structural.full_like(x, 1)
  acc, power, n = None, x, builtins.abs(y)
  while n > 0:
    if n & 1:
      acc = power if acc is None else mul(acc, power)
    n >>= 1
    if n:
      power = mul(power, power)
  return div(const(x, 1), acc) if y < 0 else acc


integer_pow_p = naryop("integer_pow", _num, mlir.lower_fun(_integer_pow, multiple_results=False),
                       dtype_rule=_integer_pow_dtype_rule)


def _integer_pow_jvp(g, x, *, y):
  # JAX's cases, so that gradients stage the same equations (x**2 -> mul 2.0 x).
  if y == 0:
    return zeros_like(g)
  if y == 1:
    return g
  if y == 2:
    return mul(g, mul(const(x, y), x))
  return mul(g, mul(const(x, y), integer_pow(x, y - 1)))


ad.defjvp(integer_pow_p, _integer_pow_jvp)

# --- complex numbers --------------------------------------------------------------------

real_p = naryop("real", _complex, "real", result_dtype=real_dtype)
imag_p = naryop("imag", _complex, "imag", result_dtype=real_dtype)
# As JAX: the zero part is a strong constant, so the cotangent is strong.
ad.deflinear(real_p, lambda ct: [complex(ct, np.zeros((), _ct_dtype(ct)))])
ad.deflinear(imag_p, lambda ct: [complex(np.zeros((), _ct_dtype(ct)), neg(ct))])


def _ct_dtype(ct):
  return core.get_aval(ct).dtype

complex_p = naryop("complex", [("float32", "float64")] * 2, "complex",
                   result_dtype=complex_dtype)


def _complex_transpose(ct, x, y):
  return [unbroadcast(x.aval, real(ct)) if ad.is_undefined_primal(x) else None,
          unbroadcast(y.aval, imag(neg(ct))) if ad.is_undefined_primal(y) else None]


ad.deflinear2(complex_p, _complex_transpose)


def _conj_dtype_rule(x, *, input_dtype):
  check_dtypes("conj", [("float32", "complexfloating", "float64")], [x])
  return complex_dtype(x.dtype)


def _conj_lowering(ctx, x, *, input_dtype):
  if is_kind(ctx.avals_in[0].dtype, "complexfloating"):
    return mlir.chlo().conj(x)
  return mlir.hlo().complex(x, mlir.full_like_aval(0, ctx.avals_in[0]))


conj_p = naryop("conj", _fc, _conj_lowering, dtype_rule=_conj_dtype_rule)


def _conj_transpose(ct, x, *, input_dtype):
  if is_kind(input_dtype, "complexfloating"):
    return [conj(ct)]
  return [real(ct)]


ad.deflinear2(conj_p, _conj_transpose)

# --- rounding ---------------------------------------------------------------------------


class RoundingMethod(enum.IntEnum):
  """How ``lax.round`` breaks ties between two integers."""
  AWAY_FROM_ZERO = 0
  TO_NEAREST_EVEN = 1


floor_p = naryop("floor", _float, "floor")
ceil_p = naryop("ceil", _float, "ceil")
ad.defjvp_zero(floor_p)
ad.defjvp_zero(ceil_p)


def _round_lowering(ctx, x, *, rounding_method):
  if rounding_method == RoundingMethod.AWAY_FROM_ZERO:
    return mlir.hlo().round_nearest_afz(x)
  return mlir.hlo().round_nearest_even(x)


round_p = naryop("round", _float, _round_lowering)
ad.defjvp_zero(round_p)

is_finite_p = naryop("is_finite", _float, "is_finite", result_dtype=lambda dt: np.bool_)
ad.defjvp_zero(is_finite_p)


# --- public wrappers (JAX's lax signatures) ------------------------------------------------


def neg(x):
  r"""Elementwise negation: :math:`-x`.

  >>> from jaxlite import lax
  >>> lax.neg(1.0)
  Array(-1., dtype=float32, weak_type=True)
  """
  return neg_p.bind(x)


def sign(x):
  r"""Elementwise sign: -1, 0 or 1 (NaN for NaN; ``x / |x|`` for complex).

  >>> from jaxlite import lax
  >>> lax.sign(-3.0)
  Array(-1., dtype=float32, weak_type=True)
  """
  return sign_p.bind(x)


def abs(x):
  r"""Elementwise absolute value :math:`|x|`; complex inputs give their real magnitude.

  >>> from jaxlite import lax
  >>> lax.abs(-2.0)
  Array(2., dtype=float32, weak_type=True)
  """
  return abs_p.bind(x)


def add(x, y):
  r"""Elementwise addition: :math:`x + y`.

  Operands must have one dtype; a Python scalar takes the other operand's dtype.

  >>> from jaxlite import lax
  >>> lax.add(1.0, 2.0)
  Array(3., dtype=float32, weak_type=True)
  """
  return add_p.bind(x, y)


def sub(x, y):
  r"""Elementwise subtraction: :math:`x - y`.

  >>> from jaxlite import lax
  >>> lax.sub(3.0, 2.0)
  Array(1., dtype=float32, weak_type=True)
  """
  return sub_p.bind(x, y)


def mul(x, y, *, out_dtype=None):
  r"""Elementwise multiplication: :math:`x \times y`.

  With ``out_dtype`` both operands are converted to that dtype first and the
  product has it.

  >>> import numpy as np
  >>> from jaxlite import lax
  >>> lax.mul(3.0, 2.0)
  Array(6., dtype=float32, weak_type=True)
  >>> lax.mul(np.int8(100), np.int8(3), out_dtype=np.int32)
  Array(300, dtype=int32)
  """
  if out_dtype is not None:
    from jaxlite.lax.structural import convert_element_type
    x, y = convert_element_type(x, out_dtype), convert_element_type(y, out_dtype)
  return mul_p.bind(x, y)


def div(x, y):
  r"""Elementwise division: :math:`x / y`; integer division rounds toward zero.

  >>> import numpy as np
  >>> from jaxlite import lax
  >>> lax.div(np.int32(-7), np.int32(2))
  Array(-3, dtype=int32)
  """
  return div_p.bind(x, y)


def rem(x, y):
  r"""Elementwise remainder of :math:`x / y`, with the sign of ``x`` (C's ``fmod``).

  >>> import numpy as np
  >>> from jaxlite import lax
  >>> lax.rem(np.int32(-7), np.int32(2))
  Array(-1, dtype=int32)
  """
  return rem_p.bind(x, y)


def max(x, y):
  r"""Elementwise maximum; NaN if either operand is NaN; complex by (real, imag).

  >>> from jaxlite import lax
  >>> lax.max(1.0, 2.0)
  Array(2., dtype=float32, weak_type=True)
  """
  return max_p.bind(x, y)


def min(x, y):
  r"""Elementwise minimum; NaN if either operand is NaN; complex by (real, imag).

  >>> from jaxlite import lax
  >>> lax.min(1.0, 2.0)
  Array(1., dtype=float32, weak_type=True)
  """
  return min_p.bind(x, y)


def square(x):
  r"""Elementwise square: :math:`x^2`.

  >>> from jaxlite import lax
  >>> lax.square(3.0)
  Array(9., dtype=float32, weak_type=True)
  """
  return square_p.bind(x)


def integer_pow(x, y: int):
  r"""Elementwise power :math:`x^y` for a static integer ``y`` (by repeated squaring).

  >>> from jaxlite import lax
  >>> lax.integer_pow(2.0, 3)
  Array(8., dtype=float32, weak_type=True)
  """
  return integer_pow_p.bind(x, y=int(y))


def real(x):
  r"""Elementwise real part of a complex number.

  >>> from jaxlite import lax
  >>> lax.real(1 + 2j)
  Array(1., dtype=float32, weak_type=True)
  """
  return real_p.bind(x)


def imag(x):
  r"""Elementwise imaginary part of a complex number.

  >>> from jaxlite import lax
  >>> lax.imag(1 + 2j)
  Array(2., dtype=float32, weak_type=True)
  """
  return imag_p.bind(x)


def complex(x, y):
  r"""Elementwise complex number :math:`x + i y` from float32/float64 parts.

  >>> from jaxlite import lax
  >>> lax.complex(1.0, 2.0)
  Array(1.+2.j, dtype=complex64, weak_type=True)
  """
  return complex_p.bind(x, y)


def conj(x):
  r"""Elementwise complex conjugate; a real input gives a complex result.

  >>> from jaxlite import lax
  >>> lax.conj(1 + 2j)
  Array(1.-2.j, dtype=complex64, weak_type=True)
  """
  return conj_p.bind(x, input_dtype=core.get_aval(x).dtype)


def floor(x):
  r"""Elementwise floor: :math:`\lfloor x \rfloor`.

  >>> from jaxlite import lax
  >>> lax.floor(-1.5)
  Array(-2., dtype=float32, weak_type=True)
  """
  return floor_p.bind(x)


def ceil(x):
  r"""Elementwise ceiling: :math:`\lceil x \rceil`.

  >>> from jaxlite import lax
  >>> lax.ceil(-1.5)
  Array(-1., dtype=float32, weak_type=True)
  """
  return ceil_p.bind(x)


def round(x, rounding_method=RoundingMethod.AWAY_FROM_ZERO):
  r"""Elementwise rounding to the nearest integer.

  Args:
    x: a floating-point array.
    rounding_method: how ties are broken: ``RoundingMethod.AWAY_FROM_ZERO``
      (0, the default) or ``RoundingMethod.TO_NEAREST_EVEN`` (1).

  >>> from jaxlite import lax
  >>> lax.round(2.5), lax.round(2.5, lax.RoundingMethod.TO_NEAREST_EVEN)
  (Array(3., dtype=float32, weak_type=True), Array(2., dtype=float32, weak_type=True))
  """
  rounding_method = RoundingMethod(rounding_method)
  return round_p.bind(x, rounding_method=rounding_method)


def is_finite(x):
  r"""Elementwise test for finiteness: false for ``inf``, ``-inf`` and NaN.

  >>> from jaxlite import lax
  >>> lax.is_finite(1.0)
  Array(True, dtype=bool, weak_type=True)
  """
  return is_finite_p.bind(x)
