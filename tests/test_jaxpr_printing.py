"""`str(make_jaxpr(f)(*args))` is JAX 0.10.2's text, character for character.

Each program below is traced by the installed JAX and by jaxlite in the same
run and the two printouts compared. The corpus covers every control-flow
primitive JAX stages here (cond, switch, while, fori_loop, scan, map),
custom_jvp/custom_vjp, nested and shared jit calls, library functions JAX stages
as `jit` equations, literals of many dtypes, unread outputs, and programs
transformed by grad, vmap, jvp, linearize and checkpoint. Differences that
remain are listed in docs/differences.md.
"""
import importlib
import random

import numpy as np
import pytest

jax = pytest.importorskip("jax")
import jax.numpy as jax_numpy  # noqa: E402
from jax._src import pretty_printer as jax_pp  # noqa: E402

import jaxlite  # noqa: E402
import jaxlite.numpy as jaxlite_numpy  # noqa: E402
from jaxlite import pretty_printer as pp  # noqa: E402

x3 = np.arange(3.0, dtype=np.float32)
m23 = np.arange(6.0, dtype=np.float32).reshape(2, 3)
i3 = np.arange(3, dtype=np.int32)
c = np.arange(3.0, dtype=np.float32)

# name -> (build(jax_module, numpy_module) -> function, example arguments)
PROGRAMS = {}


def program(*args):
  def register(build):
    PROGRAMS[build.__name__] = (build, args)
    return build
  return register


def _custom_jvp_sin(jax, jnp):
  """sin with a custom JVP rule named f_jvp (JAX prints the names)."""
  @jax.custom_jvp
  def f(x): return jnp.sin(x)

  @f.defjvp
  def f_jvp(p, t): return f(p[0]), jnp.cos(p[0]) * t[0]
  return f


def _custom_vjp_sin(jax, jnp):
  """sin with a custom VJP given by fwd and bwd."""
  @jax.custom_vjp
  def f(x): return jnp.sin(x)

  def fwd(x): return f(x), jnp.cos(x)

  def bwd(r, g): return (r * g,)
  f.defvjp(fwd, bwd)
  return f


@program(1.0)
def sincos(jax, jnp): return lambda x: jnp.sin(jnp.cos(x))


@program(x3)
def long1(jax, jnp): return lambda x: jnp.sum(jnp.sin(x) * 2.0 + jnp.cos(x) ** 2 - jnp.exp(x) / 3.0)


@program(1.0)
def cond(jax, jnp): return lambda x: jax.lax.cond(x > 0, jnp.sin, jnp.cos, x)


@program(1.0)
def whilel(jax, jnp): return lambda x: jax.lax.while_loop(lambda c: c < 10.0, lambda c: c * 2.0, x)


@program(1.0)
def fori(jax, jnp): return lambda x: jax.lax.fori_loop(0, 5, lambda i, c: c + i, x)


@program(1.0)
def grad(jax, jnp): return jax.grad(lambda x: jnp.sin(x) * x)


@program(x3)
def vmap(jax, jnp): return jax.vmap(lambda x: jnp.sin(x) * x)


@program(1.0)
def nested_jit(jax, jnp): return jax.jit(lambda x: jax.jit(jnp.sin)(x) + 1.0)


@program(x3)
def dot(jax, jnp): return lambda x: jnp.dot(x, x)


@program(x3)
def inexact_literals(jax, jnp):
  # Python floats print as written (0.1, 1e-05, 100000000000.0), NumPy
  # scalars as their type holds them.
  return lambda x: (x + 0.1) * 1e-5 - jax.lax.mul(100000000000.0, x) + np.float32(0.3) * x


@program(x3)
def unused(jax, jnp): return lambda x: jax.lax.sort_key_val(x, x)[0]


@program(x3)
def closure_np(jax, jnp): return jax.jit(lambda x: x + c)


@program(x3)
def closure_arr_nojit(jax, jnp):
  d = jnp.arange(3.0)
  return lambda x: x * d


@program(x3)
def twice_jit(jax, jnp):
  g = jax.jit(lambda y: jnp.sin(y) * 2.0)
  return lambda x: g(x) + g(x + 1.0)


@program(x3)
def big_inner(jax, jnp):
  def g(y):
    for i in range(12): y = jnp.sin(y)
    return y
  return lambda x: jax.lax.cond(x[0] > 0, g, jnp.cos, x)


