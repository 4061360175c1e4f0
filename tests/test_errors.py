"""The error catalogue (docs/errors.md): every user mistake raises JAX's
exception with JAX's message, and its traceback ends in user code.

Each case is written once against a namespace (``jax``, ``jnp``, ``lax``) and
run with jaxlite; where JAX is installed, the same case runs with JAX and must
raise the same kind of exception with the same key parts of the message.
"""
import os
import sys
import traceback

import numpy as np
import pytest

import jaxlite
import jaxlite.numpy as jnp
from jaxlite import errors, lax
from jaxlite import traceback_util
from jaxlite.config import traceback_filtering

THIS_FILE = os.path.abspath(__file__)


class Case:
  """``run(jax, jnp, lax, np)`` makes the mistake; ``exc`` is the expected
  exception (a builtin, or a name in ``jaxlite.errors``/``jax.errors``);
  ``fragments`` must appear in both libraries' messages, ``lite_only`` in
  jaxlite's (where JAX's wording differs or JAX does not raise)."""

  def __init__(self, name, run, exc, fragments=(), lite_only=(), user_last=True,
               oracle=True):
    self.name, self.run, self.exc = name, run, exc
    self.fragments, self.lite_only = tuple(fragments), tuple(lite_only)
    self.user_last = user_last   # the traceback's last frame is this file
    self.oracle = oracle         # compare with JAX


def _leak(jax, jnp):
  box = []
  jax.jit(lambda x: box.append(x) or x)(1.0)
  return jnp.sin(box[0])


def _leak_grad(jax, jnp):
  box = []
  jax.grad(lambda x: box.append(x) or x)(1.0)
  return jnp.sin(box[0])


def _donated(jax, jnp):
  x = jnp.ones(3)
  jax.jit(lambda y: y * 2, donate_argnums=0)(x)
  return jax.jit(lambda y: y + 1)(x)


def _deleted_eager(jax, jnp):
  x = jnp.ones(3)
  x.delete()
  return x + 1


def _if_on_tracer(x):
  if x > 0:
    return x
  return -x


DOT = (((0,), (0,)), ((), ()))

