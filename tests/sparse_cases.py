"""jaxlite.experimental.sparse against JAX 0.10.2's: values, gradients, jit and vmap."""
import numpy as np
import pytest

import jaxlite
import jaxlite.numpy as jnp
from jaxlite.experimental import sparse

jax = pytest.importorskip("jax")
jsparse = pytest.importorskip("jax.experimental.sparse")

RNG = np.random.default_rng(0)
M = np.array([[0., 2., 0., 1.], [1., 0., 4., 0.], [0., 0., 0., 3.]], np.float32)
MB = np.stack([M, np.roll(M, 1, axis=1) * 2.0])   # two batches of a 3x4 matrix
X = RNG.normal(size=(4, 2)).astype(np.float32)
V = RNG.normal(size=(4,)).astype(np.float32)
W = RNG.normal(size=(5, 3)).astype(np.float32)


def close(a, b, tol=1e-5):
  np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=tol, atol=tol)


def both(n_batch=0, n_dense=0, mat=M, nse=None):
  return (sparse.BCOO.fromdense(mat, n_batch=n_batch, n_dense=n_dense, nse=nse),
          jsparse.BCOO.fromdense(mat, n_batch=n_batch, n_dense=n_dense, nse=nse))


SLOW = pytest.mark.slow   # more layouts of the same code paths (the file stays < 60 s without)


@pytest.mark.parametrize("n_batch,n_dense", [(0, 0), (1, 1), pytest.param(1, 0, marks=SLOW),
                                             pytest.param(0, 1, marks=SLOW)])
def test_fromdense_todense_layout_matches_jax(n_batch, n_dense):
  ours, theirs = both(n_batch, n_dense, mat=MB)
  assert repr(ours) == repr(theirs)
  close(ours.data, theirs.data)
  np.testing.assert_array_equal(np.asarray(ours.indices), np.asarray(theirs.indices))
  close(ours.todense(), MB)


def test_padding_and_out_of_bound_indices():
  ours, theirs = both(nse=7)
  np.testing.assert_array_equal(np.asarray(ours.indices), np.asarray(theirs.indices))
  close(ours.todense(), M)
  close(ours @ V, theirs @ V)


def test_matmul_values_match_jax():
  ours, theirs = both()
  close(ours @ V, theirs @ V)
  close(ours @ X, theirs @ X)
  close(jnp.asarray(W) @ ours, jax.numpy.asarray(W) @ theirs)
  close(ours.T @ np.ones((3, 2), np.float32), theirs.T @ np.ones((3, 2), np.float32))


def test_batched_dot_general_matches_jax():
  ours, theirs = both(n_batch=1, mat=MB)
  xb = np.stack([X, 2 * X])
  dims = (([2], [1]), ([0], [0]))
  close(sparse.bcoo_dot_general(ours, xb, dimension_numbers=dims),
        jsparse.bcoo_dot_general(theirs, xb, dimension_numbers=dims))
  # A free batch dimension of the sparse operand, and contraction over a batch one.
  close(sparse.bcoo_dot_general(ours, X, dimension_numbers=(([2], [0]), ([], []))),
        jsparse.bcoo_dot_general(theirs, X, dimension_numbers=(([2], [0]), ([], []))))
  y = np.ones((2, 3), np.float32)
  dims = (([0, 1], [0, 1]), ([], []))
  close(sparse.bcoo_dot_general(ours, y, dimension_numbers=dims),
        jsparse.bcoo_dot_general(theirs, y, dimension_numbers=dims))


def test_matmul_under_jit():
  ours, theirs = both()
  f = jaxlite.jit(lambda s, x: s @ x)
  close(f(ours, X), jax.jit(lambda s, x: s @ x)(theirs, X))
  g = jaxlite.jit(lambda m, x: sparse.BCOO.fromdense(m, nse=5) @ x)
  close(g(M, X), M @ X)


