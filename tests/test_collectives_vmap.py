"""Collectives over vmapped named axes (issue 6): psum, pmean, pmax, pmin,
all_gather, axis_index, ppermute, pshuffle, all_to_all, psum_scatter, checked
against NumPy and against JAX's vmap of the same functions."""
import numpy as np
import pytest

import jaxlite
from jaxlite import lax
from jaxlite.vectorization import vmap

f32 = np.float32


def _arange(*shape):
  return np.arange(np.prod(shape), dtype=f32).reshape(shape)


def test_psum_pmean_pmax_pmin_over_a_vmapped_axis():
  x = _arange(4, 3)
  np.testing.assert_array_equal(vmap(lambda r: lax.psum(r, 'i'), axis_name='i')(x),
                                np.broadcast_to(x.sum(0), x.shape))
  np.testing.assert_allclose(vmap(lambda r: lax.pmean(r, 'i'), axis_name='i')(x),
                             np.broadcast_to(x.mean(0), x.shape))
  np.testing.assert_array_equal(vmap(lambda r: lax.pmax(r, 'i'), axis_name='i', in_axes=1)(x),
                                np.broadcast_to(x.max(1), (3, 4)))
  np.testing.assert_array_equal(vmap(lambda r: lax.pmin(r, 'i'), axis_name='i', in_axes=1)(x),
                                np.broadcast_to(x.min(1), (3, 4)))


def test_seed_normalize_with_psum():
  f = lambda x: lax.div(x, lax.psum(x, axis_name='i'))
  out = vmap(f, axis_name='i')(_arange(4))
  np.testing.assert_allclose(out, [0., 1 / 6, 2 / 6, 3 / 6], rtol=1e-6)
  assert abs(float(np.sum(out)) - 1.0) < 1e-6


def test_psum_of_pytrees_and_unbatched_values():
  out = vmap(lambda r: lax.psum({'a': r, 'b': (lax.mul(r, 2.),)}, 'i'), axis_name='i')(
      _arange(3))
  np.testing.assert_array_equal(out['a'], [3., 3., 3.])
  np.testing.assert_array_equal(out['b'][0], [6., 6., 6.])
  # A value that does not depend on the mapped axis sums to size * value.
  np.testing.assert_array_equal(vmap(lambda r: lax.psum(1., 'i'), axis_name='i')(_arange(5)),
                                np.full(5, 5.))
  out = vmap(lambda r, c: lax.add(r, lax.psum(c, 'i')), (0, None), axis_name='i')(
      _arange(3), f32(2.))
  np.testing.assert_array_equal(out, [6., 7., 8.])
  assert jaxlite.lax.axis_size is lax.axis_size
  np.testing.assert_array_equal(
      vmap(lambda r: lax.add(r, f32(lax.axis_size('i'))), axis_name='i')(_arange(3)),
      [3., 4., 5.])


def test_nested_named_axes_and_tuples_of_names():
  x = _arange(2, 3)
  rows = lambda f: vmap(vmap(f, axis_name='cols'), axis_name='rows')
  np.testing.assert_array_equal(rows(lambda v: lax.psum(v, 'rows'))(x),
                                np.broadcast_to(x.sum(0), x.shape))
  np.testing.assert_array_equal(rows(lambda v: lax.psum(v, 'cols'))(x),
                                np.broadcast_to(x.sum(1, keepdims=True), x.shape))
  np.testing.assert_array_equal(rows(lambda v: lax.psum(v, ('rows', 'cols')))(x),
                                np.full(x.shape, x.sum()))
  np.testing.assert_array_equal(rows(lambda v: lax.axis_index(('rows', 'cols')))(x),
                                np.arange(6).reshape(2, 3))
  np.testing.assert_array_equal(rows(lambda v: lax.axis_index(('cols', 'rows')))(x),
                                [[0, 2, 4], [1, 3, 5]])
  # the seed's doubly-normalised example, with vmap in place of pmap
  x = _arange(4, 2) + 1
  normalize = rows(lambda v: (lax.div(v, lax.psum(v, 'rows')), lax.div(v, lax.psum(v, 'cols')),
                              lax.div(v, lax.psum(v, ('rows', 'cols')))))
  row_normed, col_normed, doubly = normalize(x)
  np.testing.assert_allclose(row_normed.sum(0), [1., 1.], rtol=1e-6)
  np.testing.assert_allclose(col_normed.sum(1), [1., 1., 1., 1.], rtol=1e-6)
  np.testing.assert_allclose(doubly.sum(), 1., rtol=1e-6)


def test_inner_axis_with_the_same_name_shadows_the_outer():
  x = _arange(2, 3)
  f = vmap(vmap(lambda v: lax.psum(v, 'i'), axis_name='i'), axis_name='i')
  np.testing.assert_array_equal(f(x), np.broadcast_to(x.sum(1, keepdims=True), x.shape))
  # an inner value unbatched by the inner 'i' sums to size * value there
  g = vmap(lambda r: vmap(lambda c: lax.psum(r, 'i'), axis_name='i')(_arange(4)),
           axis_name='i')
  np.testing.assert_array_equal(g(_arange(3)), np.broadcast_to(4 * _arange(3)[:, None], (3, 4)))


