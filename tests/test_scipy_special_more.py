"""The error-function family, exponential integrals, hypergeometric functions,
Bernoulli numbers, Bessel J_n and spherical harmonics of jaxlite.scipy.special
against JAX 0.10.2 (edge grids: 0, negatives, +-inf, nan, tiny and huge values) and
SciPy (in-domain grids), float32 and float64; gradients with check_grads; jit and vmap
against eager."""
import numpy as np
import pytest

import jaxlite
from jaxlite.scipy import special
from jaxlite.test_util import check_grads

jax = pytest.importorskip("jax")
import jax.scipy.special as jss  # noqa: E402
sps = pytest.importorskip("scipy.special")

EDGES = np.array([-np.inf, -70., -5., -3.3, -1., -1e-3, 0., 1e-3, 0.3, 1., 2., 3.3, 4.5,
                  6.5, 9., 20., 40., 100., 1e5, np.inf, np.nan])
POSITIVE = np.array([1e-20, 1e-3, 0.3, 1., 2., 3.3, 4.5, 7., 9., 20., 40., 70.])
REAL = np.array([-20., -6.5, -3.3, -1., -1e-3, 1e-20, 0.3, 1., 2., 3.3, 7., 20.])


@pytest.fixture(params=[np.float32, np.float64], ids=["f32", "f64"])
def x64(request):
  on = request.param == np.float64
  with jaxlite.enable_x64(on), jax.enable_x64(on):
    yield request.param


def _close(ours, reference, dtype, against_scipy=False, rtol_override=None):
  ours = np.asarray(ours)
  reference = np.asarray(reference)
  assert ours.shape == reference.shape
  if against_scipy:  # SciPy computes in double: round (and overflow) as the dtype does
    reference = reference.astype(np.result_type(dtype, ours.dtype))
    rtol, atol = (5e-4, 1e-6) if dtype == np.float32 else (1e-9, 1e-14)
  else:
    rtol, atol = (2e-5, 1e-7) if dtype == np.float32 else (1e-12, 1e-15)
  np.testing.assert_allclose(ours.astype(reference.dtype), reference,
                             rtol=rtol_override or rtol, atol=atol)


# (name, our callable, JAX's callable, SciPy's callable, JAX grid, SciPy grid)
UNARY = [
    ("erfcx", special.erfcx, jss.erfcx, sps.erfcx, EDGES, REAL),
    ("dawsn", special.dawsn, jss.dawsn, sps.dawsn, EDGES, REAL),
    ("fresnel_s", lambda x: special.fresnel(x)[0], lambda x: jss.fresnel(x)[0],
     lambda x: sps.fresnel(x)[0], EDGES, REAL),
    ("fresnel_c", lambda x: special.fresnel(x)[1], lambda x: jss.fresnel(x)[1],
     lambda x: sps.fresnel(x)[1], EDGES, REAL),
    # JAX's own exp1/expi hang (a while_loop) on tiny positive arguments, batched with
    # larger ones: 1e-3 is as small as its grid goes; SciPy checks 1e-20.
    ("expi", special.expi, jss.expi, sps.expi, EDGES, REAL),
    ("exp1", special.exp1, jss.exp1, sps.exp1, EDGES, POSITIVE),
    ("si", lambda x: special.sici(x)[0], lambda x: jss.sici(x)[0], lambda x: sps.sici(x)[0],
     np.append(EDGES, [2e9, -3e9]), REAL),
    ("ci", lambda x: special.sici(x)[1], lambda x: jss.sici(x)[1], lambda x: sps.sici(x)[1],
     np.append(EDGES, [2e9, -3e9]), POSITIVE),
    ("spence", special.spence, jss.spence, sps.spence, EDGES, np.abs(REAL)),
]


@pytest.mark.parametrize("name,ours,theirs,scipy_fn,grid,scipy_grid", UNARY,
                         ids=[u[0] for u in UNARY])
def test_unary_values(name, ours, theirs, scipy_fn, grid, scipy_grid, x64):
  x, y = grid.astype(x64), scipy_grid.astype(x64)
  with np.errstate(all="ignore"):
    # Ours on both grids in one call (one compile); JAX on its edge grid only
    # (exp1/expi: see above).
    got = ours(np.concatenate([x, y]))
    assert np.asarray(got).dtype == x64
    got = np.asarray(got)
    _close(got[:x.size], theirs(x), x64)
    _close(got[x.size:], scipy_fn(y.astype(np.float64)), x64, against_scipy=True)