@program(1.0)
def donated(jax, jnp): return lambda x: jax.jit(lambda y: y * 2, donate_argnums=0)(x)


@program(1)
def switch(jax, jnp): return lambda i: jax.lax.switch(i, [lambda: 1.0, lambda: 2.0, lambda: 3.0])


@program(1, 2.0)
def switch_op(jax, jnp): return lambda i, x: jax.lax.switch(i, [jnp.sin, jnp.cos, lambda x: x * 2.0], x)


@program(x3)
def lmap(jax, jnp): return lambda x: jax.lax.map(lambda a: a * 2.0 + 1.0, x)


@program(1.0)
def cjvp(jax, jnp):
  f = _custom_jvp_sin(jax, jnp)
  return f


@program(1.0)
def cjvp_grad(jax, jnp):
  f = _custom_jvp_sin(jax, jnp)
  return jax.grad(f)


@program(1.0)
def cvjp(jax, jnp):
  f = _custom_vjp_sin(jax, jnp)
  return f


@program(1.0)
def cvjp_grad(jax, jnp):
  f = _custom_vjp_sin(jax, jnp)
  return jax.grad(f)


@program(1.0)
def jvp_(jax, jnp): return lambda x: jax.jvp(jnp.sin, (x,), (1.0,))


@program(m23)
def vmap_dot(jax, jnp): return jax.vmap(lambda r: jnp.dot(r, r))


@program(m23)
def matmul(jax, jnp): return lambda a: a @ a.T


@program(x3)
def mean(jax, jnp): return jnp.mean


@program(x3)
def maxr(jax, jnp): return jnp.max


@program(x3)
def argmax(jax, jnp): return jnp.argmax


@program(m23)
def reshape(jax, jnp): return lambda a: a.reshape(3, 2)


@program(m23)
def transpose(jax, jnp): return lambda a: a.T


@program(x3)
def index(jax, jnp): return lambda a: a[1]


@program(x3)
def slice_(jax, jnp): return lambda a: a[1:]


@program(x3)
def concat(jax, jnp): return lambda a: jnp.concatenate([a, a])


@program(x3)
def zeros_like(jax, jnp): return lambda a: jnp.zeros_like(a) + a


@program(x3)
def ones(jax, jnp): return lambda a: jnp.ones(3) * a


@program(i3)
def int_ops(jax, jnp): return lambda a: a * 2 + 1


@program(i3)
def astype(jax, jnp): return lambda a: a.astype(jnp.float32)


@program(x3)
def remainder(jax, jnp): return lambda a: a % 2.0


@program(x3)
def arange(jax, jnp): return lambda a: a + jnp.arange(3)


@program(x3)
def sqrt(jax, jnp): return lambda a: jnp.sqrt(a) + jnp.exp(a) + jnp.log(a) + jnp.tanh(a)


@program(x3)
def grad_sum(jax, jnp): return jax.grad(lambda a: jnp.sum(a ** 2))


@program(x3)
def stop_grad(jax, jnp): return jax.grad(lambda a: jnp.sum(jax.lax.stop_gradient(a) * a))


@program(1.0)
def hessian(jax, jnp): return jax.grad(jax.grad(jnp.sin))


@program(1.0)
def checkpoint(jax, jnp): return jax.grad(jax.checkpoint(lambda x: jnp.sin(jnp.sin(x))))


@program(x3, x3)
def two_args(jax, jnp): return lambda a, b: (a + b, a - b)


@program(x3)
def literal_int(jax, jnp): return lambda a: a + 1


@program(x3)
def expand(jax, jnp): return lambda a: jnp.expand_dims(a, 0)


@program(x3)
def iota(jax, jnp): return lambda a: jax.lax.iota(jnp.int32, 3)


@program(m23)
def einsum(jax, jnp): return lambda a: jnp.einsum("ij,kj->ik", a, a)


@program(x3)
def abs_(jax, jnp): return lambda a: jnp.abs(a) + jnp.maximum(a, 1.0)


@program(1.0)
def while_consts(jax, jnp):
  def f(x):
    y = x * 3.0
    return jax.lax.while_loop(lambda c: c < y, lambda c: c + x, 0.5)
  return f


@program(x3)
def scan_strong(jax, jnp): return lambda x: jax.lax.scan(lambda c, a: (c + a, c * a), x[0], x)


