"""Configuration options, named and defaulted as JAX's.

Every option has a process-wide (global) value, set from its environment
variable at import and changed with :meth:`Config.update`, and a thread-local
override set by its context manager::

  >>> from jaxlite.config import config, enable_x64
  >>> config.jax_enable_x64
  False
  >>> with enable_x64():
  ...   config.jax_enable_x64
  True

Reading ``config.<option>`` is on hot paths (dtype canonicalisation, dispatch),
so it is one property call and one thread-local attribute lookup.
"""
from __future__ import annotations

import functools
import itertools
import os
import sys
import threading
from typing import Any, Callable, Sequence

__all__ = [
    "config", "Config", "State", "bool_env", "int_env", "define_bool_state",
    "define_int_state", "define_float_state", "define_enum_state",
    "define_string_state", "define_object_state", "update", "read",
    "parse_flags_with_absl", "trace_context",
]


class _Unset:
  __slots__ = ()

  def __repr__(self):
    return "<unset>"


_UNSET = _Unset()
_NO_DEFAULT = _Unset()

_TRUE_STRINGS = ("y", "yes", "t", "true", "on", "1")
_FALSE_STRINGS = ("n", "no", "f", "false", "off", "0")


def _parse_bool_string(text: str, what: str) -> bool:
  text = text.strip().lower()
  if text in _TRUE_STRINGS:
    return True
  if text in _FALSE_STRINGS:
    return False
  raise ValueError(f"invalid truth value {text!r} for {what}")


def bool_env(varname: str, default: bool) -> bool:
  """Reads an environment variable as a boolean, as JAX does.

  True values are (case insensitive) 'y', 'yes', 't', 'true', 'on' and '1';
  false values are 'n', 'no', 'f', 'false', 'off' and '0'. Anything else
  raises ValueError.

  >>> bool_env("JAXLITE_SURELY_UNSET_VARIABLE", True)
  True
  """
  val = os.getenv(varname)
  if val is None:
    return bool(default)
  return _parse_bool_string(val, f"environment {varname!r}")


def int_env(varname: str, default: int) -> int:
  """Reads an environment variable as an integer.

  >>> int_env("JAXLITE_SURELY_UNSET_VARIABLE", 3)
  3
  """
  return int(os.getenv(varname, str(default)))


class _LocalValue(threading.local):
  # The class attribute is every thread's starting value: a thread that never
  # entered a context manager reads _UNSET without a per-thread __init__.
  value = _UNSET


class _TraceContextCache(threading.local):
  generation = -1
  context = None


# The trace context's process-wide epoch: `config._generation` while no thread
# holds a scoped value (a context manager) of an option in the trace context,
# else -1. While it is not -1 every thread's trace context is the global one,
# so a memo that noted the epoch is still valid when it reads the same number:
# one list read where the per-thread context costs a thread-local lookup.
trace_context_epoch = [0]
_scoped_lock = threading.Lock()
_scoped_count = [0]   # trace-context options held by context managers, all threads

# How many staging traces are current, over all threads (core.new_main counts
# them): while none is, every thread's `dynamic_main.level` is 0.
staging = [0]

# The dispatch fast paths' one test: the trace-context epoch while no thread
# stages a trace either, else -1. A memo that noted it (see `memo_epoch`) and
# reads the same number runs eagerly under the context it was made in, with
# one list read where the full test reads the per-thread context and the
# thread's staging level (thread-local reads, ~600 instructions each).
dispatch_epoch = [0]


def _publish_epochs():
  """Sets both epochs from the counters; called with _scoped_lock held."""
  epoch = -1 if _scoped_count[0] else config._generation
  trace_context_epoch[0] = epoch
  dispatch_epoch[0] = -1 if staging[0] else epoch


def memo_epoch():
  """The dispatch epoch for a memo to note, read before the context the memo
  notes (a racing update then only misses): None, matching no epoch, while a
  thread holds a scoped option or stages a trace.

  >>> memo_epoch() == dispatch_epoch[0]
  True
  """
  epoch = dispatch_epoch[0]
  return None if epoch < 0 else epoch


