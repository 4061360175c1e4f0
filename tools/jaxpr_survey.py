"""How many programs print the same jaxpr under JAX 0.10.2 and jaxlite.

Traces ~440 small programs (jax.numpy functions in typical calls, jax.nn,
jax.random samplers with raw and typed keys, lax control flow and
transformations, pmap) with `jax.make_jaxpr` and `jaxlite.make_jaxpr` and
compares `str()` of the two. A survey to find what to fix next; the programs
that match are pinned in tests/test_jaxpr_printing.py.

  $ .venv/bin/python tools/jaxpr_survey.py            # the count and the mismatches
  $ .venv/bin/python tools/jaxpr_survey.py c_pad r_   # print the differing pairs
"""
import sys, traceback, collections
import numpy as np
import jax, jax.numpy as jjnp
import jaxlite, jaxlite.numpy as ljnp

x3 = np.arange(1.0, 4.0, dtype=np.float32)
m23 = np.arange(1.0, 7.0, dtype=np.float32).reshape(2, 3)
m33 = (np.arange(9.0, dtype=np.float32).reshape(3, 3) + np.eye(3, dtype=np.float32) * 5)
i3 = np.arange(3, dtype=np.int32)
b3 = np.array([True, False, True])

P = {}
def prog(name, args, build):
  P[name] = (build, args)

# jnp unary functions on x3
unary = """abs absolute arccos arccosh arcsin arcsinh arctan arctanh argmax argmin argsort cbrt ceil conj conjugate
copy cos cosh cumprod cumsum deg2rad degrees exp exp2 expm1 fabs fix floor i0 imag isfinite isinf isnan
isneginf isposinf log log10 log1p log2 logical_not max mean median min nanargmax nanargmin nancumprod nancumsum
nanmax nanmean nanmedian nanmin nanprod nanstd nansum nanvar negative positive prod ptp rad2deg radians real
reciprocal rint round sign signbit sin sinc sinh sort sqrt square std sum tan tanh trunc var angle any all
count_nonzero diff ediff1d flatnonzero_ gradient histogram_ iscomplex isreal nonzero_ ravel sort_complex spacing
frexp modf unwrap cumulative_sum cumulative_prod trapezoid fliplr_ flipud exp2 logaddexp_ nan_to_num
isrealobj_ atleast_1d atleast_2d atleast_3d squeeze_ msort_ amax amin around trim_zeros_ average argwhere_
""".split()
for f in unary:
  if f.endswith("_"): continue
  prog("u_" + f, (x3,), (lambda f: lambda jax, jnp: getattr(jnp, f))(f))

binary = """add subtract multiply divide true_divide floor_divide power float_power mod remainder fmod
maximum minimum fmax fmin arctan2 hypot logaddexp logaddexp2 copysign nextafter greater greater_equal less
less_equal equal not_equal logical_and logical_or logical_xor heaviside divmod ldexp_ isclose allclose
array_equal array_equiv dot inner outer vdot cross_ kron convolve correlate polyadd polysub polymul polyval
append intersect1d_ union1d_ setdiff1d_ in1d_ isin_ searchsorted digitize_ matmul tensordot_ vecdot
""".split()
for f in binary:
  if f.endswith("_"): continue
  prog("b_" + f, (x3, x3[::-1].copy()), (lambda f: lambda jax, jnp: getattr(jnp, f))(f))

intbin = "bitwise_and bitwise_or bitwise_xor left_shift right_shift gcd lcm floor_divide remainder mod power".split()
for f in intbin:
  prog("ib_" + f, (i3 + 1, i3 + 2), (lambda f: lambda jax, jnp: getattr(jnp, f))(f))
for f in "invert bitwise_not bitwise_count abs sign square cumsum sort argsort bincount_".split():
  if f.endswith("_"): continue
  prog("iu_" + f, (i3,), (lambda f: lambda jax, jnp: getattr(jnp, f))(f))

mat = """transpose trace diagonal diag tril triu fliplr flipud rot90 linalg.det linalg.inv linalg.norm
linalg.cholesky linalg.eigh linalg.qr linalg.svd linalg.slogdet linalg.solve_ linalg.pinv linalg.matrix_rank
linalg.eigvalsh linalg.matrix_power_ cov corrcoef ravel argmax sum mean var std cumsum max min sort""".split()
def _get(mod, path):
  for p in path.split("."): mod = getattr(mod, p)
  return mod
