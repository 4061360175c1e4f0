"""The rest of JAX 0.10.2's jax.lax surface (issue 17), against the installed
JAX: ragged_dot, approx_max_k/min_k, composite, platform_dependent, mulhi,
split/stack/unstack/tile primitives, empty, accuracy=, mul(out_dtype=),
out_sharding=, conv_transpose(use_consistent_padding=), all_gather(to=)."""
import jax
import numpy as np
import pytest
from jax import lax as lax_ref

import jaxlite
from jaxlite import lax

RNG = np.random.default_rng(0)


def _normal(*shape):
  return RNG.normal(size=shape).astype(np.float32)


def _close(got, want, tol=1e-5):
  got, want = jax.tree.leaves(got), jax.tree.leaves(want)
  assert len(got) == len(want)
  for g, w in zip(got, want):
    g, w = np.asarray(g), np.asarray(w)
    assert g.shape == w.shape and g.dtype == w.dtype, (g.shape, g.dtype, w.shape, w.dtype)
    np.testing.assert_allclose(g, w, rtol=tol, atol=tol)


# --- ragged_dot ------------------------------------------------------------------------------

LHS, RHS = _normal(7, 3), _normal(3, 3, 4)
GROUPS = np.array([2, 0, 4], np.int32)     # 6 of 7 rows: the last row gives zeros


def test_ragged_dot_values_and_grad():
  _close(lax.ragged_dot(LHS, RHS, GROUPS), lax_ref.ragged_dot(LHS, RHS, GROUPS))
  _close(jaxlite.jit(lax.ragged_dot)(LHS, RHS, GROUPS), lax_ref.ragged_dot(LHS, RHS, GROUPS))
  loss = lambda m: lambda l, r: (m.lax.ragged_dot(l, r, GROUPS) ** 2).sum()
  _close(jaxlite.grad(loss(jaxlite), (0, 1))(LHS, RHS), jax.grad(loss(jax), (0, 1))(LHS, RHS),
         tol=1e-4)


def test_ragged_dot_jaxpr_prints_as_jax():
  got = str(jaxlite.make_jaxpr(lax.ragged_dot)(LHS, RHS, GROUPS))
  want = str(jax.make_jaxpr(lax_ref.ragged_dot)(LHS, RHS, GROUPS))
  assert got == want


def _dnums(module, dot, ragged, group):
  return module.lax.RaggedDotDimensionNumbers(dot, ragged, group)


@pytest.mark.parametrize("lhs_shape, rhs_shape, dot, ragged, group, groups", [
    # contracting: [m, k] x [k, n] -> [g, m, n]
    ((4, 5), (5, 3), (([1], [0]), ([], [])), [1], [], [2, 3]),
    # batch mode with a batch dimension
    ((4, 2, 3), (4, 3, 5), (([2], [1]), ([0], [0])), [0], [], [1, 3]),
    # non-contracting with a batch dimension and per-batch group sizes
    ((2, 5, 3), (3, 2, 3, 4), (([2], [2]), ([0], [1])), [1], [0], [[1, 2, 2], [5, 0, 0]]),
])
def test_ragged_dot_general_modes(lhs_shape, rhs_shape, dot, ragged, group, groups):
  lhs, rhs, gs = _normal(*lhs_shape), _normal(*rhs_shape), np.array(groups, np.int32)
  want = lax_ref.ragged_dot_general(lhs, rhs, gs, _dnums(jax, dot, ragged, group))
  _close(lax.ragged_dot_general(lhs, rhs, gs, _dnums(jaxlite, dot, ragged, group)), want)
  # Derivatives: JAX differentiates forward only in these modes; check the
  # reverse mode here against JAX's directional derivative.
  f = lambda m: lambda l, r: (m.lax.ragged_dot_general(l, r, gs, _dnums(m, dot, ragged,
                                                                      group)) ** 3).sum()
  tl, tr = _normal(*lhs_shape), _normal(*rhs_shape)
  _, want_dir = jax.jvp(f(jax), (lhs, rhs), (tl, tr))
  gl, gr = jaxlite.grad(f(jaxlite), (0, 1))(lhs, rhs)
  got_dir = (np.asarray(gl) * tl).sum() + (np.asarray(gr) * tr).sum()
  np.testing.assert_allclose(got_dir, want_dir, rtol=1e-4)


