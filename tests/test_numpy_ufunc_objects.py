"""jnp.ufunc objects (jnp.add, jnp.multiply, ... and jnp.frompyfunc) against
the installed JAX 0.10.2: attributes, calls, reduce, accumulate, at,
reduceat, outer, and JAX's errors."""
import inspect

import numpy as np
import pytest

import jaxlite
import jaxlite.numpy as jnp

jax = pytest.importorskip("jax")
jjnp = pytest.importorskip("jax.numpy")

NAMES = ["add", "bitwise_and", "bitwise_or", "bitwise_xor", "logaddexp", "logaddexp2",
         "logical_and", "logical_or", "logical_xor", "maximum", "minimum", "multiply",
         "negative", "subtract"]


def _same(ours, theirs):
  ours, theirs = np.asarray(ours), np.asarray(theirs)
  assert ours.dtype == theirs.dtype, (ours.dtype, theirs.dtype)
  np.testing.assert_allclose(ours, theirs, rtol=1e-6)


def test_the_same_names_are_ufuncs_as_in_jax():
  ours = sorted(n for n in dir(jnp) if isinstance(getattr(jnp, n), jnp.ufunc))
  theirs = sorted(n for n in dir(jjnp) if isinstance(getattr(jjnp, n), jjnp.ufunc))
  assert ours == theirs == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_attributes_and_repr(name):
  ours, theirs = getattr(jnp, name), getattr(jjnp, name)
  assert (ours.nin, ours.nout, ours.nargs) == (theirs.nin, theirs.nout, theirs.nargs)
  assert ours.identity == theirs.identity or (np.isnan(ours.identity) is np.isnan(
      theirs.identity))
  assert repr(ours) == repr(theirs) == f"<jnp.ufunc '{name}'>"
  assert ours.__name__ == name
  assert hash(ours) == hash(getattr(jnp, name)) and ours == getattr(jnp, name)
  with pytest.raises(AttributeError):
    ours.nin = 3   # read-only, as JAX's (instances are static arguments)


def test_builtin_call_is_the_function_itself():
  # The eager hot path: no wrapper frame between jnp.add(x, y) and the function.
  from jaxlite.numpy import ufuncs_arithmetic
  assert type(jnp.add).__call__ is ufuncs_arithmetic.add
  assert "out" in inspect.signature(jnp.add).parameters


@pytest.mark.parametrize("kw", ["out", "where"])
def test_out_and_where_raise_as_jax(kw):
  for lib in (jnp, jjnp):
    with pytest.raises(NotImplementedError, match=f"{kw} argument of <jnp.ufunc 'add'>"):
      lib.add(1.0, 2.0, **{kw: lib.zeros(())})
    with pytest.raises(NotImplementedError, match=f"{kw} argument of <jnp.ufunc 'negative'>"):
      lib.negative(1.0, **{kw: lib.zeros(())})
  assert jnp.add(1, 2, out=None, where=None) == 3


X = np.arange(1, 13, dtype=np.int32).reshape(3, 4)
F = np.linspace(-2, 3, 12, dtype=np.float32).reshape(3, 4)


@pytest.mark.parametrize("name", [n for n in NAMES if n != "negative"])
@pytest.mark.parametrize("axis", [0, 1, None])
def test_reduce_matches_jax(name, axis):
  operand = F if name.startswith("log") and not name.startswith("logical") else X
  _same(getattr(jnp, name).reduce(operand, axis=axis),
        getattr(jjnp, name).reduce(operand, axis=axis))


def test_reduce_keywords_match_jax():
  mask = X % 2 == 0
  _same(jnp.add.reduce(X, axis=1, keepdims=True, initial=5, where=mask),
        jjnp.add.reduce(X, axis=1, keepdims=True, initial=5, where=mask))
  _same(jnp.maximum.reduce(X, axis=0, initial=7, where=mask),
        jjnp.maximum.reduce(X, axis=0, initial=7, where=mask))
  _same(jnp.logaddexp.reduce(F, axis=0, initial=1.0), jjnp.logaddexp.reduce(F, axis=0,
                                                                            initial=1.0))
  _same(jnp.subtract.reduce(X, axis=1, keepdims=True), jjnp.subtract.reduce(X, axis=1,
                                                                           keepdims=True))
  _same(jnp.bitwise_and.reduce(X, axis=0, dtype=np.int16),
        jjnp.bitwise_and.reduce(X, axis=0, dtype=np.int16))


def test_reduce_errors_match_jax():
  for lib in (jnp, jjnp):
    with pytest.raises(ValueError, match="does not have an identity"):
      lib.subtract.reduce(X, where=X > 2)
    with pytest.raises(ValueError, match="where argument must have dtype=bool"):
      lib.add.reduce(X, where=X)
    with pytest.raises(ValueError, match="reduce only supported for binary ufuncs"):
      lib.negative.reduce(X)
    with pytest.raises(NotImplementedError, match="out argument of add.reduce"):
      lib.add.reduce(X, out=1)
    with pytest.raises(ValueError, match="zero-size array to reduction operation"):
      lib.subtract.reduce(np.zeros((0,), np.float32))
    with pytest.raises(NotImplementedError, match="cannot operate inplace"):
      lib.add.at(X, 0, 1)


