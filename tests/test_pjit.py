"""Bare PartitionSpecs and the deprecated ``with mesh:`` block against JAX 0.10.2,
on 8 CPU devices: ``jit`` needs ``set_mesh`` for them (JAX's RuntimeError at the
call under ``with mesh:`` alone), ``with_sharding_constraint`` still reads the
block, ``reshard`` / ``device_put`` raise JAX's errors; and
``jax.experimental.pjit.pjit`` (deprecated) resolves specs and None leaves
against the block: numbers, result shardings, lowered text and errors as JAX's."""
import importlib
import warnings

import numpy as np
import pytest

import jaxlite


@pytest.fixture(scope="module")
def jax(jax_reference):
  if len(jax_reference.devices()) < 8 or len(jaxlite.devices()) < 8:
    pytest.skip("needs 8 devices")
  return jax_reference


def _mesh(lib):
  return lib.sharding.Mesh(np.array(lib.devices()[:8]).reshape(2, 4), ("x", "y"))


def _outcome(fn):
  """(kind, detail) of ``fn()``: its result's values and sharding, or its error."""
  try:
    with warnings.catch_warnings():
      warnings.simplefilter("ignore", DeprecationWarning)
      out = fn()
  except Exception as e:  # pylint: disable=broad-except
    return ("error", type(e).__name__, str(e).split("\n")[0])
  leaves = out if isinstance(out, tuple) else (out,)
  return ("ok",) + tuple((np.asarray(o).tolist(), str(o.sharding)) for o in leaves)


def _both(jax, case):
  """``case(lib, mesh, x)`` run with jaxlite and with JAX."""
  results = []
  for lib in (jaxlite, jax):
    x = lib.numpy.arange(32.0).reshape(8, 4)
    results.append(case(lib, _mesh(lib), x))
  return results


def _under_mesh_block(lib, mesh, fn):
  with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    with mesh:
      return _outcome(fn)


@pytest.mark.parametrize("where", ["in_shardings", "out_shardings"])
def test_jit_bare_spec_needs_set_mesh_not_with_mesh(jax, where):
  def case(lib, mesh, x):
    P = lib.sharding.PartitionSpec
    f = lib.jit(lambda a: a * 2, **{where: P("x")})   # no error at jit()
    return [_under_mesh_block(lib, mesh, lambda: f(x)),
            _under_mesh_block(lib, mesh, lambda: f.lower(x).as_text()),
            _outcome(lambda: f(x))]
  ours, theirs = _both(jax, case)
  assert ours == theirs
  assert ours[0][:2] == ("error", "RuntimeError") and where in ours[0][2]


def test_jit_bare_spec_under_set_mesh(jax):
  def case(lib, mesh, x):
    P = lib.sharding.PartitionSpec
    with lib.set_mesh(mesh):
      return [_outcome(lambda: lib.jit(lambda a: a * 2, in_shardings=P("x"))(x)),
              _outcome(lambda: lib.jit(lambda a: a + 1, out_shardings=P(None, "y"))(x))]
  ours, theirs = _both(jax, case)
  assert ours == theirs and ours[0][0] == "ok"


def test_with_mesh_block_for_constraints_reshard_and_device_put(jax):
  """with_sharding_constraint still resolves specs against ``with mesh:``;
  reshard and device_put do not (JAX's ValueErrors)."""
  def case(lib, mesh, x):
    P = lib.sharding.PartitionSpec
    wsc = lib.lax.with_sharding_constraint
    return [_under_mesh_block(lib, mesh, lambda: lib.jit(lambda a: wsc(a * 3, P("x")))(x)),
            _under_mesh_block(lib, mesh, lambda: wsc(x, P(None, "y"))),
            _under_mesh_block(lib, mesh, lambda: lib.reshard(x, P("x"))),
            _under_mesh_block(lib, mesh, lambda: lib.device_put(x, P("x"))),
            _outcome(lambda: wsc(x, P("x")))]
  ours, theirs = _both(jax, case)
  assert ours == theirs
  assert ours[0][0] == "ok" and ours[2][:2] == ours[3][:2] == ("error", "ValueError")