def test_matmul_gradients_match_jax():
  ours, theirs = both()

  def loss(sp_cls, indices):
    return lambda d, x: jnp_sum(sp_cls((d, indices), shape=M.shape) @ x)
  jnp_sum = lambda a: (a ** 2).sum()
  g_ours = jaxlite.grad(loss(sparse.BCOO, ours.indices), argnums=(0, 1))(ours.data, X)
  g_theirs = jax.grad(loss(jsparse.BCOO, theirs.indices), argnums=(0, 1))(theirs.data, X)
  close(g_ours[0], g_theirs[0])
  close(g_ours[1], g_theirs[1])
  # Through fromdense and dense @ sparse, under jit.
  f = lambda m, w: (w @ type_of(w).fromdense(m, nse=5)).sum()
  type_of = lambda w: sparse.BCOO if isinstance(w, jaxlite.Array) else jsparse.BCOO
  gm = jaxlite.jit(jaxlite.grad(f))(M, jnp.asarray(W))
  close(gm, jax.jit(jax.grad(f))(M, jax.numpy.asarray(W)))


def test_matmul_jvp_matches_jax():
  ours, theirs = both()
  p, t = jaxlite.jvp(lambda d: sparse.BCOO((d, ours.indices), shape=M.shape) @ X,
                     (ours.data,), (jnp.ones_like(ours.data),))
  jp, jt = jax.jvp(lambda d: jsparse.BCOO((d, theirs.indices), shape=M.shape) @ X,
                   (theirs.data,), (jax.numpy.ones_like(theirs.data),))
  close(p, jp)
  close(t, jt)


def test_matmul_under_vmap():
  ours, theirs = both()
  close(jaxlite.vmap(lambda x: ours @ x)(X.T), jax.vmap(lambda x: theirs @ x)(X.T))
  close(jaxlite.vmap(lambda x: ours @ x, in_axes=1)(X), jax.vmap(lambda x: theirs @ x, in_axes=1)(X))
  # The stored values mapped: the sparse operand gains a batch dimension.
  datas = np.stack([np.asarray(ours.data), 3 * np.asarray(ours.data)])
  f = lambda cls, idx: lambda d: cls((d, idx), shape=M.shape) @ V
  close(jaxlite.vmap(f(sparse.BCOO, ours.indices))(datas),
        jax.vmap(f(jsparse.BCOO, theirs.indices))(datas))
  # fromdense inside vmap, then a per-example grad.
  g = lambda cls: lambda m: (cls.fromdense(m, nse=4) @ X).sum()
  close(jaxlite.vmap(jaxlite.grad(g(sparse.BCOO)))(MB), jax.vmap(jax.grad(g(jsparse.BCOO)))(MB))


def test_transpose_and_extract():
  ours, theirs = both(n_batch=1, n_dense=1, mat=MB)
  t = ours.transpose((0, 1, 2))
  close(t.todense(), MB)
  ours, theirs = both()
  close(ours.T.todense(), M.T)
  e = sparse.bcoo_extract(ours, 10 * M)
  close(e.data, jsparse.bcoo_extract(theirs, 10 * M).data)
  dup = sparse.BCOO((jnp.ones(3), jnp.array([[0, 1], [0, 1], [2, 3]])), shape=M.shape)
  jdup = jsparse.BCOO((jax.numpy.ones(3), jax.numpy.array([[0, 1], [0, 1], [2, 3]])),
                      shape=M.shape)
  close(sparse.bcoo_extract(dup, M, assume_unique=False).data,
        jsparse.bcoo_extract(jdup, M, assume_unique=False).data)
  close(dup.todense(), jdup.todense())


def test_errors_match_jax():
  ours, theirs = both()
  with pytest.raises(ValueError):
    sparse.BCOO((jnp.ones(3), jnp.zeros((2, 2), jnp.int32)), shape=(3, 3))
  with pytest.raises(NotImplementedError, match="batch dimensions must be among"):
    sparse.bcoo_dot_general(ours, np.ones((3, 4), np.float32),
                            dimension_numbers=(([], []), ([0], [0])))
  with pytest.raises(TypeError):
    jaxlite.jit(lambda m: sparse.BCOO.fromdense(m))(M)