for f in mat:
  if f.endswith("_"): continue
  prog("m_" + f, (m33,), (lambda f: lambda jax, jnp: _get(jnp, f))(f))

calls = {
  "pad": lambda jax, jnp: lambda x: jnp.pad(x, 1),
  "pad_edge": lambda jax, jnp: lambda x: jnp.pad(x, (1, 2), mode="edge"),
  "pad_reflect": lambda jax, jnp: lambda x: jnp.pad(x, 1, mode="reflect"),
  "take": lambda jax, jnp: lambda x: jnp.take(x, jnp.array([0, 2])),
  "take_along": lambda jax, jnp: lambda x: jnp.take_along_axis(x, jnp.array([0, 2]), axis=0),
  "tile": lambda jax, jnp: lambda x: jnp.tile(x, 2),
  "repeat": lambda jax, jnp: lambda x: jnp.repeat(x, 2),
  "linspace": lambda jax, jnp: lambda x: x + jnp.linspace(0.0, 1.0, 3),
  "logspace": lambda jax, jnp: lambda x: x + jnp.logspace(0.0, 1.0, 3),
  "arange": lambda jax, jnp: lambda x: x + jnp.arange(3),
  "eye": lambda jax, jnp: lambda x: x + jnp.eye(3),
  "identity": lambda jax, jnp: lambda x: x + jnp.identity(3),
  "full": lambda jax, jnp: lambda x: x + jnp.full(3, 2.0),
  "zeros": lambda jax, jnp: lambda x: x + jnp.zeros(3),
  "ones_like": lambda jax, jnp: lambda x: x + jnp.ones_like(x),
  "full_like": lambda jax, jnp: lambda x: jnp.full_like(x, 2.0),
  "stack": lambda jax, jnp: lambda x: jnp.stack([x, x]),
  "vstack": lambda jax, jnp: lambda x: jnp.vstack([x, x]),
  "hstack": lambda jax, jnp: lambda x: jnp.hstack([x, x]),
  "dstack": lambda jax, jnp: lambda x: jnp.dstack([x, x]),
  "column_stack": lambda jax, jnp: lambda x: jnp.column_stack([x, x]),
  "split": lambda jax, jnp: lambda x: jnp.split(x, 3),
  "array_split": lambda jax, jnp: lambda x: jnp.array_split(x, 2),
  "roll": lambda jax, jnp: lambda x: jnp.roll(x, 1),
  "roll_axis": lambda jax, jnp: lambda x: jnp.roll(x, 1, axis=0),
  "reshape": lambda jax, jnp: lambda x: jnp.reshape(x, (3, 1)),
  "broadcast_to": lambda jax, jnp: lambda x: jnp.broadcast_to(x, (2, 3)),
  "expand_dims": lambda jax, jnp: lambda x: jnp.expand_dims(x, 1),
  "moveaxis": lambda jax, jnp: lambda x: jnp.moveaxis(x[None], 0, 1),
  "swapaxes": lambda jax, jnp: lambda x: jnp.swapaxes(x[None], 0, 1),
  "where1": lambda jax, jnp: lambda x: jnp.where(x > 1, x, 0.0),
  "select": lambda jax, jnp: lambda x: jnp.select([x > 1, x > 2], [x, -x], 0.0),
  "piecewise": lambda jax, jnp: lambda x: jnp.piecewise(x, [x > 1], [lambda v: v * 2, lambda v: v]),
  "clip": lambda jax, jnp: lambda x: jnp.clip(x, 0.0, 2.0),
  "interp": lambda jax, jnp: lambda x: jnp.interp(x, jnp.arange(3.0), jnp.arange(3.0) * 2),
  "quantile": lambda jax, jnp: lambda x: jnp.quantile(x, 0.5),
  "percentile": lambda jax, jnp: lambda x: jnp.percentile(x, 50.0),
  "histogram": lambda jax, jnp: lambda x: jnp.histogram(x, bins=3, range=(0, 3)),
  "bincount": lambda jax, jnp: lambda x: jnp.bincount(x.astype(jnp.int32), length=5),
  "einsum2": lambda jax, jnp: lambda x: jnp.einsum("i,i->", x, x),
  "tensordot": lambda jax, jnp: lambda x: jnp.tensordot(x, x, axes=1),
  "cross": lambda jax, jnp: lambda x: jnp.cross(x, x[::-1]),
  "ldexp": lambda jax, jnp: lambda x: jnp.ldexp(x, 2),
  "at_set": lambda jax, jnp: lambda x: x.at[0].set(5.0),
  "at_add": lambda jax, jnp: lambda x: x.at[jnp.array([0, 1])].add(1.0),
  "at_get": lambda jax, jnp: lambda x: x.at[1].get(),
  "idx_arr": lambda jax, jnp: lambda x: x[jnp.array([0, 2])],
  "idx_neg": lambda jax, jnp: lambda x: x[-1],
  "idx_dyn": lambda jax, jnp: lambda x: x[x.astype(jnp.int32)[0]],
  "idx_bool": lambda jax, jnp: lambda x: jnp.where(x > 1, size=2)[0],
  "nonzero": lambda jax, jnp: lambda x: jnp.nonzero(x, size=3),
  "argwhere": lambda jax, jnp: lambda x: jnp.argwhere(x, size=3),
  "unique": lambda jax, jnp: lambda x: jnp.unique(x, size=3),
  "searchsorted": lambda jax, jnp: lambda x: jnp.searchsorted(x, 2.0),
  "digitize": lambda jax, jnp: lambda x: jnp.digitize(x, jnp.array([1.0, 2.0])),
  "matmul_op": lambda jax, jnp: lambda x: x @ x,
  "astype_bf16": lambda jax, jnp: lambda x: x.astype(jnp.bfloat16),
  "meshgrid": lambda jax, jnp: lambda x: jnp.meshgrid(x, x),
  "triu_indices": lambda jax, jnp: lambda x: x[jnp.triu_indices(3)[0]],
  "mean_axis": lambda jax, jnp: lambda x: jnp.mean(x[None], axis=1, keepdims=True),
  "var_ddof": lambda jax, jnp: lambda x: jnp.var(x, ddof=1),
  "sum_where": lambda jax, jnp: lambda x: jnp.sum(x, where=x > 1),
  "max_initial": lambda jax, jnp: lambda x: jnp.max(x, initial=0.0),
  "logsumexp": lambda jax, jnp: lambda x: jax.scipy.special.logsumexp(x),
  "erf": lambda jax, jnp: lambda x: jax.scipy.special.erf(x),
  "gammaln": lambda jax, jnp: lambda x: jax.scipy.special.gammaln(x),
  "norm_pdf": lambda jax, jnp: lambda x: jax.scipy.stats.norm.pdf(x),
  "norm_logpdf": lambda jax, jnp: lambda x: jax.scipy.stats.norm.logpdf(x),
  "conv1d": lambda jax, jnp: lambda x: jnp.convolve(x, x, mode="same"),
  "outer": lambda jax, jnp: lambda x: jnp.outer(x, x),
  "polyval": lambda jax, jnp: lambda x: jnp.polyval(x, 2.0),
  "floor_div_s": lambda jax, jnp: lambda x: x // 2.0,
  "floor_div_i": lambda jax, jnp: lambda x: x.astype(jnp.int32) // 2,
  "mod_i": lambda jax, jnp: lambda x: x.astype(jnp.int32) % 2,
  "pow_int": lambda jax, jnp: lambda x: x ** 2,
  "power_fn": lambda jax, jnp: lambda x: jnp.power(x, 3),
  "tri": lambda jax, jnp: lambda x: x @ jnp.tri(3),
  "cumsum_ax": lambda jax, jnp: lambda x: jnp.cumsum(x[None], axis=1),
  "argsort_desc": lambda jax, jnp: lambda x: jnp.argsort(x, descending=True),
  "lexsort": lambda jax, jnp: lambda x: jnp.lexsort((x, x)),
  "partition": lambda jax, jnp: lambda x: jnp.partition(x, 1),
  "argpartition": lambda jax, jnp: lambda x: jnp.argpartition(x, 1),
  "top_k": lambda jax, jnp: lambda x: jax.lax.top_k(x, 2),
  "isin": lambda jax, jnp: lambda x: jnp.isin(x, jnp.array([1.0, 3.0])),
  "diff2": lambda jax, jnp: lambda x: jnp.diff(x, n=2),
  "logical": lambda jax, jnp: lambda x: jnp.logical_and(x > 1, x < 3),
  "nan_to_num": lambda jax, jnp: lambda x: jnp.nan_to_num(x),
  "heaviside": lambda jax, jnp: lambda x: jnp.heaviside(x, 0.5),
  "round2": lambda jax, jnp: lambda x: jnp.round(x, 2),
  "average_w": lambda jax, jnp: lambda x: jnp.average(x, weights=x),
  "cumsum_int": lambda jax, jnp: lambda x: jnp.cumsum(x > 1),
  "array": lambda jax, jnp: lambda x: jnp.array([x[0], x[1]]),
  "asarray": lambda jax, jnp: lambda x: jnp.asarray(x) + 1,
  "zeros_like_i": lambda jax, jnp: lambda x: jnp.zeros_like(x, dtype=jnp.int32),
}
for k, v in calls.items():
  prog("c_" + k, (x3,), v)