@program(x3)
def fori_closure(jax, jnp): return lambda x: jax.lax.fori_loop(0, 3, lambda i, c: c * x, x)


@program(1.0)
def jvp_cond(jax, jnp): return lambda x: jax.jvp(lambda y: jax.lax.cond(y > 0, jnp.sin, jnp.cos, y), (x,), (1.0,))


@program(1.0)
def grad_jit(jax, jnp): return jax.grad(jax.jit(lambda x: jnp.sin(x) * 2.0))


@program(1.0)
def jit_grad(jax, jnp): return jax.jit(jax.grad(lambda x: jnp.sin(x) * 2.0))


@program(x3)
def cumsum_j(jax, jnp): return jnp.cumsum


@program(x3)
def cumprod_j(jax, jnp): return jnp.cumprod


@program(x3)
def sort_j(jax, jnp): return jnp.sort


@program(x3)
def argsort_j(jax, jnp): return jnp.argsort


@program(x3)
def clip_j(jax, jnp): return lambda x: jnp.clip(x, 0.0, 1.0)


@program(x3)
def clip_max(jax, jnp): return lambda x: jnp.clip(x, max=1.0)


@program(x3)
def where_j(jax, jnp): return lambda x: jnp.where(x > 1, x, 0.0)


@program(x3, x3)
def where_arr(jax, jnp): return lambda x, y: jnp.where(x > y, x, y)


@program(x3)
def fmod_j(jax, jnp): return lambda x: jnp.fmod(x, 2.0)


@program(x3)
def rint_j(jax, jnp): return jnp.rint


@program(x3)
def isinf_j(jax, jnp): return jnp.isinf


@program(x3)
def cjvp_jit(jax, jnp):
  f = _custom_jvp_sin(jax, jnp)
  return jax.jit(f)


@program(x3)
def cjvp_vmap(jax, jnp):
  f = _custom_jvp_sin(jax, jnp)
  return jax.vmap(f)


@program(x3)
def cvjp_vmap(jax, jnp):
  f = _custom_vjp_sin(jax, jnp)
  return jax.vmap(f)


@program(x3)
def shared_jit3(jax, jnp):
  g = jax.jit(lambda y: y * 2.0)
  return lambda x: g(g(g(x)))


@program(x3)
def two_named(jax, jnp):
  def g(y): return y + 1.0
  def h(y): return y - 1.0
  g, h = jax.jit(g), jax.jit(h)
  return lambda x: g(x) * h(x) + g(x * 2.0) + h(x * 2.0)


@program(x3)
def long_inner_jit(jax, jnp):
  def g(y):
    for _ in range(11): y = jnp.cos(y)
    return y
  return jax.jit(g)


@program(np.arange(3, dtype=np.uint32))
def uint_lit(jax, jnp): return lambda x: x + np.uint32(7)


@program(np.ones(3, np.int8))
def int8_ops(jax, jnp): return lambda x: x * np.int8(3) - x


@program(np.ones(3, np.float16))
def f16(jax, jnp): return lambda x: jnp.sin(x) * 2


@program(np.ones(3, np.complex64))
def c64(jax, jnp): return lambda x: x * x.conj()


@program(np.zeros((0, 3), np.float32))
def zero_size(jax, jnp): return lambda x: x + 1.0


@program(m23)
def reductions(jax, jnp): return lambda x: (jnp.max(x, axis=0), jnp.min(x), jnp.argmax(x, axis=1), jnp.prod(x))


@program(m23, m23)
def lax_dot(jax, jnp): return lambda a, b: jax.lax.dot_general(a, b, (((1,), (1,)), ((), ())))


@program(m23)
def lax_ops(jax, jnp): return lambda a: jax.lax.select(a > 1.0, a, jnp.zeros_like(a))


@program(x3)
def concat2(jax, jnp): return lambda x: jnp.concatenate([x, x * 2.0])


@program(m23)
def transpose_sum(jax, jnp): return lambda x: jnp.sum(x.T, axis=1)


@program(x3)
def multi_out(jax, jnp): return lambda x: (x, x + 1.0, jnp.sin(x))


@program(x3)
def grad_of_sum_sin(jax, jnp): return jax.grad(lambda x: jnp.sum(jnp.sin(x)))


