"""Helpers shared by the ``jaxlite.numpy`` ufunc modules (``ufuncs_arithmetic``,
``ufuncs_math``, ``ufuncs_logical``): dtype queries, host constants and the
factories for one-primitive unary and binary ufuncs.

  >>> _unary("sin", "sin", True)(0.0)
  Array(0., dtype=float32, weak_type=True)
"""
from __future__ import annotations

import numpy as np

from jaxlite import dtypes, lax
from jaxlite.config import config, dispatch_epoch, memo_epoch, mesh_context
from jaxlite.core import Tracer, _thread_state, staging
from jaxlite.interpreters import dispatch
from jaxlite.lax import elementwise as lax_elementwise
from jaxlite.lax import structural as lax_structural
from jaxlite.numpy import promotion
from jaxlite.numpy.promotion import check_arraylike, promote_args, promote_dtypes_inexact
from jaxlite.runtime.array import Array


def _dtype(x):
  return promotion.aval_of(x).dtype


def _is(x, kind) -> bool:
  return dtypes.issubdtype(_dtype(x), kind)


def _full_like(x, value, dtype=None):
  aval = promotion.aval_of(x)
  return lax_structural.full(aval.shape, value, dtype or aval.dtype)


def _constant_like(x, value):
  """A rank-0 host constant of ``x``'s dtype (a literal under jit)."""
  return np.asarray(value, _dtype(x))


def _lax_const(x, value):
  """JAX's ``lax._const``: a Python scalar where ``x`` is a weakly typed rank-0
  value (so a result computed with it stays weak), else :func:`_constant_like`.

  >>> _lax_const(1.0, 0), _lax_const(np.float32(1), 0)
  (0.0, array(0., dtype=float32))
  """
  if dtypes.is_python_scalar(x):
    dt = _dtype(x)
    scalar = dtypes.scalar_type_of(dt)(value)
    # A weak scalar of another width than the default (bfloat16) gets a strong
    # constant of its own dtype, as in JAX.
    return scalar if dtypes.dtype(scalar, canonicalize=True) == dt else np.asarray(scalar, dt)
  return _constant_like(x, value)


def _doc(fun, numpy_name, example, result):
  fun.__doc__ = (f"{fun.__doc__ or ''}\n\n  Elementwise, with NumPy broadcasting and "
                 f"JAX's type promotion; see :func:`numpy.{numpy_name}`.\n\n"
                 f"  >>> import jaxlite.numpy as jnp\n  >>> {example}\n  {result}\n")
  return fun


# Dtypes that promotion leaves as they are, with or without x64: for an Array
# of one of these, a one-argument ufunc's promotion is the identity. Sets the
# ufuncs hold, extended in place once ml_dtypes (loaded lazily) adds its types.
_STABLE_DTYPES: set = set()
_STABLE_INEXACT: set = set()


def _collect_stable_dtypes(ml_dtypes=None):
  _STABLE_DTYPES.update(d for d in dtypes._lattice_dtypes
                        if d.itemsize < 8 or d == np.dtype(np.complex64))
  _STABLE_INEXACT.update(d for d in _STABLE_DTYPES if dtypes.issubdtype(d, np.inexact))


_collect_stable_dtypes()
dtypes.when_ml_dtypes_load(_collect_stable_dtypes)


def _direct_primitive(lax_fun):
  """The primitive that ``lax_fun`` declares it binds to its operand as it is
  (``jaxlite.lax.accuracy.binds_directly``: ``lax.sin`` is
  ``sin_p.bind(x)``), or None."""
  primitive = getattr(lax_fun, "_binds_primitive", None)
  if primitive is None or primitive.multiple_results:
    return None
  return primitive


def _remember_eager(eager_cache, primitive, aval, params=()):
  """Files the executable that ``primitive.bind(x, **params)`` just ran for an
  uncommitted ``x`` of ``aval`` (dispatch's key for it) under the short key
  ``(primitive, aval)`` that the fast paths look up, with the configuration it
  is valid for (``params`` must follow from ``aval``). Not while
  debug_nans/debug_infs are on: those check every eager result."""
  exe = eager_cache.get((primitive, (aval,), params, None))
  # Not under set_mesh either: eager results go on the mesh there, and an
  # executable found here is a single-device one from outside it.
  if exe is not None and not config.jax_debug_nans and not config.jax_debug_infs and \
      mesh_context.value is None:
    # The dispatch epoch (read first: an update in between then only misses),
    # as jit's memos note it: None while a scoped option is held or a thread stages.
    epoch = memo_epoch()
    hit = (exe, config.trace_context(), config._generation, epoch)
    eager_cache[(primitive, aval)] = hit
    dispatch.last_eager_run[primitive] = (aval,) + hit


_trace_cache = config._trace_cache   # the per-thread trace context (config.trace_context)
_new_object = object.__new__


