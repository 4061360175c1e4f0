"""More of JAX 0.10.2's public surface (issue 17), against the installed JAX:
lax.psend/precv, jax.Shard, the stages' constructors."""
import inspect
import re

import jax
import numpy as np
import pytest

import jaxlite
from jaxlite import lax


def _raises_as_jax(run_lite, run_jax):
  """Both raise the same exception type with the same message."""
  with pytest.raises(Exception) as want:
    run_jax()
  with pytest.raises(type(want.value)) as got:
    run_lite()
  assert str(got.value) == str(want.value)


# --- psend / precv --------------------------------------------------------------------------------


X = np.arange(4, dtype=np.float32)
PERM = [(0, 1), (1, 0)]


class _SendRecv:
  """``shard_map`` of a psend and its precv over a 2-device axis, jitted, and
  its argument ``X`` split over that axis."""

  def __init__(self, m, perm):
    def body(v):
      token = m.lax.psend(v, 'i', perm)
      return m.lax.precv(token, m.ShapeDtypeStruct(v.shape, v.dtype), 'i', perm)
    mesh = m.make_mesh((2,), ('i',), devices=m.devices()[:2])
    P = m.sharding.PartitionSpec
    self.fun = m.jit(m.shard_map(body, mesh=mesh, in_specs=P('i'), out_specs=P('i')))
    self.arg = m.device_put(X, m.sharding.NamedSharding(mesh, P('i')))

  def __call__(self):
    return self.fun(self.arg)

  def lower(self, platform=None):
    traced = self.fun.trace(self.arg)
    return traced.lower(lowering_platforms=(platform,)) if platform else traced.lower()


def _send_recv(m, perm):
  return _SendRecv(m, perm)


def _ops(text):
  """The send/recv lines of a module, SSA names dropped."""
  return [re.sub(r"%[\w#:]+", "%", line.strip()) for line in text.splitlines()
          if "stablehlo.send" in line or "stablehlo.recv" in line]


def test_psend_precv_lower_for_gpu_as_jax():
  want = _send_recv(jax, PERM).lower('cuda').as_text()
  got = _send_recv(jaxlite, PERM).lower('cuda').as_text()
  assert len(_ops(want)) == 2 and "source_target_pairs = dense<[[0, 1], [1, 0]]>" in want
  assert _ops(got) == _ops(want)


def test_psend_precv_on_cpu_raise_as_jax():
  _raises_as_jax(_send_recv(jaxlite, PERM), _send_recv(jax, PERM))
  _raises_as_jax(_send_recv(jaxlite, PERM).lower, _send_recv(jax, PERM).lower)
  bad = [(0, 1), (0, 0)]
  _raises_as_jax(lambda: _send_recv(jaxlite, bad).lower('cuda'),
                 lambda: _send_recv(jax, bad).lower('cuda'))


def test_psend_precv_jaxprs_and_errors_as_jax():
  for m in (jax, jaxlite):
    text = str(m.make_jaxpr(lambda x: m.lax.precv(
        m.lax.create_token(), m.ShapeDtypeStruct((2,), np.float32), 'j', [(0, 0)]))(X))
    assert "precv[axis_name=('j',) out_shape=float32[2] perm=((0, 0),)]" in text
  _raises_as_jax(lambda: lax.psend(X, 'i', [(0, 1)]), lambda: jax.lax.psend(X, 'i', [(0, 1)]))
  _raises_as_jax(lambda: jaxlite.make_jaxpr(lambda x: lax.psend(x, 'k', []))(X),
                 lambda: jax.make_jaxpr(lambda x: jax.lax.psend(x, 'k', []))(X))
  spec = lambda m: m.ShapeDtypeStruct((2,), np.float32)
  _raises_as_jax(lambda: lax.precv(lax.create_token(), spec(jaxlite), 'j', [(0, 0)]),
                 lambda: jax.lax.precv(jax.lax.create_token(), spec(jax), 'j', [(0, 0)]))
  # A psend whose token nothing reads stays in the jaxpr (it has an effect).
  mesh = jaxlite.make_mesh((1,), ('i',))
  P = jaxlite.sharding.PartitionSpec
  f = jaxlite.shard_map(lambda v: (lax.psend((v, v), 'i', [(0, 0)]), v)[1], mesh=mesh,
                        in_specs=P(), out_specs=P())
  assert str(jaxlite.make_jaxpr(f)(X)).count("psend[") == 2