@program(x3)
def value_and_grad(jax, jnp): return jax.value_and_grad(lambda x: jnp.sum(x * x))


@program(x3)
def vmap_jit(jax, jnp): return jax.vmap(jax.jit(lambda x: x * 2.0 + 1.0))


@program(m23)
def vmap_in_axes(jax, jnp): return jax.vmap(lambda r: r * 2.0, in_axes=1)


@program(1.0)
def linearize_(jax, jnp): return lambda x: jax.linearize(jnp.sin, x)[1](1.0)


@program(x3)
def jvp_vmap(jax, jnp): return lambda x: jax.jvp(jax.vmap(jnp.sin), (x,), (x,))


@program(1.0)
def checkpoint_fn(jax, jnp): return jax.checkpoint(lambda x: jnp.sin(jnp.cos(x)))


@program(x3)
def stop_gradient_(jax, jnp): return lambda x: jax.lax.stop_gradient(x) * x


@program(x3)
def astype_int(jax, jnp): return lambda x: x.astype(jnp.int32) + 1


@program(x3)
def float_pow(jax, jnp): return lambda x: x ** 3 + x ** 0.5


@program(x3)
def abs_neg(jax, jnp): return lambda x: -jnp.abs(x)


@program(x3)
def exp_log(jax, jnp): return lambda x: jnp.log1p(jnp.expm1(x))


@program(x3)
def logistic(jax, jnp): return jax.nn.sigmoid


@program(x3)
def relu_(jax, jnp): return jax.nn.relu


@program(x3)
def gelu_(jax, jnp): return jax.nn.gelu


@program(x3)
def silu_(jax, jnp): return jax.nn.silu


@program(i3)
def iota_arange(jax, jnp): return lambda x: x + jnp.arange(3, dtype=jnp.int32)


@program(1)
def switch3(jax, jnp): return lambda i: jax.lax.switch(i, [lambda: 1, lambda: 2, lambda: 3])


@program(True, 1.0)
def cond_bool(jax, jnp): return lambda p, x: jax.lax.cond(p, lambda v: v + 1.0, lambda v: v - 1.0, x)


@program(1.0)
def cond_tuple(jax, jnp): return lambda x: jax.lax.cond(x > 0, lambda a, b: (a + b, a), lambda a, b: (a - b, b), x, 2.0)


@program(x3)
def assoc(jax, jnp): return lambda x: jax.lax.associative_scan(jnp.add, x)


@program(np.arange(5.0, dtype=np.float32))
def assoc_odd_reverse(jax, jnp):
  return lambda x: jax.lax.associative_scan(jnp.multiply, x, reverse=True)


@program(x3)
def square(jax, jnp): return lambda a: jnp.square(a) + a ** 2


@program(1.0)
def debug_print(jax, jnp):
  def f(x):
    jax.debug.print("x={}", x)
    return x * 2.0
  return f


@program(x3)
def debug_print_vmap(jax, jnp):
  def f(x):
    jax.debug.print("x={x}", x=x)
    return x
  return jax.vmap(f)


@program(1.0)
def debug_print_grad(jax, jnp):
  def f(x):
    jax.debug.print("x={} {}", x, 3)
    return jnp.sin(x)
  return jax.grad(f)


@program(1.0)
def debug_print_ordered(jax, jnp):
  def f(x):
    jax.debug.print("a", ordered=True)
    jax.debug.print("b {}", x, ordered=True)
    return x
  return jax.jit(f)


@program(1.0)
def debug_print_in_cond(jax, jnp):
  def f(x):
    def t(v):
      jax.debug.print("t {}", v)
      return v
    return jax.lax.cond(x > 0, t, lambda v: -v, x)
  return f


def _io_callback(jax):
  return importlib.import_module(jax.__name__ + ".experimental").io_callback


@program(1.0)
def io_callback(jax, jnp):
  def g(x):
    return _io_callback(jax)(lambda a: np.float32(1.0), jax.ShapeDtypeStruct((), jnp.float32), x)
  return g


@program(1.0)
def io_callback_ordered(jax, jnp):
  def g(x):
    return _io_callback(jax)(lambda a: np.float32(1.0), jax.ShapeDtypeStruct((), jnp.float32), x,
                             ordered=True)
  return g


@program(1.0)
def pure_callback(jax, jnp):
  return lambda x: jax.pure_callback(lambda a: a, jax.ShapeDtypeStruct((), jnp.float32), x)


