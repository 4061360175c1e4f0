"""NumPy's legacy polynomial functions: coefficient arrays, highest power
first. ``polyval``, arithmetic, derivatives and integrals, ``polyfit`` (least
squares through ``jnp.linalg.lstsq``), ``roots`` (eigenvalues of the
companion matrix) and ``poly``, plus ``vander`` and ``trim_zeros``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.polyval(jnp.array([1, 0, -1]), jnp.array([2, 3]))
  Array([3, 8], dtype=int32)
"""
from __future__ import annotations

__all__ = ['poly', 'polyadd', 'polysub', 'polymul', 'polydiv', 'polyder', 'polyint',
           'polyval', 'polyfit', 'roots', 'vander', 'trim_zeros']

import numpy as np

from jaxlite import dtypes, lax
from jaxlite.lax import structural as lax_structural
from jaxlite.numpy import (convolution, creation, joining, linalg, linear, promotion,
                           rearranging, reductions, sorting, ufuncs)
from jaxlite.numpy.promotion import check_arraylike, ensure_array
from jaxlite.numpy.library_jit import library_jit


def _poly_1d(p, fun_name, inexact=False):
  check_arraylike(fun_name, p)
  (p,) = promotion.promote_dtypes_inexact(p) if inexact else promotion.promote_dtypes(p)
  p = ensure_array(p)
  if p.ndim != 1:
    raise ValueError(f"jnp.{fun_name}: input array must be one-dimensional; got shape "
                     f"{p.shape}")
  return p


@library_jit(static_argnames=('unroll',))
def polyval(p, x, *, unroll: int = 16):
  """The polynomial with coefficients ``p`` evaluated at ``x`` (Horner's rule,
  one ``scan`` step per coefficient, ``unroll`` steps per loop iteration).

  >>> import jaxlite.numpy as jnp
  >>> jnp.polyval(jnp.array([1.0, 2.0, 3.0]), 2.0)
  Array(11., dtype=float32)
  """
  from jaxlite.lax.control_flow.scan import scan  # pylint: disable=g-import-not-at-top
  check_arraylike("polyval", p, x)
  p, x = (ensure_array(a) for a in promotion.promote_dtypes(p, x))
  if p.ndim < 1:
    raise ValueError(f"jnp.polyval: p must be at least one-dimensional; got shape {p.shape}")
  # Coefficients may carry trailing axes (one polynomial per element), as JAX's.
  out = lax_structural.full(lax.broadcast_shapes(p.shape[1:], x.shape), 0, x.dtype)
  out, _ = scan(lambda y, c: (y * x + c, None), out, p, unroll=unroll)
  return out


@library_jit
def polyadd(a1, a2):
  """The sum of two polynomials.

  >>> import jaxlite.numpy as jnp
  >>> jnp.polyadd(jnp.array([1, 2]), jnp.array([1, 0, 0]))
  Array([1, 1, 2], dtype=int32)
  """
  check_arraylike("polyadd", a1, a2)
  a1, a2 = (ensure_array(a) for a in promotion.promote_dtypes(a1, a2))
  # As JAX: the shorter is added (broadcast) into the trailing rows of the
  # longer, so 2-D coefficient arrays work as in JAX.
  longer, shorter = (a1, a2) if a2.shape[0] <= a1.shape[0] else (a2, a1)
  return longer.at[-shorter.shape[0]:].add(shorter)


@library_jit
def polysub(a1, a2):
  """The difference of two polynomials.

  >>> import jaxlite.numpy as jnp
  >>> jnp.polysub(jnp.array([1, 2]), jnp.array([1, 1, 1]))
  Array([-1,  0,  1], dtype=int32)
  """
  check_arraylike("polysub", a1, a2)
  a1, a2 = (ensure_array(a) for a in promotion.promote_dtypes(a1, a2))
  return polyadd(a1, ufuncs.negative(a2))


def polymul(a1, a2, *, trim_leading_zeros: bool = False):
  """The product of two polynomials (the convolution of their coefficients).

  >>> import jaxlite.numpy as jnp
  >>> jnp.polymul(jnp.array([1.0, 1.0]), jnp.array([1.0, -1.0]))
  Array([ 1.,  0., -1.], dtype=float32)
  """
  check_arraylike("polymul", a1, a2)
  a1, a2 = (ensure_array(a) for a in promotion.promote_dtypes_inexact(a1, a2))
  if trim_leading_zeros and (a1.shape[0] > 1 or a2.shape[0] > 1):
    a1, a2 = trim_zeros(a1, "f"), trim_zeros(a2, "f")
  if a1.shape[0] == 0:
    a1 = lax_structural.full((1,), 0, a1.dtype)
  if a2.shape[0] == 0:
    a2 = lax_structural.full((1,), 0, a2.dtype)
  return convolution.convolve(a1, a2, mode="full")