CASES = [
    # -- concretization under jit --
    Case("bool_of_tracer", lambda jax, jnp, lax, np: jax.jit(_if_on_tracer)(1.0),
         "TracerBoolConversionError",
         ["Attempted boolean conversion of traced array with shape bool[]",
          "depends on the value of the argument x"]),
    Case("bool_under_vmap", lambda jax, jnp, lax, np: jax.vmap(_if_on_tracer)(jnp.ones(3)),
         "TracerBoolConversionError",
         ["Attempted boolean conversion of traced array with shape bool[]"]),
    Case("int_of_tracer", lambda jax, jnp, lax, np: jax.jit(lambda x: int(x))(1.0),
         "ConcretizationTypeError",
         ["Abstract tracer value encountered where concrete value is expected: "
          "traced array with shape float32[]",
          "The problem arose with the `int` function. If trying to convert the data type "
          "of a value, try using `x.astype(int)`"]),
    Case("float_of_tracer", lambda jax, jnp, lax, np: jax.jit(lambda x: float(x))(1.0),
         "ConcretizationTypeError",
         ["traced array with shape float32[]", "The problem arose with the `float` function"]),
    Case("index_with_tracer", lambda jax, jnp, lax, np: jax.jit(lambda i: [1, 2][i])(1),
         "TracerIntegerConversionError",
         ["The __index__() method was called on traced array with shape int32[]",
          "depends on the value of the argument i"]),
    Case("range_of_tracer", lambda jax, jnp, lax, np: jax.jit(lambda n: range(n))(3),
         "TracerIntegerConversionError", ["The __index__() method was called"]),
    Case("numpy_of_tracer",
         lambda jax, jnp, lax, np: jax.jit(lambda x: np.asarray(x))(jnp.ones(3)),
         "TracerArrayConversionError",
         ["The numpy.ndarray conversion method __array__() was called on traced array "
          "with shape float32[3]"]),
    Case("zeros_of_traced_n", lambda jax, jnp, lax, np: jax.jit(lambda n: jnp.zeros(n))(3),
         TypeError,
         ["Shapes must be 1D sequences of concrete values of integer type",
          "If using `jit`, try using `static_argnums`"]),
    Case("reshape_to_traced_n",
         lambda jax, jnp, lax, np: jax.jit(lambda x, n: x.reshape(n))(jnp.ones(4), 4),
         TypeError, ["Shapes must be 1D sequences of concrete values of integer type"]),
    Case("arange_of_traced_n", lambda jax, jnp, lax, np: jax.jit(lambda n: jnp.arange(n))(3),
         "ConcretizationTypeError",
         ["traced array with shape int32[]", "It arose in the jnp.arange argument 'stop'"]),
    Case("boolean_mask_under_jit",
         lambda jax, jnp, lax, np: jax.jit(lambda x: x[x > 0])(jnp.ones(3)),
         "NonConcreteBooleanIndexError",
         ["Array boolean indices must be concrete; got bool[3]"]),
    # -- leaked tracers --
    Case("leaked_from_jit", lambda jax, jnp, lax, np: _leak(jax, jnp),
         "UnexpectedTracerError",
         ["Encountered an unexpected tracer", "with type float32[] wrapped in a",
          "to escape the scope of the transformation"], user_last=False),
    Case("leaked_from_grad", lambda jax, jnp, lax, np: _leak_grad(jax, jnp),
         "UnexpectedTracerError", ["Encountered an unexpected tracer"], user_last=False),
    # -- static arguments --
    Case("unhashable_static",
         lambda jax, jnp, lax, np: jax.jit(lambda x, y: x, static_argnums=1)(1.0, [1]),
         ValueError,
         ["Non-hashable static arguments are not supported. An error occurred while trying "
          "to hash an object of type <class 'list'>, [1]. The error was:",
          "TypeError: unhashable type: 'list'"]),
    Case("array_as_static",
         lambda jax, jnp, lax, np: jax.jit(lambda x, y: x, static_argnums=1)(1.0, np.ones(2)),
         ValueError, ["Non-hashable static arguments are not supported",
                      "<class 'numpy.ndarray'>"]),
    Case("static_argnums_out_of_range",
         lambda jax, jnp, lax, np: jax.jit(lambda x: x, static_argnums=1)(1.0),
         ValueError, ["itted function has static_argnums=(1,), but only accepts 1 "
                      "positional arguments"]),
    Case("non_array_argument", lambda jax, jnp, lax, np: jax.jit(lambda x: x)("a"), TypeError,
         ["as an abstract array. The problematic value is of type <class 'str'>",
          "was not marked as static using the static_argnums or static_argnames"]),
    Case("jit_of_non_callable", lambda jax, jnp, lax, np: jax.jit(3), TypeError,
         ["Expected a callable value, got 3"]),
    # -- pytree and type mismatches in AD --
    Case("jvp_tree_mismatch",
         lambda jax, jnp, lax, np: jax.jvp(lambda x: x, (1.0,), ((1.0,),)), TypeError,
         ["primal and tangent arguments to jax.jvp must have the same tree structure; "
          "primals have tree structure PyTreeDef((*,)) whereas tangents have tree "
          "structure PyTreeDef(((*,),))"]),
    Case("jvp_shape_mismatch",
         lambda jax, jnp, lax, np: jax.jvp(lambda x: x, (jnp.ones(3),), (jnp.ones(4),)),
         ValueError, ["jvp called with different primal and tangent shapes;Got primal shape "
                      "(3,) and tangent shape as (4,)"]),
    Case("jvp_not_tuples", lambda jax, jnp, lax, np: jax.jvp(lambda x: x, 1.0, 1.0),
         TypeError, ["primal and tangent arguments to jax.jvp must be tuples or lists; "
                     "found float and float"]),
    Case("vjp_cotangent_tree",
         lambda jax, jnp, lax, np: jax.vjp(lambda x: x, 1.0)[1]((1.0,)),
         ValueError, ["unexpected tree structure"]),
    Case("vjp_cotangent_shape",
         lambda jax, jnp, lax, np: jax.vjp(lambda x: x, jnp.ones(3))[1](jnp.ones(4)),
         ValueError, ["unexpected JAX type (e.g. shape/dtype) for argument to VJP function: "
                      "got float32[4], but expected float32[3] because the corresponding "
                      "output of the differentiated function had JAX type float32[3]"]),
    Case("vjp_cotangent_dtype",
         lambda jax, jnp, lax, np: jax.vjp(lambda x: x, jnp.ones(3))[1](
             jnp.ones(3, jnp.int32)),
         ValueError, ["got int32[3], but expected float32[3]"]),
    Case("grad_of_integer_input", lambda jax, jnp, lax, np: jax.grad(lambda x: x)(1),
         TypeError, ["grad requires real- or complex-valued inputs (input dtype that is a "
                     "sub-dtype of np.inexact), but got int32. If you want to use Boolean- "
                     "or integer-valued inputs, use vjp or set allow_int to True."]),
    Case("grad_of_complex_output", lambda jax, jnp, lax, np: jax.grad(lambda x: x * 1j)(1.0),
         TypeError, ["grad requires real-valued outputs (output dtype that is a sub-dtype of "
                     "np.floating), but got complex64. For holomorphic differentiation, "
                     "pass holomorphic=True."]),
    Case("grad_of_nonscalar", lambda jax, jnp, lax, np: jax.grad(lambda x: x)(jnp.ones(3)),
         TypeError, ["Gradient only defined for scalar-output functions. Output had shape: "
                     "(3,)."]),
    Case("holomorphic_real_input",
         lambda jax, jnp, lax, np: jax.grad(lambda x: x, holomorphic=True)(1.0), TypeError,
         ["grad with holomorphic=True requires inputs with complex dtype, but got float32."]),
    Case("grad_argnums_out_of_range",
         lambda jax, jnp, lax, np: jax.grad(lambda x: x, argnums=2)(1.0), TypeError,
         ["requires at least 3 positional arguments to be passed by the caller, but got "
          "only 1 positional arguments"]),
    # -- shape rules --
    Case("dot_general_contracting",
         lambda jax, jnp, lax, np: lax.dot_general(jnp.ones(3), jnp.ones(4), DOT), TypeError,
         ["dot_general requires contracting dimensions to have the same shape, got (3,) "
          "and (4,)."], user_last=False),
    Case("dot_general_under_jit",
         lambda jax, jnp, lax, np: jax.jit(lambda a, b: lax.dot_general(a, b, DOT))(
             jnp.ones(3), jnp.ones(4)), TypeError,
         ["dot_general requires contracting dimensions to have the same shape"]),
    Case("jnp_dot", lambda jax, jnp, lax, np: jnp.dot(jnp.ones((2, 3)), jnp.ones((4, 5))),
         TypeError, ["dot_general requires contracting dimensions to have the same shape, "
                     "got (3,) and (4,)."], user_last=False),
    Case("broadcast_in_dim_sizes",
         lambda jax, jnp, lax, np: lax.broadcast_in_dim(jnp.ones(3), (4,), (0,)), TypeError,
         ["broadcast_in_dim operand dimension sizes must either be 1, or be equal to their "
          "corresponding dimensions in the target broadcast shape; got operand of shape "
          "(3,), target broadcast shape (4,), broadcast_dimensions (0,)"], user_last=False),
    Case("broadcast_in_dim_rank",
         lambda jax, jnp, lax, np: lax.broadcast_in_dim(jnp.ones(3), (4, 3), (0, 1)),
         TypeError, ["broadcast_in_dim broadcast_dimensions must have length equal to "
                     "operand ndim; got broadcast_dimensions (0, 1) for operand ndim 1."],
         user_last=False),
    # JAX's eager lax.reshape fails late, in its MLIR verifier; jaxlite checks first.
    Case("lax_reshape_size",
         lambda jax, jnp, lax, np: lax.reshape(jnp.ones(3), (2,)), TypeError,
         lite_only=["reshape total size must be unchanged, got new_sizes (2,) for shape (3,)"],
         user_last=False, oracle=False),
    Case("jnp_reshape_size", lambda jax, jnp, lax, np: jnp.reshape(jnp.ones(3), (2,)),
         TypeError, ["cannot reshape array of shape (3,) (size 3) into shape (2,) (size 2)"],
         user_last=False),
    Case("concatenate_shapes",
         lambda jax, jnp, lax, np: lax.concatenate([jnp.ones((2, 3)), jnp.ones((2, 4))], 0),
         TypeError, ["Cannot concatenate arrays with shapes that differ in dimensions other "
                     "than the one being concatenated: concatenating along dimension 0 for "
                     "shapes (2, 3), (2, 4)."], user_last=False),
    Case("jnp_concatenate_shapes",
         lambda jax, jnp, lax, np: jnp.concatenate([jnp.ones((2, 3)), jnp.ones((2, 4))]),
         TypeError, ["Cannot concatenate arrays with shapes that differ"], user_last=False),
    Case("jnp_broadcasting", lambda jax, jnp, lax, np: jnp.ones(3) + jnp.ones(4), TypeError,
         ["add got incompatible shapes for broadcasting: (3,), (4,)."], user_last=False),
    Case("jnp_broadcasting_under_jit",
         lambda jax, jnp, lax, np: jax.jit(lambda a, b: a + b)(jnp.ones(3), jnp.ones(4)),
         TypeError, ["add got incompatible shapes for broadcasting: (3,), (4,)."]),
    Case("lax_dtype_mismatch",
         lambda jax, jnp, lax, np: lax.add(jnp.ones(3), jnp.ones(3, jnp.int32)), TypeError,
         ["lax.add requires arguments to have the same dtypes, got float32, int32. (Tip: "
          "jnp.add is a similar function that does automatic type promotion on inputs)."],
         user_last=False),
    # -- deleted (donated) arrays --
    Case("donated_then_used", lambda jax, jnp, lax, np: _donated(jax, jnp), RuntimeError,
         ["Array has been deleted with shape=float32[3]."], user_last=False),
    Case("deleted_then_used_eagerly", lambda jax, jnp, lax, np: _deleted_eager(jax, jnp),
         RuntimeError, ["Array has been deleted with shape=float32[3]."], user_last=False),
    # -- named axes and devices --
    Case("unbound_axis_eager", lambda jax, jnp, lax, np: lax.psum(1.0, "i"), NameError,
         ["unbound axis name: i"], user_last=False),
    Case("unbound_axis_under_vmap",
         lambda jax, jnp, lax, np: jax.vmap(lambda x: lax.psum(x, "j"), axis_name="i")(
             jnp.ones(3)), NameError, ["unbound axis name: j"]),
    Case("unbound_axis_under_pmap",
         lambda jax, jnp, lax, np: jax.pmap(lambda x: lax.psum(x, "j"), axis_name="i")(
             jnp.ones(1)), NameError, ["unbound axis name: j"]),
    # JAX 0.10's pmap (built on shard_map) reports an IndivisibleError, a ValueError.
    Case("too_many_pmap_devices",
         lambda jax, jnp, lax, np: jax.pmap(lambda x: x)(jnp.ones(jax.device_count() + 1)),
         ValueError, lite_only=["replicas, but only", "XLA devices are available"]),
    Case("vmap_inconsistent_sizes",
         lambda jax, jnp, lax, np: jax.vmap(lambda x, y: x + y)(jnp.ones(3), jnp.ones(4)),
         ValueError, ["vmap got inconsistent sizes for array axes to be mapped:\n"
                      "  * one axis had size 3: axis 0 of argument x of type float32[3];\n"
                      "  * one axis had size 4: axis 0 of argument y of type float32[4]"]),
    Case("vmap_in_axes_length",
         lambda jax, jnp, lax, np: jax.vmap(lambda x: x, in_axes=(0, 0))(jnp.ones(3)),
         ValueError, ["but got len(in_axes)=2, len(args)=1"]),
    Case("while_loop_predicate",
         lambda jax, jnp, lax, np: lax.while_loop(lambda c: c > 0, lambda c: c, jnp.ones(2)),
         TypeError, ["cond_fun must return a boolean scalar, but got output type(s) "],
         user_last=False),
]

