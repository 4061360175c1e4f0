"""jnp shape manipulation and padding against NumPy."""
import fractions

import numpy as np
import pytest

import jaxlite
import jaxlite.numpy as jnp

_X = np.arange(12, dtype=np.float32).reshape(3, 4) - 5


def _check(got, want):
  got = np.asarray(got)
  assert got.shape == np.shape(want), (got.shape, np.shape(want))
  np.testing.assert_allclose(got, want, rtol=1e-6)


_CASES = [
    ("reshape", lambda m: m.reshape(_X, (2, -1))),
    ("reshape_F", lambda m: m.reshape(_X, (2, 6), order="F")),
    ("ravel", lambda m: m.ravel(_X)),
    ("transpose", lambda m: m.transpose(_X)),
    ("permute", lambda m: m.transpose(_X[None], (2, 0, 1))),
    ("swapaxes", lambda m: m.swapaxes(_X[None], 0, 2)),
    ("moveaxis", lambda m: m.moveaxis(np.zeros((2, 3, 4)), [0, 1], [-1, 0])),
    ("rollaxis", lambda m: m.rollaxis(np.zeros((2, 3, 4)), 2)),
    ("expand_dims", lambda m: m.expand_dims(_X, (0, 3))),
    ("squeeze", lambda m: m.squeeze(_X[None, :, None])),
    ("squeeze_axis", lambda m: m.squeeze(_X[None, :, None], axis=2)),
    ("broadcast_to", lambda m: m.broadcast_to(_X[0], (2, 4))),
    ("atleast_1d", lambda m: m.atleast_1d(1.0)),
    ("atleast_2d", lambda m: m.atleast_2d(_X[0])),
    ("atleast_3d", lambda m: m.atleast_3d(_X)),
    ("concatenate", lambda m: m.concatenate([_X, _X[:1]])),
    ("concatenate_none", lambda m: m.concatenate([_X, _X[0]], axis=None)),
    ("stack", lambda m: m.stack([_X, _X], axis=1)),
    ("stack_neg", lambda m: m.stack([_X, _X], axis=-1)),
    ("hstack", lambda m: m.hstack([_X, _X])),
    ("hstack_1d", lambda m: m.hstack([_X[0], _X[1]])),
    ("vstack", lambda m: m.vstack([_X[0], _X[1]])),
    ("dstack", lambda m: m.dstack([_X, _X])),
    ("column_stack", lambda m: m.column_stack([_X[0], _X[1]])),
    ("tile", lambda m: m.tile(_X, (2, 1, 2))),
    ("tile_int", lambda m: m.tile(_X[0], 2)),
    ("repeat", lambda m: m.repeat(_X, 2, axis=0)),
    ("repeat_flat", lambda m: m.repeat(_X[:2, :2], 3)),
    ("repeat_array", lambda m: m.repeat(_X, np.array([1, 0, 2]), axis=0)),
    ("flip", lambda m: m.flip(_X, 1)),
    ("flip_all", lambda m: m.flip(_X)),
    ("fliplr", lambda m: m.fliplr(_X)),
    ("flipud", lambda m: m.flipud(_X)),
    ("roll", lambda m: m.roll(_X, 2, axis=1)),
    ("roll_flat", lambda m: m.roll(_X, -3)),
    ("roll_multi", lambda m: m.roll(_X, (1, -1), axis=(0, 1))),
    ("rot90", lambda m: m.rot90(_X)),
    ("rot90_k", lambda m: m.rot90(_X, 3)),
    ("rot90_k2", lambda m: m.rot90(_X, 2)),
    ("take", lambda m: m.take(_X, np.array([0, 2]), axis=1)),
    ("take_flat", lambda m: m.take(_X, np.array([[0, 11]]))),
    ("take_along", lambda m: m.take_along_axis(_X, np.argsort(-_X, axis=1), axis=1)),
    ("take_along_none", lambda m: m.take_along_axis(_X, np.array([3, 0]), axis=None)),
]


@pytest.mark.parametrize("name,f", _CASES, ids=[c[0] for c in _CASES])
def test_against_numpy(name, f):
  _check(f(jnp), f(np))


def test_split_family():
  for got, want in zip(jnp.split(_X, [1, 3], axis=1), np.split(_X, [1, 3], axis=1)):
    _check(got, want)
  for got, want in zip(jnp.split(_X, 3), np.split(_X, 3)):
    _check(got, want)
  for got, want in zip(jnp.array_split(_X, 3, axis=1), np.array_split(_X, 3, axis=1)):
    _check(got, want)
  for f in ("hsplit", "vsplit"):
    for got, want in zip(getattr(jnp, f)(_X[:2], 2), getattr(np, f)(_X[:2], 2)):
      _check(got, want)
  with pytest.raises(ValueError, match="equal division"):
    jnp.split(_X, 5, axis=1)
  for got, want in zip(jnp.unstack(_X), list(_X)):
    _check(got, want)