def staging_entered() -> None:
  """Counts a staging trace made current (see ``staging``)."""
  with _scoped_lock:
    staging[0] += 1
    dispatch_epoch[0] = -1


def staging_exited() -> None:
  """Uncounts a staging trace made current by ``staging_entered``."""
  with _scoped_lock:
    staging[0] -= 1
    _publish_epochs()


def _scope_entered():
  with _scoped_lock:
    _scoped_count[0] += 1
    _publish_epochs()


def _scope_exited():
  with _scoped_lock:
    _scoped_count[0] -= 1
    _publish_epochs()


class State:
  """One option: a global value plus a thread-local override.

  Calling the state gives a context manager (also usable as a decorator) that
  sets the thread-local value for its extent.

  >>> s = config._states["jax_debug_nans"]
  >>> with s(True):
  ...   s.value
  True
  """
  def __init__(self, name, default, help, kind, parser=None, meta=None,
               default_context_value=_NO_DEFAULT, in_trace_context=False):
    self.name = name
    self.__name__ = name[4:] if name.startswith("jax_") else name
    self.__doc__ = f"Context manager for `{name}` config option.\n\n{help}"
    self._parser = parser
    self.default = default
    self.global_value = parser(default) if parser else default
    self._local = _LocalValue()
    self._default_context_value = default_context_value
    self._in_trace_context = in_trace_context
    self.kind = kind
    self.meta = meta or {}

  @property
  def value(self):
    """The value seen by this thread: its innermost override, else global."""
    val = self._local.value
    return self.global_value if val is _UNSET else val

  def _set_global(self, value):
    self.global_value = self._parser(value) if self._parser else value

  def __call__(self, new_val: Any = _NO_DEFAULT) -> "StateContextManager":
    if new_val is _NO_DEFAULT:
      new_val = self._default_context_value
      if new_val is _NO_DEFAULT:
        raise TypeError(f"Context manager for {self.__name__} config option "
                        "requires an argument representing the new value for "
                        "the config option.")
    return StateContextManager(self, new_val)

  def __bool__(self):
    # Catches `if config_state:` where `.value` was meant.
    raise TypeError(f"bool() not supported for config state {self.name!r} "
                    "(did you mean to use '.value'?)")

  def __repr__(self):
    return f"State({self.name}={self.value!r})"