IDS = [c.name for c in CASES]


def _expected_class(exc, error_module):
  return getattr(error_module, exc) if isinstance(exc, str) else exc


def _raise(case, jax, jnp, lax):
  with pytest.raises(Exception) as info:
    case.run(jax, jnp, lax, np)
  return info.value


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_catalogue_jaxlite(case):
  e = _raise(case, jaxlite, jnp, lax)
  assert isinstance(e, _expected_class(case.exc, errors)), (type(e), e)
  message = str(e)
  for fragment in case.fragments + case.lite_only:
    assert fragment in message, f"{fragment!r} not in {message!r}"
  frames = traceback.extract_tb(e.__traceback__)
  # Whatever happens, filtering leaves nothing of the machinery below the
  # boundary: no tracing, dispatch or lowering frames.
  internal = [f for f in frames if traceback_util.is_internal_filename(f.filename)]
  assert not any(f.filename.endswith(("dispatch.py", "mlir.py", "partial_eval.py"))
                 for f in internal), internal
  if case.user_last:
    assert os.path.abspath(frames[-1].filename) == THIS_FILE, frames
    assert "JAX has removed its internal frames" in "".join(getattr(e, "__notes__", []))


@pytest.mark.parametrize("case", [c for c in CASES if c.oracle], ids=[
    c.name for c in CASES if c.oracle])