# --- jax.experimental.pjit ---------------------------------------------------------------


def _pjit(lib):
  with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    module = importlib.import_module(f"{lib.__name__}.experimental.pjit")
    pjit = module.pjit
  public = sorted(n for n in dir(module) if not n.startswith("_"))
  return pjit, [(w.category.__name__, str(w.message)) for w in caught], public


def test_pjit_is_deprecated_as_jax(jax):
  (_, ours, ours_public), (_, theirs, theirs_public) = _pjit(jaxlite), _pjit(jax)
  assert ours == theirs == [(
      "DeprecationWarning",
      "jax.experimental.pjit.pjit has been deprecated. Please use `jax.jit` instead.")]
  assert ours_public == theirs_public == []
  with pytest.raises(AttributeError, match="has no attribute 'nope'"):
    importlib.import_module("jaxlite.experimental.pjit").nope


def _f(a, b):
  return a * 2 + b, (a * a).sum()


def test_pjit_under_with_mesh(jax):
  """Bare specs, None leaves (replicated) and Shardings in in/out_shardings
  under ``with mesh:``: values and result shardings as JAX's."""
  def case(lib, mesh, x):
    pjit, _, _ = _pjit(lib)
    P, NS = lib.sharding.PartitionSpec, lib.sharding.NamedSharding
    y = lib.numpy.ones((8, 4))
    return [
        _under_mesh_block(lib, mesh, lambda: pjit(
            _f, in_shardings=(P("x"), None), out_shardings=(P(None, "y"), None))(x, y)),
        _under_mesh_block(lib, mesh, lambda: pjit(_f, in_shardings=P("x"))(x, y)),
        _under_mesh_block(lib, mesh, lambda: pjit(_f, in_shardings=None,
                                                  out_shardings=None)(x, y)),
        _under_mesh_block(lib, mesh, lambda: pjit(
            _f, in_shardings=[NS(mesh, P("x")), P("y")])(x, y)),
        _under_mesh_block(lib, mesh, lambda: pjit(
            lambda a, n: a * n, static_argnums=1, out_shardings=P("y"))(x, 3)),
        # traced under the block's mesh: a bare spec inside works
        _under_mesh_block(lib, mesh, lambda: pjit(
            lambda a: lib.lax.with_sharding_constraint(a * 3, P("y")))(x)),
    ]
  ours, theirs = _both(jax, case)
  assert ours == theirs
  assert all(r[0] == "ok" for r in ours), ours


def test_pjit_without_mesh_block(jax):
  """Without ``with mesh:`` (even under set_mesh, which pjit does not read),
  bare specs are JAX's RuntimeError naming pjit; None leaves are unspecified."""
  def case(lib, mesh, x):
    pjit, _, _ = _pjit(lib)
    P, NS = lib.sharding.PartitionSpec, lib.sharding.NamedSharding
    y = lib.numpy.ones((8, 4))
    with lib.set_mesh(mesh):
      under_set_mesh = _outcome(lambda: pjit(_f, in_shardings=P("x"))(x, y))
    return [_outcome(lambda: pjit(_f, in_shardings=P("x"))(x, y)),
            _outcome(lambda: pjit(_f, out_shardings=P("x"))(x, y)),
            under_set_mesh,
            _outcome(lambda: pjit(_f, in_shardings=None)(x, y)),
            _outcome(lambda: pjit(_f)(x, y)),
            _outcome(lambda: pjit(_f, in_shardings=NS(mesh, P("x")))(x, y))]
  ours, theirs = _both(jax, case)
  assert ours == theirs
  assert ours[0][:2] == ours[1][:2] == ours[2][:2] == ("error", "RuntimeError")
  assert ours[0][2].startswith("pjit requires a non-empty mesh")