def test_expn_values(x64):
  n = np.array([0, 1, 2, 3, 30, 6000])[:, None]
  x = EDGES.astype(x64)[None, :]
  got = special.expn(n.astype(x64), x)
  # JAX gives E_n(0) = 1/n for n >= 2 (SciPy and the definition: 1/(n-1)): not compared.
  reference = np.asarray(jss.expn(n.astype(x64), x))
  zero = (x == 0) & (n >= 2)
  with np.errstate(divide="ignore"):  # n = 0, 1 rows: masked out by `zero`
    expected_at_zero = (1. / (n - 1.) * np.ones_like(x))[zero]
  np.testing.assert_allclose(np.asarray(got)[np.broadcast_to(zero, got.shape)],
                             expected_at_zero, rtol=1e-6)
  _close(np.where(zero, 0, got), np.where(zero, 0, reference), x64)
  y = POSITIVE.astype(x64)[None, :]
  _close(special.expn(n[:-1].astype(x64), y), sps.expn(n[:-1], y.astype(np.float64)), x64,
         against_scipy=True)


def test_wofz_and_complex_erfcx(x64):
  cdtype = np.complex64 if x64 == np.float32 else np.complex128
  z = np.array([0, 1, 1 + 1j, -2 + 0.5j, 3 - 4j, -1 - 1j, 10j, -30 + 2j, 1e-4j], cdtype)
  got = special.wofz(z)
  assert got.dtype == cdtype
  _close(got, jss.wofz(z), x64)
  _close(got, sps.wofz(z.astype(np.complex128)), x64, against_scipy=True)
  _close(special.erfcx(z), jss.erfcx(z), x64)
  assert special.wofz(x64(1.0)).dtype == cdtype  # real in, complex out


def test_owens_t_values(x64):
  # JAX's edge grid and SciPy's in-domain grid, concatenated into one call each.
  edge = _flat(EDGES.astype(x64)[None, :],
               np.array([-np.inf, -3., -1., -0.5, 0., 0.5, 1., 2., 50., np.nan], x64)[:, None])
  inner = _flat(REAL.astype(x64)[None, :], np.array([-3., -0.5, 0.2, 1., 2.5], x64)[:, None])
  h, a = [np.concatenate([e, i]) for e, i in zip(edge, inner)]
  got = np.asarray(special.owens_t(h, a))
  _close(got, jss.owens_t(h, a), x64)
  _close(got[len(edge[0]):], sps.owens_t(*(g.astype(np.float64) for g in inner)), x64,
         against_scipy=True)


def _flat(*grids):
  """The broadcast grids, flattened: one call (one compile) covers several grids."""
  return [np.broadcast_to(g, np.broadcast_shapes(*(h.shape for h in grids))).ravel()
          for g in grids]


def test_hypergeometric_values(x64):
  # JAX's edge grid and SciPy's in-domain grid, concatenated into one call each.
  edge = _flat(np.array([-2., -0.5, 0., 0.5, 1., 3.], x64)[:, None, None],
               np.array([-1.5, 0., 1., 2.5], x64)[None, :, None],
               np.array([-150., -3., 0., 0.5, 2., 120., np.nan], x64))
  inner = _flat(np.array([0.5, 1., 3.], x64)[:, None, None],
                np.array([1., 2.5], x64)[None, :, None], np.array([-3., 0.5, 2., 5.], x64))
  args = [np.concatenate([e, i]) for e, i in zip(edge, inner)]
  got = np.asarray(special.hyp1f1(*args))
  _close(got, jss.hyp1f1(*args), x64)
  _close(got[len(edge[0]):], sps.hyp1f1(*inner), x64, against_scipy=True)
  # (x < -1 diverges in JAX's series: an infinity of either sign; not compared.)
  edge = _flat(np.array([-2., -0.5, 0., 0.5, 1., 3.], x64)[:, None, None, None],
               np.array([-1.5, 0., 1., 2.5], x64)[None, :, None, None],
               np.array([-2., 0.5, 3.], x64)[None, None, :, None],
               np.array([-0.6, 0., 0.5, 0.95, 1., 1.5], x64))
  # JAX's series stops after 250 terms, short of SciPy's digits as x -> 1.
  inner = _flat(np.array([0.5, 1., 1.5], x64)[:, None, None, None],
                np.array([0.3, 2.], x64)[None, :, None, None],
                np.array([2.5, 4.], x64)[None, None, :, None],
                np.array([-0.7, 0., 0.4, 0.8], x64))
  args = [np.concatenate([e, i]) for e, i in zip(edge, inner)]
  got = np.asarray(special.hyp2f1(*args))
  _close(got, jss.hyp2f1(*args), x64)
  _close(got[len(edge[0]):], sps.hyp2f1(*inner), x64, against_scipy=True)


