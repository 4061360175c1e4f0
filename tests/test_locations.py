"""Source locations, as JAX 0.10.2 gives them: each staged equation's
traceback and name stack, the lowered module's MLIR locations, and what XLA
keeps of them (HLO instruction names, ``op_name`` metadata, stack frames).

Every program here is run through both libraries in this process; the
comparisons are between their outputs, not against written-down text.
"""
import re

import pytest

import jaxlite
import jaxlite.numpy as jlnp
from jaxlite import source_info_util as lite_siu

jax = pytest.importorskip("jax")
jnp = jax.numpy
from jax._src import source_info_util as jax_siu  # noqa: E402


def _libs():
  return [(jaxlite, jlnp, lite_siu), (jax, jnp, jax_siu)]


def _loss(np_, x, w, b):
  h = np_.tanh(x @ w + b)
  return np_.sum(h ** 2)


def _programs(lib, np_):
  """name -> (function, args): programs whose locations both libraries must agree on."""
  def scoped(x, y):
    with lib.named_scope("inner"):
      z = np_.sin(x) * 2
    return z + y

  @lib.jit
  def inner(x):
    with lib.named_scope("blk"):
      return np_.cos(x) * 3

  def nested(x):
    with lib.named_scope("top"):
      return inner(x) + lib.grad(lambda y: inner(y).sum())(x)

  loss = lambda x, w, b: _loss(np_, x, w, b)  # noqa: E731
  ones = np_.ones
  return {
      "scoped": (scoped, (1.0, 2.0)),
      "grad": (lib.grad(loss, argnums=(1, 2)), (ones((4, 3)), ones((3, 2)), ones(2))),
      "vmap": (lib.vmap(lambda x: np_.sin(x) + 1), (ones((4, 3)),)),
      "cond": (lambda x: lib.lax.cond(x > 0, np_.sin, np_.cos, x), (1.0,)),
      "while": (lambda x: lib.lax.while_loop(lambda c: c < 10, lambda c: c * 2 + np_.sin(c),
                                            x), (1.0,)),
      "nested_jit": (nested, (ones(2),)),
      "pytree_args": (lambda p, *args, k=1: p["w"] * args[0] + k,
                      ({"w": 1.0}, 2.0)),
  }


@pytest.fixture(scope="module")
def lowered():
  """Each program lowered by both libraries: name -> (jaxlite's Lowered, JAX's)."""
  out = {}
  progs = [_programs(lib, np_) for lib, np_, _ in _libs()]
  for name in progs[0]:
    pair = []
    for (lib, _, _), table in zip(_libs(), progs):
      fun, args = table[name]
      pair.append(lib.jit(fun).lower(*args))
    out[name] = tuple(pair)
  return out


def _op_names(hlo_text):
  """The names of parameters and of operations under a name stack. (JAX's
  cached lowerings also give region bodies, a reduction's adder say, their
  primitive's bare name: an artefact jaxlite does not copy.)"""
  entry = hlo_text[hlo_text.index("\nENTRY"):]
  params = re.findall(r'parameter\(\d+\).*?op_name="([^"]*)"', entry)
  staged = [n for n in re.findall(r'op_name="([^"]*)"', hlo_text) if "/" in n]
  return sorted(set(params)), sorted(set(staged))


@pytest.mark.parametrize("name", ["scoped", "grad", "vmap", "cond", "while", "nested_jit",
                                  "pytree_args"])
def test_compiled_op_names_match_jax(lowered, name):
  mine, theirs = lowered[name]
  (my_params, my_ops), (their_params, their_ops) = (
      _op_names(mine.compile().as_text()), _op_names(theirs.compile().as_text()))
  assert my_params == their_params
  if name == "while":
    # XLA also names a loop-invariant copy of JAX's loop "while/while"; every
    # name jaxlite's operations get is one JAX's get.
    assert set(my_ops) <= set(their_ops) and any("/while/body/" in n for n in my_ops)
  else:
    assert my_ops == their_ops


def test_lowered_debug_text_matches_jax(lowered):
  # The whole module with locations: names, file:line:column ranges, callsites.
  mine, theirs = lowered["scoped"]
  assert mine.as_text(debug_info=True) == theirs.as_text(debug_info=True)
  assert mine.as_text() == theirs.as_text()   # and none without debug_info
  assert "loc(" not in mine.as_text()


def test_compiled_hlo_matches_jax_for_a_scoped_program(lowered):
  # Instruction names (sin.0, mul.0), parameter names (x.1), stack frame
  # tables and the header's sharding-propagation options.
  mine, theirs = lowered["scoped"]
  assert mine.compile().as_text() == theirs.compile().as_text()
  assert mine.as_text("hlo", debug_info=True) == theirs.as_text("hlo", debug_info=True)


def test_argument_names_located_as_jax(lowered):
  def main_args(text):
    return re.findall(r'func.func public @main\((.*?)\) ->', text)[0]
  for name in ("grad", "pytree_args"):
    mine, theirs = lowered[name]
    assert main_args(mine.as_text(debug_info=True)) == main_args(theirs.as_text(debug_info=True))
  assert 'loc("args[0]")' in main_args(lowered["pytree_args"][0].as_text(debug_info=True))


def _eqn_sources(lib, siu, fun, *args):
  jaxpr = lib.make_jaxpr(fun)(*args)
  return [(str(e.primitive), str(e.source_info.name_stack), siu.summarize(e.source_info))
          for e in jaxpr.jaxpr.eqns]


