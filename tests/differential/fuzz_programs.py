"""Random programs for differential testing of jaxlite against JAX 0.10.2.

A program is Python source text: a function ``f`` of a few arguments made of
``jnp``/``lax`` operations, and one of :data:`COMPOSITIONS` of ``jit``,
``grad``, ``vmap``, ``jvp``, ``scan`` and ``cond`` that calls it. The same
text is executed once with ``jax``/``jnp``/``lax`` bound to jaxlite and once
to JAX, on the same arguments, so a disagreement report *is* the program (see
:meth:`Program.source`). Programs are drawn by hypothesis strategies
(:func:`programs`), hence derived deterministically from hypothesis' seed.

What is compared (:func:`compare`): that both libraries compute or both raise;
the exception's type name; the number of outputs, and for each its shape,
dtype, ``weak_type`` and value. Values must be bitwise equal where JAX's result
is exact (integer and boolean results; float programs made only of correctly
rounded operations, without AD, whose order of evaluation cannot matter) and
within a few units in the last place otherwise. NaNs compare equal to NaNs
whatever their payload.
"""
from __future__ import annotations

import dataclasses
import importlib
import math

import ml_dtypes
import numpy as np
from hypothesis import strategies as st

DTYPES = ("bfloat16", "float16", "float32", "int8", "int32", "uint32", "bool",
          "complex64")
FLOATS = ("bfloat16", "float16", "float32")

# Per-example shapes. A second operand is drawn from shapes that broadcast
# with the first (and, rarely, from any shape, so mismatches are tested too).
SHAPES = ((), (3,), (2, 3), (1, 3), (0,), (2, 0), (1,))
BROADCASTS = {
    (): ((), (3,), (1,)), (3,): ((), (3,), (1,), (2, 3)), (2, 3): ((), (3,), (1, 3), (2, 3)),
    (1, 3): ((), (3,), (2, 3), (2, 1)), (0,): ((), (0,), (1,)),
    (2, 0): ((), (0,), (2, 1), (2, 0)), (1,): ((), (3,), (1,), (2, 3)),
}
BATCH = 2  # size of the mapped axis under vmap and scan

# Values per dtype: ordinary ones, edge cases of the dtype, and specials.
_FLOAT_VALUES = (0.0, 1.0, -1.0, 0.5, -2.5, 3.0, 7.25, -0.0, 100.0, 1e-3,
                 math.inf, -math.inf, math.nan)
VALUES = {
    "bfloat16": _FLOAT_VALUES, "float16": _FLOAT_VALUES + (65504.0,),
    "float32": _FLOAT_VALUES + (3e38, 1e-40),
    "int8": (0, 1, -1, 2, -3, 7, 127, -128),
    "int32": (0, 1, -1, 2, -3, 7, 2 ** 31 - 1, -2 ** 31),
    "uint32": (0, 1, 2, 3, 7, 2 ** 32 - 1),
    "bool": (True, False),
    "complex64": (0j, 1 + 1j, -2j, 0.5 - 1.5j, 3 + 0j, -1 + 0.25j),
}
PY_SCALARS = (0, 1, 2, -3, 128, 0.0, 1.5, -2.0, 0.5, True, False, 1j, 2 - 1j)


# -- operations --------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Op:
  """An operation template: ``text.format(*operand names, **params)``.

  exact: "all" if the result is correctly rounded for every dtype (so two
  implementations agree bitwise), "real" if only for real operands, "none" if
  it may differ by rounding (transcendentals, reductions whose summation
  order is an implementation choice).
  """
  text: str
  arity: int
  exact: str = "all"
  params: tuple = ()


_AXES = ("None", "0", "-1", "1")
_DTYPE_NAMES = tuple(f"jnp.{d}" for d in DTYPES)

