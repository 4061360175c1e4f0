"""Where a new ref is made: at the innermost transformation (JAX's "current
trace"), not at its initial value's. Inside a function being differentiated
a ref gets a tangent ref even when its initial value does not depend on the
inputs; inside a vmapped function it holds one value per example. Then
differentiated or batched values may be written into it, as in JAX.

  >>> import jaxlite, jaxlite.numpy as jnp
  >>> def f(x):
  ...   r = jaxlite.new_ref(0.0)   # a constant initial value
  ...   r[...] = x * x             # a differentiated value written into it
  ...   return r[...]
  >>> jaxlite.grad(f)(3.0)
  Array(6., dtype=float32, weak_type=True)
"""
from __future__ import annotations

from jaxlite import core
from jaxlite.state import primitives as prims


def _arg_level(args) -> int:
  return max([a._trace.main.level for a in args if isinstance(a, core.Tracer)], default=-1)


def allocate(primitive, args, params, level):
  """``primitive`` (new_ref or empty_ref) bound at trace-stack ``level`` or below."""
  from jaxlite.interpreters import ad, batching
  stack = core._thread_state.trace_stack
  main = stack[level]
  if level <= 0 or main.level < _arg_level(args):
    return _plain(primitive, args, params)
  if main.trace_type is ad.JVPTrace:
    return _allocate_jvp(primitive, ad.JVPTrace(main), args, params, level)
  if main.trace_type is batching.BatchTrace:
    return _allocate_batched(primitive, batching.BatchTrace(main), args, params, level)
  if main.level == _arg_level(args) or main is core._thread_state.dynamic_main:
    return _plain(primitive, args, params)   # this trace's own values: its rule
  return allocate(primitive, args, params, level - 1)


def _plain(primitive, args, params):
  prims._allocating.active = True
  try:
    return primitive.bind_plainly(*args, **params)
  finally:
    prims._allocating.active = False


def _allocate_jvp(primitive, trace, args, params, level):
  from jaxlite.interpreters import ad
  tracers = [trace.full_raise(a) for a in args]
  primal_ref = allocate(primitive, [t.primal for t in tracers], params, level - 1)
  if primitive is prims.new_ref_p:
    tangent = tracers[0].tangent
    if type(tangent) is ad.Zero:
      tangent = _staged_zeros(trace.main, tangent.aval)
    tangent_ref = allocate(primitive, [tangent], params, level - 1)
  else:
    tangent_ref = allocate(primitive, [], dict(params, ty=ad.tangent_aval(params["ty"])),
                           level - 1)
  return ad.JVPTracer(trace, primal_ref, tangent_ref)


def _staged_zeros(jvp_main, aval):
  """Zeros for a tangent ref. Under linearize (a partial-evaluation trace
  right below the JVP trace) they are staged there, so that the tangent ref
  is an unknown value whose reads and writes are all staged in order."""
  from jaxlite.interpreters import ad
  from jaxlite.interpreters import partial_eval as pe
  zeros = ad.zeros_like_aval(aval)
  below = core._thread_state.trace_stack[jvp_main.level - 1]
  if below.trace_type is pe.JaxprTrace:
    # A staged copy of known zeros (JaxprTrace.stage records it as unknown).
    from jaxlite.lax.misc import copy_p
    trace = pe.JaxprTrace(below)
    return trace.stage(copy_p, [trace.pure(zeros)], {})
  return zeros


def _allocate_batched(primitive, trace, args, params, level):
  from jaxlite.interpreters import batching
  size = trace.axis_data.size
  if primitive is prims.new_ref_p:
    tracer = trace.full_raise(args[0])
    if tracer.batch_dim is batching.not_mapped:
      value = batching.broadcast(tracer.val, size, 0)
    else:
      value = batching.moveaxis(tracer.val, tracer.batch_dim, 0)
    ref = allocate(primitive, [value], params, level - 1)
  else:
    ty = params["ty"]
    ref = allocate(primitive, [], dict(params, ty=ty.update(shape=(size, *ty.shape))),
                   level - 1)
  return batching.BatchTracer(trace, ref, 0)