def test_equations_record_tracebacks_and_name_stacks_as_jax():
  results = []
  for lib, np_, siu in _libs():
    progs = _programs(lib, np_)
    results.append([_eqn_sources(lib, siu, *([progs[n][0]] + list(progs[n][1])))
                    for n in ("scoped", "grad", "vmap", "nested_jit")])
  assert results[0] == results[1]
  # The user's own line, not a frame of the library.
  assert all("test_locations.py" in where for _, _, where in results[0][1])


def test_name_stack_renders_transforms_as_jax():
  for siu in (lite_siu, jax_siu):
    stack = siu.new_name_stack("f").transform("jvp").extend("dense")
    assert str(stack) == "f/jvp(dense)"
    assert str(siu.NameStack().transform("transpose").transform("jvp")) == "transpose(jvp())"
  assert repr(lite_siu.new_name_stack("outer")) == repr(jax_siu.new_name_stack("outer"))


def test_location_options_as_jax():
  # The file-name regex, the frame limit and plain file locations, compared
  # with JAX under the same settings.
  settings = [("jax_hlo_source_file_canonicalization_regex", r".*/tests/"),
              ("jax_traceback_in_locations_limit", 1),
              ("jax_include_full_tracebacks_in_locations", False)]
  for name, value in settings:
    texts = []
    for lib, np_, _ in _libs():
      fun, args = _programs(lib, np_)["scoped"]
      with _setting(lib, name, value):
        texts.append(lib.jit(fun).lower(*args).as_text(debug_info=True))
    assert texts[0] == texts[1], name
  assert '"test_locations.py":' in texts[0] or "callsite(" not in texts[0]


class _setting:
  """``lib.config.update(name, value)`` inside the block."""

  def __init__(self, lib, name, value):
    self.lib, self.name, self.value = lib, name, value

  def __enter__(self):
    self.old = getattr(self.lib.config, self.name)
    self.lib.config.update(self.name, self.value)

  def __exit__(self, *exc):
    self.lib.config.update(self.name, self.old)


def test_pretty_print_with_source_info_and_name_stack_matches_jax():
  # Annotations in one column, as JAX's printer lays them out; a nested jit
  # and cond branches (whose tracebacks hold no user frame) included.
  texts = []
  for lib, np_, _ in _libs():
    @lib.jit
    def g(x):
      return np_.sin(x) * 2 + 1

    def f(x):
      with lib.named_scope("blk"):
        y = g(x)
      z = lib.lax.cond(y > 0, np_.sin, np_.cos, y)
      return z + lib.grad(lambda u: np_.cos(u))(y)

    closed = lib.make_jaxpr(f)(1.0)
    texts.append([closed.pretty_print(source_info=True, name_stack=True),
                  closed.jaxpr.pretty_print(source_info=True)])
  assert texts[0] == texts[1]


def test_control_flow_bodies_located_as_jax():
  # Branch and loop-body equations hold their own frames, then the frames of
  # the equation that encloses them; names under cond/branch_i_fun, while/body.
  texts = []
  for lib, np_, _ in _libs():
    def branch(x):
      return np_.sin(x) * 3

    def f(x):
      y = lib.lax.cond(x > 0, branch, lambda x: np_.cos(x), x)
      return lib.lax.while_loop(lambda c: c < 10, lambda c: c * 2 + np_.sin(c), y)
    texts.append(lib.jit(f).lower(1.0).as_text(debug_info=True))
  assert texts[0] == texts[1]
  assert 'cond/branch_1_fun/sin' in texts[0] and 'while/body/add' in texts[0]


def test_sharded_program_located_as_jax():
  # An SPMD program (jit over a 2x4 mesh): argument names and op names as JAX's.
  import numpy as np
  results = []
  for lib, np_, _ in _libs():
    mesh = lib.sharding.Mesh(np.array(lib.devices()[:8]).reshape(2, 4), ("data", "model"))
    spec = lambda *p: lib.sharding.NamedSharding(mesh, lib.sharding.PartitionSpec(*p))  # noqa: E731,B023

    def loss(params, x):
      with lib.named_scope("mlp"):
        h = np_.tanh(x @ params["w"])
      return np_.sum(h ** 2)
    params = {"w": lib.device_put(np_.ones((8, 8)), spec(None, "model"))}
    x = lib.device_put(np_.ones((16, 8)), spec("data"))
    lowered = lib.jit(lib.grad(loss)).lower(params, x)
    main = re.findall(r"func.func public @main\((.*?)\) ->", lowered.as_text(debug_info=True))[0]
    results.append((main, _op_names(lowered.compile().as_text())))
  assert results[0] == results[1]
  assert "loc(\"params['w']\")" in results[0][0]


def test_shard_map_and_pmap_bodies_named_as_jax():
  # The body of a shard_map is named under the manual computation
  # ("jit(f)/shard_map/sin"), as XLA names JAX's.
  import numpy as np
  results = []
  for lib, np_, _ in _libs():
    def body(x):
      return np_.sin(x) / lib.lax.psum(x, "i")
    mesh = lib.sharding.Mesh(np.array(lib.devices()[:4]), ("i",))
    P = lib.sharding.PartitionSpec
    mapped = lib.jit(lib.shard_map(body, mesh=mesh, in_specs=P("i"), out_specs=P("i")))
    pmapped = lib.pmap(body, axis_name="i", devices=lib.devices()[:4])
    texts = [mapped.lower(np_.ones((8, 3))).compile().as_text(),
             pmapped.lower(np_.ones((4, 3))).compile().as_text()]
    # The parameters, and the operations of the body (what XLA keeps of the
    # manual computation's own copies differs).
    results.append([(params, [n for n in ops if "/shard_map/" in n])
                    for params, ops in map(_op_names, texts)])
  assert results[0] == results[1]
  assert "jit(body)/shard_map/sin" in results[0][0][1]