# jax.nn
for f in """relu relu6 sigmoid softplus sparse_plus soft_sign silu swish log_sigmoid leaky_relu hard_sigmoid hard_silu
hard_swish hard_tanh elu celu selu gelu glu squareplus mish softmax log_softmax standardize logsumexp one_hot_
""".split():
  if f.endswith("_"): continue
  prog("nn_" + f, (np.arange(-2.0, 2.0, dtype=np.float32),), (lambda f: lambda jax, jnp: getattr(jax.nn, f))(f))
prog("nn_one_hot", (i3,), lambda jax, jnp: lambda x: jax.nn.one_hot(x, 4))
prog("nn_gelu_exact", (x3,), lambda jax, jnp: lambda x: jax.nn.gelu(x, approximate=False))
prog("nn_softmax_ax", (m23,), lambda jax, jnp: lambda x: jax.nn.softmax(x, axis=0))
prog("nn_dot_product_attention", (np.ones((1, 2, 1, 4), np.float32),),
     lambda jax, jnp: lambda x: jax.nn.dot_product_attention(x, x, x))

# random
samplers = {
  "uniform": lambda jax, k: jax.random.uniform(k, (3,)),
  "uniform_mm": lambda jax, k: jax.random.uniform(k, (3,), minval=-1.0, maxval=2.0),
  "normal": lambda jax, k: jax.random.normal(k, (3,)),
  "normal_s": lambda jax, k: jax.random.normal(k),
  "bernoulli": lambda jax, k: jax.random.bernoulli(k, 0.3, (3,)),
  "randint": lambda jax, k: jax.random.randint(k, (3,), 0, 10),
  "split": lambda jax, k: jax.random.split(k),
  "split3": lambda jax, k: jax.random.split(k, 3),
  "fold_in": lambda jax, k: jax.random.fold_in(k, 3),
  "bits": lambda jax, k: jax.random.bits(k, (3,)),
  "categorical": lambda jax, k: jax.random.categorical(k, jax.numpy.zeros(3)),
  "permutation": lambda jax, k: jax.random.permutation(k, 4),
  "choice": lambda jax, k: jax.random.choice(k, 5, (2,)),
  "truncated_normal": lambda jax, k: jax.random.truncated_normal(k, -1.0, 1.0, (3,)),
  "gumbel": lambda jax, k: jax.random.gumbel(k, (3,)),
  "exponential": lambda jax, k: jax.random.exponential(k, (3,)),
  "laplace": lambda jax, k: jax.random.laplace(k, (3,)),
  "logistic": lambda jax, k: jax.random.logistic(k, (3,)),
  "cauchy": lambda jax, k: jax.random.cauchy(k, (3,)),
  "rademacher": lambda jax, k: jax.random.rademacher(k, (3,)),
  "gamma": lambda jax, k: jax.random.gamma(k, 2.0, (3,)),
  "beta": lambda jax, k: jax.random.beta(k, 2.0, 3.0, (3,)),
  "dirichlet": lambda jax, k: jax.random.dirichlet(k, jax.numpy.ones(3)),
  "poisson": lambda jax, k: jax.random.poisson(k, 2.0, (3,)),
  "mvn": lambda jax, k: jax.random.multivariate_normal(k, jax.numpy.zeros(2), jax.numpy.eye(2)),
  "orthogonal": lambda jax, k: jax.random.orthogonal(k, 2),
  "key_data": lambda jax, k: jax.random.key_data(k),
  "shuffle_": None,
}
for name, s in samplers.items():
  if s is None: continue
  prog("r_raw_" + name, (np.array([0, 1], np.uint32),), (lambda s: lambda jax, jnp: lambda k: s(jax, k))(s))
  prog("r_typed_" + name, (np.array([0, 1], np.uint32),),
       (lambda s: lambda jax, jnp: lambda k: s(jax, jax.random.wrap_key_data(k)))(s))
