"""JAX's ``accuracy=`` argument of the unary transcendental functions
(``lax.sin(x, accuracy=lax.Tolerance(atol=1e-6))``): the requested accuracy
travels as the primitive's ``accuracy`` parameter and is lowered to the
StableHLO ``result_accuracy`` attribute, which lets XLA pick an implementation.

Only a set accuracy is bound as a parameter, so jaxprs print ``sin a`` as
JAX's do (JAX hides ``accuracy=None``) and ``sin[accuracy=...] a`` otherwise.
"""
from __future__ import annotations

__all__ = ['Tolerance', 'AccuracyMode']

import enum

from jaxlite.interpreters import ad, batching, mlir


class Tolerance:
  """Tolerances for computing a unary function: at most two of ``atol``,
  ``rtol`` and ``ulps`` (atol with rtol, or atol with ulps).

  >>> from jaxlite import lax
  >>> t = lax.Tolerance(atol=1e-5, ulps=2)
  >>> t.atol, t.rtol, t.ulps
  (1e-05, 0.0, 2)
  """

  def __init__(self, atol: float = 0.0, rtol: float = 0.0, ulps: int = 0):
    if atol < 0.0 or rtol < 0.0 or ulps < 0.0:
      raise ValueError('Tolerances must be non-negative.')
    if atol == 0.0 and rtol == 0.0 and ulps == 0:
      raise ValueError('At least one of atol, rtol, or ulps must be set.')
    self.atol = atol
    self.rtol = rtol
    self.ulps = ulps


class AccuracyMode(enum.Enum):
  """The accuracy modes: ``HIGHEST`` asks for the most accurate implementation,
  ``DEFAULT`` for the backend's usual one.

  >>> from jaxlite import lax
  >>> lax.AccuracyMode.HIGHEST
  <AccuracyMode.HIGHEST: 1>
  """
  HIGHEST = 1
  DEFAULT = 2


def accuracy_attribute(accuracy):
  """The ``#stablehlo.result_accuracy`` attribute for ``accuracy`` (None for None).

  Built inside a lowering (an MLIR context is current)."""
  if accuracy is None:
    return None
  hlo = mlir.hlo()
  if isinstance(accuracy, AccuracyMode):
    return hlo.ResultAccuracyAttr.get(0.0, 0.0, 0, accuracy.name)
  if isinstance(accuracy, Tolerance):
    return hlo.ResultAccuracyAttr.get(float(accuracy.atol), float(accuracy.rtol),
                                      int(accuracy.ulps), "TOLERANCE")
  raise TypeError(f"accuracy must be a lax.Tolerance or a lax.AccuracyMode, got {accuracy!r}")


def bind_with_accuracy(primitive, x, accuracy):
  """``primitive.bind(x)``, with the ``accuracy`` parameter only where it is set."""
  if accuracy is None:
    return primitive.bind(x)
  if not isinstance(accuracy, (Tolerance, AccuracyMode)):
    raise TypeError(f"accuracy must be a lax.Tolerance or a lax.AccuracyMode, got {accuracy!r}")
  return primitive.bind(x, accuracy=accuracy)


def binds_directly(primitive):
  """Declares that the decorated one-operand lax function is exactly
  ``primitive.bind(x)`` when called with its operand alone (as
  :func:`bind_with_accuracy` with ``accuracy=None``): the fast eager path of
  ``jnp.sin`` and its kin (numpy/ufuncs_common.py) may then bind ``primitive``
  itself. The declaration is the ``_binds_primitive`` attribute.

  >>> from jaxlite import lax
  >>> lax.sin._binds_primitive
  sin
  """
  def declare(fun):
    fun._binds_primitive = primitive
    return fun
  return declare


def accept_accuracy(primitive):
  """Lets ``primitive``'s registered rules take an ``accuracy`` parameter.

  The lowering sets ``result_accuracy`` on the op it emits (when that op is
  the primitive's own StableHLO op; a decomposition, e.g. for complex
  operands, keeps XLA's default); the JVP and batching rules run as without
  it (the derivative is computed at the default accuracy)."""
  lower = mlir.lowering_rules[primitive]

  def lowering(ctx, *args, accuracy=None, **params):
    outs = lower(ctx, *args, **params)
    if accuracy is not None:
      values = outs if isinstance(outs, (list, tuple)) else [outs]
      for value in values:
        op = getattr(value, "owner", None)
        if op is not None and "result_accuracy" in _attribute_names(op):
          op.attributes["result_accuracy"] = accuracy_attribute(accuracy)
    return outs
  mlir.register_lowering(primitive, lowering)

  jvp = ad.primitive_jvps[primitive]

  def jvp_rule(primals, tangents, accuracy=None, **params):
    if accuracy is None:
      return jvp(primals, tangents, **params)
    ans = primitive.bind(*primals, accuracy=accuracy, **params)
    _, tangent_out = jvp(primals, tangents, **params)
    return ans, tangent_out
  ad.primitive_jvps[primitive] = jvp_rule

  batch = batching.primitive_batchers[primitive]

  def batch_rule(args, dims, accuracy=None, **params):
    if accuracy is None:
      return batch(args, dims, **params)
    return primitive.bind(*args, accuracy=accuracy, **params), dims[0]
  batching.primitive_batchers[primitive] = batch_rule


def _attribute_names(op):
  """Names an op could carry: the ones its operation definition declares."""
  # The op view (e.g. ``stablehlo.SineOp``) has a ``result_accuracy`` property
  # when the op takes the attribute; an unset attribute reads as absent.
  view = op.opview if hasattr(op, "opview") else op
  return ("result_accuracy",) if hasattr(type(view), "result_accuracy") else ()