def test_ragged_dot_vmap():
  lhs, gs = _normal(2, 7, 3), np.array([[2, 1, 4], [0, 3, 3]], np.int32)
  want = np.stack([lax_ref.ragged_dot(lhs[i], RHS, gs[i]) for i in range(2)])
  _close(jaxlite.vmap(lax.ragged_dot, (0, None, 0))(lhs, RHS, gs), want)
  want = np.stack([lax_ref.ragged_dot(lhs[i], RHS, GROUPS) for i in range(2)])
  _close(jaxlite.vmap(lax.ragged_dot, (0, None, None))(lhs, RHS, GROUPS), want)


def test_ragged_dot_errors():
  with pytest.raises(TypeError, match="expected rhs group dimension size to be 2"):
    lax.ragged_dot(LHS, RHS, np.array([1, 2], np.int32))
  with pytest.raises(TypeError, match="group_sizes.dtype is subtype of np.integer"):
    lax.ragged_dot(LHS, RHS, GROUPS.astype(np.float32))


# --- approx_max_k / approx_min_k ----------------------------------------------------------------

TOPK_X = _normal(4, 50)


@pytest.mark.parametrize("name", ["approx_max_k", "approx_min_k"])
@pytest.mark.parametrize("kwargs", [dict(k=5), dict(k=3, reduction_dimension=0),
                                    dict(k=5, aggregate_to_topk=False)])
def test_approx_top_k_is_exact_on_cpu(name, kwargs):
  _close(getattr(lax, name)(TOPK_X, **kwargs), getattr(lax_ref, name)(TOPK_X, **kwargs))


@pytest.mark.parametrize("name", ["approx_max_k", "approx_min_k"])
def test_approx_top_k_grad_and_vmap(name):
  loss = lambda m: lambda x: (getattr(m.lax, name)(x, 5)[0] ** 2).sum()
  _close(jaxlite.grad(loss(jaxlite))(TOPK_X), jax.grad(loss(jax))(TOPK_X))
  top = lambda m: lambda x: getattr(m.lax, name)(x, 3)
  _close(jaxlite.vmap(top(jaxlite), 1)(TOPK_X), jax.vmap(top(jax), 1)(TOPK_X))
  assert (str(jaxlite.make_jaxpr(top(jaxlite))(TOPK_X))
          == str(jax.make_jaxpr(top(jax))(TOPK_X)))


# --- composite, platform_dependent ------------------------------------------------------------


def test_composite():
  make = lambda m: m.lax.composite(lambda x, *, k: x * k + 1, name="my.affine")
  x = _normal(3)
  _close(make(jaxlite)(x, k=2.0), make(jax)(x, k=2.0))
  _close(jaxlite.jit(lambda x: make(jaxlite)(x, k=2.0))(x), make(jax)(x, k=2.0))
  assert (str(jaxlite.make_jaxpr(lambda x: make(jaxlite)(x, k=2.0))(x))
          == str(jax.make_jaxpr(lambda x: make(jax)(x, k=2.0))(x)))
  text = jaxlite.jit(lambda x: make(jaxlite)(x, k=2.0)).lower(x).as_text()
  assert 'stablehlo.composite "my.affine"' in text and "k = 2.0" in text.replace("00000e+00", "")
  with pytest.raises(ValueError, match="JVP rule for composite not implemented"):
    jaxlite.grad(lambda x: make(jaxlite)(x, k=2.0).sum())(x)


def test_platform_dependent():
  x = np.float32(2.0)
  branches = dict(cpu=lambda x: x * 10, default=lambda x: x - 1)
  _close(lax.platform_dependent(x, **branches), lax_ref.platform_dependent(x, **branches))
  _close(jaxlite.jit(lambda x: lax.platform_dependent(x, tpu=lambda x: x * 10,
                                                      default=lambda x: x - 1))(x),
         np.float32(1.0))
  _close(jaxlite.grad(lambda x: lax.platform_dependent(x, **branches))(x), np.float32(10.0))
  with pytest.raises(NotImplementedError, match="not found for platform cpu"):
    jaxlite.jit(lambda x: lax.platform_dependent(x, tpu=lambda x: x, cuda=lambda x: x + 1))(x)
  with pytest.raises(NotImplementedError, match="not found for platform cpu"):
    lax.platform_dependent(x, tpu=lambda x: x)      # eagerly, even with one branch
  # Under jit one branch needs no index (nothing to lower), as in JAX.
  _close(jaxlite.jit(lambda x: lax.platform_dependent(x, tpu=lambda x: x))(x), x)
  with pytest.raises(ValueError, match="Use 'cuda' or 'rocm'"):
    lax.platform_dependent(x, gpu=lambda x: x)