OPS = [
    # elementwise, one operand
    Op("-{0}", 1), Op("jnp.positive({0})", 1), Op("jnp.abs({0})", 1, "real"),
    Op("jnp.sign({0})", 1, "real"), Op("jnp.square({0})", 1, "real"),
    Op("jnp.sqrt({0})", 1, "real"), Op("jnp.cbrt({0})", 1, "none"),
    Op("jnp.exp({0})", 1, "none"), Op("jnp.exp2({0})", 1, "none"),
    Op("jnp.log({0})", 1, "none"), Op("jnp.log1p({0})", 1, "none"),
    Op("jnp.expm1({0})", 1, "none"), Op("jnp.sin({0})", 1, "none"),
    Op("jnp.cos({0})", 1, "none"), Op("jnp.tanh({0})", 1, "none"),
    Op("jnp.arctan({0})", 1, "none"), Op("jnp.sinc({0})", 1, "none"),
    Op("jnp.floor({0})", 1), Op("jnp.ceil({0})", 1), Op("jnp.round({0})", 1),
    Op("jnp.rint({0})", 1), Op("jnp.trunc({0})", 1),
    Op("jnp.reciprocal({0})", 1, "real"), Op("jnp.logical_not({0})", 1),
    Op("jnp.invert({0})", 1), Op("jnp.isnan({0})", 1), Op("jnp.isfinite({0})", 1),
    Op("jnp.signbit({0})", 1), Op("jnp.real({0})", 1), Op("jnp.imag({0})", 1),
    Op("jnp.conj({0})", 1), Op("jnp.angle({0})", 1, "none"),
    Op("jnp.deg2rad({0})", 1, "none"), Op("lax.neg({0})", 1),
    Op("lax.exp({0})", 1, "none"), Op("lax.abs({0})", 1, "real"),
    Op("lax.floor({0})", 1), Op("lax.sign({0})", 1, "real"),
    Op("lax.convert_element_type({0}, {dtype})", 1, params=("dtype",)),
    Op("jnp.asarray({0}).astype({dtype})", 1, params=("dtype",)),
    Op("jnp.array({0}, dtype={dtype})", 1, params=("dtype",)),
    Op("{0} + 1", 1), Op("{0} * 2.0", 1), Op("2 - {0}", 1), Op("{0} / 2", 1),
    Op("{0} ** 2", 1, "real"), Op("{0} // 2", 1), Op("{0} % 3", 1),
    Op("{0} > 0.5", 1), Op("{0} == 0", 1), Op("{0} * 1j", 1, "real"),
    Op("jnp.clip({0}, -1, 2)", 1), Op("jnp.where({0} > 0, {0}, 0)", 1),
    # elementwise, two operands
    Op("{0} + {1}", 2), Op("{0} - {1}", 2), Op("{0} * {1}", 2, "real"),
    Op("{0} / {1}", 2, "real"), Op("{0} // {1}", 2, "real"), Op("{0} % {1}", 2, "real"),
    Op("{0} ** {1}", 2, "none"), Op("{0} < {1}", 2), Op("{0} == {1}", 2),
    Op("{0} & {1}", 2), Op("{0} | {1}", 2), Op("{0} ^ {1}", 2),
    Op("{0} << {1}", 2), Op("{0} >> {1}", 2),
    Op("jnp.add({0}, {1})", 2), Op("jnp.multiply({0}, {1})", 2, "real"),
    Op("jnp.true_divide({0}, {1})", 2, "real"),
    Op("jnp.floor_divide({0}, {1})", 2, "real"), Op("jnp.remainder({0}, {1})", 2, "real"),
    Op("jnp.fmod({0}, {1})", 2, "real"), Op("jnp.divmod({0}, {1})", 2, "real"),
    Op("jnp.power({0}, {1})", 2, "none"), Op("jnp.maximum({0}, {1})", 2),
    Op("jnp.minimum({0}, {1})", 2), Op("jnp.fmax({0}, {1})", 2),
    Op("jnp.greater_equal({0}, {1})", 2), Op("jnp.not_equal({0}, {1})", 2),
    Op("jnp.logical_and({0}, {1})", 2), Op("jnp.logical_xor({0}, {1})", 2),
    Op("jnp.bitwise_and({0}, {1})", 2), Op("jnp.left_shift({0}, {1})", 2),
    Op("jnp.right_shift({0}, {1})", 2), Op("jnp.arctan2({0}, {1})", 2, "none"),
    Op("jnp.hypot({0}, {1})", 2, "none"), Op("jnp.logaddexp({0}, {1})", 2, "none"),
    Op("jnp.copysign({0}, {1})", 2), Op("jnp.nextafter({0}, {1})", 2),
    Op("jnp.heaviside({0}, {1})", 2), Op("jnp.isclose({0}, {1})", 2),
    Op("jnp.where({0} > {1}, {0}, {1})", 2), Op("jnp.where({0}, {1}, 1)", 2),
    Op("lax.add({0}, {1})", 2), Op("lax.mul({0}, {1})", 2, "real"),
    Op("lax.sub({0}, {1})", 2), Op("lax.max({0}, {1})", 2),
    Op("lax.div({0}, {1})", 2, "real"), Op("lax.rem({0}, {1})", 2, "real"),
    Op("lax.select({0} > 0, {1}, {1} * 2)", 2),
    Op("jnp.matmul({0}, {1})", 2, "none"), Op("jnp.dot({0}, {1})", 2, "none"),
    Op("jnp.concatenate([{0}, {1}], axis={axis})", 2, params=("axis",)),
    Op("jnp.stack([{0}, {1}])", 2), Op("jnp.broadcast_arrays({0}, {1})", 2),
    # reductions, scans and sorting
    Op("jnp.sum({0}, axis={axis})", 1, "none", ("axis",)),
    Op("jnp.prod({0}, axis={axis})", 1, "none", ("axis",)),
    Op("jnp.max({0}, axis={axis})", 1, params=("axis",)),
    Op("jnp.min({0}, axis={axis}, keepdims=True)", 1, params=("axis",)),
    Op("jnp.mean({0}, axis={axis})", 1, "none", ("axis",)),
    Op("jnp.var({0}, axis={axis})", 1, "none", ("axis",)),
    Op("jnp.argmax({0}, axis={axis})", 1, params=("axis",)),
    Op("jnp.argmin({0})", 1),
    Op("jnp.any({0}, axis={axis})", 1, params=("axis",)),
    Op("jnp.all({0})", 1), Op("jnp.count_nonzero({0})", 1),
    Op("jnp.cumsum({0}, axis={axis})", 1, "none", ("axis",)),
    Op("jnp.cumprod({0})", 1, "none"), Op("jnp.sort({0})", 1),
    Op("jnp.argsort({0})", 1), Op("lax.reduce_max({0}, (0,))", 1),
    Op("jnp.linalg.norm({0})", 1, "none"),
    # structural
    Op("jnp.reshape({0}, -1)", 1), Op("jnp.transpose({0})", 1),
    Op("jnp.flip({0}, axis={axis})", 1, params=("axis",)),
    Op("jnp.expand_dims({0}, {axis})", 1, params=("axis",)),
    Op("jnp.squeeze({0})", 1), Op("jnp.broadcast_to({0}, (2, 3))", 1),
    Op("jnp.tile({0}, 2)", 1), Op("jnp.repeat({0}, 2)", 1),
    Op("jnp.roll({0}, 1)", 1), Op("jnp.atleast_2d({0})", 1),
    Op("jnp.take({0}, jnp.array([0, -1]), mode='clip')", 1),
    Op("jnp.asarray({0})[..., ::-1]", 1), Op("jnp.asarray({0})[0]", 1),
    Op("jnp.asarray({0}).at[0].set({1})", 2), Op("jnp.asarray({0}).at[..., 0].add({1})", 2),
    Op("jnp.zeros_like({0})", 1), Op("jnp.full_like({0}, 2)", 1),
    Op("jnp.ones(jnp.shape({0}), jnp.result_type({0}))", 1),
    Op("jnp.pad({0}, 1)", 1), Op("jnp.diff({0})", 1),
]


