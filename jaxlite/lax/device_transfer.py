"""``device_put_p``: JAX's primitive for moving arrays between devices.

Bound eagerly it transfers (through the runtime's ``device_put``); inside a
traced computation it is the identity on values (one device per
computation), and it differentiates and batches as the identity. Each operand
has its own destination (``devices``), source (``srcs``) and copy semantics
(jaxlib's ``ArrayCopySemantics``: reuse the input, always copy, or donate).
"""
from __future__ import annotations

__all__ = ['device_put_p']

from jaxlite import core
from jaxlite.interpreters import ad, batching, mlir

device_put_p = core.Primitive('device_put')
device_put_p.multiple_results = True


def _impl(*xs, devices, srcs, copy_semantics):
  from jaxlib import xla_client
  from jaxlite.runtime.transfer import device_put
  semantics = xla_client.ArrayCopySemantics
  return [device_put(x, device, src=src, donate=copy == semantics.DONATE_INPUT,
                     may_alias=False if copy == semantics.ALWAYS_COPY else None)
          for x, device, src, copy in zip(xs, devices, srcs, copy_semantics)]


device_put_p.def_impl(_impl)
device_put_p.def_abstract_eval(
    lambda *avals, devices, srcs, copy_semantics: [core.raise_to_shaped(a) for a in avals])
mlir.register_lowering(device_put_p, lambda ctx, *xs, **params: list(xs))


def _transpose(cts, *args, devices, srcs, copy_semantics):
  # The cotangent goes back where the value came from.
  outs = [None] * len(args)
  moved = [i for i, x in enumerate(args) if ad.is_undefined_primal(x)]
  live = [i for i in moved if type(cts[i]) is not ad.Zero]
  for i in moved:
    outs[i] = ad.Zero(args[i].aval)
  if live:
    results = device_put_p.bind(*[cts[i] for i in live],
                                devices=tuple(srcs[i] for i in live),
                                srcs=tuple(devices[i] for i in live),
                                copy_semantics=tuple(copy_semantics[i] for i in live))
    for i, r in zip(live, results):
      outs[i] = r
  return outs


def _jvp(primals, tangents, **params):
  outs = device_put_p.bind(*primals, **params)
  tangents_out = [ad.Zero(ad.tangent_aval(core.get_aval(o))) if type(t) is ad.Zero
                  else device_put_p.bind(t, **{k: (v[i],) for k, v in params.items()})[0]
                  for i, (o, t) in enumerate(zip(outs, tangents))]
  return outs, tangents_out


ad.primitive_jvps[device_put_p] = _jvp
ad.primitive_transposes[device_put_p] = _transpose
batching.primitive_batchers[device_put_p] = lambda args, dims, **params: (
    device_put_p.bind(*args, **params), list(dims))