# --- mulhi, empty, pieces -----------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.int8, np.uint8, np.int16, np.int32, np.uint32])
def test_mulhi(dtype):
  info = np.iinfo(dtype)
  x = RNG.integers(info.min, info.max, 40, dtype=dtype, endpoint=True)
  y = RNG.integers(info.min, info.max, 40, dtype=dtype, endpoint=True)
  _close(lax.mulhi(x, y), lax_ref.mulhi(x, y))


def test_empty():
  _close(lax.empty((2, 3), np.float32), lax_ref.empty((2, 3), np.float32))
  assert lax.empty(4, np.int32).shape == (4,)


def test_pieces_are_primitives_with_rules():
  x = _normal(4, 6)

  def f(m):
    L = m.lax

    def g(x):
      a, b = L.split(x, (2, 4), axis=1)
      s, u, t = L.stack([x, 2 * x], 1), L.unstack(x, 0), L.tile(x, (2, 3))
      return ((a ** 2).sum() + (b ** 3).sum() + (s ** 2).sum() + (u[1] ** 3).sum()
              + (t ** 2 * np.arange(t.size, dtype=np.float32).reshape(t.shape)).sum())
    return g

  want_jaxpr = str(jax.make_jaxpr(f(jax))(x))
  assert str(jaxlite.make_jaxpr(f(jaxlite))(x)) == want_jaxpr
  # Under jit: one compile each (eager, every primitive compiles on its own).
  _close(jaxlite.jit(jaxlite.grad(f(jaxlite)))(x), jax.jit(jax.grad(f(jax)))(x), tol=1e-4)
  xs = _normal(3, 4, 6)
  _close(jaxlite.jit(jaxlite.vmap(jaxlite.grad(f(jaxlite)), 1, 1))(xs),
         jax.jit(jax.vmap(jax.grad(f(jax)), 1, 1))(xs), tol=1e-4)


# --- keyword arguments JAX added -----------------------------------------------------------------


@pytest.mark.parametrize("name", ["exp", "exp2", "log", "log1p", "expm1", "tanh", "logistic",
                                  "sin", "cos", "tan", "sqrt", "rsqrt", "cbrt"])
def test_accuracy(name):
  x = np.float32(0.7)
  for acc_lite, acc_ref in [(lax.AccuracyMode.HIGHEST, lax_ref.AccuracyMode.HIGHEST),
                            (lax.Tolerance(atol=1e-3), lax_ref.Tolerance(atol=1e-3))]:
    _close(getattr(lax, name)(x, accuracy=acc_lite), getattr(lax_ref, name)(x, accuracy=acc_ref))
  f = lambda m, acc: lambda x: getattr(m.lax, name)(x, accuracy=acc)
  _close(jaxlite.grad(f(jaxlite, lax.AccuracyMode.HIGHEST))(x),
         jax.grad(f(jax, lax_ref.AccuracyMode.HIGHEST))(x), tol=1e-4)


def test_accuracy_lowering_and_jaxpr():
  text = jaxlite.jit(lambda x: lax.sin(x, accuracy=lax.Tolerance(atol=1e-3))).lower(
      np.float32(1)).as_text()
  assert "result_accuracy = #stablehlo.result_accuracy<atol = 1.000000e-03" in text
  assert str(jaxlite.make_jaxpr(lax.sin)(np.float32(1))) == str(
      jax.make_jaxpr(lax_ref.sin)(np.float32(1)))
  with pytest.raises(ValueError, match="At least one of atol, rtol, or ulps must be set."):
    lax.Tolerance()


def test_mul_out_dtype():
  x, y = np.int8(100), np.int8(3)
  _close(lax.mul(x, y, out_dtype=np.int32), lax_ref.mul(x, y, out_dtype=np.int32))


def test_out_sharding_none_and_conv_transpose_consistent_padding():
  x = _normal(2, 3)
  _close(lax.reshape(x, (3, 2), out_sharding=None), lax_ref.reshape(x, (3, 2), out_sharding=None))
  _close(lax.reduce_sum(x, (0,), out_sharding=None), lax_ref.reduce_sum(x, (0,)))
  _close(lax.broadcast(x, (2,), out_sharding=None), lax_ref.broadcast(x, (2,)))
  lhs, rhs = _normal(1, 5, 2), _normal(3, 2, 4)
  for pad in [((1, 1),), ((0, 2),)]:
    for consistent in (False, True):
      _close(lax.conv_transpose(lhs, rhs, (2,), pad, use_consistent_padding=consistent),
             lax_ref.conv_transpose(lhs, rhs, (2,), pad, use_consistent_padding=consistent),
             tol=1e-4)