def test_psend_under_vmap_as_jax():
  # JAX batches psend with ppermute's rule: over its own axis the operand is permuted.
  perm = [(0, 1), (1, 2), (2, 0)]
  f = lambda m: m.vmap(lambda v: m.lax.psend(v, 'i', perm), axis_name='i')
  np.testing.assert_array_equal(f(jaxlite)(X[:3]), f(jax)(X[:3]))


# --- jax.Shard ------------------------------------------------------------------------------------


def test_shard_is_jax_class():
  assert str(inspect.signature(jaxlite.Shard)) == "(device, sharding, global_shape, data=None)"
  for m in (jax, jaxlite):
    mesh = m.make_mesh((2,), ('d',), devices=m.devices()[:2])
    sharding = m.sharding.NamedSharding(mesh, m.sharding.PartitionSpec('d'))
    y = m.device_put(np.arange(8.0, dtype=np.float32).reshape(4, 2), sharding)
    shards = y.addressable_shards
    made = m.Shard(m.devices()[1], sharding, (4, 2))
    if m is jax:
      want = [repr(s) for s in shards] + [repr(made), made.index, made.replica_id]
    else:
      got = [repr(s) for s in shards] + [repr(made), made.index, made.replica_id]
  assert got == want
  single = jaxlite.numpy.arange(3.0).addressable_shards[0]
  assert (single.index, single.replica_id) == ((slice(None),), 0)
  odd = object()
  _raises_as_jax(lambda: jaxlite.Shard(jaxlite.devices()[0], odd, (2,)).index,
                 lambda: jax.Shard(jax.devices()[0], odd, (2,)).index)


# --- stages ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Traced", "Lowered", "Compiled"])
def test_stage_constructors_take_jax_parameters(name):
  want = inspect.signature(getattr(jax.stages, name))
  got = inspect.signature(getattr(jaxlite.stages, name))
  assert [(p.name, p.default) for p in got.parameters.values()] == \
      [(p.name, p.default) for p in want.parameters.values()]


def test_stages_work_through_their_constructors():
  f = jaxlite.jit(lambda x, y: {"s": x * y})
  traced = f.trace(np.ones(2, np.float32), 2.0)
  rebuilt = jaxlite.stages.Traced(traced._meta_tys_flat, traced._params, traced.in_tree,
                                  traced.out_tree, traced._consts)
  assert str(rebuilt.jaxpr) == str(traced.jaxpr) and rebuilt.fun_name == "<lambda>"
  assert rebuilt.args_info == traced.args_info
  lowered = traced.lower()
  again = jaxlite.stages.Lowered(lowered._lowering, lowered.args_info, lowered.out_tree)
  assert again.as_text() == lowered.as_text()
  compiled = again.compile()
  assert isinstance(compiled, jaxlite.stages.Compiled)
  np.testing.assert_array_equal(compiled(np.ones(2, np.float32), 3.0)["s"], [3.0, 3.0])


# --- multihost_utils: the conversions as primitives, live_devices ---------------------------------


def _multihost(m):
  if m is jax:
    from jax.experimental import multihost_utils
  else:
    from jaxlite.experimental import multihost_utils
  mesh = m.make_mesh((2,), ('x',), devices=m.devices()[:2],
                     axis_types=(m.sharding.AxisType.Auto,))
  return multihost_utils, mesh, m.sharding.PartitionSpec


def test_multihost_conversions_trace_as_jax():
  x = np.arange(4.0, dtype=np.float32)
  results = {}
  for m in (jax, jaxlite):
    mh, mesh, P = _multihost(m)
    g = mh.host_local_array_to_global_array(x, mesh, P('x'))
    to_global = lambda v: mh.host_local_array_to_global_array(v * 2, mesh, P('x'))
    results[m] = [
        g.shape, repr(g.sharding.spec), np.asarray(g).tolist(),
        mh.global_array_to_host_local_array(g, mesh, P('x')) is g,
        str(m.make_jaxpr(to_global)(x)).replace("float32", "f32"),
        np.asarray(m.jit(to_global)(x)).tolist(),
        np.asarray(m.jit(lambda v: mh.global_array_to_host_local_array(v, mesh, P('x')))(g)
                   ).tolist(),
        np.asarray(m.grad(lambda v: (to_global(v) ** 2).sum())(x)).tolist(),
        str(m.make_jaxpr(m.vmap(lambda v: mh.host_local_array_to_global_array(
            v, mesh, P())))(x.reshape(2, 2))),
    ]
  assert results[jaxlite] == results[jax]
  for name in ("host_local_array_to_global_array", "global_array_to_host_local_array"):
    _raises_as_jax(lambda: getattr(_multihost(jaxlite)[0], name)(x, _multihost(jaxlite)[1], None),
                   lambda: getattr(_multihost(jax)[0], name)(x, _multihost(jax)[1], None))
  _raises_as_jax(lambda: _multihost(jaxlite)[0].live_devices(jaxlite.devices()).__enter__(),
                 lambda: _multihost(jax)[0].live_devices(jax.devices()).__enter__())