def test_axis_index_and_unbound_names():
  np.testing.assert_array_equal(
      vmap(lambda r: lax.axis_index('i'), axis_name='i')(_arange(4)), [0, 1, 2, 3])
  with pytest.raises(NameError, match="unbound axis name: j"):
    vmap(lambda r: lax.psum(r, 'j'), axis_name='i')(_arange(2))
  with pytest.raises(NameError, match="unbound axis name: i"):
    lax.psum(1., 'i')


def test_collectives_inside_jit_under_vmap_and_vmap_under_jit():
  x = _arange(4, 2)
  f = jaxlite.jit(lambda r: lax.sub(r, lax.pmean(r, 'i')))
  want = x - x.mean(0)
  np.testing.assert_allclose(vmap(f, axis_name='i')(x), want, rtol=1e-6)
  g = jaxlite.jit(vmap(lambda r: lax.sub(r, lax.pmean(r, 'i')), axis_name='i'))
  np.testing.assert_allclose(g(x), want, rtol=1e-6)
  jaxpr = jaxlite.make_jaxpr(vmap(f, axis_name='i'))(x)
  inner = [e.primitive.name for e in jaxpr.eqns[0].params["jaxpr"].eqns]
  assert "psum" not in inner and "reduce_sum" in inner
  # axis_index inside jit with no batched operand at all
  h = vmap(jaxlite.jit(lambda r: lax.axis_index('i')), axis_name='i')
  np.testing.assert_array_equal(h(x), [0, 1, 2, 3])


def test_all_gather_untiled_tiled_and_axis():
  x = _arange(3, 2)
  out = vmap(lambda r: lax.all_gather(r, 'i'), axis_name='i')(x)
  np.testing.assert_array_equal(out, np.broadcast_to(x, (3, 3, 2)))
  out = vmap(lambda r: lax.all_gather(r, 'i', axis=1), axis_name='i')(x)
  np.testing.assert_array_equal(out, np.broadcast_to(x.T, (3, 2, 3)))
  out = vmap(lambda r: lax.all_gather(r, 'i', tiled=True), axis_name='i')(x)
  np.testing.assert_array_equal(out, np.broadcast_to(x.reshape(6), (3, 6)))
  out = vmap(lambda r: lax.all_gather(1., 'i'), axis_name='i')(x)
  np.testing.assert_array_equal(out, np.ones((3, 3)))


def test_ppermute_and_pshuffle():
  x = _arange(4) + 1
  shift = lambda r: lax.ppermute(r, 'i', [(i, (i + 1) % 4) for i in range(4)])
  np.testing.assert_array_equal(vmap(shift, axis_name='i')(x), [4., 1., 2., 3.])
  partial_perm = lambda r: lax.ppermute(r, 'i', [(0, 2), (3, 1)])
  np.testing.assert_array_equal(vmap(partial_perm, axis_name='i')(x), [0., 4., 1., 0.])
  np.testing.assert_array_equal(
      vmap(lambda r: lax.pshuffle(r, 'i', [3, 2, 1, 0]), axis_name='i')(x), [4., 3., 2., 1.])
  with pytest.raises(ValueError, match="does not represent a permutation"):
    vmap(lambda r: lax.pshuffle(r, 'i', [0, 0, 1, 2]), axis_name='i')(x)
  with pytest.raises(ValueError, match="sources and destinations must be unique"):
    vmap(lambda r: lax.ppermute(r, 'i', [(0, 1), (0, 2)]), axis_name='i')(x)


def test_psum_scatter_untiled_and_tiled():
  x = _arange(3, 3)
  np.testing.assert_array_equal(vmap(lambda r: lax.psum_scatter(r, 'i'), axis_name='i')(x),
                                x.sum(0))
  y = _arange(3, 6)
  out = vmap(lambda r: lax.psum_scatter(r, 'i', tiled=True), axis_name='i')(y)
  np.testing.assert_array_equal(out, y.sum(0).reshape(3, 2))


def test_grad_through_psum_under_vmap():
  # d/dx_i of sum_j (x_j * psum(x)) with the per-example loss: JAX's semantics.
  x = _arange(3) + 1
  g = vmap(jaxlite.grad(lambda r: lax.mul(r, lax.psum(r, 'i'))), axis_name='i')(x)
  jax = pytest.importorskip("jax")
  want = jax.vmap(jax.grad(lambda r: r * jax.lax.psum(r, 'i')), axis_name='i')(x)
  np.testing.assert_allclose(g, want, rtol=1e-6)


# --- against JAX -----------------------------------------------------------------------------------