def test_catalogue_matches_jax(case, jax_reference, jnp_reference):
  from jax import errors as jax_errors
  from jax import lax as jax_lax
  e = _raise(case, jax_reference, jnp_reference, jax_lax)
  expected = _expected_class(case.exc, jax_errors)
  assert isinstance(e, expected), (type(e), e)
  # The jaxlite class has the same builtin bases as JAX's.
  lite_class = _expected_class(case.exc, errors)
  for base in (TypeError, ValueError, IndexError, NameError, RuntimeError):
    assert issubclass(lite_class, base) == issubclass(expected, base), base
  for fragment in case.fragments:
    assert fragment in str(e), f"{fragment!r} not in JAX's {str(e)!r}"


def test_error_names_are_jax_names(jax_reference):
  import jax.errors as jax_errors
  for name in ["ConcretizationTypeError", "TracerBoolConversionError",
               "TracerIntegerConversionError", "TracerArrayConversionError",
               "UnexpectedTracerError", "NonConcreteBooleanIndexError", "KeyReuseError",
               "JaxRuntimeError"]:
    ours, theirs = getattr(errors, name), getattr(jax_errors, name)
    assert ours.__name__ == theirs.__name__
    for base in (TypeError, IndexError, RuntimeError):
      assert issubclass(ours, base) == issubclass(theirs, base), (name, base)
  # One jaxlib: XLA's runtime errors are the very same class.
  assert errors.JaxRuntimeError is jax_errors.JaxRuntimeError
  assert errors.TracerBoolConversionError.__module__ == "jaxlite.errors"