def test_bernoulli_bessel_sph_harm(x64):
  _close(special.bernoulli(20), jss.bernoulli(20), x64)
  # JAX sums zeta(2k) - 1 over 48 terms: B_4 is off by 2.5e-6 relative.
  _close(special.bernoulli(20), sps.bernoulli(20), x64, against_scipy=True, rtol_override=1e-5)
  assert special.bernoulli(1).shape == (2,)
  z = np.array([0.5, 1., 3., 10., 25.], x64)
  got = special.bessel_jn(z, v=4)
  assert got.shape == (5, 5)
  _close(got, jss.bessel_jn(z, v=4), x64)
  # In float32 the backward recurrence from order 50 overflows for small z (NaN, as
  # JAX's): SciPy is compared from z = 10 on.
  _close(got[:, 3:], sps.jv(np.arange(5)[:, None], z[3:].astype(np.float64)), x64,
         against_scipy=True)
  n, m = np.array([0, 1, 2, 3, 3, 2, 4]), np.array([0, -1, 2, -3, 1, 0, -2])
  theta = np.array([0.1, 0.5, 1., 2., 3., 0., np.pi], x64)
  phi = np.array([0., 1., 2., 3., 4., 5., 6.], x64)
  got = special.sph_harm_y(n, m, theta, phi)
  _close(got, jss.sph_harm_y(n, m, theta, phi), x64)
  _close(got, sps.sph_harm_y(n, m, theta.astype(np.float64), phi.astype(np.float64)), x64,
         against_scipy=True)


GRADS = [
    ("erfcx", special.erfcx, (0.7,)), ("dawsn", special.dawsn, (1.3,)),
    ("fresnel", lambda x: special.fresnel(x)[0] + 2 * special.fresnel(x)[1], (0.8,)),
    ("owens_t", special.owens_t, (0.6, 0.7)), ("expi", special.expi, (1.5,)),
    ("exp1", special.exp1, (0.6,)), ("expn", lambda x: special.expn(3, x), (1.7,)),
    ("sici", lambda x: special.sici(x)[0] + special.sici(x)[1], (2.5,)),
    # (spence: JAX's gradient is NaN, its piecewise has constant branches; not checked)
    ("hyp1f1", special.hyp1f1, (0.5, 1.5, 0.7)),
    ("hyp2f1", special.hyp2f1, (0.5, 1.5, 2.5, 0.3)),
]


@pytest.mark.parametrize("name,fun,args", GRADS, ids=[g[0] for g in GRADS])
def test_gradients(name, fun, args):
  with jaxlite.enable_x64(True), jax.enable_x64(True):
    args = tuple(np.float64(a) for a in args)
    check_grads(fun, args, order=1, modes=("fwd", "rev"), rtol=1e-4, atol=1e-6)
    ours = jaxlite.grad(fun, tuple(range(len(args))))(*args)
    theirs = jax.grad(getattr(jss, name) if name in ("erfcx", "dawsn", "owens_t", "expi",
                                                     "exp1", "spence", "hyp1f1", "hyp2f1")
                      else _jax_version(name), tuple(range(len(args))))(*args)
    np.testing.assert_allclose(np.asarray(ours), np.asarray(theirs), rtol=1e-10)


def _jax_version(name):
  return {"fresnel": lambda x: jss.fresnel(x)[0] + 2 * jss.fresnel(x)[1],
          "expn": lambda x: jss.expn(3, x),
          "sici": lambda x: jss.sici(x)[0] + jss.sici(x)[1]}[name]


def test_wofz_gradient():
  with jaxlite.enable_x64(True), jax.enable_x64(True):
    z = np.complex128(0.4 + 0.3j)
    check_grads(special.wofz, (z,), order=1, modes=("fwd",), rtol=1e-4)
    np.testing.assert_allclose(jaxlite.jvp(special.wofz, (z,), (1j,))[1],
                               jax.jvp(jss.wofz, (z,), (1j,))[1], rtol=1e-12)