def test_vmap_over_bcoo_arguments_and_results():
  ours, theirs = both(n_batch=1, mat=MB)
  close(jaxlite.vmap(lambda s: s @ V)(ours), jax.vmap(lambda s: s @ V)(theirs))
  xs = np.stack([V, 2 * V])
  close(jaxlite.vmap(lambda s, v: s @ v)(ours, xs), jax.vmap(lambda s, v: s @ v)(theirs, xs))
  out, jout = jaxlite.vmap(lambda s: s.T)(ours), jax.vmap(lambda s: s.T)(theirs)
  assert repr(out) == repr(jout)
  close(out.todense(), jout.todense())
  made = jaxlite.vmap(lambda m: sparse.BCOO.fromdense(m, nse=5))(MB)
  assert repr(made) == repr(jax.vmap(lambda m: jsparse.BCOO.fromdense(m, nse=5))(MB))
  close(made.todense(), MB)
  with pytest.raises(ValueError, match="must correspond to a batch dimension"):
    jaxlite.vmap(lambda s: s, in_axes=1)(ours)


DUP_DATA = np.array([1., 2., 3., 4.], np.float32)
DUP_INDICES = np.array([[2, 1], [0, 3], [2, 1], [3, 0]], np.int32)   # a duplicate, a padding


def _same(ours, theirs):
  assert repr(ours) == repr(theirs)
  close(ours.data, theirs.data)
  np.testing.assert_array_equal(np.asarray(ours.indices), np.asarray(theirs.indices))


def test_sort_and_sum_duplicates_match_jax():
  ours = sparse.BCOO((DUP_DATA, DUP_INDICES), shape=(3, 4))
  theirs = jsparse.BCOO((DUP_DATA, DUP_INDICES), shape=(3, 4))
  _same(sparse.bcoo_sort_indices(ours), jsparse.bcoo_sort_indices(theirs))
  _same(sparse.bcoo_sum_duplicates(ours), jsparse.bcoo_sum_duplicates(theirs))
  _same(ours.sum_duplicates(nse=3), theirs.sum_duplicates(nse=3))
  f = lambda cls, fn, np_: lambda d: fn(cls((d, DUP_INDICES), shape=(3, 4))).data @ np_.arange(3.)
  close(jaxlite.grad(f(sparse.BCOO, lambda m: sparse.bcoo_sum_duplicates(m, nse=3), jnp))(DUP_DATA),
        jax.grad(f(jsparse.BCOO, lambda m: jsparse.bcoo_sum_duplicates(m, nse=3), jax.numpy))(DUP_DATA))


@pytest.mark.parametrize("n_batch,n_dense,axes", [
    (0, 0, (1,)), (1, 1, (2,)), pytest.param(0, 0, (0, 1), marks=SLOW),
    pytest.param(1, 0, (0,), marks=SLOW), pytest.param(0, 1, (0,), marks=SLOW)])
def test_reduce_sum_matches_jax(n_batch, n_dense, axes):
  ours, theirs = both(n_batch, n_dense, mat=MB)
  out, jout = sparse.bcoo_reduce_sum(ours, axes=axes), jsparse.bcoo_reduce_sum(theirs, axes=axes)
  assert repr(out) == repr(jout)
  close(out.todense(), jout.todense())


def test_multiply_dense_todense_eye_empty_random():
  ours, theirs = both(n_batch=1, mat=MB)
  close(sparse.bcoo_multiply_dense(ours, V), jsparse.bcoo_multiply_dense(theirs, V))
  _same(sparse.bcoo_multiply_sparse(ours, both(mat=MB)[0]),
        jsparse.bcoo_multiply_sparse(theirs, both(mat=MB)[1]))
  close(sparse.todense(ours), jsparse.todense(theirs))
  close(jaxlite.grad(lambda d: sparse.todense(sparse.BCOO((d, ours.indices), shape=MB.shape))
                     .sum())(ours.data), np.ones(ours.data.shape))
  for kw in [dict(N=3), dict(N=3, M=4, k=-1), dict(N=3, k=1, n_batch=1)]:
    _same(sparse.eye(**kw), jsparse.eye(**kw))
  _same(sparse.empty((2, 3), n_batch=1, nse=2), jsparse.empty((2, 3), n_batch=1, nse=2))
  with pytest.warns(UserWarning):   # float64 requested without x64, as in JAX
    ours = sparse.random_bcoo(jaxlite.random.key(0), (3, 4), nse=3, n_batch=1)
  with pytest.warns(UserWarning):
    theirs = jsparse.random_bcoo(jax.random.key(0), (3, 4), nse=3, n_batch=1)
  _same(ours, theirs)


