"""How JAX prints some lax equations: parameters implied by the result type or at
their trivial value are left out (``broadcast_in_dim e`` rather than
``broadcast_in_dim[broadcast_dimensions=() shape=(3,) sharding=None] e``), and
``dot_general``'s dimension numbers print as lists.

Example:
  >>> import jaxlite, jaxlite.numpy as jnp
  >>> print(jaxlite.make_jaxpr(lambda x: jnp.zeros(3) + x)(jnp.float32(1.0)))
  { lambda ; a:f32[]. let
      b:f32[3] = broadcast_in_dim 0.0:f32[]
      c:f32[3] = add b a
    in (c,) }
"""
from __future__ import annotations

from jaxlite import jaxpr_printing
from jaxlite.lax import dot_conv, elementwise, structural, transcendental


def _without(eqn, context, settings, drop):
  params = {k: v for k, v in eqn.params.items() if not drop(k, v)}
  return jaxpr_printing.default_pp_eqn(jaxpr_printing.with_params(eqn, params),
                                       context, settings)


def _broadcast_in_dim_rule(eqn, context, settings):
  # The shape and sharding are the binder's type; no broadcast dimensions is trivial.
  return _without(eqn, context, settings,
                  lambda k, v: k in ("shape", "sharding") or
                  (k == "broadcast_dimensions" and not v))


def _convert_element_type_rule(eqn, context, settings):
  return _without(eqn, context, settings, lambda k, v: k == "sharding")


def _dot_general_rule(eqn, context, settings):
  params = {k: v for k, v in eqn.params.items() if v is not None and k != "out_sharding"}
  (lhs_contract, rhs_contract), (lhs_batch, rhs_batch) = params["dimension_numbers"]
  params["dimension_numbers"] = ((list(lhs_contract), list(rhs_contract)),
                                 (list(lhs_batch), list(rhs_batch)))
  return jaxpr_printing.default_pp_eqn(jaxpr_printing.with_params(eqn, params),
                                       context, settings)


def _hide_none(name):
  return lambda eqn, context, settings: _without(
      eqn, context, settings, lambda k, v: k == name and v is None)


jaxpr_printing.pp_eqn_rules[structural.broadcast_in_dim_p] = _broadcast_in_dim_rule
jaxpr_printing.pp_eqn_rules[structural.convert_element_type_p] = _convert_element_type_rule
jaxpr_printing.pp_eqn_rules[dot_conv.dot_general_p] = _dot_general_rule
jaxpr_printing.pp_eqn_rules[elementwise.mul_p] = _hide_none("out_dtype")
# JAX's transcendental primitives carry an ``accuracy`` parameter, hidden when None.
for _prim in (transcendental.exp_p, transcendental.exp2_p, transcendental.log_p,
              transcendental.expm1_p, transcendental.log1p_p, transcendental.tanh_p,
              transcendental.logistic_p, transcendental.sin_p, transcendental.cos_p,
              transcendental.tan_p, transcendental.sqrt_p, transcendental.rsqrt_p,
              transcendental.cbrt_p):
  jaxpr_printing.pp_eqn_rules[_prim] = _hide_none("accuracy")