def polydiv(u, v, *, trim_leading_zeros: bool = False):
  """The quotient and remainder of dividing polynomial ``u`` by ``v``.

  The remainder keeps ``u``'s length unless ``trim_leading_zeros`` (which
  needs concrete values).

  >>> import jaxlite.numpy as jnp
  >>> jnp.polydiv(jnp.array([1.0, 3.0, 2.0]), jnp.array([1.0, 1.0]))
  (Array([1., 2.], dtype=float32), Array([0., 0., 0.], dtype=float32))
  """
  check_arraylike("polydiv", u, v)
  u, v = (ensure_array(a) for a in promotion.promote_dtypes_inexact(u, v))
  m, n = u.shape[0] - 1, v.shape[0] - 1
  scale = ufuncs.true_divide(1, v[0])
  q = lax_structural.full((max(m - n + 1, 1),), 0, u.dtype)
  r = u
  # Long division, one (static) step per coefficient of the quotient.
  for k in range(m - n + 1):
    d = ufuncs.multiply(scale, r[k])
    q = q.at[k].set(d)
    r = r.at[k:k + n + 1].add(ufuncs.negative(ufuncs.multiply(d, v)))
  if trim_leading_zeros:
    r = trim_zeros(r, trim="f")
  return q, r


@library_jit(static_argnames=('m',))
def polyder(p, m: int = 1):
  """The ``m``-th derivative of the polynomial ``p``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.polyder(jnp.array([1, 2, 3, 4]))
  Array([3., 4., 3.], dtype=float32)
  """
  check_arraylike("polyder", p)
  m = promotion.concrete_int(m, "'m' argument of jnp.polyder")
  (p,) = promotion.promote_dtypes_inexact(p)
  p = ensure_array(p)
  if m < 0:
    raise ValueError("Order of derivative must be positive")
  if m == 0:
    return p
  # Coefficient i (of x**(n-1-i)) gains the falling factorial (n-1-i)!/(n-1-i-m)!,
  # a product over a (m, n - m) table of differences, in p's dtype as JAX.
  table = (creation.arange(m, p.shape[0], dtype=p.dtype)[np.newaxis]
           - creation.arange(m, dtype=p.dtype)[:, np.newaxis])
  coefficients = reductions.prod(table, axis=0)
  return p[:-m] * coefficients[::-1]


def polyint(p, m: int = 1, k=None):
  """The ``m``-th antiderivative of ``p``; ``k`` holds the integration constants.

  >>> import jaxlite.numpy as jnp
  >>> jnp.polyint(jnp.array([3.0, 2.0, 1.0]))
  Array([1., 1., 1., 0.], dtype=float32)
  """
  p = _poly_1d(p, "polyint", inexact=True)
  m = promotion.concrete_int(m, "'m' argument of jnp.polyint")
  if m < 0:
    raise ValueError(f"Order of integral must be positive (see polyder); got m={m}")
  if k is None:
    k = lax_structural.full((m,), 0, p.dtype)
  else:
    check_arraylike("polyint", k)
    k = ensure_array(promotion.convert(k, p.dtype))
    if k.ndim == 0:
      k = lax_structural.full((m,), 0, p.dtype) + k
    if k.shape != (m,):
      raise ValueError("k must be a scalar or a rank-1 array of length 1 or m.")
  if m == 0:
    return p
  n = p.shape[0]
  # After m integrations coefficient i (of x**(n-1-i)) is divided by
  # (n-i)(n-i+1)...(n-i+m-1); the constants become the last m coefficients.
  powers = np.arange(n, 0, -1)
  divisors = np.ones(powers.shape, np.float64)
  for j in range(m):
    divisors = divisors * (powers + j)
  body = ufuncs.true_divide(p, divisors.astype(p.dtype))
  # Constant k[i] is integrated m-1-i more times: divided by (m-1-i)!.
  tail = ufuncs.true_divide(k, np.array([float(np.prod(np.arange(1, m - i)))
                                         for i in range(m)], p.dtype))
  return joining.concatenate([body, tail])