def test_sparse_grad_family_matches_jax():
  ours, theirs = both()
  f = lambda s, x: ((s @ x) ** 2).sum()
  g, jg = sparse.grad(f)(ours, X), jsparse.grad(f)(theirs, X)
  _same(g, jg)
  (v, g), (jv, jg) = sparse.value_and_grad(f, argnums=(0, 1))(ours, X), \
      jsparse.value_and_grad(f, argnums=(0, 1))(theirs, X)
  close(v, jv)
  _same(g[0], jg[0])
  close(g[1], jg[1])
  h = lambda s: s @ V
  _same(sparse.jacfwd(h)(ours), jsparse.jacfwd(h)(theirs))
  _same(sparse.jacrev(h)(ours), jsparse.jacrev(h)(theirs))


def test_sparsify_matches_jax():
  ours = sparse.BCOO.fromdense(jnp.arange(12).reshape(3, 4))
  theirs = jsparse.BCOO.fromdense(jax.numpy.arange(12).reshape(3, 4))
  v = np.array([3, 4, 2], np.int32)
  f = lambda m, v: 2 * m.T @ v
  expected = jsparse.sparsify(f)(theirs, v)
  close(sparse.sparsify(f)(ours, v), expected)
  close(sparse.sparsify(f, use_tracer=True)(ours, v), expected)
  close(jaxlite.jit(sparse.sparsify(f))(ours, v), expected)
  close(sparse.sparsify(jaxlite.jit(f))(ours, v), expected)
  g = lambda np_: lambda m: (np_.sin(m * 2.0) + m).sum(0)
  out = sparse.sparsify(g(jnp))(ours.astype(np.float32))
  jout = jsparse.sparsify(g(jax.numpy))(theirs.astype(np.float32))
  assert repr(out) == repr(jout)
  close(out.todense(), jout.todense())
  _same(-ours, -theirs)
  _same(ours + ours, theirs + theirs)   # two arguments: stored elements side by side
  _same(sparse.sparsify(lambda m: m + 2 * m)(ours), jsparse.sparsify(lambda m: m + 2 * m)(theirs))
  close(ours.sum(), theirs.sum())
  with pytest.raises(NotImplementedError, match="would result in dense output"):
    sparse.sparsify(jnp.exp)(ours)


def test_sparse_sparse_products_match_jax():
  ours, theirs = both()
  _same(ours @ ours.T, theirs @ theirs.T)
  f = lambda cls, idx: lambda d: (cls((d, idx), shape=M.shape)
                                  @ cls((d, idx), shape=M.shape).T).data
  t = np.ones(ours.data.shape, np.float32)
  close(jaxlite.jvp(f(sparse.BCOO, ours.indices), (ours.data,), (t,))[1],
        jax.jvp(f(jsparse.BCOO, theirs.indices), (theirs.data,), (t,))[1])
  with pytest.raises(NotImplementedError, match="Transpose rule"):   # as in JAX
    jaxlite.grad(lambda d: f(sparse.BCOO, ours.indices)(d).sum())(ours.data)