def test_broadcast_helpers():
  assert jnp.broadcast_shapes((2, 1), (3,)) == (2, 3)
  a, b = jnp.broadcast_arrays(_X[0], _X[:, :1])
  _check(a, np.broadcast_to(_X[0], (3, 4)))
  _check(b, np.broadcast_to(_X[:, :1], (3, 4)))
  with pytest.raises(ValueError, match=r"Incompatible types for broadcasting: input "
                     r"type=float32\[3,4\] and requested type=float32\[2,4\]"):
    jnp.broadcast_to(_X, (2, 4))
  with pytest.raises(ValueError, match="Incompatible shapes"):
    jnp.broadcast_shapes((2,), (3,))
  assert jnp.shape(_X) == (3, 4) and jnp.ndim(_X) == 2 and jnp.size(_X, 1) == 4


def test_put_along_axis():
  idx = np.array([[1], [0], [3]])
  want = _X.copy()
  np.put_along_axis(want, idx, 9.0, 1)
  _check(jnp.put_along_axis(_X, idx, 9.0, 1, inplace=False), want)
  with pytest.raises(ValueError, match="immutable"):
    jnp.put_along_axis(_X, idx, 9.0, 1)


def test_traced_shift_and_repeats():
  roll = jaxlite.jit(lambda x, s: jnp.roll(x, s, axis=1))
  for s in (1, -5, 7):
    _check(roll(_X, s), np.roll(_X, s, axis=1))
  rep = jaxlite.jit(lambda r: jnp.repeat(_X, r, axis=0, total_repeat_length=4))
  _check(rep(np.array([1, 0, 3])), np.repeat(_X, [1, 0, 3], axis=0))


def test_errors():
  with pytest.raises(TypeError, match="cannot reshape array of shape"):
    jnp.reshape(_X, (5, -1))
  with pytest.raises(ValueError, match="cannot select an axis to squeeze"):
    jnp.squeeze(_X, 0)
  with pytest.raises(ValueError, match="out of bounds"):
    jnp.expand_dims(_X, 4)
  with pytest.raises(TypeError, match="different numbers of dimensions"):   # JAX's (lax's)
    jnp.concatenate([_X, _X[0]])
  with pytest.raises(ValueError, match="same shape"):
    jnp.stack([_X, _X[:1]])


@pytest.mark.parametrize("call", [
    lambda m: m.stack(["a"]), lambda m: m.stack([np.ones(1), "a"]),
    lambda m: m.stack([fractions.Fraction(1, 2)]), lambda m: m.stack([b"a"]),
    lambda m: m.stack(["a", [1]]), lambda m: m.concatenate(["a", "b"]),
    lambda m: m.concatenate([np.ones(1), "a"]), lambda m: m.concatenate(["a", [1]]),
    lambda m: m.concatenate(["a"], axis=None)],
    ids=["stack_str", "stack_array_str", "stack_fraction", "stack_bytes", "stack_list",
         "concat_strs", "concat_array_str", "concat_list", "concat_axis_none"])
def test_sequence_of_non_arrays_raises_jax_error(call):
  # A string or Fraction passes JAX's check_arraylike (np.isscalar) and fails
  # asarray; a list fails check_arraylike first, at its position.
  jax_jnp = pytest.importorskip("jax.numpy")
  with pytest.raises(TypeError) as theirs:
    call(jax_jnp)
  with pytest.raises(TypeError) as ours:
    call(jnp)
  assert str(ours.value) == str(theirs.value)


_PAD_MODES = ["constant", "edge", "reflect", "symmetric", "wrap", "linear_ramp", "maximum",
              "minimum", "mean", "median"]


@pytest.mark.parametrize("mode", _PAD_MODES)
def test_pad_modes(mode):
  width = ((1, 2), (3, 1))
  _check(jnp.pad(_X, width, mode=mode), np.pad(_X, width, mode=mode))
  # Widths larger than the axis (periodic modes repeat, NumPy's way).
  _check(jnp.pad(_X[0], 6, mode=mode), np.pad(_X[0], 6, mode=mode))


def test_pad_arguments():
  _check(jnp.pad(_X, 1, constant_values=((1, 2), (3, 4))),
         np.pad(_X, 1, constant_values=((1, 2), (3, 4))))
  _check(jnp.pad(np.arange(4), (2, 1), constant_values=7),
         np.pad(np.arange(4), (2, 1), constant_values=7))
  _check(jnp.pad(_X, 2, mode="reflect", reflect_type="odd"),
         np.pad(_X, 2, mode="reflect", reflect_type="odd"))
  _check(jnp.pad(_X, 2, mode="symmetric", reflect_type="odd"),
         np.pad(_X, 2, mode="symmetric", reflect_type="odd"))
  _check(jnp.pad(_X, 2, mode="mean", stat_length=2),
         np.pad(_X, 2, mode="mean", stat_length=2))
  _check(jnp.pad(_X, (2, 1), mode="linear_ramp", end_values=(5, -5)),
         np.pad(_X, (2, 1), mode="linear_ramp", end_values=(5, -5)))
  _check(jnp.pad(np.arange(5), 3, mode="linear_ramp"),
         np.pad(np.arange(5), 3, mode="linear_ramp"))
  _check(jaxlite.jit(lambda x: jnp.pad(x, 2, mode="wrap"))(_X), np.pad(_X, 2, mode="wrap"))
  with pytest.raises(ValueError, match="Unimplemented padding mode"):
    jnp.pad(_X, 1, mode="bogus")
  with pytest.raises(ValueError, match="empty axis"):
    jnp.pad(np.zeros((0,)), 1, mode="edge")