@pytest.mark.parametrize("to", ["varying", "invarying", "reduced"])
def test_all_gather_to(to):
  x = _normal(3)
  got = jaxlite.vmap(lambda v: lax.all_gather(v, "i", to=to), axis_name="i")(x)
  _close(got, np.broadcast_to(x, (3, 3)))
  with pytest.raises(ValueError, match="Got unexpected `to` value"):
    jaxlite.vmap(lambda v: lax.all_gather(v, "i", to="bad"), axis_name="i")(x)


# --- jax.lax.linalg ---------------------------------------------------------------------------

from jax.lax import linalg as linalg_ref  # noqa: E402
from jaxlite.lax import linalg  # noqa: E402

SYM = _normal(4, 4)
SYM = SYM + SYM.T


def test_symmetric_product_and_cholesky_update():
  a = _normal(4, 3)
  for kw in (dict(alpha=2., beta=.5), dict(symmetrize_output=True)):
    _close(linalg.symmetric_product(a, SYM, **kw), linalg_ref.symmetric_product(a, SYM, **kw))
  s = _normal(4, 4)
  r = np.linalg.cholesky(s @ s.T + 4 * np.eye(4)).T.astype(np.float32)
  w = _normal(4)
  _close(linalg.cholesky_update(r, w), linalg_ref.cholesky_update(r, w), tol=1e-5)


@pytest.mark.parametrize("dtype", [np.float32, np.complex64])
@pytest.mark.parametrize("lower", [True, False])
def test_tridiagonal(dtype, lower):
  h = SYM.astype(dtype) + (1j * (SYM.T - SYM + np.triu(SYM, 1)) if dtype == np.complex64 else 0)
  h = ((h + h.conj().T) / 2).astype(dtype)
  _close(linalg.tridiagonal(h, lower=lower), linalg_ref.tridiagonal(h, lower=lower), tol=1e-5)


@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("transpose", [True, False])
def test_ormqr(left, transpose):
  h, taus = jax.numpy.linalg.qr(_normal(5, 3), mode="raw")
  h, taus = np.asarray(h.mT), np.asarray(taus)
  c = _normal(5, 2) if left else _normal(2, 5)
  _close(linalg.ormqr(h, taus, c, left=left, transpose=transpose),
         linalg_ref.ormqr(h, taus, c, left=left, transpose=transpose), tol=1e-5)


def test_eig_eigenvector_derivatives():
  x, t = _normal(3, 3), _normal(3, 3)
  weights = np.arange(1, 10, dtype=np.float32).reshape(3, 3)

  def f(m):
    def loss(x):
      w, vl, vr = m.lax.linalg.eig(x, enable_eigvec_derivs=True)
      return ((abs(vl) ** 2 * weights).sum() + (vr.real ** 2 * weights).sum()
              + abs(w).sum())
    return loss
  jvp = lambda m: m.jit(lambda x, t: m.jvp(f(m), (x,), (t,))[1])
  _close(jvp(jaxlite)(x, t), jvp(jax)(x, t), tol=1e-4)
  with pytest.raises(NotImplementedError, match="enable_eigvec_derivs=True"):
    jaxlite.jvp(lambda x: linalg.eig(x)[1], (x,), (t,))
  assert str(jaxlite.make_jaxpr(linalg.eig)(x)) == str(jax.make_jaxpr(linalg_ref.eig)(x))


def test_linalg_keywords():
  _close(linalg.eigh(SYM, implementation=linalg.EighImplementation.QR)[1],
         linalg_ref.eigh(SYM, implementation=linalg_ref.EighImplementation.QR)[1], tol=1e-5)
  with pytest.raises(NotImplementedError, match="Jacobi implementation is not supported"):
    linalg.eigh(SYM, implementation=linalg.EighImplementation.JACOBI)
  dl, d, du = (np.array(v, np.float32) for v in ([0, 1], [1, 1], [1, 0]))   # singular
  b = np.array([[1.], [2.]], np.float32)
  for perturb in (False, True):
    _close(linalg.tridiagonal_solve(dl, d, du, b, perturb_singular=perturb),
           linalg_ref.tridiagonal_solve(dl, d, du, b, perturb_singular=perturb))
  pivots = np.array([[2, 2, 2], [1, 2, 2]], np.int32)
  _close(linalg.lu_pivots_to_permutation(pivots, 4),
         linalg_ref.lu_pivots_to_permutation(pivots, 4))
  assert (str(jaxlite.make_jaxpr(lambda p: linalg.lu_pivots_to_permutation(p, 4))(pivots))
          == str(jax.make_jaxpr(lambda p: linalg_ref.lu_pivots_to_permutation(p, 4))(pivots)))