@dataclasses.dataclass(frozen=True)
class Composition:
  """How `f` is called: source text using `f`, `args`, `mapped` and `t0`.

  `mapped` lists the arguments that carry a leading axis of size BATCH.
  """
  name: str
  text: str
  maps: bool = False        # arguments have a mapped leading axis
  differentiates: bool = False


_LOSS = "lambda *a: jnp.sum(jnp.real(f(*a)))"
_SCAN_BODY = ("lambda c, xs: (c, f(*[xs[mapped.index(i)] if i in mapped else a "
              "for i, a in enumerate(args)]))")
COMPOSITIONS = [
    Composition("eager", "f(*args)"),
    Composition("jit", "jax.jit(f)(*args)"),
    Composition("vmap", "jax.vmap(f, in_axes)(*args)", maps=True),
    Composition("jit_vmap", "jax.jit(jax.vmap(f, in_axes))(*args)", maps=True),
    Composition("vmap_jit", "jax.vmap(jax.jit(f), in_axes)(*args)", maps=True),
    Composition("grad", f"jax.grad({_LOSS})(*args)", differentiates=True),
    Composition("jit_grad", f"jax.jit(jax.grad({_LOSS}))(*args)", differentiates=True),
    Composition("vmap_grad", f"jax.vmap(jax.grad({_LOSS}), in_axes)(*args)",
                maps=True, differentiates=True),
    Composition("grad_grad", f"jax.grad(lambda *b: jnp.sum(jax.grad({_LOSS})(*b)))(*args)",
                differentiates=True),
    Composition("jvp", "jax.jvp(lambda x: f(x, *args[1:]), (args[0],), (t0,))",
                differentiates=True),
    Composition("jit_jvp", "jax.jit(lambda *a: jax.jvp(lambda x: f(x, *a[1:]), (a[0],), "
                "(t0,)))(*args)", differentiates=True),
    Composition("vmap_jvp", "jax.vmap(lambda *a: jax.jvp(lambda x: f(x, *a[1:]), (a[0],), "
                "(jnp.ones_like(a[0]),)), in_axes)(*args)", maps=True, differentiates=True),
    Composition("scan", f"lax.scan({_SCAN_BODY}, 0, [args[i] for i in mapped])[1]", maps=True),
    Composition("jit_scan", f"jax.jit(lambda *args: lax.scan({_SCAN_BODY}, 0, "
                "[args[i] for i in mapped])[1])(*args)", maps=True),
    Composition("cond", "lax.cond(pred, f, lambda *a: f(*a), *args)"),
    Composition("vmap_cond", "jax.vmap(lambda p, *a: lax.cond(p, f, lambda *b: f(*b), *a), "
                "(0,) + tuple(in_axes))(jnp.array([True, False]), *args)", maps=True),
]


