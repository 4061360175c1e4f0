"""``jax_debug_nans`` and ``jax_debug_infs``, as JAX 0.10.2 implements them.

With either option on, every program's floating outputs are checked on the
host after it runs:

* an eager operation that produced a NaN (or an infinity) raises
  ``FloatingPointError("invalid value (nan) encountered in div")``, naming its
  primitive;
* a jitted function prints that it calls "the de-optimized version" and runs
  its Python function again without ``jit``, operation by operation, so that
  the eager check above names the primitive at fault (a ``ZeroDivisionError``
  from Python arithmetic passes through too); if that run produces no invalid
  value, JAX's long FloatingPointError says so.

The checks cost nothing while both options are off: jit programs compiled
with an option on get result handlers that check (the options are part of
the jit cache key), and eager dispatch reads the two options once per call.

  >>> import jaxlite, jaxlite.numpy as jnp
  >>> with jaxlite.debug_nans(True):
  ...   jnp.log(jnp.float32(-1))
  Traceback (most recent call last):
  ...
  FloatingPointError: invalid value (nan) encountered in log
"""
from __future__ import annotations

import numpy as np

from jaxlite.config import config


class InternalFloatingPointError(Exception):
  """A checked output held a NaN or an infinity (``ty`` is "nan" or "inf");
  turned into the user-facing FloatingPointError where the call is known."""

  def __init__(self, name: str, ty: str):
    super().__init__(name, ty)
    self.name = name
    self.ty = ty


def checks_wanted() -> tuple[bool, bool]:
  """(check NaNs, check infinities) for this thread."""
  return bool(config.jax_debug_nans), bool(config.jax_debug_infs)


def check_host_value(name: str, value: np.ndarray, nans: bool, infs: bool) -> None:
  """Raises InternalFloatingPointError if ``value`` (inexact) holds what is checked."""
  if value.dtype.kind not in "fc" and value.dtype.name != "bfloat16":
    return
  if nans and np.any(np.isnan(value)):
    raise InternalFloatingPointError(name, "nan")
  if infs and np.any(np.isinf(value)):
    raise InternalFloatingPointError(name, "inf")


def checking_handler(handler, aval, nans: bool, infs: bool):
  """``handler`` (a jaxlib result handler) that checks the array it builds."""
  if not (np.dtype(aval.dtype).kind in "fc" or np.dtype(aval.dtype).name == "bfloat16"):
    return handler

  def check(arr):
    host, _ = arr._single_device_array_to_np_array_did_copy()
    check_host_value("", np.asarray(host), nans, infs)
    return arr
  return handler.pre_wrap(check)


def check_eager_outputs(primitive, outs) -> None:
  """After an eager ``primitive``: JAX's FloatingPointError naming it."""
  nans, infs = checks_wanted()
  if not (nans or infs):
    return
  for out in outs:
    try:
      check_host_value(primitive.name, np.asarray(out), nans, infs)
    except InternalFloatingPointError as e:
      raise FloatingPointError(
          f"invalid value ({e.ty}) encountered in {primitive.name}") from None


def rerun_deoptimized(error: InternalFloatingPointError, jit_name: str, fun, args, kwargs):
  """What JAX does when a jitted call's output holds an invalid value: run the
  function again op by op, and raise what that run raises, or explain."""
  print("Invalid nan value encountered in the output of a jax.jit "
        "function. Calling the de-optimized version.")
  try:
    fun(*args, **kwargs)
  except (FloatingPointError, ZeroDivisionError) as e2:
    raise e2 from None
  raise FloatingPointError(
      f"{str((jit_name, error.ty))}. Because "
      "jax_config.debug_nans.value and/or config.jax_debug_infs is set, the "
      "de-optimized function (i.e., the function as if the `jit` "
      "decorator were removed) was called in an attempt to get a more "
      "precise error message. However, the de-optimized function did not "
      "produce invalid values during its execution. This behavior can "
      "result from `jit` optimizations causing the invalid value to be "
      "produced. It may also arise from having nan/inf literals as "
      "inputs or outputs, like `jax.jit(lambda ...: jax.numpy.nan)(...)`. "
      "\n\n"
      "It may be possible to avoid the invalid value by removing the "
      "`jit` decorator, at the cost of losing optimizations. "
      "\n\n"
      "If you see this error, consider opening a bug report at "
      "https://github.com/jax-ml/jax.") from None