# --- the RBG PRNG implementations ---------------------------------------------------------------


def _rbg_numbers(m, impl):
  k = m.random.key(42, impl=impl)
  k1, k2 = m.random.split(k)
  data = m.random.key_data
  return [str(k.dtype), data(k).tolist(), data(k1).tolist(),
          data(m.random.split(k, (2, 3))).tolist(), data(m.random.fold_in(k, 7)).tolist(),
          m.random.bits(k, (5,)).tolist(), m.random.bits(k, (3,), dtype=np.uint8).tolist(),
          m.random.uniform(k2, (4,)).tolist(), m.random.normal(k1, (3,)).tolist(),
          m.jit(lambda k: m.random.normal(k, (3,)))(k1).tolist(),
          m.vmap(lambda k: m.random.bits(k, (2,)))(m.random.split(k, 3)).tolist(),
          data(m.vmap(lambda k: m.random.fold_in(k, 3))(m.random.split(k, 3))).tolist()]


@pytest.mark.parametrize("impl", ["rbg", "unsafe_rbg"])
def test_rbg_keys_and_bits_are_jax_bits(impl):
  assert _rbg_numbers(jaxlite, impl) == _rbg_numbers(jax, impl)
  from jax.extend import random as jax_random
  from jaxlite.extend import random as lite_random
  for name in ("rbg_prng_impl", "unsafe_rbg_prng_impl"):
    want, got = getattr(jax_random, name), getattr(lite_random, name)
    assert (got.key_shape, got.name, got.tag) == (want.key_shape, want.name, want.tag)
  _raises_as_jax(lambda: jaxlite.random.key(np.zeros(2, np.int32), impl=impl),
                 lambda: jax.random.key(np.zeros(2, np.int32), impl=impl))


def test_rng_bit_generator_vmap_as_jax():
  keys = np.arange(12, dtype=np.uint32).reshape(3, 4)
  f = lambda m: m.vmap(lambda k: m.lax.rng_bit_generator(k, (2,)), in_axes=0)(keys)
  assert [np.asarray(x).tolist() for x in f(jaxlite)] == [np.asarray(x).tolist() for x in f(jax)]


# --- jax.extend.core: trace context and call primitives ------------------------------------------


def test_extend_core_tracing_names_as_jax():
  import jax.extend.core as jax_core
  import jaxlite.extend.core as lite_core
  from jax.extend.linear_util import wrap_init as jax_wrap
  from jaxlite.extend.linear_util import wrap_init as lite_wrap
  results = {}
  for core_mod, m, wrap in ((jax_core, jax, jax_wrap), (lite_core, jaxlite, lite_wrap)):
    prim = core_mod.CallPrimitive("my_call")
    prim.def_impl(core_mod.call_impl)
    square = lambda y: [y * y]  # noqa: E731
    dbg = core_mod.DebugInfo("test", "square", ("y",), ("result",))
    with core_mod.take_current_trace() as trace:
      top = type(trace).__name__
      with core_mod.set_current_trace(trace):
        added = float(m.lax.add(1.0, 2.0))
    results[m] = [
        prim.multiple_results, prim.call_primitive,
        [float(v) for v in prim.bind(3.0, subfuns=(wrap(square, debug_info=dbg),))],
        [float(v) for v in m.jvp(lambda x: prim.bind(
            x, subfuns=(wrap(square, debug_info=dbg),))[0], (3.0,), (1.0,))],
        m.vmap(lambda x: prim.bind(x, subfuns=(wrap(square, debug_info=dbg),))[0])(
            np.arange(3.0, dtype=np.float32)).tolist(),
        [float(v) for v in core_mod.call_impl(wrap(square, debug_info=dbg), 4.0, name="n")],
        core_mod.TraceTag() == core_mod.TraceTag(), hash(core_mod.TraceTag()) == hash(
            core_mod.TraceTag()), top, added, dbg.func_name, tuple(dbg)]
  assert results[jaxlite] == results[jax]