# -- arguments ---------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Arg:
  """An argument: a Python scalar, a weakly typed array or a NumPy array."""
  kind: str                   # "python", "weak" (jnp.asarray(python)) or "array"
  value: object               # Python scalar, or nested list of values
  dtype: str | None = None
  shape: tuple = ()
  mapped: bool = False

  def numpy(self):
    return np.array(self.value, dtype=_np_dtype(self.dtype)).reshape(self.shape)

  def source(self):
    if self.kind == "python":
      return repr(self.value)
    if self.kind == "weak":
      return f"jnp.asarray({self.value!r})"
    flat = self.numpy().ravel().tolist()
    return f"jnp.asarray(np.array({flat!r}, np.{_np_dtype(self.dtype).name}).reshape({self.shape}))" \
        if self.dtype != "bfloat16" else \
        f"jnp.asarray(np.array({flat!r}, np.float32).reshape({self.shape}), jnp.bfloat16)"

  def make(self, lib):
    if self.kind == "python":
      return self.value
    if self.kind == "weak":
      return lib.numpy.asarray(self.value)
    return lib.numpy.asarray(self.numpy())


def _np_dtype(name):
  return np.dtype(ml_dtypes.bfloat16) if name == "bfloat16" else np.dtype(name)


@st.composite
def _args(draw, count, maps):
  args = []
  for i in range(count):
    kind = draw(st.sampled_from(("array", "array", "array", "python", "weak")))
    if kind != "array" and not (maps and i == 0):
      args.append(Arg(kind, draw(st.sampled_from(PY_SCALARS))))
      continue
    dtype = draw(st.sampled_from(DTYPES))
    first = args[0] if args else None
    if first is not None and first.kind == "array" and draw(st.integers(0, 9)):
      shape = draw(st.sampled_from(BROADCASTS[first.shape[1:] if first.mapped else first.shape]))
    else:
      shape = draw(st.sampled_from(SHAPES))
    mapped = maps and (i == 0 or draw(st.booleans()))
    full = ((BATCH,) if mapped else ()) + shape
    size = int(np.prod(full))
    values = draw(st.lists(st.sampled_from(VALUES[dtype]), min_size=size, max_size=size))
    args.append(Arg("array", values, dtype, full, mapped))
  return args