def eager_executable(primitive, x, aval):
  """The executable that runs ``primitive`` eagerly on ``x``, an uncommitted
  Array of ``aval`` (``type(x) is Array``), when the op ran so on this aval
  before, on the default device and under the same configuration, and no
  trace stages in this thread; else None (then ``primitive.bind`` decides).
  Its callers run it in their own frame: a frame alive during execution costs
  ~1K instructions more (jaxlib's traceback capture materialises it).

  >>> import jaxlite.numpy as jnp
  >>> from jaxlite import lax
  >>> x = jnp.ones(3)
  >>> _, _ = jnp.sin(x), jnp.sin(x)   # the first call looks sin up, the second files it
  >>> eager_executable(lax.sin_p, x, x.aval) is not None
  True
  """
  # The primitive's last eager run, when it was on this very aval (the
  # steady state), spares hashing the aval for the cache key.
  hit = dispatch.last_eager_run.get(primitive)
  if hit is None or hit[0] is not aval:
    hit = dispatch._cache.get((primitive, aval))
    if hit is None:
      return None
    hit = dispatch.last_eager_run[primitive] = (aval,) + hit
  # The same trace context and no staging trace in this thread: one
  # process-wide number while no thread holds a scoped option or stages (see
  # config.dispatch_epoch), else this thread's context and staging level
  # (thread-local lookups, ~500 instructions each).
  if (dispatch_epoch[0] == hit[4] or (
      hit[2] is _trace_cache.context and hit[3] == config._generation and (
          not staging[0] or _thread_state.dynamic_main.level == 0))) and not x._committed:
    return hit[1]
  return None


def bind_eager_one(primitive, x, aval, params_of):
  """``primitive.bind(x, **params_of(aval))`` for an Array ``x`` of ``aval``
  (``type(x) is Array``), where the parameters follow from ``aval`` (e.g. a
  total's axes). Once that ran eagerly on this aval, on the default device and
  under the same configuration, its executable runs directly (the eager hot
  path of ``jnp.sum(x)``).

  >>> import jaxlite.numpy as jnp
  >>> from jaxlite import lax
  >>> x = jnp.ones(3)
  >>> bind_eager_one(lax.reduce_sum_p, x, x.aval, lambda aval: {"axes": (0,)})
  Array(3., dtype=float32)
  """
  exe = eager_executable(primitive, x, aval)
  if exe is not None:
    try:
      buf = exe.loaded.execute_sharded((x._buf,)).consume_with_handlers(exe.handlers)[0]
    except Exception:  # noqa: BLE001 - e.g. a deleted operand: bind raises JAX's error
      pass
    else:
      out = _new_object(Array)   # Array(buf, aval, None, committed), inlined (see dispatch._new_object)
      out._buf = buf
      out.aval = exe.out_avals[0]
      out._committed = exe.committed
      return out
  return bind_and_remember(primitive, x, aval, params_of(aval))


def bind_and_remember(primitive, x, aval, params):
  """``primitive.bind(x, **params)``, remembering its executable for
  ``eager_executable`` when it ran eagerly on an uncommitted ``x``."""
  out = primitive.bind(x, **params)
  if _thread_state.dynamic_main.level == 0 and not x._committed:
    _remember_eager(dispatch._cache, primitive, aval, tuple(params.items()))
  return out


def _unary(name, lax_name, inexact=False, doc=None):
  """A one-argument ufunc that promotes (to inexact if asked) and binds one lax op."""
  stable = _STABLE_INEXACT if inexact else _STABLE_DTYPES
  primitive = None

  def fun(x, /):
    nonlocal primitive
    if primitive is not None:
      if type(x) is Array:
        aval = x.aval
        if aval.dtype in stable:
          # The eager hot path: nothing to check or promote; once this op ran
          # eagerly on this aval (on the default device, under the same
          # configuration), its executable runs directly, in this frame
          # (bind_eager_one, inlined: see eager_executable).
          exe = eager_executable(primitive, x, aval)
          if exe is not None:
            try:
              buf = exe.loaded.execute_sharded((x._buf,)).consume_with_handlers(
                  exe.handlers)[0]
            except Exception:  # noqa: BLE001 - e.g. a deleted operand: bind raises JAX's error
              pass
            else:
              out = _new_object(Array)
              out._buf = buf
              out.aval = exe.out_avals[0]
              out._committed = exe.committed
              return out
          return bind_and_remember(primitive, x, aval, {})
      elif isinstance(x, Tracer) and x.aval.dtype in stable:
        return primitive.bind(x)   # traced: promotion would return x as it is
    # The lax function is looked up on the first call (lax is complete by then).
    lax_fun = getattr(lax, lax_name)
    primitive = _direct_primitive(lax_fun)
    check_arraylike(name, x)
    (x,) = promote_dtypes_inexact(x) if inexact else promotion.promote_dtypes(x)
    return lax_fun(x)
  fun.__name__ = fun.__qualname__ = name
  fun.__doc__ = doc
  return fun


def reject_out_where(name, args, out, where):
  """JAX's errors for the ``out=``/``where=`` a ufunc object does not support
  (called only when one of them is given)."""
  check_arraylike(name, *args)
  if out is not None:
    raise NotImplementedError(f"out argument of <jnp.ufunc '{name}'>")
  raise NotImplementedError(f"where argument of <jnp.ufunc '{name}'>")


def _binary(name, lax_name, promote=promote_args, doc=None, ufunc=False):
  """A two-argument ufunc that promotes and binds one lax op; ``ufunc=True``
  for those JAX makes ufunc objects: they take ``out=``/``where=``."""
  def fun(x1, x2, /):
    x1, x2 = promote(name, x1, x2)
    return getattr(lax, lax_name)(x1, x2)

  primitive = getattr(lax_elementwise, f"{lax_name}_p", None) if ufunc else None

  def ufunc_fun(x1, x2, /, *, out=None, where=None):
    if out is not None or where is not None:
      reject_out_where(name, (x1, x2), out, where)
    if type(x1) is Array and type(x2) is Array and x1.aval == x2.aval:
      return primitive.bind(x1, x2)   # eager operands that agree: nothing to promote
    x1, x2 = promote(name, x1, x2)
    return getattr(lax, lax_name)(x1, x2)
  fun = ufunc_fun if ufunc else fun
  fun.__name__ = fun.__qualname__ = name
  fun.__doc__ = doc
  return fun