def test_out_of_memory_is_a_runtime_error():
  with pytest.raises(errors.JaxRuntimeError, match="RESOURCE_EXHAUSTED"):
    jnp.zeros((2 ** 40,), jnp.int8).block_until_ready()


def test_static_argument_without_equality_recompiles():
  class Opaque:   # identity equality: every instance is a new static value
    pass

  f = jaxlite.jit(lambda x, o: x + 1, static_argnums=1)
  for _ in range(3):
    f(1.0, Opaque())
  assert f._cache_size() == 3
  o = Opaque()
  f(1.0, o)
  f(2.0, o)
  assert f._cache_size() == 4


def test_compiled_call_mismatches_are_jax_messages(jax_reference):
  # A compiled program called with another argument structure, shapes or
  # dtypes: JAX's TypeErrors, word for word (names, long dtypes, first five).
  def messages(j, jn):
    x = jn.ones(3)
    out = []
    c = j.jit(lambda p, b: p["w"] + b).lower({"w": x}, x).compile()
    c6 = j.jit(lambda *a: sum(a)).lower(*[x] * 6).compile()
    for call in (lambda: c({"w": x, "v": x}, x), lambda: c([x], x),
                 lambda: c({"w": jn.ones(2)}, jn.ones(1)),
                 lambda: c({"w": x.astype(jn.int32)}, x), lambda: c({"w": 1.0}, x),
                 lambda: c6(*[jn.ones(2)] * 6), lambda: c(x)):
      with pytest.raises(TypeError) as info:
        call()
      out.append(str(info.value))
    return out
  assert messages(jaxlite, jnp) == messages(jax_reference, jax_reference.numpy)