@dataclasses.dataclass(frozen=True)
class Step:
  op: Op
  operands: tuple
  params: dict

  def source(self, names):
    return self.op.text.format(*(names[i] for i in self.operands), **self.params)


@dataclasses.dataclass(frozen=True)
class Program:
  """A random program: `f`'s steps, its arguments and how it is called."""
  args: tuple
  steps: tuple
  composition: Composition
  pred: bool

  def function_source(self):
    names = [f"a{i}" for i in range(len(self.args))]
    lines = [f"def f({', '.join(names)}):"]
    for k, step in enumerate(self.steps):
      lines.append(f"  v{k} = {step.source(names)}")
      names.append(f"v{k}")
    lines.append(f"  return {names[-1]}")
    return "\n".join(lines)

  def call_source(self):
    return self.composition.text

  def source(self):
    """The whole program as runnable text (with `jax`, `jnp`, `lax` bound)."""
    args = ", ".join(a.source() for a in self.args)
    mapped = tuple(i for i, a in enumerate(self.args) if a.mapped)
    in_axes = [0 if a.mapped else None for a in self.args]
    return "\n".join([
        self.function_source(),
        f"args = ({args},)", f"mapped = {mapped}", f"in_axes = {in_axes}",
        f"pred = {self.pred}", "t0 = jnp.ones_like(args[0])",
        f"out = {self.call_source()}"])

  @property
  def exact(self):
    """Whether JAX's result is exactly defined, so must match bit for bit."""
    if self.composition.differentiates:
      return False
    complex_ = any(a.dtype == "complex64" or isinstance(a.value, complex) for a in self.args)
    return all(s.op.exact == "all" or (s.op.exact == "real" and not complex_)
               for s in self.steps)


@st.composite
def programs(draw):
  """Hypothesis strategy of :class:`Program`."""
  composition = draw(st.sampled_from(COMPOSITIONS))
  n_args = draw(st.integers(1, 3))
  args = draw(_args(n_args, composition.maps))
  if composition.differentiates and args[0].kind == "array" and draw(st.integers(0, 3)):
    # Mostly differentiate with respect to a float argument.
    a0 = args[0]
    dtype = draw(st.sampled_from(FLOATS))
    size = int(np.prod(a0.shape))
    values = draw(st.lists(st.sampled_from(VALUES[dtype][:10]), min_size=size, max_size=size))
    args[0] = Arg("array", values, dtype, a0.shape, a0.mapped)
  steps = []
  for k in range(draw(st.integers(1, 3))):
    op = draw(st.sampled_from(OPS))
    available = n_args + k
    # Mostly use the latest value, so that steps chain.
    operands = tuple(draw(st.sampled_from((available - 1, available - 1) + tuple(range(available))))
                     for _ in range(op.arity))
    params = {}
    if "axis" in op.params:
      params["axis"] = draw(st.sampled_from(_AXES))
    if "dtype" in op.params:
      params["dtype"] = draw(st.sampled_from(_DTYPE_NAMES))
    steps.append(Step(op, operands, params))
  return Program(tuple(args), tuple(steps), composition, draw(st.booleans()))


# -- running and comparing ---------------------------------------------------
@dataclasses.dataclass
class Outcome:
  """One library's result: output leaves, or the exception raised."""
  leaves: list | None = None
  error: BaseException | None = None


def _library(name):
  root = importlib.import_module(name)
  return {"jax": root, "jnp": importlib.import_module(name + ".numpy"),
          "lax": importlib.import_module(name + ".lax"), "np": np}