class StateContextManager:
  """Sets a state's thread-local value on entry and restores it on exit."""
  __slots__ = ("state", "new_val", "prev")

  def __init__(self, state: State, new_val):
    self.state = state
    self.new_val = state._parser(new_val) if state._parser else new_val

  def __enter__(self):
    state = self.state
    if state._in_trace_context:
      _scope_entered()
    self.prev = state._local.value
    state._local.value = self.new_val
    if state._in_trace_context:
      config._trace_cache.generation = -1
      config._trace_cache.context = None   # jit's call memo compares this object

  def __exit__(self, exc_type, exc_value, traceback):
    state = self.state
    state._local.value = self.prev
    if state._in_trace_context:
      config._trace_cache.generation = -1
      config._trace_cache.context = None
      _scope_exited()

  def __call__(self, func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
      with StateContextManager(self.state, self.new_val):
        return func(*args, **kwargs)
    return wrapper


class Config:
  """The registry of options; ``config.<name>`` reads an option's value.

  >>> config.update("jax_numpy_rank_promotion", "warn")
  >>> config.jax_numpy_rank_promotion
  'warn'
  >>> config.update("jax_numpy_rank_promotion", "allow")

  Each option's context manager is an attribute without the ``jax_`` prefix:

  >>> with config.debug_nans(True):
  ...   config.jax_debug_nans
  True
  """

  def __init__(self):
    self._states: dict[str, State] = {}
    self._trace_states: list[State] = []
    self._update_callbacks: list[Callable[[str, Any], None]] = []
    self._generation = 0
    self._trace_cache = _TraceContextCache()
    self.use_absl = False
    self.absl_flags = None

  def __getattr__(self, name):
    # Only reached for names that are not options (those are properties).
    if name.startswith("jax_"):
      raise AttributeError(f"Unrecognized config option: {name}")
    raise AttributeError(f"'Config' object has no attribute {name!r}")

  def _add_state(self, state: State) -> State:
    if state.name in self._states:
      raise ValueError(f"Config option {state.name} already defined")
    self._states[state.name] = state
    if state._in_trace_context:
      self._trace_states.append(state)
    # A property on the class keeps `config.jax_enable_x64` a plain lookup.
    if state._in_trace_context:
      # While no thread holds a scoped value of a trace-context option (see
      # _scoped_count), every thread sees the global one: no thread-local read.
      setattr(Config, state.name, property(
          lambda _, s=state: s.value if _scoped_count[0] else s.global_value))
    else:
      setattr(Config, state.name, property(lambda _, s=state: s.value))
    # `jaxlite.config` is this object once the package re-exports it, so the
    # context managers are here too: `with config.enable_x64(True):`.
    if not hasattr(Config, state.__name__):
      setattr(Config, state.__name__, state)
    return state

  def update(self, name: str, val: Any) -> None:
    """Sets the global (all-thread) value of option ``name``.

    >>> config.update("jax_debug_nans", True)
    >>> config.jax_debug_nans
    True
    >>> config.update("jax_debug_nans", False)
    """
    try:
      state = self._states[name]
    except KeyError:
      raise AttributeError(f"Unrecognized config option: {name}") from None
    state._set_global(val)
    with _scoped_lock:
      self._generation += 1
      _publish_epochs()
    for callback in self._update_callbacks:
      callback(name, state.global_value)

  def read(self, name: str) -> Any:
    """The current value of option ``name`` as seen by this thread.

    >>> config.read("jax_numpy_dtype_promotion")
    'standard'
    """
    try:
      return self._states[name].value
    except KeyError:
      raise AttributeError(f"Unrecognized config option: {name}") from None

  _read = read

  @property
  def values(self) -> dict[str, Any]:
    """All options and their current values, as a new dict."""
    return {name: s.value for name, s in self._states.items()}

  @property
  def x64_enabled(self) -> bool:
    return self._states["jax_enable_x64"].value

  def option_names(self) -> list[str]:
    """The names of every option, in definition order.

    >>> "jax_enable_x64" in config.option_names()
    True
    """
    return list(self._states)

  def add_update_callback(self, fn: Callable[[str, Any], None]) -> Callable:
    """Registers ``fn(name, new_value)``, called after every global update.

    Thread-local (context manager) changes do not call it: those are visible
    through :meth:`trace_context` instead. Returns ``fn``.

    >>> seen = []
    >>> _ = config.add_update_callback(lambda n, v: seen.append(n))
    >>> config.update("jax_log_compiles", False)
    >>> seen
    ['jax_log_compiles']
    >>> config.remove_update_callback(_)
    """
    self._update_callbacks.append(fn)
    return fn

  def remove_update_callback(self, fn: Callable) -> None:
    """Unregisters a callback added with :meth:`add_update_callback`."""
    self._update_callbacks.remove(fn)

  def trace_context(self) -> tuple:
    """A hashable tuple of the option values that affect tracing/lowering.

    It is part of every jit cache key, so it is cached per thread and rebuilt
    only after a global update or a scoped change of one of its options.
    :meth:`trace_context_names` names its entries.

    >>> ctx = config.trace_context()
    >>> ctx == config.trace_context() and hash(ctx) == hash(ctx)
    True
    """
    cache = self._trace_cache
    if cache.generation == self._generation:
      return cache.context
    # Read the generation first: an update racing with this call then leaves
    # the cache stale-marked rather than stale-valued.
    generation = self._generation
    ctx = tuple([s.value for s in self._trace_states])
    cache.context = ctx
    cache.generation = generation
    return ctx

  def trace_context_names(self) -> tuple[str, ...]:
    """The option names of the :meth:`trace_context` entries, in order.

    >>> config.trace_context_names()[0]
    'jax_enable_x64'
    """
    return tuple(s.name for s in self._trace_states)

  # ----- absl flags -------------------------------------------------------

  def config_with_absl(self) -> None:
    """Defines an absl flag for every option; parsed flags set the options.

    Call it before ``absl.app.run(main)``: once absl has parsed the command
    line, each flag that was given sets its option's global value.

    >>> config.config_with_absl()  # doctest: +SKIP
    """
    from absl import app, flags as absl_flags  # Lazy: absl is slow to import.
    self.use_absl = True
    self.absl_flags = absl_flags
    self._define_absl_flags(absl_flags)
    app.call_after_init(lambda: self.complete_absl_config(absl_flags))

  def _define_absl_flags(self, absl_flags) -> None:
    for name, state in self._states.items():
      if name in absl_flags.FLAGS:
        continue  # Already defined by an earlier call.
      helptext = state.__doc__.split("\n\n", 1)[-1] or name
      default = state.global_value
      if state.kind == "bool":
        absl_flags.DEFINE_bool(name, default, helptext)
      elif state.kind == "int":
        absl_flags.DEFINE_integer(name, default, helptext)
      elif state.kind == "float":
        absl_flags.DEFINE_float(name, default, helptext)
      elif state.kind == "enum":
        absl_flags.DEFINE_enum(name, default, state.meta["enum_values"],
                               helptext)
      else:  # 'string' and 'object': given as text on the command line.
        absl_flags.DEFINE_string(
            name, default if isinstance(default, str) or default is None
            else str(default), helptext)

  def complete_absl_config(self, absl_flags) -> None:
    """Copies the value of every absl flag given on the command line."""
    for name in self._states:
      try:
        flag = absl_flags.FLAGS[name]
      except KeyError:
        continue  # Option added after config_with_absl().
      if flag.present:
        self.update(name, flag.value)

  def parse_flags_with_absl(self) -> None:
    """Parses the ``--jax*`` command-line arguments of ``sys.argv``.

    For programs that do not use ``absl.app.run``; arguments after ``--`` and
    arguments not starting with ``--jax`` are ignored.

    >>> config.parse_flags_with_absl()  # doctest: +SKIP
    """
    global _already_configured_with_absl
    if _already_configured_with_absl:
      return
    import absl.flags  # Lazy: absl is slow to import.
    argv = itertools.takewhile(lambda a: a != "--", sys.argv)
    jax_argv = ["", *(a for a in argv if a.startswith("--jax"))]
    self.use_absl = True
    self.absl_flags = absl.flags
    self._define_absl_flags(absl.flags)
    absl.flags.FLAGS(jax_argv, known_only=True)
    self.complete_absl_config(absl.flags)
    _already_configured_with_absl = True


_already_configured_with_absl = False

config = Config()
# The mesh set by `jax.set_mesh` (None when none is): part of the trace context,
# as in JAX, so jitted functions retrace under a mesh and eager ops find out
# from the trace context alone that one is set. Not an option: `set_mesh`
# (jaxlite/sharding/mesh.py) sets it.
mesh_context = State("mesh_context_manager", None, "The mesh set by set_mesh.", "object",
                     in_trace_context=True)
config._trace_states.append(mesh_context)
update = config.update
read = config.read
trace_context = config.trace_context
parse_flags_with_absl = config.parse_flags_with_absl


# ----- one-line option definitions -----------------------------------------


def _env(name: str) -> str | None:
  return os.getenv(name.upper())


def _bool_parser(name):
  def parse(val):
    if isinstance(val, str):
      return _parse_bool_string(val, f"config option {name!r}")
    if isinstance(val, (bool, int)) or type(val).__name__ in ("bool", "bool_"):
      return bool(val)
    raise TypeError(f"config option {name!r} expects a bool, got {val!r} "
                    f"of type {type(val).__name__}")
  return parse


def define_bool_state(name: str, default: bool, help: str, *,
                      in_trace_context: bool = False) -> State:
  """Defines a boolean option, read from env var ``name.upper()`` at import.

  Its context manager with no argument sets the option to True, as JAX's do.

  >>> s = define_bool_state("jax_doctest_demo", False, "A demo.")
  >>> with s():
  ...   config.jax_doctest_demo
  True
  """
  default = bool_env(name.upper(), default)
  return config._add_state(State(
      name, default, help, "bool", parser=_bool_parser(name),
      default_context_value=True, in_trace_context=in_trace_context))


def define_int_state(name: str, default: int, help: str, *,
                     in_trace_context: bool = False) -> State:
  """Defines an integer option, read from env var ``name.upper()`` at import.

  >>> define_int_state("jax_doctest_int", 3, "A demo.").value
  3
  """
  default = int_env(name.upper(), default)

  def parse(val):
    if isinstance(val, bool) or not isinstance(val, int):
      if isinstance(val, str):
        return int(val)
      if hasattr(val, "__index__"):
        return int(val.__index__())
      raise TypeError(f"config option {name!r} expects an int, got {val!r}")
    return val
  return config._add_state(State(name, default, help, "int", parser=parse,
                                 in_trace_context=in_trace_context))


def define_float_state(name: str, default: float, help: str, *,
                       in_trace_context: bool = False) -> State:
  """Defines a float option, read from env var ``name.upper()`` at import.

  >>> define_float_state("jax_doctest_float", 0.5, "A demo.").value
  0.5
  """
  env = _env(name)
  default = float(env) if env is not None else default

  def parse(val):
    if isinstance(val, bool) or not isinstance(val, (int, float, str)):
      raise TypeError(f"config option {name!r} expects a float, got {val!r}")
    return float(val)
  return config._add_state(State(name, default, help, "float", parser=parse,
                                 in_trace_context=in_trace_context))


def define_enum_state(name: str, enum_values: Sequence[str | None],
                      default: str | None, help: str, *,
                      in_trace_context: bool = False,
                      env_names: Sequence[str] = ()) -> State:
  """Defines an option whose value is one of ``enum_values``.

  ``None`` is allowed if it is the default (JAX's ``optional_enum_state``).
  The environment variable is ``name.upper()`` (then ``env_names``).

  >>> s = define_enum_state("jax_doctest_enum", ["a", "b"], "a", "A demo.")
  >>> with s("b"):
  ...   config.jax_doctest_enum
  'b'
  """
  values = [v for v in enum_values if v is not None]
  optional = default is None
  for env_name in (name.upper(), *env_names):
    env = os.getenv(env_name)
    if env is not None:
      default = env
      break
  if default is not None and default not in values:
    raise ValueError(f'Invalid value "{default}" for JAX flag {name}')

  def parse(val):
    if val is None and optional:
      return None
    if type(val) is not str and isinstance(val, str):
      val = str(val)  # A str-valued enum member, e.g. JAX's StrEnums.
    if type(val) is not str or val not in values:
      raise ValueError(f"new enum value must be in {values}, "
                       f"got {val} of type {type(val)}.")
    return val
  return config._add_state(State(
      name, default, help, "enum", parser=parse,
      meta={"enum_values": values}, in_trace_context=in_trace_context))


def define_string_state(name: str, default: str | None, help: str, *,
                        env_names: Sequence[str] = (),
                        in_trace_context: bool = False) -> State:
  """Defines a string option (``None`` allowed), read from its env var(s).

  >>> define_string_state("jax_doctest_str", None, "A demo.").value is None
  True
  """
  for env_name in (name.upper(), *env_names):
    env = os.getenv(env_name)
    if env is not None:
      default = env
      break

  def parse(val):
    if val is not None and not isinstance(val, str):
      raise TypeError(f"config option {name!r} expects a string or None, "
                      f"got {val!r} of type {type(val).__name__}")
    return val
  return config._add_state(State(name, default, help, "string", parser=parse,
                                 in_trace_context=in_trace_context))


def define_object_state(name: str, default: Any, help: str, *,
                        validator: Callable[[Any], None] | None = None,
                        in_trace_context: bool = False) -> State:
  """Defines an option holding any object (e.g. a Device); env var is text.

  >>> define_object_state("jax_doctest_obj", None, "A demo.").value is None
  True
  """
  env = _env(name)
  if env is not None:
    default = env

  def parse(val):
    if validator is not None:
      validator(val)
    return val
  return config._add_state(State(name, default, help, "object", parser=parse,
                                 in_trace_context=in_trace_context))


# ----- the options ----------------------------------------------------------
# Options in the trace context are defined first, so that trace_context()
# starts with the ones most often read.

enable_x64 = define_bool_state(
    "jax_enable_x64", False, "Enable 64-bit types to be used.",
    in_trace_context=True)
# JAX's enable_x64 context manager is spelled `enable_x64(new_val=True)`.
default_matmul_precision = define_enum_state(
    "jax_default_matmul_precision",
    ["default", "high", "highest", "bfloat16", "tensorfloat32", "float32",
     "ANY_F8_ANY_F8_F32", "ANY_F8_ANY_F8_F32_FAST_ACCUM", "ANY_F8_ANY_F8_ANY",
     "ANY_F8_ANY_F8_ANY_FAST_ACCUM", "F16_F16_F16", "F16_F16_F32",
     "BF16_BF16_BF16", "BF16_BF16_F32", "BF16_BF16_F32_X3",
     "BF16_BF16_F32_X6", "BF16_BF16_F32_X9", "TF32_TF32_F32",
     "TF32_TF32_F32_X3", "F32_F32_F32", "F64_F64_F64"],
    None, "Control the default matmul and conv precision for 32bit inputs.",
    in_trace_context=True)
numpy_rank_promotion = define_enum_state(
    "jax_numpy_rank_promotion", ["allow", "warn", "raise"], "allow",
    'Control NumPy-style automatic rank promotion broadcasting ("allow", '
    '"warn", or "raise").', in_trace_context=True)
numpy_dtype_promotion = define_enum_state(
    "jax_numpy_dtype_promotion", ["standard", "strict"], "standard",
    'Rules for implicit type promotion between arrays: "standard" or '
    '"strict" (differing strong dtypes are an error).',
    in_trace_context=True)
debug_nans = define_bool_state(
    "jax_debug_nans", False,
    "Add nan checks to every operation; on a nan re-run un-compiled to find "
    "the operation that produced it.", in_trace_context=True)
debug_infs = define_bool_state(
    "jax_debug_infs", False,
    "Add inf checks to every operation; on an inf re-run un-compiled to find "
    "the operation that produced it.", in_trace_context=True)


def _validate_default_device(val):
  if val is None or val in ("cpu", "gpu", "tpu", "cuda", "rocm"):
    return
  if isinstance(val, str) or not hasattr(val, "platform"):
    raise ValueError(
        "jax.default_device must be passed either a Device object (e.g. "
        "`jax.devices('cpu')[0]`) or a platform name string like 'cpu' or "
        f"'gpu', got: {val!r}")


default_device = define_object_state(
    "jax_default_device", None,
    "Default device (a Device or a platform name) for JAX operations and "
    "jit'd calls. None uses the system default device.",
    validator=_validate_default_device, in_trace_context=True)
threefry_partitionable = define_bool_state(
    "jax_threefry_partitionable", True,
    "Use the partitionable threefry PRNG implementation.",
    in_trace_context=True)

disable_jit = define_bool_state(
    "jax_disable_jit", False,
    "Disable JIT compilation and just call original Python.",
    # In the trace context so that jit's cached fast path misses when it is on.
    in_trace_context=True)
jax_platforms = define_string_state(
    "jax_platforms", None,
    "Comma-separated list of platform names (e.g. 'cpu,gpu') to initialize; "
    "the first is the default platform. JAXLITE_PLATFORMS is an alias of "
    "the JAX_PLATFORMS environment variable.",
    env_names=("JAXLITE_PLATFORMS",))
platform_name = define_string_state(
    "jax_platform_name", (os.getenv("JAX_PLATFORM_NAME") or "").lower(),
    "Deprecated, please use --jax_platforms instead.")
num_cpu_devices = define_int_state(
    "jax_num_cpu_devices", -1,
    "Number of CPU devices to use. -1 uses the backend's default (1); set "
    "it before the CPU backend is initialized.")
compilation_cache_dir = define_string_state(
    "jax_compilation_cache_dir", None,
    "Path of the persistent compilation cache.")
enable_compilation_cache = define_bool_state(
    "jax_enable_compilation_cache", True,
    "If false, the persistent compilation cache is disabled.")
persistent_cache_min_compile_time_secs = define_float_state(
    "jax_persistent_cache_min_compile_time_secs", 1.0,
    "Minimum compile time of a computation to be written to the persistent "
    "compilation cache.")
persistent_cache_min_entry_size_bytes = define_int_state(
    "jax_persistent_cache_min_entry_size_bytes", 0,
    "Minimum size of an entry to be written to the persistent compilation "
    "cache.")
traceback_filtering = define_enum_state(
    "jax_traceback_filtering",
    ["off", "tracebackhide", "remove_frames", "quiet_remove_frames", "auto"],
    "auto", "Controls how JAX filters internal frames out of tracebacks.")
enable_checks = define_bool_state(
    "jax_enable_checks", False,
    "Turn on invariant checking for JAX internals. Makes things slower.")
check_tracer_leaks = define_bool_state(
    "jax_check_tracer_leaks", False,
    "Turn on checking for leaked tracers as soon as a trace completes.")
log_compiles = define_bool_state(
    "jax_log_compiles", False,
    "Log a message (at WARNING level) each time jit or pmap compiles.")
include_full_tracebacks_in_locations = define_bool_state(
    "jax_include_full_tracebacks_in_locations", True,
    "Include Python tracebacks in MLIR locations in IR emitted by JAX.")
traceback_in_locations_limit = define_int_state(
    "jax_traceback_in_locations_limit", 100,
    "Limit the number of frames at the Python traceback frames included in MLIR "
    "locations. If set to the negative value, traceback will not be limited.")
hlo_source_file_canonicalization_regex = define_string_state(
    "jax_hlo_source_file_canonicalization_regex", None,
    "Used to canonicalize the source_path metadata of HLO instructions by removing the "
    "given regex. If set, re.sub() is called on each source_file with the given regex, "
    "and all matches are removed.", in_trace_context=True)
explain_cache_misses = define_bool_state(
    "jax_explain_cache_misses", False,
    "Log an explanation each time a main cache (e.g. tracing) misses.")
default_prng_impl = define_enum_state(
    "jax_default_prng_impl",
    ["threefry2x32", "threefry4x32", "rbg", "unsafe_rbg", "philox2x32",
     "philox4x32"],
    "threefry2x32", "The default PRNG implementation.")
enable_custom_prng = define_bool_state(
    "jax_enable_custom_prng", False,
    "Enables custom pseudo-random number generator implementations.")
legacy_prng_key = define_enum_state(
    "jax_legacy_prng_key", ["allow", "warn", "error"], "allow",
    "How to treat legacy (uint32) PRNG keys.")
debug_key_reuse = define_bool_state(
    "jax_debug_key_reuse", False, "Check for PRNG key reuse.")
random_seed_offset = define_int_state(
    "jax_random_seed_offset", 0, "Offset added to every PRNG seed.")
default_dtype_bits = define_enum_state(
    "jax_default_dtype_bits", ["32", "64"], "64",
    "Bit width of the default dtypes (an option older JAX versions had).")
explicit_x64_dtypes = define_enum_state(
    "jax_explicit_x64_dtypes", ["warn", "error", "allow"], "warn",
    "With x64 off, what explicitly requested 64-bit dtypes do: warn and "
    "truncate, raise, or be allowed.")
softmax_custom_jvp = define_bool_state(
    "jax_softmax_custom_jvp", False,
    "Use a custom JVP rule for jax.nn.softmax.")
transfer_guard = define_enum_state(
    "jax_transfer_guard",
    ["allow", "log", "disallow", "log_explicit", "disallow_explicit"], None,
    "Guard for all host/device transfers.")