# --- traceback filtering --------------------------------------------------------------------


def _user_raises(x):
  raise ValueError("user error")


def _error_from_jit():
  with pytest.raises(TypeError) as info:
    jaxlite.jit(_if_on_tracer)(1.0)
  return info.value


def test_filtered_traceback_is_user_code_only():
  e = _error_from_jit()
  files = {os.path.abspath(f.filename) for f in traceback.extract_tb(e.__traceback__)}
  assert files == {THIS_FILE}
  names = [f.name for f in traceback.extract_tb(e.__traceback__)]
  assert names[-1] == "_if_on_tracer"


def test_user_exception_inside_transformations_keeps_its_frame():
  for transform in (jaxlite.jit, jaxlite.grad, jaxlite.vmap,
                    lambda f: (lambda x: jaxlite.jvp(f, (x,), (x,)))):
    with pytest.raises(ValueError, match="user error") as info:
      transform(_user_raises)(jnp.ones(()) if transform is not jaxlite.vmap else jnp.ones(2))
    frames = traceback.extract_tb(info.value.__traceback__)
    assert frames[-1].name == "_user_raises"
    assert all(not traceback_util.is_internal_filename(f.filename) for f in frames)


def _with_rules(f):
  if hasattr(f, "defjvp"):
    f.defjvp(lambda primals, tangents: (primals[0], tangents[0]))
  else:
    f.defvjp(lambda x: (x, None), lambda res, g: (g,))
  return f


def _boundary_cases(lib, np_):
  """Entry points whose user-function errors JAX shows without its own frames."""
  from importlib import import_module
  checkify = import_module(f"{lib.__name__}.experimental.checkify")
  lax_ = lib.lax
  one, two = np_.float32(1.0), np_.ones(2, np_.float32)
  return {
      "scan": lambda: lax_.scan(lambda c, x: _user_raises(c), 0.0, two),
      "cond": lambda: lax_.cond(True, _user_raises, _user_raises, one),
      "switch": lambda: lax_.switch(0, [_user_raises, _user_raises], one),
      "while_loop": lambda: lax_.while_loop(lambda c: c < 2, _user_raises, one),
      "fori_loop": lambda: lax_.fori_loop(0, 2, lambda i, c: _user_raises(c), one),
      "map": lambda: lax_.map(_user_raises, two),
      "associative_scan": lambda: lax_.associative_scan(lambda a, b: _user_raises(a), two),
      "checkpoint": lambda: lib.checkpoint(_user_raises)(one),
      "custom_jvp": lambda: _with_rules(lib.custom_jvp(_user_raises))(one),
      "custom_vjp": lambda: _with_rules(lib.custom_vjp(_user_raises))(one),
      "checkify": lambda: checkify.checkify(_user_raises)(one),
  }


