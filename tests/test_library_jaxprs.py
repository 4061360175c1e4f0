"""Library functions stage JAX 0.10.2's jaxprs: `str(make_jaxpr(f)(*args))`
of jaxlite and of the installed JAX, compared character for character.

JAX wraps many jax.numpy functions in `jit` (named after the function or a
private helper such as `_diag`), marks some arguments static and calls
particular helpers inside; programs that walk jaxprs see all of that. Each
case below is one small call traced by both libraries in the same run.
"""
import numpy as np
import pytest

jax = pytest.importorskip("jax")
import jax.numpy as jax_numpy  # noqa: E402

import jaxlite  # noqa: E402
import jaxlite.numpy as jaxlite_numpy  # noqa: E402

x = np.linspace(0.1, 0.9, 6, dtype=np.float32).reshape(2, 3)
y = np.linspace(-0.3, 0.7, 6, dtype=np.float32).reshape(2, 3)
v = np.linspace(0.1, 0.9, 3, dtype=np.float32)
s = np.linspace(0.1, 0.9, 9, dtype=np.float32).reshape(3, 3)
i = np.arange(6, dtype=np.int32).reshape(2, 3)

# id -> (f(numpy_module, *args), args); numpy_module is jax.numpy or jaxlite.numpy
CASES = {
    "trace": (lambda M, a: M.trace(a), (x,)),
    "trace_offset_int": (lambda M, a: M.trace(a, 1), (i,)),
    "diagonal_offset": (lambda M, a: M.diagonal(a, -1), (x,)),
    "diag_of_matrix": (lambda M, a: M.diag(a), (x,)),
    "diag_of_vector": (lambda M, a: M.diag(a, 1), (v,)),
    "eye_traced_offset": (lambda M, k: M.eye(3, k=k), (np.int32(1),)),
    "arange_start": (lambda M, a: a + M.arange(1, 4), (v,)),
    "arange_step": (lambda M, a: a + M.arange(0.5, 2, 0.5), (v,)),
    "allclose_equal_nan": (lambda M, a, r: M.allclose(a, a, r, r, equal_nan=True), (x, np.float32(0.5))),
    "block_nested": (lambda M, a, b: M.block([[a, a], [b, b]]), (x, y)),
    "block_ranks": (lambda M, a, b: M.block([[a], [b]]), (v, x)),
    "hstack_of_array": (lambda M, a: M.hstack(a), (x,)),
    "column_stack_of_vector": (lambda M, a: M.column_stack(a), (v,)),
    "dstack_of_list": (lambda M, a, b: M.dstack((a, b)), (x, i)),
    "polyval": (lambda M, p, a: M.polyval(p, a), (v, x)),
    "polyder_2d": (lambda M, p: M.polyder(p), (x,)),
    "polyder_int": (lambda M, p: M.polyder(p, 2), (i[0],)),
    "trapezoid": (lambda M, a: M.trapezoid(a), (x,)),
    "trapezoid_x": (lambda M, a, b: M.trapezoid(a, b, axis=0), (x, y)),
    "unwrap": (lambda M, a: M.unwrap(a), (x,)),
    "unwrap_int_period": (lambda M, a: M.unwrap(a, period=5), (i,)),
    "scalar_array_literal": (lambda M, a: a * M.asarray(2.0), (x,)),
    "nanmean": (lambda M, a: M.nanmean(a, axis=0, keepdims=True), (x,)),
    "nanvar_ddof": (lambda M, a: M.nanvar(a, axis=1, ddof=1), (x,)),
    "nanstd_int": (lambda M, a: M.nanstd(a, axis=0), (i,)),
    "sum_of_bool_as_float": (lambda M, a: M.sum(a > 0.3, dtype=M.float32), (x,)),
    "matmul_matrix_vector": (lambda M, a, b: M.matmul(a, b), (x, v)),
    "matmul_vector_batched": (lambda M, a, b: M.matmul(a, b), (v, np.ones((2, 3, 4), np.float32))),
    "matmul_size1_batch": (lambda M, a, b: M.matmul(a, b),
                           (np.ones((2, 1, 2, 3), np.float32), np.ones((1, 5, 3, 4), np.float32))),
    "matvec": (lambda M, a, b: M.matvec(a, b), (x, x)),
    "vecmat": (lambda M, a, b: M.vecmat(a, b), (v, x.T)),
    "select": (lambda M, a, b: M.select([a > 0.3, a < 0.2], [a, b]), (x, y)),
    "select_of_arrays": (lambda M, a: M.select(a > 0.3, a), (x,)),
    "isin": (lambda M, a, b: M.isin(a, b), (x, y)),
    "isin_invert": (lambda M, a, b: M.isin(a, b, invert=True), (i, v)),
    "spacing": (lambda M, a: M.spacing(a), (x,)),
    "spacing_float16": (lambda M, a: M.spacing(a), (x.astype(np.float16),)),
    "gradient": (lambda M, a: M.gradient(a), (x,)),
    "gradient_coordinates": (lambda M, a, h: M.gradient(a, 2.0, h), (s, v)),
    "cov": (lambda M, a: M.cov(a), (x,)),
    "squeeze": (lambda M, a: M.squeeze(a, (-1, 0)), (np.ones((1, 3, 1), np.float32),)),
    "fft_padded_int": (lambda M, a: M.fft.fft(a, n=5), (i,)),
    "irfft": (lambda M, a: M.fft.irfft(a), (x,)),
    "fft_ortho": (lambda M, a: M.fft.fft(a, norm="ortho"), (x,)),
    "rfft_backward": (lambda M, a: M.fft.rfft(a, norm="backward"), (x,)),
    "linalg_cond": (lambda M, a: M.linalg.cond(a), (s,)),
    "linalg_svd": (lambda M, a: M.linalg.svd(a), (s,)),
    "linalg_eigvals": (lambda M, a: M.linalg.eigvals(a), (s,)),
    "frexp": (lambda M, a: M.frexp(a), (x,)),
    "frexp_int": (lambda M, a: M.frexp(a), (i,)),
    "ldexp": (lambda M, a, e: M.ldexp(a, e), (x, i)),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_jaxpr_is_jaxs(case):
  f, args = CASES[case]
  expected = str(jax.make_jaxpr(lambda *a: f(jax_numpy, *a))(*args))
  got = str(jaxlite.make_jaxpr(lambda *a: f(jaxlite_numpy, *a))(*args))
  assert got == expected