# --- jax.experimental: EArray, primal_tangent_dtype, cur_qdd --------------------------------------


def test_experimental_extended_arrays_as_jax():
  import jax.experimental as jax_x
  import jaxlite.experimental as lite_x
  results = {}
  for m, x in ((jax, jax_x), (jaxlite, lite_x)):
    dt = x.primal_tangent_dtype(np.int32, np.float32)
    named = x.primal_tangent_dtype('float32', 'bfloat16', name='foo')
    e = x.EArray(m.core.ShapedArray((2,), dt), m.numpy.arange(2, dtype=np.int32))
    seen = []
    m.jit(lambda v: seen.append(x.cur_qdd(v)) or v)(np.ones(2, np.float32))
    with pytest.raises(AttributeError):
      x.cur_qdd(m.numpy.ones(2))
    results[m] = [repr(dt), str(dt), dt.name, str(dt.primal_dtype), str(dt.tangent_dtype),
                  repr(named), str(named.tangent_dtype), m.numpy.issubdtype(dt, m.dtypes.extended),
                  dt == x.primal_tangent_dtype(np.int32, np.float32),
                  repr(e), e.shape, repr(e.dtype), e.ndim, e.size, len(e),
                  len(m.tree_util.tree_leaves(e)), e.block_until_ready() is e, seen]
  assert results[jaxlite] == results[jax]


# --- jax.export symbolic dimensions --------------------------------------------------------------


def _symbolic_results(export):
  """Parsing, arithmetic, comparisons and their errors, as text (scope ids dropped)."""
  out = []

  def record(f):
    try:
      out.append(repr(f()))
    except Exception as e:  # pylint: disable=broad-except
      out.append(f"{type(e).__name__}: " + re.sub(r"\d{8,}", "ID", str(e)))

  shape, like = export.symbolic_shape, (None, 4)
  for spec in ["a, 2*b + a, a*b, b - 1, 3, _", "(a, b)", "a, -2 + b", "a, b^2, -a*b",
               "max(a, b), floordiv(a, 2), mod(a,3), min(a, 4)", "a // 2", "a + ", "a, b**2",
               "a, ,", "a b"]:
    record(lambda: shape(spec))
  record(lambda: shape("a, _", like=like))
  record(lambda: shape("a, 5", like=like))
  record(lambda: shape("a, ...", like=(2, 3, 4)))
  record(lambda: shape(None, like=(2, 3)))
  record(lambda: shape(3))
  a, b = shape("a, b")
  record(lambda: (a + b, a - b, 2 * a + 3, a * b + a, a - a, a + 1 - 1, (a + b) * (a - b),
                  3 - a, a * 0, -a, a * b * b + b, b * b - a * a))
  record(lambda: (a == a, a == b, a == 1, a != b, a + 1 == 1 + a, hash(a) == hash(a + 0)))
  record(lambda: (a >= 1, a >= 0, a > 0, a < 1, a <= 0, 0 < a, a + b >= 2, a * b >= 1))
  for compare in (lambda: a >= 2, lambda: a < b, lambda: a >= b, lambda: int(a)):
    record(compare)
  record(lambda: (a // 2, a % 2, (2 * a) // 2, (2 * a) % 2, 6 // a, (4 * a + 2) // 2))
  record(lambda: export.SymbolicScope("a >= b"))
  record(lambda: export.SymbolicScope(["a > b"]))
  record(lambda: shape("a", constraints=["a >= 2"], scope=export.SymbolicScope()))
  scope = export.SymbolicScope(["a >= b", "b >= 3"])
  c, d = shape("a, b", scope=scope)
  record(lambda: (c >= d, d >= 3, c >= 3, d > 2, c - d >= 0, d < 3))
  record(lambda: d >= 4)
  record(lambda: a + c)
  args = (np.zeros((3, 4), np.float32), np.zeros(2, np.int32))
  record(lambda: export.symbolic_args_specs(args, "a, b"))
  record(lambda: export.symbolic_args_specs(args, ("a, _", "c")))
  record(lambda: export.symbolic_args_specs({"x": args[0], "y": np.ones(2)},
                                            {"x": "a, _", "y": None}))
  record(lambda: (export.is_symbolic_dim(a), export.is_symbolic_dim(a - a)))
  return out


def test_symbolic_dimensions_as_jax():
  import jax.export as jax_export
  import jaxlite.export as lite_export
  got, want = _symbolic_results(lite_export), _symbolic_results(jax_export)
  assert len(got) == len(want)
  for g, w in zip(got, want):
    assert g == w