@program(x3)
def trunc_j(jax, jnp): return jnp.trunc


@program(x3)
def round_j(jax, jnp): return lambda x: jnp.round(x) + jnp.round(x, 2)


@program(m23)
def flip_j(jax, jnp): return lambda x: jnp.flip(x, 1)


@program(x3)
def isclose_j(jax, jnp): return lambda x: jnp.isclose(x, 1.0)


@program(x3)
def remainder_j(jax, jnp): return lambda x: jnp.remainder(x, 2.0)


# --- library functions JAX stages as their own jit equation --------------------------

@program(x3, x3)
def append_j(jax, jnp): return jnp.append


@program(x3)
def cross_j(jax, jnp): return lambda x: jnp.cross(x, x[::-1])


@program(x3)
def lexsort_j(jax, jnp): return lambda x: jnp.lexsort((x, x))


@program(x3)
def nan_to_num_j(jax, jnp): return jnp.nan_to_num


@program(x3)
def partition_j(jax, jnp): return lambda x: jnp.partition(x, 1)


@program(i3)
def bitwise_count_j(jax, jnp): return jnp.bitwise_count


@program(m23)
def norm_j(jax, jnp): return lambda x: (jnp.linalg.norm(x), jnp.linalg.norm(x, axis=1))


@program(m23)
def rot90_j(jax, jnp): return jnp.rot90


@program(x3)
def angle_arccosh_j(jax, jnp): return lambda x: jnp.angle(x) + jnp.arccosh(x)


@program(1.0, x3, m23)
def atleast_j(jax, jnp):
  return lambda a, b, c: (jnp.atleast_1d(a), jnp.atleast_2d(a, b), jnp.atleast_3d(a, b, c))


@program(m23)
def count_nonzero_j(jax, jnp): return lambda x: jnp.count_nonzero(x, axis=0)


@program(x3)
def isreal_j(jax, jnp): return lambda x: (jnp.isreal(x), jnp.iscomplex(x))


@program(m23)
def nan_reductions_j(jax, jnp):
  return lambda x: (jnp.nansum(x), jnp.nanprod(x, axis=0), jnp.nanmax(x, axis=1), jnp.nanmin(x),
                    jnp.nancumsum(x, axis=1), jnp.nancumprod(x))


@program(m23)
def var_std_j(jax, jnp):
  return lambda x: (jnp.var(x), jnp.std(x, axis=0), jnp.var(x, axis=1, ddof=1, keepdims=True))


@program(m23)
def keepdims_initial(jax, jnp):
  return lambda x: (jnp.mean(x, axis=1, keepdims=True), jnp.max(x, initial=0.0),
                    jnp.sum(x, axis=(0, 1), keepdims=True))


@program(m23, x3)
def size1_broadcast(jax, jnp):
  # Equal ranks are left to the lax op (size-1 axes), lower ranks get leading axes.
  return lambda a, b: (a - a[:1], a * b, jnp.arctan2(a[:, :1], a))


@program(m23)
def softmax_nn(jax, jnp):
  return lambda x: (jax.nn.softmax(x), jax.nn.log_softmax(x, axis=0), jax.nn.logsumexp(x))


@program(x3, x3)
def logaddexp_j(jax, jnp): return lambda a, b: (jnp.logaddexp(a, b), jnp.logaddexp2(a, b))


@program(i3)
def one_hot_nn(jax, jnp): return lambda i: jax.nn.one_hot(i, 4)


@program(m23, i3)
def index_array(jax, jnp): return lambda x, i: (x[:, i], x[i[:2]])


@program(m23)
def diff_ptp_j(jax, jnp):
  return lambda x: (jnp.diff(x), jnp.diff(x, n=2, axis=1), jnp.ediff1d(x), jnp.ptp(x, axis=0))


@program(x3, x3)
def fmax_fmin_kron_j(jax, jnp):
  return lambda a, b: (jnp.fmax(a, b), jnp.fmin(a, 1.0), jnp.kron(a, b))


@program(m23)
def tri_signbit_any_copy_j(jax, jnp):
  return lambda x: (jnp.triu(x, 1), jnp.tril(x), jnp.signbit(x), jnp.any(x), jnp.all(x, axis=0),
                    jnp.copy(x))