@library_jit
def poly(seq_of_zeros):
  """The coefficients of the monic polynomial with the given roots (or, for a
  square matrix, of its characteristic polynomial).

  >>> import jaxlite.numpy as jnp
  >>> jnp.poly(jnp.array([1.0, 2.0]))
  Array([ 1., -3.,  2.], dtype=float32)
  """
  check_arraylike("poly", seq_of_zeros)
  (a,) = promotion.promote_dtypes_inexact(seq_of_zeros)
  a = ensure_array(a)
  if a.ndim == 0:
    a = lax_structural.reshape(a, (1,))
  elif a.ndim == 2 and a.shape[0] == a.shape[1] and a.shape[0]:
    a = linalg.eigvals(a)
  elif a.ndim != 1:
    raise ValueError("input must be 1d or non-empty square 2d array.")
  out = creation.ones((1,), a.dtype)
  for i in range(a.shape[0]):
    out = convolution.convolve(out, joining.stack([creation.ones((), a.dtype),
                                                   ufuncs.negative(a[i])]), mode="full")
  return out


def polyfit(x, y, deg: int, rcond=None, full: bool = False, w=None, cov=False):
  """The least-squares fit of a degree ``deg`` polynomial to the points ``(x, y)``.

  ``y`` may hold one data set per column. With ``full``, also the residuals,
  rank, singular values and ``rcond``; with ``cov``, the covariance of the
  coefficients (scaled by the residuals unless ``cov='unscaled'``).

  >>> import jaxlite.numpy as jnp
  >>> x = jnp.array([0.0, 1.0, 2.0, 3.0])
  >>> jnp.round(jnp.polyfit(x, 2 * x + 1, 1), 4)
  Array([2., 1.], dtype=float32)
  """
  check_arraylike("polyfit", x, y)
  deg = promotion.concrete_int(deg, "'deg' argument of jnp.polyfit")
  order = deg + 1
  x, y = (ensure_array(a) for a in promotion.promote_dtypes_inexact(x, y))
  if deg < 0:
    raise ValueError("expected deg >= 0")
  if x.ndim != 1:
    raise TypeError("expected 1D vector for x")
  if x.size == 0:
    raise TypeError("expected non-empty vector for x")
  if y.ndim not in (1, 2):
    raise TypeError("expected 1D or 2D array for y")
  if x.shape[0] != y.shape[0]:
    raise TypeError("expected x and y to have same length")
  if rcond is None:
    rcond = x.shape[0] * float(dtypes.finfo(x.dtype).eps)
  lhs, rhs = vander(x, order), y
  if w is not None:
    check_arraylike("polyfit", w)
    (w,) = promotion.promote_dtypes_inexact(w)
    w = ensure_array(w)
    if w.ndim != 1:
      raise TypeError("expected a 1-d array for weights")
    if w.shape[0] != y.shape[0]:
      raise TypeError("expected w and y to have the same length")
    lhs = ufuncs.multiply(lhs, w[:, None])
    rhs = ufuncs.multiply(rhs, w if rhs.ndim == 1 else w[:, None])
  # Scaling the columns to unit norm improves the conditioning.
  scale = ufuncs.sqrt(reductions.sum(ufuncs.multiply(lhs, lhs), axis=0))
  lhs = ufuncs.true_divide(lhs, scale)
  c, resids, rank, s = linalg.lstsq(lhs, rhs, rcond)
  c = ufuncs.true_divide(c, scale if c.ndim == 1 else scale[:, None])
  if full:
    return c, resids, rank, s, creation.asarray(rcond)
  if cov:
    base = linalg.inv(linear.dot(lhs.T, lhs))
    base = ufuncs.true_divide(base, linear.outer(scale, scale))
    if cov == "unscaled":
      factor = 1
    else:
      if x.shape[0] <= order:
        raise ValueError("the number of data points must exceed order to scale the "
                         "covariance matrix")
      factor = ufuncs.true_divide(resids, x.shape[0] - order)
    if y.ndim == 1:
      return c, ufuncs.multiply(base, factor)
    return c, ufuncs.multiply(base[:, :, None], factor)
  return c