STRUCTURAL = {
    "rev": lambda m, x: m.bcoo_rev(x, (0, 2)),
    "slice": lambda m, x: m.bcoo_slice(x, start_indices=(0, 1, 1), limit_indices=(2, 3, 4)),
    "strided": lambda m, x: m.bcoo_slice(x, start_indices=(0, 0, 0), limit_indices=(2, 3, 4),
                                         strides=(1, 2, 2)),
    "concat_batch": lambda m, x: m.bcoo_concatenate([x, x], dimension=0),
    "concat_sparse": lambda m, x: m.bcoo_concatenate([x, x], dimension=1),
    "broadcast": lambda m, x: m.bcoo_broadcast_in_dim(x, shape=(2, 3, 4),
                                                      broadcast_dimensions=(0, 1, 2)),
    "dynamic_slice": lambda m, x: m.bcoo_dynamic_slice(x, [np.int32(1), np.int32(-1), np.int32(2)],
                                                       (1, 2, 2)),
    "reshape_squeeze": lambda m, x: m.bcoo_squeeze(m.bcoo_reshape(x, new_sizes=(2, 1, 12)),
                                                   dimensions=(1,)),
}


@pytest.mark.parametrize("name", sorted(STRUCTURAL))
@pytest.mark.parametrize("n_batch", [0, pytest.param(1, marks=SLOW)])
def test_structural_ops_match_jax(name, n_batch):
  ours, theirs = both(n_batch, mat=MB)
  out, jout = STRUCTURAL[name](sparse, ours), STRUCTURAL[name](jsparse, theirs)
  _same(out, jout)
  close(out.todense(), jout.todense())


def test_sparsify_structural_rules():
  ours, theirs = both()
  f = lambda m: m.reshape(4, 3)[1:3].T
  out, jout = sparse.sparsify(f)(ours), jsparse.sparsify(f)(theirs)
  assert repr(out) == repr(jout)
  close(out.todense(), jout.todense())
  from jaxlite import lax
  g = lambda lax_: lambda m, i: lax_.dynamic_slice(m, (i, i), (2, 2))
  out = sparse.sparsify(g(lax))(ours, np.int32(1))
  jout = jsparse.sparsify(g(jax.lax))(theirs, np.int32(1))
  assert repr(out) == repr(jout)
  close(out.todense(), jout.todense())


LEGACY = np.array([[0., 2., 0.], [0., 0., 0.], [1., 0., 4.], [0., 0., 3.]], np.float32)


@pytest.mark.parametrize("fmt", ["COO", "CSR", pytest.param("CSC", marks=SLOW)])
def test_legacy_formats_match_jax(fmt):
  ours, theirs = getattr(sparse, fmt).fromdense(LEGACY), getattr(jsparse, fmt).fromdense(LEGACY)
  assert repr(ours) == repr(theirs)
  for a, b in zip(ours.tree_flatten()[0], theirs.tree_flatten()[0]):
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
  close(ours.todense(), LEGACY)
  B = np.ones((3, 2), np.float32)
  close(ours @ V[:3], theirs @ V[:3])
  close(ours @ B, theirs @ B)
  f = lambda m: lambda d, x: (type(m).tree_unflatten(m.tree_flatten()[1],
                                                     [d, *m.tree_flatten()[0][1:]]) @ x).sum()
  g = jaxlite.jit(jaxlite.grad(f(ours), (0, 1)))(ours.data, B)
  jg = jax.grad(f(theirs), (0, 1))(theirs.data, B)
  close(g[0], jg[0])
  close(g[1], jg[1])
  close(sparse.eye(3, 4, 1, sparse_format=fmt.lower()).todense(),
        jsparse.eye(3, 4, 1, sparse_format=fmt.lower()).todense())


@SLOW
def test_sparse_sparse_products_more_layouts():
  ours, theirs = both()
  _same(ours.T @ ours, theirs.T @ theirs)
  bo, bt = both(n_batch=1, mat=MB)
  dims = (([2], [2]), ([0], [0]))
  _same(sparse.bcoo_dot_general(bo, bo, dimension_numbers=dims),
        jsparse.bcoo_dot_general(bt, bt, dimension_numbers=dims))