_ORACLE_CASES = {
    "psum": lambda L, r: L.psum(r, 'i'),
    "pmax": lambda L, r: L.pmax(r, 'i'),
    "all_gather_tiled_axis1": lambda L, r: L.all_gather(r, 'i', axis=1, tiled=True),
    "all_to_all_0_1": lambda L, r: L.all_to_all(r, 'i', 0, 1),
    "all_to_all_1_0": lambda L, r: L.all_to_all(L.slice_in_dim(r, 0, 3, axis=1), "i", 1, 0),
    "all_to_all_tiled_1_1": lambda L, r: L.all_to_all(r, 'i', 1, 1, tiled=True),
    "all_to_all_tiled_0_1": lambda L, r: L.all_to_all(r, 'i', 0, 1, tiled=True),
    "psum_scatter_dim1": lambda L, r: L.psum_scatter(r, 'i', scatter_dimension=1),
    "axis_index": lambda L, r: L.axis_index('i'),
    "ppermute": lambda L, r: L.ppermute(r, 'i', [(0, 2), (2, 1), (1, 0)]),
}


@pytest.mark.parametrize("name", sorted(_ORACLE_CASES))
@pytest.mark.parametrize("in_axis", [0, 2])
def test_collectives_match_jax(name, in_axis, jax_reference):
  x = np.moveaxis(_arange(3, 3, 6), 0, in_axis).copy()
  fn = _ORACLE_CASES[name]
  got = vmap(lambda r: fn(lax, r), in_axes=in_axis, axis_name='i')(x)
  want = jax_reference.vmap(lambda r: fn(jax_reference.lax, r), in_axes=in_axis,
                            axis_name='i')(x)
  np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=1e-6)


_SEVERAL_AXES_CASES = {
    # (axis names, split_axis, concat_axis, tiled) over vmaps named i (2) and j (3).
    "ij_0_0_tiled": (("i", "j"), 0, 0, True),
    "ji_0_0_tiled": (("j", "i"), 0, 0, True),
    "ij_0_1_tiled": (("i", "j"), 0, 1, True),
    "ij_1_0_tiled": (("i", "j"), 1, 0, True),   # per member (2, 6) below
    "ij_0_0": (("i", "j"), 0, 0, False),
    "ji_0_1": (("j", "i"), 0, 1, False),
}


@pytest.mark.parametrize("case", sorted(_SEVERAL_AXES_CASES))
def test_all_to_all_over_several_vmapped_axes_matches_jax(case, jax_reference):
  # JAX 0.10.2 computes all_to_all over several vmapped names (its all_gather,
  # ppermute and psum_scatter raise there): members are numbered major to minor.
  names, split, concat, tiled = _SEVERAL_AXES_CASES[case]
  x = _arange(2, 3, 6, 6) if not tiled else _arange(2, 3, *((6, 2)[::-1 if split else 1]))

  def run(L, vm):
    f = lambda r: L.all_to_all(r, names, split, concat, tiled=tiled)
    return vm(vm(f, axis_name="j"), axis_name="i")(x)
  got = run(lax, vmap)
  want = run(jax_reference.lax, jax_reference.vmap)
  assert got.shape == want.shape
  np.testing.assert_array_equal(np.asarray(got), np.asarray(want))


def test_all_to_all_over_three_axes_under_jit_matches_jax(jax_reference):
  x = _arange(2, 2, 2, 8)

  def run(J, L):
    f = lambda r: L.all_to_all(r, ("a", "b", "c"), 0, 0, tiled=True)
    v = J.vmap(J.vmap(J.vmap(f, axis_name="c"), axis_name="b"), axis_name="a")
    return J.jit(v)(x)
  np.testing.assert_array_equal(np.asarray(run(jaxlite, lax)),
                                np.asarray(run(jax_reference, jax_reference.lax)))


# --- with pmap ---------------------------------------------------------------------------------


def _need_devices(n):
  if jaxlite.local_device_count() < n:
    pytest.skip(f"needs {n} devices")


def test_vmap_inside_pmap_with_collectives_over_both_axes():
  _need_devices(4)
  x = _arange(4, 3)
  f = jaxlite.pmap(vmap(lambda v: lax.psum(v, 'p'), axis_name='v'), axis_name='p')
  np.testing.assert_array_equal(f(x), np.broadcast_to(x.sum(0), x.shape))
  g = jaxlite.pmap(vmap(lambda v: lax.psum(v, ('p', 'v')), axis_name='v'), axis_name='p')
  np.testing.assert_array_equal(g(x), np.full(x.shape, x.sum()))


def test_vmap_of_pmap_batches_every_replica():
  _need_devices(4)
  x = _arange(3, 4)
  f = vmap(jaxlite.pmap(lambda v: lax.psum(v, 'p'), axis_name='p'))
  np.testing.assert_array_equal(f(x), np.broadcast_to(x.sum(1, keepdims=True), x.shape))
  g = vmap(jaxlite.pmap(lambda v, w: lax.mul(v, w), axis_name='p', in_axes=(0, None)),
           in_axes=(1, 0), out_axes=1)
  w = _arange(3)
  np.testing.assert_array_equal(g(x.T.copy(), w), x.T * w)
  h = vmap(jaxlite.pmap(lambda v: lax.psum(v, ('p', 'i')), axis_name='p'), axis_name='i')
  np.testing.assert_array_equal(h(x), np.full(x.shape, x.sum()))