@pytest.mark.parametrize("shape, dynamic_shape", [((5, 3), None), ((6, 4), (4, 3))])
def test_qdwh(shape, dynamic_shape):
  x = _normal(*shape)
  if dynamic_shape is not None:
    x[dynamic_shape[0]:], x[:, dynamic_shape[1]:] = 0, 0
  got = linalg.qdwh(x, dynamic_shape=dynamic_shape)
  want = linalg_ref.qdwh(x, dynamic_shape=dynamic_shape)
  _close(got[:2], want[:2], tol=1e-5)
  assert int(got[2]) == int(want[2]) and bool(got[3]) == bool(want[3])


# --- patches and unshared convolution ------------------------------------------------------------


@pytest.mark.parametrize("dn", [None, ("NHWC", "HWIO", "NHWC"), ("NCHW", "OIWH", "CNHW")])
def test_conv_general_dilated_patches(dn):
  x = _normal(2, 3, 6, 5)
  if dn is not None and dn[0] == "NHWC":
    x = np.transpose(x, (0, 2, 3, 1))
  _close(lax.conv_general_dilated_patches(x, (2, 3), (1, 2), "SAME", dimension_numbers=dn),
         lax_ref.conv_general_dilated_patches(x, (2, 3), (1, 2), "SAME", dimension_numbers=dn))


@pytest.mark.parametrize("dn, lhs_shape, rhs_shape", [
    (("NCHW", "OIHW", "NCHW"), (2, 3, 6, 5), (4, 18, 5, 2)),
    (("NHWC", "HWIO", "NHWC"), (2, 6, 5, 3), (5, 2, 18, 4)),
])
def test_conv_general_dilated_local(dn, lhs_shape, rhs_shape):
  lhs, rhs = _normal(*lhs_shape), _normal(*rhs_shape)
  f = lambda m: lambda l, r: m.lax.conv_general_dilated_local(l, r, (1, 2), "VALID", (2, 3),
                                                              dimension_numbers=dn)
  _close(f(jaxlite)(lhs, rhs), f(jax)(lhs, rhs), tol=1e-4)
  loss = lambda m: lambda l, r: (f(m)(l, r) ** 2).sum()
  _close(jaxlite.grad(loss(jaxlite), (0, 1))(lhs, rhs), jax.grad(loss(jax), (0, 1))(lhs, rhs),
         tol=1e-3)


# --- dot algorithms -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["DEFAULT", "F32_F32_F32", "BF16_BF16_F32", "BF16_BF16_F32_X3"])
def test_dot_algorithm_presets(name):
  a, b = _normal(3, 4), _normal(4, 2)
  want = lax_ref.dot(a, b, precision=getattr(lax_ref.DotAlgorithmPreset, name))
  _close(lax.dot(a, b, precision=getattr(lax.DotAlgorithmPreset, name)), want)
  _close(lax.dot(a, b, precision=name), want)
  loss = lambda m: lambda a, b: (m.lax.dot(a, b, precision=name) ** 2).sum()
  _close(jaxlite.grad(loss(jaxlite), (0, 1))(a, b), jax.grad(loss(jax), (0, 1))(a, b), tol=1e-4)
  assert (str(jaxlite.make_jaxpr(lambda a, b: lax.dot(a, b, precision=name))(a, b))
          == str(jax.make_jaxpr(lambda a, b: lax_ref.dot(a, b, precision=name))(a, b)))


def test_dot_algorithm_unsupported_on_cpu():
  a = _normal(2, 2)
  for precision in ("TF32_TF32_F32", lax.DotAlgorithm(np.float32, np.float32, np.float32)):
    with pytest.raises(ValueError, match="is not supported by dot_general on CPU"):
      lax.dot(a, a, precision=precision)


# --- pbroadcast, pcast ------------------------------------------------------------------------------