@pytest.mark.parametrize("layout,change", [((1, 0), dict(n_batch=0)), ((1, 1), dict(n_batch=0, n_dense=0)),
                                           ((0, 0), dict(n_batch=2, n_dense=0, on_inefficient=None))])
def test_update_layout_matches_jax(layout, change):
  ours, theirs = both(*layout, mat=MB)
  _same(sparse.bcoo_update_layout(ours, **change), jsparse.bcoo_update_layout(theirs, **change))
  close(ours.update_layout(**change).todense(), MB)
  with pytest.raises(sparse.SparseEfficiencyError):
    sparse.bcoo_update_layout(both()[0], n_batch=1)


# --- BCSR ---------------------------------------------------------------------------


def _same_bcsr(ours, theirs):
  assert repr(ours) == repr(theirs)
  close(ours.data, theirs.data)
  for name in ("indices", "indptr"):
    a, b = np.asarray(getattr(ours, name)), np.asarray(getattr(theirs, name))
    assert a.dtype == b.dtype
    np.testing.assert_array_equal(a, b)


def test_bcsr_layouts_conversions_and_errors_match_jax():
  for mat, kw in [(M, dict(nse=7)), (MB, dict(n_batch=1)),
                  (MB.transpose(1, 2, 0), dict(n_dense=1, index_dtype=np.int16))]:
    ours, theirs = sparse.BCSR.fromdense(mat, **kw), jsparse.BCSR.fromdense(mat, **kw)
    _same_bcsr(ours, theirs)
    close(ours.todense(), mat)
    close(sparse.todense(ours), mat)
  ours, theirs = sparse.BCSR.fromdense(M), jsparse.BCSR.fromdense(M)
  _same(ours.to_bcoo(), theirs.to_bcoo())
  unsorted = lambda mod, cls: cls((DUP_DATA, DUP_INDICES), shape=(3, 4))
  _same_bcsr(sparse.BCSR.from_bcoo(unsorted(sparse, sparse.BCOO)),
             jsparse.BCSR.from_bcoo(unsorted(jsparse, jsparse.BCOO)))
  _same_bcsr(sparse.empty((2, 3, 4), sparse_format="bcsr", n_batch=1, nse=2),
             jsparse.empty((2, 3, 4), sparse_format="bcsr", n_batch=1, nse=2))
  assert jaxlite.tree_util.tree_structure(ours).num_leaves == 3
  for make in [lambda s: s.BCSR.fromdense(V), lambda s: s.BCSR.fromdense(M, n_dense=1),
               lambda s: s.BCSR((M[0, :3], M[0, :3].astype(np.int32), np.zeros(3, np.int32)),
                                shape=(3, 4)),
               lambda s: s.empty((3,), sparse_format="bcsr")]:
    with pytest.raises(ValueError) as e:
      make(sparse)
    with pytest.raises(ValueError, match=str(e.value)[:30].replace("(", r"\(").replace("[", r"\[")):
      make(jsparse)
  for make, err in [(lambda s: s.BCSR.from_bcoo(s.BCOO.fromdense(V)), NotImplementedError),
                    (lambda s: s.eye(3, sparse_format="bcsr"), KeyError),
                    (lambda s: s.BCSR.fromdense(M).T, NotImplementedError),
                    (lambda s: jnp.ones(3) @ s.BCSR.fromdense(M), NotImplementedError)]:
    with pytest.raises(err):
      make(sparse)
  with pytest.raises(jaxlite.errors.ConcretizationTypeError, match="nse argument of bcsr"):
    jaxlite.jit(lambda m: sparse.BCSR.fromdense(m))(M)