def run(program, library):
  """Runs `program` under "jax" or "jaxlite"."""
  namespace = _library(library)
  lib = namespace["jax"]
  try:
    exec(program.function_source(), namespace)  # pylint: disable=exec-used
    namespace["args"] = tuple(a.make(lib) for a in program.args)
    namespace["mapped"] = tuple(i for i, a in enumerate(program.args) if a.mapped)
    namespace["in_axes"] = [0 if a.mapped else None for a in program.args]
    namespace["pred"] = program.pred
    namespace["t0"] = namespace["jnp"].ones_like(namespace["args"][0])
    out = eval(program.call_source(), namespace)  # pylint: disable=eval-used
    leaves = lib.tree_util.tree_leaves(out)
    return Outcome(leaves=[_describe(x) for x in leaves])
  except Exception as e:  # pylint: disable=broad-except
    return Outcome(error=e)


def jax_would_crash(program):
  """Whether `program` divides integers by a compile-time constant under JAX.

  XLA's constant folder (jaxlib 0.10.2) kills the whole process with SIGFPE on
  an integer division or remainder by a constant zero, e.g.
  ``jax.jit(lambda x: lax.div(jnp.imag(x), jnp.imag(x)))(uint32 array)``. JAX
  has no answer to compare with there, so such programs are skipped (jaxlite
  guards the divisor and computes; tests/differential/test_regressions.py).
  Conservative: any integer div/rem whose divisor is derived only from
  literals, traced with jaxlite's make_jaxpr.
  """
  if not any(s.op.text.split("(")[0] in _INTEGER_DIVISIONS or
             any(t in s.op.text for t in ("//", "%")) for s in program.steps):
    return False
  namespace = _library("jaxlite")
  lib = namespace["jax"]
  try:
    exec(program.function_source(), namespace)  # pylint: disable=exec-used
    namespace["args"] = tuple(a.make(lib) for a in program.args)
    namespace["mapped"] = tuple(i for i, a in enumerate(program.args) if a.mapped)
    namespace["in_axes"] = [0 if a.mapped else None for a in program.args]
    namespace["pred"] = program.pred
    namespace["t0"] = namespace["jnp"].ones_like(namespace["args"][0])
    closed = lib.make_jaxpr(lambda: eval(program.call_source(), namespace))()  # pylint: disable=eval-used
  except Exception:  # pylint: disable=broad-except
    return False
  return _divides_by_constant(closed.jaxpr, [False] * len(closed.jaxpr.invars))


_INTEGER_DIVISIONS = ("lax.div", "lax.rem", "jnp.floor_divide", "jnp.remainder", "jnp.fmod",
                      "jnp.divmod", "jnp.true_divide")


def _divides_by_constant(jaxpr, invars_constant):
  core = importlib.import_module("jaxlite.core")
  constant = {v: c for v, c in zip(jaxpr.invars, invars_constant)}
  for v in jaxpr.constvars:
    constant[v] = False

  def is_constant(x):
    return isinstance(x, core.Literal) or constant.get(x, False)

  for eqn in jaxpr.eqns:
    operands = [is_constant(x) for x in eqn.invars]
    if eqn.primitive.name in ("div", "rem") and operands[1] and \
        np.issubdtype(eqn.outvars[0].aval.dtype, np.integer):
      return True
    for sub in _sub_jaxprs(eqn.params, core):
      # Operands map onto the sub-jaxpr's inputs where the counts agree
      # (XLA inlines calls and sinks loop constants before folding).
      inner = operands if len(operands) == len(sub.invars) else [False] * len(sub.invars)
      if _divides_by_constant(sub, inner):
        return True
    for v in eqn.outvars:
      constant[v] = bool(operands) and all(operands)
  return False


def _sub_jaxprs(params, core):
  for value in params.values():
    for item in value if isinstance(value, (tuple, list)) else (value,):
      if isinstance(item, core.ClosedJaxpr):
        yield item.jaxpr
      elif isinstance(item, core.Jaxpr):
        yield item