def test_pbroadcast_and_pcast():
  x = _normal(4, 2)
  want = jax.vmap(lambda v: lax_ref.pbroadcast(v, "i", 1), axis_name="i")(x)
  _close(jaxlite.vmap(lambda v: lax.pbroadcast(v, "i", 1), axis_name="i")(x), want)
  _close(jaxlite.pmap(lambda v: lax.pbroadcast(v, "i", 1), axis_name="i")(x), want)
  # As JAX's: pcast to 'varying' is pvary, which only a shard_map body may apply.
  with pytest.raises(ValueError, match="pvary should be called under jax.shard_map"):
    jaxlite.vmap(lambda v: lax.pcast(v, "i", to="varying"), axis_name="i")(x)
  with pytest.raises(ValueError, match="Got unexpected `to` value"):
    lax.pcast(x, "i", to="invarying")


# --- scaled_dot -------------------------------------------------------------------------------------


def test_scaled_dot():
  import ml_dtypes
  lhs, rhs = _normal(4, 8), _normal(8, 3)
  exponents = lambda *s: (2.0 ** RNG.integers(-2, 3, size=s)).astype(ml_dtypes.float8_e8m0fnu)
  for kw in (dict(), dict(lhs_scale=exponents(4, 2), rhs_scale=exponents(2, 3),
                          preferred_element_type=np.float32)):
    _close(lax.scaled_dot(lhs, rhs, **kw), lax_ref.scaled_dot(lhs, rhs, **kw))
  f = lambda m: lambda l, r: m.lax.scaled_dot(l, r)
  assert str(jaxlite.make_jaxpr(f(jaxlite))(lhs, rhs)) == str(jax.make_jaxpr(f(jax))(lhs, rhs))
  batch = _normal(2, 4, 8)
  _close(jaxlite.vmap(lambda x: lax.scaled_dot(x, rhs))(batch),
         jax.vmap(lambda x: lax_ref.scaled_dot(x, rhs))(batch))


# --- ragged_all_to_all ------------------------------------------------------------------------------


def test_ragged_all_to_all_as_jax_on_cpu():
  args = (np.array([[1, 2, 2], [3, 4, 0]], np.float32), np.zeros((2, 4), np.float32),
          np.array([[0, 1], [0, 1]], np.int32), np.array([[1, 2], [1, 1]], np.int32),
          np.array([[0, 0], [1, 2]], np.int32), np.array([[1, 1], [2, 1]], np.int32))
  f = lambda *a: lax.ragged_all_to_all(*a, axis_name="i")
  with pytest.raises(NotImplementedError, match="Please open a feature request"):
    jaxlite.vmap(f, axis_name="i")(*args)
  # XLA:CPU has no kernel (JAX fails the same way); never a crash.
  with pytest.raises(NotImplementedError, match="not supported by XLA:CPU"):
    jaxlite.pmap(f, axis_name="i")(*args)
  with pytest.raises(ValueError, match="input_offsets must be integer type"):
    jaxlite.pmap(f, axis_name="i")(*args[:2], args[2].astype(np.float32), *args[3:])


# --- device_put_p -----------------------------------------------------------------------------------


def test_device_put_primitive():
  from jaxlib import xla_client
  reuse, copy = (xla_client.ArrayCopySemantics.REUSE_INPUT,
                 xla_client.ArrayCopySemantics.ALWAYS_COPY)
  x = _normal(3)
  out = lax.device_put_p.bind(x, np.float32(2), devices=(jaxlite.devices()[0], None),
                              srcs=(None, None), copy_semantics=(copy, reuse))
  want = lax_ref.device_put_p.bind(x, np.float32(2), devices=(jax.devices()[0], None),
                                   srcs=(None, None), copy_semantics=(copy, reuse))
  _close(out, want)
  params = dict(devices=(None,), srcs=(None,), copy_semantics=(reuse,))
  loss = lambda m: lambda x: (m.lax.device_put_p.bind(x, **params)[0] ** 2).sum()
  _close(jaxlite.grad(loss(jaxlite))(x), jax.grad(loss(jax))(x))
  _close(jaxlite.vmap(loss(jaxlite))(_normal(2, 3) * 0 + x), np.full(2, (x ** 2).sum()),
         tol=1e-5)
  assert (str(jaxlite.make_jaxpr(lambda x: lax.device_put_p.bind(x, **params))(x))
          == str(jax.make_jaxpr(lambda x: lax_ref.device_put_p.bind(x, **params))(x)))