def test_pjit_lowered_text(jax):
  def case(lib, mesh, x):
    pjit, _, _ = _pjit(lib)
    P = lib.sharding.PartitionSpec
    f = pjit(lambda a, b: a * 2 + b, in_shardings=(P("x"), None), out_shardings=P(None, "y"))
    with warnings.catch_warnings():
      warnings.simplefilter("ignore", DeprecationWarning)
      with mesh:
        return f.lower(x, x).as_text()
  ours, theirs = _both(jax, case)
  assert ours == theirs
  assert '#sdy.sharding<@mesh, [{"x"}, {}]>' in ours


def test_jit_shardings_that_do_not_fit_the_values(jax):
  """in/out shardings of a rank the value lacks, or splitting a dimension
  unevenly: JAX's errors, naming the argument or result by its key path
  (jaxlite's lowering failed with an MLIRError for results, or ran)."""
  def case(lib, mesh, x):
    P, NS = lib.sharding.PartitionSpec, lib.sharding.NamedSharding
    s3, sx = NS(mesh, P("x", "y", None)), NS(mesh, P("x"))
    f = lambda params, b: params["w"] + b  # noqa: E731
    return [
        _outcome(lambda: lib.jit(lambda a: (a, a.sum()), out_shardings=sx)(x)),
        _outcome(lambda: lib.jit(lambda a: {"s": a.sum(), "a": a},
                                 out_shardings={"s": sx, "a": None})(x)),
        _outcome(lambda: lib.jit(lambda a: a, out_shardings=s3)(x)),
        _outcome(lambda: lib.jit(lambda a: a[:3], out_shardings=sx)(x)),
        _outcome(lambda: lib.jit(lambda a: a.sum(), out_shardings=sx).lower(x)),
        _outcome(lambda: lib.jit(f, in_shardings=({"w": s3}, None))({"w": x}, x)),
        _outcome(lambda: lib.jit(f, in_shardings=(None, s3))({"w": x}, x)),
        _outcome(lambda: lib.jit(lambda a: a, in_shardings=sx)(x[:3])),
    ]
  ours, theirs = _both(jax, case)
  assert ours == theirs
  assert all(r[0] == "error" for r in ours), ours


def test_kwargs_with_in_shardings_are_jaxs_error(jax):
  """Keyword arguments (static ones too) with in_shardings given: JAX's
  ValueError, for jit and pjit alike; without in_shardings they work."""
  def case(lib, mesh, x):
    pjit, _, _ = _pjit(lib)
    P, NS = lib.sharding.PartitionSpec, lib.sharding.NamedSharding
    return [
        _outcome(lambda: lib.jit(lambda a, *, n: a * n, in_shardings=NS(mesh, P("x")),
                                 static_argnames="n")(x, n=3)),
        _outcome(lambda: lib.jit(lambda a, b: a * b, in_shardings=NS(mesh, P("x")))(x, b=x)),
        _under_mesh_block(lib, mesh, lambda: pjit(lambda a, b: a - b,
                                                  in_shardings=P("x"))(x, b=x)),
        _outcome(lambda: lib.jit(lambda a, b: a * b, out_shardings=NS(mesh, P("x")))(x, b=x)),
    ]
  ours, theirs = _both(jax, case)
  assert ours == theirs
  assert ours[0] == ("error", "ValueError",
                     "pjit does not support kwargs when in_shardings is specified.")


def test_eval_shape_reports_out_shardings(jax):
  """``jit(f, out_shardings=...).eval_shape`` and ShapeDtypeStruct's repr show
  the results' shardings, as JAX's; other results have none."""
  def case(lib, mesh, x):
    P, NS = lib.sharding.PartitionSpec, lib.sharding.NamedSharding
    return [repr(lib.jit(lambda a: (a * 2, a.sum()), out_shardings=(NS(mesh, P("x")), None))
                 .eval_shape(x)),
            repr(lib.jit(lambda a: a * 2, in_shardings=NS(mesh, P("x"))).eval_shape(x)),
            lib.ShapeDtypeStruct((2,), np.float32, sharding=NS(mesh, P())) ==
            lib.ShapeDtypeStruct((2,), np.float32)]
  ours, theirs = _both(jax, case)
  assert ours == theirs
  assert "sharding=NamedSharding" in ours[0]