@pytest.mark.parametrize("name", ["add", "multiply", "subtract", "maximum", "logical_or",
                                  "bitwise_xor", "logaddexp"])
@pytest.mark.parametrize("axis", [0, 1])
def test_accumulate_matches_jax(name, axis):
  operand = F if name == "logaddexp" else X
  _same(getattr(jnp, name).accumulate(operand, axis=axis),
        getattr(jjnp, name).accumulate(operand, axis=axis))


@pytest.mark.parametrize("name", ["add", "multiply", "subtract", "maximum", "minimum",
                                  "bitwise_or", "logical_and", "negative"])
def test_at_matches_jax(name):
  indices = np.array([0, 2, 0, 3])
  args = () if name == "negative" else (np.array([3, 1, 2, 5], np.int32),)
  _same(getattr(jnp, name).at(X[0], indices, *args, inplace=False),
        getattr(jjnp, name).at(X[0], indices, *args, inplace=False))
  # Several index arrays (a slice is no valid jit argument, in JAX either).
  extra = (7,) if args else ()
  rows, cols = np.array([0, 0, 2]), np.array([1, 1, 3])
  _same(getattr(jnp, name).at(X, (rows, cols), *extra, inplace=False),
        getattr(jjnp, name).at(X, (rows, cols), *extra, inplace=False))
  for lib in (jnp, jjnp):
    with pytest.raises(TypeError, match="slice"):
      getattr(lib, name).at(X, (rows, slice(None)), *extra, inplace=False)


def test_at_of_booleans_matches_jax():
  flags = np.array([True, False, False])
  _same(jnp.add.at(flags, np.array([1, 1]), True, inplace=False),
        jjnp.add.at(flags, np.array([1, 1]), True, inplace=False))
  _same(jnp.multiply.at(flags, np.array([0]), False, inplace=False),
        jjnp.multiply.at(flags, np.array([0]), False, inplace=False))


@pytest.mark.parametrize("name", ["add", "multiply", "maximum", "bitwise_or"])
@pytest.mark.parametrize("axis", [0, 1])
def test_reduceat_matches_jax(name, axis):
  indices = np.array([0, 2, 1, 3]) if axis == 1 else np.array([0, 2, 1])
  _same(getattr(jnp, name).reduceat(X, indices, axis=axis),
        getattr(jjnp, name).reduceat(X, indices, axis=axis))


@pytest.mark.parametrize("name", ["add", "subtract", "logaddexp", "logical_xor"])
def test_outer_matches_jax(name):
  a, b = (F[0], F[1, :3]) if name == "logaddexp" else (X[0], X[1:, :2])
  _same(getattr(jnp, name).outer(a, b), getattr(jjnp, name).outer(a, b))


def test_frompyfunc_matches_jax():
  def mul_add(x, y):
    return x * y + 1

  ours = jnp.frompyfunc(mul_add, 2, 1, identity=1)
  theirs = jjnp.frompyfunc(mul_add, 2, 1, identity=1)
  assert isinstance(ours, jnp.ufunc) and repr(ours) == repr(theirs) == "<jnp.ufunc 'mul_add'>"
  assert (ours.nin, ours.nout, ours.nargs, ours.identity) == (2, 1, 2, 1)
  _same(ours(X, 2), theirs(X, 2))
  _same(ours.reduce(X, axis=1), theirs.reduce(X, axis=1))
  _same(ours.reduce(X, axis=0, where=X > 4), theirs.reduce(X, axis=0, where=X > 4))
  _same(ours.accumulate(X, axis=1), theirs.accumulate(X, axis=1))
  _same(ours.at(X[0], np.array([1, 1]), 3, inplace=False),
        theirs.at(X[0], np.array([1, 1]), 3, inplace=False))
  _same(ours.reduceat(X[0], np.array([0, 2])), theirs.reduceat(X[0], np.array([0, 2])))
  _same(ours.outer(X[0], X[1]), theirs.outer(X[0], X[1]))
  assert jnp.frompyfunc(mul_add, 2, 1) == jnp.frompyfunc(mul_add, 2, 1)


def test_ufuncs_work_under_transformations():
  f = jaxlite.jit(lambda x: jnp.add.reduce(x) + jnp.multiply.outer(x, x).sum())
  g = jax.jit(lambda x: jjnp.add.reduce(x) + jjnp.multiply.outer(x, x).sum())
  _same(f(F[0]), g(F[0]))
  _same(jaxlite.grad(lambda x: jnp.logaddexp.reduce(x))(F[0]),
        jax.grad(lambda x: jjnp.logaddexp.reduce(x))(F[0]))
  _same(jaxlite.vmap(jnp.maximum.accumulate)(F), jax.vmap(jjnp.maximum.accumulate)(F))
  # A ufunc is a valid static argument.
  h = jaxlite.jit(lambda u, x: u.reduce(x), static_argnums=0)
  _same(h(jnp.multiply, X[0]), np.prod(X[0]).astype(np.int32))