prog("r_key", (np.int32(0),), lambda jax, jnp: lambda s: jax.random.key(s))
prog("r_PRNGKey", (np.int32(0),), lambda jax, jnp: lambda s: jax.random.PRNGKey(s))
prog("r_key_normal", (np.int32(0),), lambda jax, jnp: lambda s: jax.random.normal(jax.random.key(s), (2,)))
prog("r_PRNGKey_normal", (np.int32(0),), lambda jax, jnp: lambda s: jax.random.normal(jax.random.PRNGKey(s), (2,)))

# lax control flow
lax_progs = {
  "cond": lambda jax, jnp: lambda x: jax.lax.cond(x[0] > 0, jnp.sin, jnp.cos, x),
  "while": lambda jax, jnp: lambda x: jax.lax.while_loop(lambda c: c[0] < 10.0, lambda c: c * 2.0, x),
  "fori": lambda jax, jnp: lambda x: jax.lax.fori_loop(0, 3, lambda i, c: c + i, x),
  "fori_dyn": lambda jax, jnp: lambda x: jax.lax.fori_loop(0, x.astype(jnp.int32)[0], lambda i, c: c + i, x),
  "scan": lambda jax, jnp: lambda x: jax.lax.scan(lambda c, a: (c + a, c), 0.0, x),
  "scan_len": lambda jax, jnp: lambda x: jax.lax.scan(lambda c, _: (c * 2, c), x, length=2),
  "scan_rev": lambda jax, jnp: lambda x: jax.lax.scan(lambda c, a: (c + a, c), 0.0, x, reverse=True),
  "scan_unroll": lambda jax, jnp: lambda x: jax.lax.scan(lambda c, a: (c + a, c), 0.0, x, unroll=2),
  "map": lambda jax, jnp: lambda x: jax.lax.map(jnp.sin, x),
  "switch": lambda jax, jnp: lambda x: jax.lax.switch(1, [jnp.sin, jnp.cos], x),
  "grad_scan": lambda jax, jnp: jax.grad(lambda x: jax.lax.scan(lambda c, a: (c * a, c), 1.0, x)[0]),
  "grad_while": lambda jax, jnp: jax.grad(lambda x: jax.lax.fori_loop(0, 3, lambda i, c: c * x, x)),
  "grad_cond": lambda jax, jnp: jax.grad(lambda x: jax.lax.cond(x > 0, jnp.sin, jnp.cos, x)),
  "vmap_cond": lambda jax, jnp: jax.vmap(lambda x: jax.lax.cond(x > 0, jnp.sin, jnp.cos, x)),
  "vmap_while": lambda jax, jnp: jax.vmap(lambda x: jax.lax.while_loop(lambda c: c < 10.0, lambda c: c * 2.0, x)),
  "remat": lambda jax, jnp: jax.grad(jax.checkpoint(lambda x: jnp.sum(jnp.sin(x)))),
  "custom_jvp_nn": lambda jax, jnp: jax.grad(lambda x: jnp.sum(jax.nn.relu(x))),
  "grad_softmax": lambda jax, jnp: jax.grad(lambda x: jnp.sum(jax.nn.softmax(x) * x)),
  "grad_logsumexp": lambda jax, jnp: jax.grad(lambda x: jax.nn.logsumexp(x)),
  "grad_norm": lambda jax, jnp: jax.grad(lambda x: jnp.linalg.norm(x)),
  "grad_mean": lambda jax, jnp: jax.grad(lambda x: jnp.mean(x ** 2)),
  "grad_where": lambda jax, jnp: jax.grad(lambda x: jnp.sum(jnp.where(x > 1, x, 0.0))),
  "grad_clip": lambda jax, jnp: jax.grad(lambda x: jnp.sum(jnp.clip(x, 0.0, 2.0))),
  "grad_max": lambda jax, jnp: jax.grad(lambda x: jnp.max(x)),
  "grad_idx": lambda jax, jnp: jax.grad(lambda x: x[1] * 2.0),
  "grad_cumsum": lambda jax, jnp: jax.grad(lambda x: jnp.sum(jnp.cumsum(x))),
  "grad_sort": lambda jax, jnp: jax.grad(lambda x: jnp.sum(jnp.sort(x) * jnp.arange(3.0))),
  "hessian": lambda jax, jnp: jax.hessian(lambda x: jnp.sum(x ** 3)),
  "jacfwd": lambda jax, jnp: jax.jacfwd(jnp.sin),
  "jacrev": lambda jax, jnp: jax.jacrev(jnp.sin),
  "vmap_matmul": lambda jax, jnp: jax.vmap(lambda x: x @ jnp.ones((3, 2))),
  "vmap_sum": lambda jax, jnp: jax.vmap(jnp.sum),
  "vmap_idx": lambda jax, jnp: jax.vmap(lambda x: x[0]),
  "reduce_precision": lambda jax, jnp: lambda x: jax.lax.reduce_precision(x, 5, 10),
  "cumlogsumexp": lambda jax, jnp: lambda x: jax.lax.cumlogsumexp(x),
  "cummax": lambda jax, jnp: lambda x: jax.lax.cummax(x),
  "lax_pad": lambda jax, jnp: lambda x: jax.lax.pad(x, 0.0, [(1, 1, 0)]),
  "dynamic_slice": lambda jax, jnp: lambda x: jax.lax.dynamic_slice(x, (1,), (2,)),
  "dynamic_update": lambda jax, jnp: lambda x: jax.lax.dynamic_update_slice(x, x[:1], (1,)),
  "conv": lambda jax, jnp: lambda x: jax.lax.conv(x[None, None], x[None, None], (1,), "SAME"),
  "reduce_window": lambda jax, jnp: lambda x: jax.lax.reduce_window(x, 0.0, jax.lax.add, (2,), (1,), "VALID"),
  "rsqrt": lambda jax, jnp: lambda x: jax.lax.rsqrt(x),
  "erf_inv": lambda jax, jnp: lambda x: jax.lax.erf_inv(x / 4),
  "bcast_in_dim": lambda jax, jnp: lambda x: jax.lax.broadcast_in_dim(x, (2, 3), (1,)),
  "convert": lambda jax, jnp: lambda x: jax.lax.convert_element_type(x, jnp.int32),
  "bitcast": lambda jax, jnp: lambda x: jax.lax.bitcast_convert_type(x, jnp.int32),
  "integer_pow": lambda jax, jnp: lambda x: jax.lax.integer_pow(x, 3),
  "clamp": lambda jax, jnp: lambda x: jax.lax.clamp(0.0, x, 2.0),
  "sort_multi": lambda jax, jnp: lambda x: jax.lax.sort((x, x), num_keys=1),
  "argmax_lax": lambda jax, jnp: lambda x: jax.lax.argmax(x, 0, jnp.int32),
  "psum_vmap": lambda jax, jnp: jax.vmap(lambda x: jax.lax.psum(x, "i"), axis_name="i"),
  "pmean_vmap": lambda jax, jnp: jax.vmap(lambda x: jax.lax.pmean(x, "i"), axis_name="i"),
  "axis_index": lambda jax, jnp: jax.vmap(lambda x: x * jax.lax.axis_index("i"), axis_name="i"),
  "pmap": lambda jax, jnp: jax.pmap(lambda x: x * 2.0),
  "pmap_psum": lambda jax, jnp: jax.pmap(lambda x: jax.lax.psum(x, "i"), axis_name="i"),
  "pmap_in_jit": lambda jax, jnp: jax.jit(jax.pmap(jnp.sin)),
}
for k, v in lax_progs.items():
  args = (x3,) if not k.startswith("pmap") else (np.ones((1, 3), np.float32),)
  P["l_" + k] = (v, args)


def text(mod, nmod, build, args):
  try:
    return str(mod.make_jaxpr(build(mod, nmod))(*args))
  except Exception as e:
    return f"EXC {type(e).__name__}: {str(e)[:200]}"


def main():
  only = sys.argv[1:]
  ok, bad, both_exc = [], [], []
  for name, (build, args) in P.items():
    if only and not any(o in name for o in only): continue
    e = text(jax, jjnp, build, args)
    g = text(jaxlite, ljnp, build, args)
    if e.startswith("EXC"):
      both_exc.append(name); continue
    (ok if e == g else bad).append(name)
    if e != g and only:
      print("=====", name); print("JAX:"); print(e); print("jaxlite:"); print(g)
  print(f"match {len(ok)} / {len(ok) + len(bad)}  (jax raised: {len(both_exc)})")
  print("MISMATCH:", " ".join(bad))
  print("JAXEXC:", " ".join(both_exc))

main()