def _describe(x):
  if isinstance(x, (bool, int, float, complex)):
    return ("python", type(x).__name__, None, np.asarray(x))
  value = np.asarray(x)
  return ("array", str(x.dtype), bool(getattr(x, "weak_type", False)), value)


def _ulps(dtype):
  return np.finfo(dtype).eps


def _values_differ(a, b, exact):
  if a.shape != b.shape:
    return f"shape {a.shape} vs {b.shape}"
  if a.dtype != b.dtype:
    return f"np.asarray gives {a.dtype} vs {b.dtype}"
  if a.size == 0 or a.dtype.kind == "V":  # float0 tangents have no values
    return None
  if a.dtype.kind in "biu" or a.dtype == np.bool_:
    return None if np.array_equal(a, b) else "values"
  a64 = a.astype(np.complex128 if a.dtype.kind == "c" else np.float64)
  b64 = b.astype(a64.dtype)
  parts = [(a64.real, b64.real), (a64.imag, b64.imag)] if a.dtype.kind == "c" else [(a64, b64)]
  for x, y in parts:
    nan_x, nan_y = np.isnan(x), np.isnan(y)
    if not np.array_equal(nan_x, nan_y):
      return "values (nan)"
    x, y = x[~nan_x], y[~nan_y]
    if exact:
      if not (np.array_equal(x, y) and np.array_equal(np.signbit(x), np.signbit(y))):
        return "values (exact)"
      continue
    inf = np.isinf(x) | np.isinf(y)
    if not np.array_equal(x[inf], y[inf]):
      return "values (inf)"
    x, y = x[~inf], y[~inf]
    if x.size == 0:
      continue
    eps = float(_ulps(a.real.dtype if a.dtype.kind == "c" else a.dtype))
    # A few ulps of each value, plus one ulp of the largest (cancellation).
    scale = float(np.max(np.abs(y)))
    if np.any(np.abs(x - y) > 8 * eps * np.maximum(np.abs(x), np.abs(y)) + eps * scale):
      return "values (ulp)"
  return None


def compare(program, mine, theirs):
  """The disagreement between two outcomes, as (category, detail), or None."""
  if mine.error is not None or theirs.error is not None:
    if theirs.error is None:
      return "raises where JAX computes", _error_text(mine.error)
    if mine.error is None:
      return "computes where JAX raises", _error_text(theirs.error)
    # An AssertionError is JAX failing its own internal check, not a
    # documented error: any exception of jaxlite's agrees with it.
    if type(mine.error).__name__ != type(theirs.error).__name__ and \
        not isinstance(theirs.error, AssertionError):
      return "exception type", f"{_error_text(mine.error)}  vs JAX  {_error_text(theirs.error)}"
    return None
  if len(mine.leaves) != len(theirs.leaves):
    return "structure", f"{len(mine.leaves)} outputs vs {len(theirs.leaves)}"
  for k, ((kind, dtype, weak, value), (kind2, dtype2, weak2, value2)) in enumerate(
      zip(mine.leaves, theirs.leaves)):
    if (kind, dtype) != (kind2, dtype2):
      return "dtype", f"output {k}: {kind} {dtype} vs {kind2} {dtype2}"
    if weak != weak2:
      return "weak type", f"output {k}: weak_type={weak} vs {weak2}"
    problem = _values_differ(value, value2, program.exact)
    if problem:
      return problem.split(" ")[0] if problem.startswith("shape") else "value", \
          f"output {k}: {problem}\n  jaxlite: {value!r}\n  jax:     {value2!r}"
  return None


def _error_text(e):
  text = str(e).strip().splitlines()
  return f"{type(e).__name__}: {text[0][:200] if text else ''}"


def signature(program, disagreement):
  """What identifies a kind of disagreement: category, composition and ops."""
  return (f"[{disagreement[0]}] {program.composition.name}: "
          f"{' ; '.join(s.op.text for s in program.steps)}")


def report(program, disagreement):
  category, detail = disagreement
  return (f"[{category}] {program.composition.name}: "
          f"{' ; '.join(s.op.text for s in program.steps)}\n{detail}\n"
          f"--- program ---\n{program.source()}\n")
