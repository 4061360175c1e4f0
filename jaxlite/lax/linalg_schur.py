"""Schur decomposition and Hessenberg reduction (CPU: LAPACK's gees and gehrd).

Like JAX, these have no differentiation rules; they batch over leading
dimensions. A failed factorization gives NaNs.

  >>> import numpy as np
  >>> t, q = schur(np.array([[1., 2.], [0., 3.]], np.float32))
  >>> t.shape, q.shape
  ((2, 2), (2, 2))
"""
from __future__ import annotations

import numpy as np

from jaxlite.core import ShapedArray
from jaxlite.interpreters import mlir
from jaxlite.lax import lapack
from jaxlite.lax.linalg_util import batch_leading, check_matrix, linalg_primitive

__all__ = ['schur', 'schur_p', 'hessenberg', 'hessenberg_p']

# jaxlib's gees kernel takes its mode and sort options as ui8 characters.
_COMPUTE_VECTORS, _NO_VECTORS, _NO_SORT = "V", "N", "N"


def _i32_attr(value: int):
  ir = mlir.ir()
  return ir.IntegerAttr.get(ir.IntegerType.get_signless(32), int(value))


# --- schur --------------------------------------------------------------------------------------


def _schur_abstract_eval(x, *, compute_schur_vectors, sort_eig_vals, select_callable):
  check_matrix("schur", x, square=True)
  out = ShapedArray(x.shape, x.dtype)
  return [out, out] if compute_schur_vectors else [out]


schur_p = linalg_primitive("schur", _schur_abstract_eval, multiple_results=True)


def _schur_cpu_lowering(ctx, x, *, compute_schur_vectors, sort_eig_vals, select_callable):
  del select_callable
  if sort_eig_vals:
    raise NotImplementedError("The sort feature of LAPACK's gees routine is not implemented.")
  aval, = ctx.avals_in
  batch, n = aval.shape[:-2], aval.shape[-1]
  if n == 0:
    return [mlir.full_like_aval(0, a) for a in ctx.avals_out]
  cdt = lapack.compute_dtype(aval.dtype)
  caval = aval.update(dtype=cdt)
  w_aval = ShapedArray(batch + (n,), cdt)
  info_aval = ShapedArray(batch, np.int32)
  eigvals = [w_aval, w_aval] if np.dtype(cdt).kind == "f" else [w_aval]
  outs = lapack.custom_call(
      lapack.target_name("gees", cdt), [lapack.convert(x, aval, cdt)], [caval],
      [caval, caval, *eigvals, info_aval, info_aval], aliases={0: 0},
      mode=lapack.char_attr(_COMPUTE_VECTORS if compute_schur_vectors else _NO_VECTORS),
      sort=lapack.char_attr(_NO_SORT))
  t, vs, info = outs[0], outs[1], outs[-1]
  ok = lapack.info_ok(info, batch)
  results = [lapack.nan_if_not_ok(ok, t, caval)]
  if compute_schur_vectors:
    results.append(lapack.nan_if_not_ok(ok, vs, caval))
  return [lapack.convert(r, caval, aval.dtype) for r in results]


mlir.register_lowering(schur_p, _schur_cpu_lowering, platform="cpu")
batch_leading(schur_p)


def schur(x, *, compute_schur_vectors: bool = True, sort_eig_vals: bool = False,
          select_callable=None):
  """Schur decomposition ``x = q t q^H``: ``(t, q)`` (``(t,)`` without vectors).

  ``t`` is upper triangular for complex ``x`` and quasi-triangular (2x2
  blocks for complex eigenvalue pairs) for real ``x``. CPU only, as in JAX.

  >>> import numpy as np
  >>> t, q = schur(np.array([[2., 0.], [0., 1.]], np.float32))
  >>> t
  Array([[2., 0.],
         [0., 1.]], dtype=float32)
  """
  outs = schur_p.bind(x, compute_schur_vectors=bool(compute_schur_vectors),
                      sort_eig_vals=bool(sort_eig_vals), select_callable=select_callable)
  return tuple(outs)


# --- hessenberg ---------------------------------------------------------------------------------


def _hessenberg_abstract_eval(a):
  check_matrix("hessenberg", a, square=True)
  return [ShapedArray(a.shape, a.dtype), ShapedArray(a.shape[:-2] + (a.shape[-1] - 1,),
                                                     a.dtype)]


hessenberg_p = linalg_primitive("hessenberg", _hessenberg_abstract_eval, multiple_results=True)


def _hessenberg_cpu_lowering(ctx, a):
  aval, = ctx.avals_in
  a_out, tau_out = ctx.avals_out
  batch, n = aval.shape[:-2], aval.shape[-1]
  if n <= 1:
    return [a, mlir.full_like_aval(0, tau_out)]
  cdt = lapack.compute_dtype(aval.dtype)
  caval, ctau = aval.update(dtype=cdt), tau_out.update(dtype=cdt)
  h, taus, info = lapack.custom_call(
      lapack.target_name("gehrd", cdt), [lapack.convert(a, aval, cdt)], [caval],
      [caval, ctau, ShapedArray(batch, np.int32)], aliases={0: 0},
      low=_i32_attr(1), high=_i32_attr(n))
  ok = lapack.info_ok(info, batch)
  return [lapack.convert(lapack.nan_if_not_ok(ok, h, caval), caval, aval.dtype),
          lapack.convert(lapack.nan_if_not_ok(ok, taus, ctau), ctau, aval.dtype)]


mlir.register_lowering(hessenberg_p, _hessenberg_cpu_lowering, platform="cpu")
batch_leading(hessenberg_p)


def hessenberg(a):
  """Reduction to upper Hessenberg form, packed as LAPACK's gehrd returns it.

  Returns ``(a, taus)``: the upper triangle and first subdiagonal of ``a``
  hold the Hessenberg matrix, the entries below the Householder reflectors
  whose scales are ``taus``. CPU only, as in JAX.

  >>> import numpy as np
  >>> h, taus = hessenberg(np.eye(3, dtype=np.float32))
  >>> taus.shape
  (2,)
  """
  h, taus = hessenberg_p.bind(a)
  return h, taus