def test_control_flow_and_wrappers_filter_tracebacks_as_jax(jax_reference, jnp_reference):
  # The user's frames only, as JAX shows them (lax.cond, scan, checkpoint,
  # custom_jvp ... are API boundaries).
  shown = []
  for lib, np_ in ((jaxlite, jnp), (jax_reference, jnp_reference)):
    frames = {}
    for name, run in _boundary_cases(lib, np_).items():
      with pytest.raises(ValueError, match="user error") as info:
        run()
      tb = traceback.extract_tb(info.value.__traceback__)
      frames[name] = [(f.name, os.path.abspath(f.filename) == THIS_FILE) for f in tb]
    shown.append(frames)
  assert shown[0] == shown[1]
  assert all(all(mine for _, mine in frames) for frames in shown[0].values())


def test_nested_boundaries_filter_once():
  f = jaxlite.jit(jaxlite.grad(jaxlite.vmap(lambda x: _user_raises(x).sum())))
  with pytest.raises(ValueError) as info:
    f(jnp.ones(2))
  notes = info.value.__notes__
  assert len(notes) == 1
  frames = traceback.extract_tb(info.value.__traceback__)
  assert [f.name for f in frames][-2:] == ["<lambda>", "_user_raises"]


def test_filtering_off_keeps_internal_frames():
  with traceback_filtering("off"):
    e = _error_from_jit()
  frames = traceback.extract_tb(e.__traceback__)
  assert any(traceback_util.is_internal_filename(f.filename) for f in frames)
  assert frames[-1].name == "__bool__"
  assert not getattr(e, "__notes__", None)


def test_filtering_remove_frames_attaches_the_unfiltered_trace():
  with traceback_filtering("remove_frames"):
    e = _error_from_jit()
  assert isinstance(e.__cause__, errors.UnfilteredStackTrace)
  assert "The stack trace below excludes JAX-internal frames." in str(e.__cause__)
  full = traceback.extract_tb(e.__cause__.__traceback__)
  assert full[-1].name == "__bool__"
  assert any(f.name == "test_filtering_remove_frames_attaches_the_unfiltered_trace"
             for f in full)   # the call stack above the boundary is kept too
  assert all(not traceback_util.is_internal_filename(f.filename)
             for f in traceback.extract_tb(e.__traceback__))


def test_filtering_tracebackhide_marks_internal_frames():
  with traceback_filtering("tracebackhide"):
    e = _error_from_jit()
  tb = e.__traceback__
  hidden, shown = [], []
  while tb is not None:
    internal = traceback_util.is_internal_filename(tb.tb_frame.f_code.co_filename)
    (hidden if internal else shown).append(
        tb.tb_frame.f_locals.get("__tracebackhide__", False))
    tb = tb.tb_next
  assert hidden and all(hidden)
  assert not any(shown)


def test_filtering_mode_from_the_environment():
  import subprocess
  code = ("import jaxlite, jaxlite.numpy as jnp, traceback\n"
          "try:\n  jaxlite.jit(lambda x: int(x))(1.0)\n"
          "except TypeError as e:\n"
          "  print(len(traceback.extract_tb(e.__traceback__)))\n")
  counts = {}
  for mode in ("off", "quiet_remove_frames"):
    env = dict(os.environ, JAX_TRACEBACK_FILTERING=mode)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, timeout=120)
    counts[mode] = int(out.stdout.strip().splitlines()[-1])
  assert counts["quiet_remove_frames"] == 2   # <module> and the user's lambda
  assert counts["off"] > 5


def test_api_boundary_decorator():
  @traceback_util.api_boundary
  def my_transform(x):
    return _internal_helper(x)

  calls = []

  def _internal_helper(x):
    calls.append(x)
    return jnp.ones(3) + jnp.ones(x)

  assert my_transform(3).shape == (3,)
  with pytest.raises(TypeError, match="incompatible shapes"):
    my_transform(4)
  assert calls == [3, 4]


def test_jit_fast_path_survives_errors():
  f = jaxlite.jit(lambda x: x * 2)
  x = jnp.ones(3)
  np.testing.assert_allclose(f(x), 2 * np.ones(3))
  x.delete()
  with pytest.raises(RuntimeError, match="Array has been deleted"):
    f(x)
  np.testing.assert_allclose(f(jnp.ones(3)), 2 * np.ones(3))