def test_bcsr_dot_general_values_grads_jit_vmap_match_jax():
  ours, theirs = sparse.BCSR.fromdense(M), jsparse.BCSR.fromdense(M)
  for rhs, dims in [(X, (([1], [0]), ([], []))), (X.T, (([1], [1]), ([], []))),
                    (W.T, (([0], [0]), ([], [])))]:
    close(sparse.bcsr_dot_general(ours, rhs, dimension_numbers=dims),
          jsparse.bcsr_dot_general(theirs, rhs, dimension_numbers=dims))
  close(ours @ V, theirs @ V)
  bo, bt = sparse.BCSR.fromdense(MB, n_batch=1), jsparse.BCSR.fromdense(MB, n_batch=1)
  xb = np.stack([X, 2 * X])
  close(bo @ xb, bt @ xb)
  close(bo @ V, bt @ V)
  # Gradients with respect to the stored values and the dense operand, under jit.
  loss = lambda s: lambda d, x: ((s.BCSR((d, ours.indices, ours.indptr), shape=M.shape) @ x)
                                 ** 2).sum()
  g = jaxlite.jit(jaxlite.grad(loss(sparse), argnums=(0, 1)))(ours.data, X)
  jg = jax.jit(jax.grad(loss(jsparse), argnums=(0, 1)))(theirs.data, X)
  close(g[0], jg[0])
  close(g[1], jg[1])
  fd = lambda s: lambda m: (s.BCSR.fromdense(m, nse=5) @ X).sum()
  close(jaxlite.grad(fd(sparse))(M), jax.grad(fd(jsparse))(M))
  # vmap over the dense operand, over a BCSR argument and over fromdense.
  close(jaxlite.vmap(lambda x: ours @ x)(X.T), jax.vmap(lambda x: theirs @ x)(X.T))
  close(jaxlite.vmap(lambda s: s @ V)(bo), jax.vmap(lambda s: s @ V)(bt))
  made = jaxlite.vmap(lambda m: sparse.BCSR.fromdense(m, nse=5))(MB)
  _same_bcsr(made, jax.vmap(lambda m: jsparse.BCSR.fromdense(m, nse=5))(MB))
  with pytest.raises(ValueError, match="must correspond to a batched dimension"):
    jaxlite.vmap(lambda s: s, in_axes=1)(bo)


def test_bcsr_structural_ops_match_jax():
  dup = (DUP_DATA, np.array([1, 1, 3, 0], np.int32), np.array([0, 2, 2, 4], np.int32))
  ours, theirs = sparse.BCSR(dup, shape=(3, 4)), jsparse.BCSR(dup, shape=(3, 4))
  _same_bcsr(sparse.bcsr_sum_duplicates(ours), jsparse.bcsr_sum_duplicates(theirs))
  _same_bcsr(ours.sum_duplicates(nse=4, remove_zeros=False),
             theirs.sum_duplicates(nse=4, remove_zeros=False))
  close(ours.todense(), theirs.todense())
  close(sparse.bcsr_extract(ours.indices, ours.indptr, 10 * M),
        jsparse.bcsr_extract(theirs.indices, theirs.indptr, 10 * M))
  ours, theirs = sparse.BCSR.fromdense(M), jsparse.BCSR.fromdense(M)
  _same_bcsr(sparse.bcsr_broadcast_in_dim(ours, shape=(2, 3, 4), broadcast_dimensions=(1, 2)),
             jsparse.bcsr_broadcast_in_dim(theirs, shape=(2, 3, 4), broadcast_dimensions=(1, 2)))
  for dim in (0, 1):
    _same_bcsr(sparse.bcsr_concatenate([ours, ours], dimension=dim),
               jsparse.bcsr_concatenate([theirs, theirs], dimension=dim))
  # The todense/extract pair transpose into each other.
  idx, ptr = np.asarray(ours.indices), np.asarray(ours.indptr)
  f = lambda s, t: lambda d: (t(s.BCSR((d, idx, ptr), shape=M.shape)) * M).sum()
  close(jaxlite.grad(f(sparse, sparse.bcsr_todense))(ours.data),
        jax.grad(f(jsparse, jsparse.bcsr_todense))(theirs.data))
  h = lambda s: lambda m: (s.bcsr_extract(idx, ptr, m) ** 2).sum()
  close(jaxlite.grad(h(sparse))(M), jax.grad(h(jsparse))(M))


# --- bcoo_gather, bcoo_conv_general_dilated -------------------------------------------


def jit_of(module):
  return jaxlite.jit if module is sparse else jax.jit