def test_jit_vmap_agree_with_eager():
  x = np.array([0.3, 1.2, 2.5, 7.], np.float32)
  for fun in (special.erfcx, special.expi, lambda t: special.hyp1f1(0.5, 1.5, t),
              lambda t: special.owens_t(t, 0.5), lambda t: special.sici(t)[1]):
    eager = np.asarray(fun(x))
    np.testing.assert_allclose(jaxlite.jit(fun)(x), eager, rtol=1e-6)
    np.testing.assert_allclose(jaxlite.vmap(fun)(x), eager, rtol=1e-6)


def test_errors_and_weak_types_as_jax():
  for fun in (special.dawsn, special.expi, special.exp1, special.hyp1f1):
    args = (1j,) if fun is not special.hyp1f1 else (1j, 1j, 1j)
    with pytest.raises(ValueError):
      fun(*args)
  with pytest.raises(TypeError, match="not supported"):
    special.spence(np.int32(2))
  with pytest.raises(ValueError, match="non-negative"):
    special.bernoulli(-1)
  with pytest.raises(NotImplementedError):
    special.sph_harm_y(np.array([1]), np.array([0]), 0.5, 0.0, diff_n=1)
  for name, args in [("erfcx", (1.0,)), ("expi", (1.0,)), ("hyp1f1", (1., 2., 1.)),
                     ("owens_t", (1., 0.5))]:
    ours, theirs = getattr(special, name)(*args), getattr(jss, name)(*args)
    assert (ours.dtype, ours.weak_type) == (theirs.dtype, theirs.weak_type), name


# --- lpmn / lpmn_values (deprecated in JAX, served behind a DeprecationWarning) -----------

LEGENDRE_Z = np.array([-1., -0.75, -0.5, 0., 0.1, 0.7, 0.99, 1.])


def _deprecated(module, name):
  import warnings
  with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    return getattr(module, name)


@pytest.mark.parametrize("n", [0, 3, 12])
@pytest.mark.parametrize("is_normalized", [False, True])
def test_lpmn_values_bit_equal_to_jax(x64, n, is_normalized):
  z = LEGENDRE_Z.astype(x64)
  ours = _deprecated(special, "lpmn_values")(n, n, z, is_normalized)
  theirs = _deprecated(jss, "lpmn_values")(n, n, z, is_normalized)
  assert ours.dtype == theirs.dtype and ours.shape == (n + 1, n + 1, z.size)
  np.testing.assert_array_equal(np.asarray(ours), np.asarray(theirs))


@pytest.mark.parametrize("n", [2, 12])
def test_lpmn_values_and_derivatives_bit_equal_to_jax(x64, n):
  z = LEGENDRE_Z[1:-1].astype(x64)   # the derivative divides by sqrt(1 - z^2)
  ours = _deprecated(special, "lpmn")(n, n, z)
  theirs = _deprecated(jss, "lpmn")(n, n, z)
  for o, t in zip(ours, theirs):
    assert o.dtype == t.dtype
    np.testing.assert_array_equal(np.asarray(o), np.asarray(t))


def test_lpmn_outside_the_domain_and_at_higher_degree_as_jax():
  # z outside [-1, 1] and nan: JAX's NaN pattern (0 * nan spreads through the table);
  # degree 25: float32 overflow and cancellation: values bit-equal; derivatives
  # (which cancel terms of ~1e6) with the same NaN/inf pattern and equal to a
  # few float32 ulps of their scale: XLA's CPU code for the two programs
  # contracts different multiply-adds on some CPUs (an AMD EPYC here: 226 of
  # 3380 elements differ, by at most 4.7e-6 relatively).
  z = np.array([2., np.nan, 0.3, -0.8], np.float32)
  np.testing.assert_array_equal(
      np.asarray(_deprecated(special, "lpmn_values")(5, 5, z, False)),
      np.asarray(_deprecated(jss, "lpmn_values")(5, 5, z, False)))
  z = np.linspace(-0.9, 0.9, 5).astype(np.float32)
  ours = _deprecated(special, "lpmn")(25, 25, z)
  theirs = _deprecated(jss, "lpmn")(25, 25, z)
  np.testing.assert_array_equal(np.asarray(ours[0]), np.asarray(theirs[0]))
  d_ours, d_theirs = np.asarray(ours[1]), np.asarray(theirs[1])
  np.testing.assert_array_equal(np.isfinite(d_ours), np.isfinite(d_theirs))
  finite = np.isfinite(d_theirs)
  np.testing.assert_allclose(d_ours[finite], d_theirs[finite], rtol=2e-5, atol=0)


