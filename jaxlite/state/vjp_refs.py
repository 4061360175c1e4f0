"""``jax.ad``: how ``f_vjp.with_refs(...)`` is told, per input, where its
cotangent goes: returned as a value (``GradValue()``), accumulated into a
ref (pass the ref; the result then holds ``GradRef()``) or not wanted
(``DontWant()``; the result holds ``DidntWant()``).

  >>> import jaxlite, jaxlite.numpy as jnp
  >>> _, f_vjp = jaxlite.vjp(lambda x, y: (x * y).sum(), jnp.ones(2), jnp.ones(2))
  >>> acc = jaxlite.new_ref(jnp.zeros(2))
  >>> f_vjp.with_refs(acc, jaxlite.ad.DontWant())(3.0)
  (GradRef(), DidntWant())
  >>> acc
  Ref([3., 3.], dtype=float32)
"""
from __future__ import annotations

import dataclasses
from types import SimpleNamespace

from jaxlite import tree_util
from jaxlite.state.types import Ref


@dataclasses.dataclass(frozen=True, slots=True)
class GradValue:
  """Asks for an input's cotangent as a value."""


@dataclasses.dataclass(frozen=True, slots=True)
class GradRef:
  """Stands in the result for a cotangent accumulated into a ref."""


@dataclasses.dataclass(frozen=True, slots=True)
class DontWant:
  """Asks for no cotangent for an input."""


@dataclasses.dataclass(frozen=True, slots=True)
class DidntWant:
  """Stands in the result for a cotangent not asked for."""


# GradRef and DidntWant are pytrees without leaves, as in JAX.
tree_util.register_pytree_node(GradRef, lambda x: ((), None), lambda aux, children: GradRef())
tree_util.register_pytree_node(DidntWant, lambda x: ((), None),
                               lambda aux, children: DidntWant())

ad = SimpleNamespace(DontWant=DontWant, DidntWant=DidntWant, GradRef=GradRef,
                     GradValue=GradValue)


def with_refs(f_vjp, maybe_ct_refs):
  """The backward function of ``f_vjp`` that sends each input's cotangent
  where ``maybe_ct_refs`` (one entry per input, in the inputs' structure) says."""
  from jaxlite import lax
  from jaxlite.state import primitives
  if maybe_ct_refs:
    targets, tree = tree_util.tree_flatten(maybe_ct_refs)
    if tree != f_vjp.in_tree:
      raise Exception   # JAX's (a TODO there: no message)
  else:
    targets = [GradValue()] * f_vjp.in_tree.num_leaves

  def backward(out_ct):
    cts = tree_util.tree_leaves(f_vjp(out_ct))
    results = []
    for target, ct in zip(targets, cts):
      if isinstance(target, DontWant):
        results.append(DidntWant())
      elif isinstance(target, Ref):
        ct = lax.convert_element_type(ct, target.dtype) if ct.dtype != target.dtype else ct
        primitives.ref_addupdate(target, ..., ct)
        results.append(GradRef())
      else:
        results.append(ct)
    return tree_util.tree_unflatten(f_vjp.in_tree, results)
  return backward