@program(m23)
def roll_full_where_j(jax, jnp):
  return lambda x: (jnp.roll(x, 1), jnp.roll(x, -1, axis=1), x + jnp.full(3, 2.0),
                    jnp.sum(x, where=x > 1), jnp.heaviside(x, 0.5))


@program(x3)
def norm_logpdf(jax, jnp): return lambda x: jax.scipy.stats.norm.logpdf(x, 1.0, 2.0)


@program(x3)
def linspace_logspace_j(jax, jnp):
  return lambda x: (x + jnp.linspace(0.0, 1.0, 3), x * jnp.logspace(0.0, 1.0, 3),
                    jnp.linspace(x, 2.0, 4, axis=1, endpoint=False))


@program(m23)
def pad_constant_j(jax, jnp):
  return lambda x: (jnp.pad(x, 1), jnp.pad(x, ((0, 1), (2, 0)), constant_values=-1.5))


@program(m23)
def standardize_nn(jax, jnp): return lambda x: (jax.nn.standardize(x), jax.nn.standardize(x, 0))


@program(i3, i3)
def int_remainder_j(jax, jnp): return lambda a, b: (a % b, jnp.fmod(a, b), a % 2, a // b)


@program(m23)
def nanargmax_j(jax, jnp): return lambda x: (jnp.nanargmax(x), jnp.nanargmin(x, axis=1))


@program(m23)
def modf_sort_complex_j(jax, jnp): return lambda x: (jnp.modf(x - 2.5), jnp.sort_complex(x))


# --- pmap: JAX 0.10.2 stages it as jit[name=_fun] of a shard_map (2 of the
# 8 CPU devices tests/conftest.py asks XLA for) --------------------------------------

@program(m23)
def pmap_psum(jax, jnp): return jax.pmap(lambda x: x / jax.lax.psum(x, 'i'), axis_name='i')


@program(m23)
def pmap_pmean(jax, jnp): return jax.pmap(lambda x: jax.lax.pmean(x, 'i'), axis_name='i')


@program(m23)
def pmap_axis_index(jax, jnp): return jax.pmap(lambda x: x * jax.lax.axis_index('i'), axis_name='i')


@program(m23, 2.0)
def pmap_in_axes_none(jax, jnp): return jax.pmap(lambda x, y: x * y, in_axes=(0, None))


@program(m23)
def pmap_out_axes_1(jax, jnp): return jax.pmap(lambda x: x * 2, out_axes=1)


@program(m23.T.copy())
def pmap_in_axes_1(jax, jnp): return jax.pmap(lambda x: x * 2, in_axes=1)


@program(m23)
def pmap_grad_inside(jax, jnp): return jax.pmap(jax.grad(lambda x: jnp.sum(jnp.sin(x))))


@program({"a": m23, "b": np.arange(2.0, dtype=np.float32)})
def pmap_pytree(jax, jnp): return jax.pmap(lambda d: (d["a"] * 2, d["b"] + 1))


@program(m23)
def pmap_out_axes_none(jax, jnp): return jax.pmap(lambda x: x.sum(), out_axes=None)


@program(m23)
def pmap_jit(jax, jnp): return jax.jit(jax.pmap(jnp.sin))


@program(m23)
def pmap_vmap(jax, jnp): return jax.vmap(jax.pmap(jnp.sin), in_axes=1, out_axes=1)


@program(m23)
def pmap_donated(jax, jnp): return jax.pmap(lambda x: x * 2, donate_argnums=0)


@program(m23)
def pmap_kwargs(jax, jnp): return lambda x: jax.pmap(lambda x, y: x + y)(x, y=x)


@program(m23)
def pmap_static(jax, jnp):
  return lambda x: jax.pmap(lambda x, n: x * n, static_broadcasted_argnums=1)(x, 3)


@program(m23)
def pmap_devices(jax, jnp): return jax.pmap(jnp.cos, axis_name='i', devices=jax.devices()[2:4])


# Random programs: typed keys and raw uint32[2] keys (JAX's random_wrap,
# random_seed, random_bits ... primitives and its jitted samplers' nesting).
class _Key:
  """An example argument made by each library: ``random.key(seed)``."""

  def __init__(self, seed, shape=None):
    self.seed, self.shape = seed, shape

  def __call__(self, lib):
    k = lib.random.key(self.seed)
    return k if self.shape is None else lib.random.split(k, self.shape)


raw_key = np.array([0, 42], dtype=np.uint32)


@program(_Key(0))
def rand_normal(jax, jnp): return lambda k: jax.random.normal(k, (3,))


@program(raw_key)
def rand_normal_raw(jax, jnp): return lambda k: jax.random.normal(k, (3,))


@program(_Key(0))
def rand_uniform(jax, jnp): return lambda k: jax.random.uniform(k, (2,), minval=-1.0)


@program(_Key(0))
def rand_split(jax, jnp): return lambda k: jax.random.split(k)


@program(raw_key)
def rand_split_raw(jax, jnp): return lambda k: jax.random.split(k, 3)


@program(_Key(0))
def rand_split_unpack(jax, jnp):
  def f(k):
    k1, k2 = jax.random.split(k)
    return jax.random.uniform(k1) + jax.random.normal(k2)
  return f


@program(_Key(0))
def rand_fold_in(jax, jnp): return lambda k: jax.random.fold_in(k, 3)


@program(_Key(0))
def rand_randint(jax, jnp): return lambda k: jax.random.randint(k, (2,), 0, 10)


@program(_Key(0))
def rand_bernoulli(jax, jnp): return lambda k: jax.random.bernoulli(k, 0.3, (2,))


@program(_Key(0, 3))
def rand_vmap_keys(jax, jnp): return jax.vmap(lambda k: jax.random.normal(k))


@program(_Key(0))
def rand_vmap_split(jax, jnp):
  return lambda k: jax.vmap(lambda kk: jax.random.uniform(kk))(jax.random.split(k, 3))


@program(np.int32(0))
def rand_key_seed(jax, jnp): return lambda s: jax.random.key(s)


@program(np.int32(0))
def rand_prngkey_seed(jax, jnp): return lambda s: jax.random.PRNGKey(s)


@program(_Key(1))
def rand_key_data(jax, jnp): return lambda k: jax.random.key_data(jax.random.split(k))


@program(raw_key)
def rand_wrap(jax, jnp): return lambda d: jax.random.wrap_key_data(d)


@program(_Key(0))
def rand_bits(jax, jnp): return lambda k: jax.random.bits(k, (2,))


@program(_Key(0))
def rand_scan_carry(jax, jnp):
  def step(k, _):
    k, sub = jax.random.split(k)
    return k, jax.random.normal(sub)
  return lambda k: jax.lax.scan(step, k, None, length=2)


@program(x3, _Key(0))
def rand_grad_noise(jax, jnp):
  return jax.grad(lambda x, k: jnp.sum(x * jax.random.normal(k, (3,))))


def _example_args(args, lib):
  return [a(lib) if isinstance(a, _Key) else a for a in args]


def _texts(name):
  build, args = PROGRAMS[name]
  expected = str(jax.make_jaxpr(build(jax, jax_numpy))(*_example_args(args, jax)))
  got = str(jaxlite.make_jaxpr(build(jaxlite, jaxlite_numpy))(*_example_args(args, jaxlite)))
  return expected, got


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_make_jaxpr_prints_as_jax(name):
  expected, got = _texts(name)
  assert got == expected, f"JAX:\n{expected}\njaxlite:\n{got}"


def test_corpus_covers_control_flow_calls_and_layouts():
  assert len(PROGRAMS) >= 60
  primitives, layouts = set(), set()
  for name, (build, args) in PROGRAMS.items():
    jaxpr = jax.make_jaxpr(build(jax, jax_numpy))(*_example_args(args, jax))
    text = str(jaxpr)
    layouts.add("one line" if "\n" not in text else "multi-line")
    if text.startswith("let "):
      layouts.add("shared sub-jaxpr")
    if "_:" in text:
      layouts.add("unread output")
    stack = [jaxpr.jaxpr]
    while stack:
      j = stack.pop()
      for eqn in j.eqns:
        primitives.add(eqn.primitive.name)
        for v in eqn.params.values():
          for sub in (v if isinstance(v, tuple) else (v,)):
            if hasattr(sub, "eqns"):
              stack.append(getattr(sub, "jaxpr", sub))
  assert {"cond", "while", "scan", "jit", "custom_jvp_call", "custom_vjp_call",
          "add_any", "dot_general", "reduce_sum", "debug_print", "io_callback",
          "pure_callback", "remat2", "pad", "shard_map", "psum", "axis_index",
          "random_seed", "random_bits", "random_split", "random_fold_in", "random_wrap",
          "random_unwrap"} <= primitives
  assert layouts == {"one line", "multi-line", "shared sub-jaxpr", "unread output"}


@pytest.mark.parametrize("name,options", [
    ("two_named", dict(print_shapes=False)), ("two_named", dict(width=40)),
    ("debug_print_ordered", dict(print_effects=True)), ("io_callback", dict(print_effects=True))])
def test_pretty_print_options_as_jax(name, options):
  build, args = PROGRAMS[name]
  expected = jax.make_jaxpr(build(jax, jax_numpy))(*args).pretty_print(
      use_color=False, **options)
  got = jaxlite.make_jaxpr(build(jaxlite, jaxlite_numpy))(*args).pretty_print(**options)
  assert got == expected


def _random_documents(r, depth=0):
  """The same random document built with JAX's printer and with jaxlite's."""
  kind = r.randrange(6 if depth < 5 else 2)
  if kind == 0:
    s = "x" * r.randrange(12)
    return jax_pp.text(s), pp.text(s)
  if kind == 1:
    s = r.choice([" ", "", "; "])
    return jax_pp.brk(s), pp.brk(s)
  if kind == 2:
    children = [_random_documents(r, depth + 1) for _ in range(r.randrange(5))]
    return (jax_pp.concat([a for a, _ in children]), pp.concat([b for _, b in children]))
  if kind == 3:
    n = r.randrange(4)
    a, b = _random_documents(r, depth + 1)
    return jax_pp.nest(n, a), pp.nest(n, b)
  a, b = _random_documents(r, depth + 1)
  return jax_pp.group(a), pp.group(b)


def test_layout_engine_agrees_with_jaxs_on_random_documents():
  for seed in range(500):
    r = random.Random(seed)
    a, b = _random_documents(r)
    width = r.randrange(5, 60)
    assert b.format(width=width) == a.format(width=width, use_color=False), seed


# --- tracer reprs and str(aval) ---------------------------------------------------------

def _shown(jax_module, numpy_module):
  seen = []

  def show(x):
    seen.append(repr(x))
    seen.append(str(x))
    return x
  jnp = numpy_module
  jax_module.jit(show)(jnp.arange(3))
  jax_module.jit(show)(3)
  jax_module.grad(show)(6.0)
  jax_module.jvp(show, (2.0,), (1.0,))
  jax_module.vmap(show)(jnp.arange(3.0))
  jax_module.vmap(lambda a, b: show(a + b), in_axes=(0, None))(jnp.arange(3.0), 2.0)
  jax_module.vmap(show)(jnp.ones((2, 3), jnp.bfloat16))
  jax_module.linearize(show, 2.0)
  jax_module.vjp(show, jnp.ones(2))
  jax_module.jvp(show, (jnp.arange(3.0),), (jnp.ones(3),))
  jax_module.vmap(lambda x: jax_module.grad(show)(x))(jnp.arange(3.0))
  jax_module.jit(lambda x: jax_module.jvp(show, (x,), (x,)))(1.0)
  jax_module.jit(jax_module.vmap(show))(jnp.ones((2, 3)))
  jax_module.vmap(jax_module.jit(show))(jnp.ones((2, 3)))
  return seen


def test_tracer_reprs_are_jaxs():
  expected = _shown(jax, jax_numpy)
  got = _shown(jaxlite, jaxlite_numpy)
  assert got == expected
  assert "JitTracer(int32[3])" in got and "JitTracer(~int32[])" in got
  assert "GradTracer(primal=6.0, typeof(tangent)=f32[])" in got
  assert "JVPTracer(primal=2.0, tangent=1.0)" in got


@pytest.mark.parametrize("shape,dtype,weak", [((2, 3), "bfloat16", False), ((), "int32", True),
                                              ((0,), "float16", False), ((4, 1), "bool", False)])
def test_aval_str_and_repr_are_jaxs(shape, dtype, weak):
  from jax import core as jax_core
  from jaxlite import core as jaxlite_core
  expected = jax_core.ShapedArray(shape, jax_numpy.dtype(dtype), weak_type=weak)
  got = jaxlite_core.ShapedArray(shape, jaxlite_numpy.dtype(dtype), weak_type=weak)
  assert (str(got), repr(got)) == (str(expected), repr(expected))