def test_lpmn_against_scipy():
  z = np.array([-0.6, 0.2, 0.8])
  values, derivatives = _deprecated(special, "lpmn")(4, 4, z.astype(np.float32))
  for k, point in enumerate(z):
    # SciPy 1.x: lpmn was removed in 1.15+; assoc_legendre_p_all(n, m, z, diff_n=1)
    if hasattr(sps, "lpmn"):
      want_v, want_d = sps.lpmn(4, 4, point)
    else:
      both = sps.assoc_legendre_p_all(4, 4, point, diff_n=1)
      want_v, want_d = both[0][:, :5].T, both[1][:, :5].T
    np.testing.assert_allclose(np.asarray(values[:, :, k]), want_v, rtol=2e-5, atol=2e-6)
    np.testing.assert_allclose(np.asarray(derivatives[:, :, k]), want_d, rtol=2e-5,
                               atol=2e-5)


@pytest.mark.parametrize("args", [
    (2, 3, LEGENDRE_Z.astype(np.float32)),
    (2, 2, LEGENDRE_Z.astype(np.int32)),
    (2, 2, LEGENDRE_Z.astype(np.float16)),
    (2, 2, LEGENDRE_Z.astype(np.float32)[None]),
    (-1, -1, LEGENDRE_Z.astype(np.float32)),
])
def test_lpmn_errors_as_jax(args):
  for name, extra in (("lpmn", ()), ("lpmn_values", (False,))):
    with pytest.raises(Exception) as theirs:
      _deprecated(jss, name)(*args, *extra)
    with pytest.raises(theirs.type) as ours:
      _deprecated(special, name)(*args, *extra)
    assert str(ours.value) == str(theirs.value)


def test_lpmn_under_jit_and_grad_as_jax():
  z = np.array([-0.5, 0.1, 0.7], np.float32)
  ours_fn, theirs_fn = _deprecated(special, "lpmn"), _deprecated(jss, "lpmn")
  with pytest.raises(jaxlite.errors.ConcretizationTypeError, match="Argument m of lpmn."):
    jaxlite.jit(ours_fn)(2, 2, z)
  jitted = jaxlite.jit(ours_fn, static_argnums=(0, 1))(3, 3, z)
  np.testing.assert_array_equal(np.asarray(jitted[0]), np.asarray(theirs_fn(3, 3, z)[0]))
  ours_values = _deprecated(special, "lpmn_values")
  theirs_values = _deprecated(jss, "lpmn_values")
  for norm in (False, True):
    g_ours = jaxlite.grad(lambda t: ours_values(3, 3, t, norm).sum())(z)
    g_theirs = jax.grad(lambda t: theirs_values(3, 3, t, norm).sum())(z)
    np.testing.assert_allclose(np.asarray(g_ours), np.asarray(g_theirs), rtol=1e-6)
  g_ours = jaxlite.grad(lambda t: ours_fn(3, 3, t)[1].sum())(z)
  g_theirs = jax.grad(lambda t: theirs_fn(3, 3, t)[1].sum())(z)
  np.testing.assert_allclose(np.asarray(g_ours), np.asarray(g_theirs), rtol=1e-6)


def test_lpmn_deprecation_warnings_as_jax():
  import warnings
  for name in ("lpmn", "lpmn_values"):
    caught = {}
    for label, module in (("ours", special), ("jax", jss)):
      cache_clear = getattr(module.__getattr__, "cache_clear", None)
      if cache_clear is not None:   # JAX warns on the first read only (functools.cache)
        cache_clear()
      with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        getattr(module, name)
      caught[label] = [(w.category, str(w.message)) for w in record]
    assert caught["ours"] == caught["jax"] == [
        (DeprecationWarning, f"jax.scipy.special.{name} is deprecated; "
                             "no replacement is planned.")]
  with pytest.raises(AttributeError) as theirs:
    jss.sph_harm  # noqa: B018
  with pytest.raises(AttributeError) as ours:
    special.sph_harm  # noqa: B018
  assert str(ours.value) == str(theirs.value)