def test_bcoo_gather_matches_jax():
  G = (jaxlite.lax.GatherDimensionNumbers, jax.lax.GatherDimensionNumbers)
  for mat, n_batch, idx, dims, sizes in [
      (M, 0, [[2], [0]], dict(offset_dims=(1,), collapsed_slice_dims=(0,), start_index_map=(0,)),
       (1, 4)),
      (M, 0, [[1, 1], [0, 2]], dict(offset_dims=(1,), collapsed_slice_dims=(0,),
                                    start_index_map=(0, 1)), (1, 2)),
      (MB, 1, [[1], [0], [1]], dict(offset_dims=(1, 2), collapsed_slice_dims=(0,),
                                    start_index_map=(0,)), (1, 3, 4))]:
    idx = np.array(idx, np.int32)
    # Under jit: one compile per case rather than one per eager step.
    gather = lambda s, g: jit_of(s)(lambda m: s.bcoo_gather(m, idx, g(**dims), sizes))
    _same(gather(sparse, G[0])(sparse.BCOO.fromdense(mat, n_batch=n_batch)),
          gather(jsparse, G[1])(jsparse.BCOO.fromdense(mat, n_batch=n_batch)))
  dims = dict(offset_dims=(1,), collapsed_slice_dims=(0,), start_index_map=(0,))
  with pytest.raises(NotImplementedError, match="mode='clip' not yet supported"):
    sparse.bcoo_gather(sparse.BCOO.fromdense(M), np.zeros((1, 1), np.int32), G[0](**dims), (1, 4),
                       mode="clip")


def test_bcoo_conv_general_dilated_matches_jax():
  x = np.array([[[0., 1., 0., 2., 0., 0., 3.]]], np.float32)
  k = np.array([[[1., -2., 0.5]]], np.float32)
  for padding in ["SAME", [(2, 1)]]:
    for lhs_sparse, rhs_sparse in [(True, False), (False, True)]:
      args = lambda s: (s.BCOO.fromdense(x) if lhs_sparse else x,
                        s.BCOO.fromdense(k) if rhs_sparse else k)
      conv = lambda s: jit_of(s)(lambda a, b: s.bcoo_conv_general_dilated(
          a, b, window_strides=(1,), padding=padding))
      _same(conv(sparse)(*args(sparse)), conv(jsparse)(*args(jsparse)))
  conv = lambda s: lambda kk: s.bcoo_conv_general_dilated(
      s.BCOO.fromdense(x), kk, window_strides=(1,), padding="VALID").data.sum()
  close(jaxlite.grad(conv(sparse))(k), jax.grad(conv(jsparse))(k))
  for kw, msg in [(dict(window_strides=(2,)), "non-unit window_strides"),
                  (dict(window_strides=(1,), rhs_dilation=(2,)), "lhs_dilation")]:
    with pytest.raises(NotImplementedError, match=msg):
      sparse.bcoo_conv_general_dilated(sparse.BCOO.fromdense(x), k, padding="VALID", **kw)


def test_sparsify_bcsr_rules_match_jax():
  ours, theirs = sparse.BCSR.fromdense(M), jsparse.BCSR.fromdense(M)
  for f in [lambda s, x: s.sparsify(jnp_of(s).sin)(x),
            lambda s, x: s.sparsify(lambda y: jnp_of(s).concatenate([y, -y]))(x)]:
    _same_bcsr(f(sparse, ours), f(jsparse, theirs))
  close(sparse.sparsify(lambda y: y @ V)(ours), jsparse.sparsify(lambda y: y @ V)(theirs))
  with pytest.raises(NotImplementedError, match="sparse rule for add is not implemented"):
    sparse.sparsify(lambda y: y + y)(ours)
  _same_bcsr(ours[None], theirs[None])   # indexing goes through sparsify, as in JAX
  with pytest.raises(NotImplementedError, match="sparse rule for slice is not implemented"):
    ours[0]


def jnp_of(module):
  return jnp if module is sparse else jax.numpy