def roots(p, *, strip_zeros: bool = True):
  """The (complex) roots of the polynomial ``p``.

  ``strip_zeros`` drops leading zero coefficients, which needs concrete
  values; with ``strip_zeros=False`` (usable under ``jit``) each leading zero
  gives a NaN root instead.

  >>> import jaxlite.numpy as jnp
  >>> jnp.sort_complex(jnp.roots(jnp.array([1.0, -3.0, 2.0])))
  Array([1.+0.j, 2.+0.j], dtype=complex64)
  """
  p = _poly_1d(p, "roots", inexact=True)
  if strip_zeros:
    value = promotion.concrete_value(
        p, "The error occurred in jnp.roots(): use strip_zeros=False under jit or "
        "other transformations.")
    nonzero = np.flatnonzero(value)
    p = p[int(nonzero[0]):] if nonzero.size else p[:0]
    return _companion_roots(p)
  n = p.shape[0]
  if n < 2:
    return _companion_roots(p)
  leading = reductions.argmax(ufuncs.not_equal(p, 0))
  all_zero = reductions.all(ufuncs.equal(p, 0))
  leading = ufuncs.where(all_zero, n, leading)
  # Move the leading zeros to the end; they become zero roots, which are
  # sorted last and replaced by NaN.
  safe = ufuncs.where(all_zero, creation.ones_like(p), p)
  out = _companion_roots(rearranging.roll(safe, ufuncs.negative(leading)))
  order = sorting.argsort(ufuncs.equal(out, 0).astype(np.int32))
  out = out[order]
  nan = np.asarray(complex(np.nan, np.nan), out.dtype)
  keep = lax.lt(lax.iota(leading.dtype, n - 1), lax.sub(np.asarray(n - 1, leading.dtype),
                                                        leading))
  return ufuncs.where(keep, out, nan)


def _companion_roots(p):
  complex_dtype = dtypes.canonicalize_dtype(dtypes.to_complex_dtype(p.dtype))
  n = p.shape[0]
  if n < 2:
    return lax_structural.full((0,), 0, complex_dtype)
  companion = linear.diag(creation.ones((n - 2,), p.dtype), -1)
  companion = companion.at[0, :].set(ufuncs.negative(ufuncs.true_divide(p[1:], p[0])))
  return linalg.eigvals(companion)


def vander(x, N=None, increasing: bool = False):
  """The Vandermonde matrix of the 1-D ``x``: columns are powers of ``x``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.vander(jnp.array([1, 2, 3]), 3)
  Array([[1, 1, 1],
         [4, 2, 1],
         [9, 3, 1]], dtype=int32)
  """
  check_arraylike("vander", x)
  x = ensure_array(promotion.asarray_value(x))
  if x.ndim != 1:
    raise ValueError("x must be a one-dimensional array")
  n = x.shape[0] if N is None else promotion.concrete_int(N, "'N' argument of jnp.vander")
  if n < 0:
    raise ValueError("N must be nonnegative")
  (x,) = promotion.promote_dtypes_numeric(x)
  x = ensure_array(x)
  columns = [lax_structural.full(x.shape, 1, x.dtype)]
  for _ in range(1, n):
    columns.append(lax.mul(columns[-1], x))
  if not increasing:
    columns = columns[::-1]
  if not columns:
    return lax_structural.full((x.shape[0], 0), 0, x.dtype)
  return joining.stack(columns, axis=1)


def trim_zeros(filt, trim: str = "fb", axis=None):
  """``filt`` without its leading (``'f'``) and/or trailing (``'b'``) zeros.

  The result's shape depends on the values, so ``filt`` must be concrete.
  For several dimensions, slices that are all zero are trimmed along each of
  ``axis`` (all axes by default).

  >>> import jaxlite.numpy as jnp
  >>> jnp.trim_zeros(jnp.array([0, 0, 1, 2, 0]))
  Array([1, 2], dtype=int32)
  """
  check_arraylike("trim_zeros", filt)
  filt = ensure_array(promotion.asarray_value(filt))
  value = promotion.concrete_value(filt, "The error occurred in jnp.trim_zeros().")
  trim = trim.lower()
  if not set(trim) <= {"f", "b"}:
    raise ValueError(f"unexpected character(s) in `trim`: {trim!r}")
  if filt.ndim == 0:
    raise ValueError("trim_zeros requires an array of at least one dimension")
  axes = promotion.canonicalize_axes(axis, filt.ndim)
  index = [slice(None)] * filt.ndim
  for ax in axes:
    other = tuple(i for i in range(filt.ndim) if i != ax)
    nonzero = np.flatnonzero(np.any(value != 0, axis=other) if other else value != 0)
    if nonzero.size == 0:
      index[ax] = slice(0, 0)
      continue
    start = int(nonzero[0]) if "f" in trim else 0
    stop = int(nonzero[-1]) + 1 if "b" in trim else filt.shape[ax]
    index[ax] = slice(start, stop)
  return filt[tuple(index)]
