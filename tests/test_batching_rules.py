"""Every lax primitive's batching rule against a Python loop over examples.

The table walks the primitives that ``jaxlite.lax`` exports, so primitives
that land later are picked up: elementwise ones (unary/binary with no
parameters) get cases generated from their abstract evaluation, the others
need an entry in ``CASES``; ``test_every_lax_primitive_has_a_batching_case``
fails naming any primitive without one. Each case runs under several batch
configurations (the batch axis first, last, in the middle, and mixes of
batched and unbatched operands) and is compared with stacking the results of
calling the function on one example at a time.
"""
from __future__ import annotations

import functools
import inspect

import numpy as np
import pytest

import jaxlite
from jaxlite import core, lax
from jaxlite.interpreters import batching

B = 3   # batch size


def _lax_primitives():
  """Every Primitive reachable from jaxlite.lax's namespace (and its submodules')."""
  seen = {}
  modules = [lax] + [v for v in vars(lax).values() if type(v) is type(lax)]
  for mod in modules:
    for v in vars(mod).values():
      if isinstance(v, core.Primitive):
        seen[v.name] = v
  return seen


# --- example data -------------------------------------------------------------------------------

_rng = np.random.RandomState(0)


def F(*shape, lo=0.1, hi=0.9, dtype=np.float32):
  return _rng.uniform(lo, hi, shape).astype(dtype)


def I(*shape, lo=1, hi=5, dtype=np.int32):
  return _rng.randint(lo, hi, shape).astype(dtype)


def Bool(*shape):
  return _rng.rand(*shape) > 0.5


def C(*shape):
  return (F(*shape) + 1j * F(*shape)).astype(np.complex64)


class Case:
  """``fun(*args)`` with example (per-example) ``args``; ``batchable`` marks the
  operands that may be batched (e.g. not static shapes)."""

  def __init__(self, name, fun, args, batchable=None, rtol=1e-5):
    self.name, self.fun, self.args, self.rtol = name, fun, args, rtol
    self.batchable = batchable or [True] * len(args)

  def __repr__(self):
    return self.name


def _dnums_gather():
  return lax.GatherDimensionNumbers(offset_dims=(1,), collapsed_slice_dims=(0,),
                                    start_index_map=(0,))


def _dnums_scatter():
  return lax.ScatterDimensionNumbers(update_window_dims=(1,), inserted_window_dims=(0,),
                                     scatter_dims_to_operand_dims=(0,))


def _explicit_cases():
  def sum_comp(a, b):
    return lax.add(a, b)
  cases = [
      Case("broadcast_in_dim", lambda x: lax.broadcast_in_dim(x, (2, 4, 3), (0, 2)),
           [F(2, 3)]),
      Case("reshape", lambda x: lax.reshape(x, (3, 2)), [F(2, 3)]),
      Case("reshape_dims", lambda x: lax.reshape(x, (6,), (1, 0)), [F(2, 3)]),
      Case("transpose", lambda x: lax.transpose(x, (2, 0, 1)), [F(2, 3, 4)]),
      Case("squeeze", lambda x: lax.squeeze(x, (1,)), [F(2, 1, 3)]),
      Case("rev", lambda x: lax.rev(x, (0, 1)), [F(2, 3)]),
      Case("pad", lambda x, v: lax.pad(x, v, ((1, 0, 1), (0, 2, 0))), [F(2, 3), F()]),
      Case("concatenate", lambda x, y, z: lax.concatenate([x, y, z], 1),
           [F(2, 3), F(2, 1), F(2, 2)]),
      Case("convert_element_type", lambda x: lax.convert_element_type(x, np.int32),
           [F(2, 3, hi=9)]),
      Case("reduce_sum", lambda x: lax.reduce_sum(x, (0, 2)), [F(2, 3, 4)]),
      Case("reduce_max", lambda x: lax.reduce_max(x, (1,)), [F(2, 3)]),
      Case("reduce_min", lambda x: lax.reduce_min(x, (0,)), [F(2, 3)]),
      Case("reduce_prod", lambda x: lax.reduce_prod(x, (1,)), [F(2, 3)]),
      Case("reduce_and", lambda x: lax.reduce_and(x, (1,)), [Bool(2, 3)]),
      Case("reduce_or", lambda x: lax.reduce_or(x, (0,)), [Bool(2, 3)]),
      Case("reduce_xor", lambda x: lax.reduce_xor(x, (0, 1)), [I(2, 3)]),
      Case("argmax", lambda x: lax.argmax(x, 1, np.int32), [F(2, 3)]),
      Case("argmin", lambda x: lax.argmin(x, 0, np.int32), [F(2, 3)]),
      Case("reduce", lambda x, y: lax.reduce((x, y), (0., 0.),
                                             lambda a, b: (lax.add(a[0], b[0]),
                                                           lax.mul(a[1], b[1])), (1,)),
           [F(2, 3), F(2, 3)], batchable=[True, True]),
      Case("dot_general_vv", lambda x, y: lax.dot_general(x, y, (((0,), (0,)), ((), ()))),
           [F(3), F(3)]),
      Case("dot_general_mm", lambda x, y: lax.dot_general(x, y, (((1,), (0,)), ((), ()))),
           [F(2, 3), F(3, 4)]),
      Case("dot_general_batch", lambda x, y: lax.dot_general(x, y, (((2,), (1,)), ((0,), (0,)))),
           [F(2, 3, 4), F(2, 4, 5)]),
      Case("dot_general_outer", lambda x, y: lax.dot_general(x, y, (((), ()), ((), ()))),
           [F(2), F(3)]),
      Case("slice", lambda x: lax.slice(x, (0, 1), (2, 3), (1, 2)), [F(3, 4)]),
      Case("dynamic_slice", lambda x, i: lax.dynamic_slice(x, (i, 1), (2, 2)),
           [F(4, 3), np.int32(1)]),
      Case("dynamic_slice_clamped", lambda x, i, j: lax.dynamic_slice(x, (i, j), (2, 2)),
           [F(4, 3), np.int32(3), np.int32(0)]),
      Case("dynamic_update_slice", lambda x, u, i: lax.dynamic_update_slice(x, u, (i, 0)),
           [F(4, 3), F(2, 3), np.int32(1)]),
      Case("gather", lambda x, idx: lax.gather(x, idx, _dnums_gather(), (1, 3)),
           [F(4, 3), np.array([[2], [0]], np.int32)]),
      Case("scatter_add", lambda x, idx, u: lax.scatter_add(x, idx, u, _dnums_scatter()),
           [F(4, 3), np.array([[2], [0]], np.int32), F(2, 3)]),
      Case("scatter", lambda x, idx, u: lax.scatter(x, idx, u, _dnums_scatter()),
           [F(4, 3), np.array([[2], [0]], np.int32), F(2, 3)]),
      Case("scatter_mul", lambda x, idx, u: lax.scatter_mul(x, idx, u, _dnums_scatter()),
           [F(4, 3), np.array([[3], [1]], np.int32), F(2, 3)]),
      Case("scatter_max", lambda x, idx, u: lax.scatter_max(x, idx, u, _dnums_scatter()),
           [F(4, 3), np.array([[3], [1]], np.int32), F(2, 3)]),
      Case("scatter_min", lambda x, idx, u: lax.scatter_min(x, idx, u, _dnums_scatter()),
           [F(4, 3), np.array([[3], [1]], np.int32), F(2, 3)]),
      Case("scatter_sub", lambda x, idx, u: lax.scatter_sub(x, idx, u, _dnums_scatter()),
           [F(4, 3), np.array([[3], [1]], np.int32), F(2, 3)]),
      Case("select_n", lambda p, x, y: lax.select_n(p, x, y), [Bool(2, 3), F(2, 3), F(2, 3)]),
      Case("select_n_scalar_pred", lambda p, x, y: lax.select_n(p, x, y),
           [np.bool_(True), F(2, 3), F(2, 3)]),
      Case("clamp", lambda lo, x, hi: lax.clamp(lo, x, hi), [F(2, 3, hi=0.3), F(2, 3),
                                                           F(2, 3, lo=0.6)]),
      Case("clamp_scalar_bounds", lambda lo, x, hi: lax.clamp(lo, x, hi),
           [np.float32(0.3), F(2, 3), np.float32(0.6)]),
      Case("integer_pow", lambda x: lax.integer_pow(x, 3), [F(2, 3)]),
      Case("round", lambda x: lax.round(x, lax.RoundingMethod.TO_NEAREST_EVEN),
           [F(2, 3, hi=5)]),
      Case("bitcast_convert_type", lambda x: lax.bitcast_convert_type(x, np.int32), [F(2, 3)]),
      Case("complex", lambda x, y: lax.complex(x, y), [F(2, 3), F(2, 3)]),
      Case("real", lambda z: lax.real(z), [C(2, 3)]),
      Case("imag", lambda z: lax.imag(z), [C(2, 3)]),
      Case("conj", lambda z: lax.conj(z), [C(2, 3)]),
      Case("cumsum", lambda x: lax.cumsum(x, 1), [F(2, 3)]),
      Case("cumprod", lambda x: lax.cumprod(x, 0, reverse=True), [F(2, 3)]),
      Case("cummax", lambda x: lax.cummax(x, 1), [F(2, 3)]),
      Case("cummin", lambda x: lax.cummin(x, 0), [F(2, 3)]),
      Case("cumlogsumexp", lambda x: lax.cumlogsumexp(x, 1), [F(2, 3)]),
      Case("reduce_window_sum",
           lambda x: lax.reduce_window(x, 0., lax.add, (2, 2), (1, 1), "VALID"), [F(3, 4)]),
      Case("reduce_window_max",
           lambda x: lax.reduce_window(x, -np.inf, lax.max, (1, 2), (1, 2), "SAME"), [F(3, 4)]),
      Case("reduce_window_min",
           lambda x: lax.reduce_window(x, np.inf, lax.min, (2, 1), (1, 1), "VALID"), [F(3, 4)]),
      Case("reduce_window_generic",
           lambda x: lax.reduce_window(x, 1., lax.mul, (2, 2), (1, 1), "VALID"), [F(3, 4)]),
      Case("cond", lambda p, x: lax.cond(p, lax.sin, lax.cos, x), [np.bool_(True), F(2, 3)]),
      Case("switch", lambda i, x: lax.switch(i, [lax.sin, lax.cos, lax.neg], x),
           [np.int32(2), F(2, 3)]),
      Case("while_loop", lambda n, x: lax.while_loop(
          lambda c: lax.lt(c[0], n), lambda c: (lax.add(c[0], 1), lax.mul(c[1], 1.5)),
          (np.int32(0), x)), [np.int32(3), F(2, 3)]),
      Case("fori_loop", lambda x: lax.fori_loop(0, 3, lambda i, c: lax.add(c, c), x),
           [F(2, 3)]),
      Case("scan", lambda c, xs: lax.scan(lambda c, x: (lax.add(c, x), lax.mul(c, x)), c, xs),
           [F(3), F(4, 3)]),
      Case("map", lambda xs: lax.map(lax.sin, xs), [F(4, 3)]),
      Case("expand_dims", lambda x: lax.expand_dims(x, (0, 2)), [F(2, 3)]),
      Case("conv", lambda x, k: lax.conv_general_dilated(x, k, (1,), "SAME"),
           [F(1, 2, 5), F(3, 2, 2)]),
      Case("conv_dilated_groups", lambda x, k: lax.conv_general_dilated(
          x, k, (2,), ((1, 0),), lhs_dilation=(1,), rhs_dilation=(2,),
          feature_group_count=2), [F(2, 4, 6), F(4, 2, 2)]),
      Case("scatter_apply", lambda x, idx: lax.scatter_apply(
          x, idx, lax.neg, lax.ScatterDimensionNumbers((), (0,), (0,))),
          [F(4), np.array([2], np.int32)]),
      Case("digamma_jvp", lambda x, t: jaxlite.jvp(lax.digamma, (x,), (t,)),
           [F(2, 3), F(2, 3)]),
      Case("sort", lambda x: lax.sort(x), [F(2, 4)]),
      Case("sort_multi", lambda k, v: lax.sort((k, v), dimension=0, num_keys=1),
           [I(4, 2, hi=3), F(4, 2)]),
      Case("top_k", lambda x: lax.top_k(x, 2), [F(2, 4)]),
      Case("fft", lambda z: lax.fft(z, lax.FftType.FFT, (4,)), [C(2, 4)], rtol=1e-4),
      Case("rfft2", lambda x: lax.fft(x, lax.FftType.RFFT, (2, 4)), [F(2, 4)], rtol=1e-4),
      Case("reduce_precision", lambda x: lax.reduce_precision(x, 5, 4), [F(2, 3)]),
      Case("copy", lambda x: lax.copy_p.bind(x), [F(2, 3)]),
      Case("reduce_window_max_jvp", lambda x, t: jaxlite.jvp(
          lambda y: lax.reduce_window(y, -np.inf, lax.max, (2,), (1,), "VALID"), (x,), (t,)),
          [F(5), F(5)]),
      Case("reduce_window_max_grad", lambda x: jaxlite.grad(
          lambda y: lax.reduce_sum(lax.reduce_window(y, -np.inf, lax.max, (2,), (2,),
                                                     "VALID"), (0,)))(x), [F(6)]),
  ]
  linalg = getattr(lax, "linalg", None)
  if linalg is not None:
    spd = _spd(3)
    tri = np.tril(F(3, 3)) + 2 * np.eye(3, dtype=np.float32)
    cases += [
        Case("cholesky", lambda a: linalg.cholesky(a), [spd]),
        Case("eigh", lambda a: linalg.eigh(a), [spd], rtol=1e-4),
        Case("eig", lambda a: linalg.eig(a, compute_left_eigenvectors=False), [spd],
             rtol=1e-4),
        Case("svd", lambda a: linalg.svd(a, full_matrices=False), [F(3, 2)], rtol=1e-4),
        Case("qr", lambda a: linalg.qr(a), [F(3, 2)], rtol=1e-4),
        Case("qr_pivoting", lambda a: linalg.qr(a, pivoting=True), [F(3, 3)], rtol=1e-4),
        Case("lu", lambda a: linalg.lu(a), [F(3, 3) + 2 * np.eye(3, dtype=np.float32)]),
        Case("geqrf", lambda a: PRIMS["geqrf"].bind(a), [F(3, 2)], rtol=1e-4),
        Case("geqp3", lambda a: PRIMS["geqp3"].bind(a), [F(3, 3)], rtol=1e-4),
        Case("householder_product", lambda a, t: linalg.householder_product(a, t),
             [F(3, 2), F(2)], rtol=1e-4),
        Case("triangular_solve", lambda a, b: linalg.triangular_solve(
            a, b, left_side=True, lower=True), [tri, F(3, 2)], rtol=1e-4),
        Case("tridiagonal_solve", lambda dl, d, du, b: linalg.tridiagonal_solve(dl, d, du, b),
             [np.concatenate([[0], F(2)]).astype(np.float32), F(3) + 2,
              np.concatenate([F(2), [0]]).astype(np.float32), F(3, 2)], rtol=1e-4),
        Case("schur", lambda a: linalg.schur(a), [spd], rtol=1e-4),
        Case("hessenberg", lambda a: linalg.hessenberg(a), [F(3, 3)], rtol=1e-4),
        Case("lu_pivots_to_permutation", lambda p: linalg.lu_pivots_to_permutation(p, 4),
             [I(3, lo=0, hi=3)]),
        Case("symmetric_product", lambda a, c: linalg.symmetric_product(a, c, beta=0.5),
             [F(3, 2), spd]),
        Case("cholesky_update", lambda r, w: linalg.cholesky_update(r, w),
             [np.triu(F(3, 3)) + 2 * np.eye(3, dtype=np.float32), F(3)], rtol=1e-4),
        Case("tridiagonal", lambda a: linalg.tridiagonal(a), [spd], rtol=1e-4),
        Case("ormqr", lambda a, t, c: linalg.ormqr(a, t, c), [F(3, 2), F(2), F(3, 2)],
             rtol=1e-4),
    ]
  cases += [
      Case("custom_linear_solve", lambda a, b: lax.custom_linear_solve(
          lambda x: lax.dot(a, x), b,
          lambda matvec, r: lax.linalg.triangular_solve(a, r[:, None], left_side=True,
                                                        lower=True)[:, 0]),
           [np.tril(F(3, 3)) + 2 * np.eye(3, dtype=np.float32), F(3)], rtol=1e-4),
      Case("optimization_barrier", lambda x, y: lax.optimization_barrier((x, y)),
           [F(2, 3), F(3)]),
      Case("ragged_dot", lambda l, r, g: lax.ragged_dot(l, r, g),
           [F(5, 2), F(2, 2, 3), np.array([2, 2], np.int32)]),
      Case("approx_max_k", lambda x: lax.approx_max_k(x, 2), [F(2, 5)]),
      Case("split_stack_unstack_tile", lambda x: (
          lax.split(x, (1, 2), 1), lax.stack([x, x], 1), lax.unstack(x, 0),
          lax.tile(x, (2, 1))), [F(2, 3)]),
      Case("scaled_dot", lambda l, r: lax.scaled_dot(l, r, preferred_element_type=np.float32),
           [F(2, 4), F(4, 3)], rtol=1e-2),
      Case("dimension_comparisons", lambda x, y: (
          lax.eq_to_p.bind(x, y), lax.le_to_p.bind(x, y), lax.lt_to_p.bind(x, y)),
           [I(3), I(3)]),
      Case("dce_sink", lambda x: (lax.dce_sink(x), x)[1], [F(2)]),
      Case("regularized_incomplete_beta", lambda a, b, x: lax.betainc(a, b, x),
           [F(4, lo=0.5, hi=3.0), F(4, lo=0.5, hi=3.0), F(4)], rtol=1e-5),
      Case("sharding_constraint", lambda x: lax.with_sharding_constraint(
          x, jaxlite.sharding.NamedSharding(
              jaxlite.sharding.Mesh(np.array(jaxlite.devices()[:1]), ("x",)),
              jaxlite.sharding.PartitionSpec())), [F(2, 3)]),
  ]
  return {c.name: c for c in cases}


def _spd(n):
  m = F(n, n)
  return (m @ m.T + n * np.eye(n)).astype(np.float32)


def _sample_for(aval_kind):
  return {"f": F(2, 3), "i": I(2, 3), "b": Bool(2, 3), "c": C(2, 3)}[aval_kind]


_KINDS = {"f": np.float32, "i": np.int32, "b": np.bool_, "c": np.complex64}


_PUBLIC_NAME = {"and": "bitwise_and", "or": "bitwise_or", "xor": "bitwise_xor",
                "not": "bitwise_not"}


def _public_arity(name):
  """The public lax function for primitive ``name`` and its number of required
  positional arguments (None if there is no such function)."""
  fn = getattr(lax, _PUBLIC_NAME.get(name, name), None)
  if not callable(fn) or isinstance(fn, core.Primitive):
    return None, None
  try:
    params = inspect.signature(fn).parameters.values()
  except (TypeError, ValueError):
    return None, None
  required = [p for p in params if p.default is p.empty and
              p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
  return fn, len(required)


def _generic_elementwise_cases(prims, covered):
  """Primitives whose public function takes one or two arrays of one shape (and
  no other required argument) and returns that shape: cases are generated."""
  cases = {}
  for name, prim in sorted(prims.items()):
    if name in covered or prim.multiple_results:
      continue
    fn, arity = _public_arity(name)
    if arity not in (1, 2):
      continue
    for kind in "fibc":
      aval = core.ShapedArray((2, 3), _KINDS[kind])
      try:
        out = prim.abstract_eval(*([aval] * arity))
      except Exception:
        continue
      if getattr(out, "shape", None) != (2, 3):
        continue
      args = [_sample_for(kind) for _ in range(arity)]
      cases[name] = Case(f"{name}[{kind}]", fn, args)
      break
  return cases


# --- coverage -------------------------------------------------------------------------------------

# Primitives with no batched operand to test: their rule is unreachable by vmap
# of the primitive alone (they take no array operands) or they are collectives,
# tested in test_collectives_vmap.py.
EXEMPT = {
    "iota": "no operands",
    "psum": "collective (test_collectives_vmap.py)",
    "pmax": "collective (test_collectives_vmap.py)",
    "pmin": "collective (test_collectives_vmap.py)",
    "all_gather": "collective (test_collectives_vmap.py)",
    "axis_index": "collective (test_collectives_vmap.py)",
    "ppermute": "collective (test_collectives_vmap.py)",
    "all_to_all": "collective (test_collectives_vmap.py)",
    "reduce_scatter": "collective (test_collectives_vmap.py)",
    "empty": "no operands",
    "platform_index": "no operands",
    # As in JAX 0.10.2, these have no batching rule.
    "composite": "no batching rule (as in JAX)",
    "rng_uniform": "no batching rule (as in JAX)",
    "select_and_scatter": "no batching rule (as in JAX)",
    "create_token": "no operands; tokens are unbatched, no batching rule (as in JAX)",
    "after_all": "tokens are unbatched, no batching rule (as in JAX)",
    "device_put": "batched by placing each operand (tests/test_lax_surface.py)",
    "ragged_all_to_all": "collective without a CPU kernel (raises at lowering on CPU)",
    "psend": "one-sided collective (tests/test_surface_more.py)",
    "precv": "one-sided collective (tests/test_surface_more.py)",
    "rng_bit_generator": "the first key draws for every example, unlike a loop (as in JAX; "
                         "tests/test_surface_more.py)",
}

PRIMS = _lax_primitives()
EXPLICIT = _explicit_cases()


def _primitives_used(case):
  """The primitives in the jaxpr of a case (including inside sub-jaxprs)."""
  try:
    jaxpr = jaxlite.make_jaxpr(case.fun)(*case.args).jaxpr
  except Exception:
    return set()
  names = set()

  def walk(j):
    for eqn in j.eqns:
      names.add(eqn.primitive.name)
      for p in eqn.params.values():
        for sub in core._subjaxprs(p):
          walk(sub)
  walk(jaxpr)
  return names


def _explicit_usable():
  # Cases whose functions exist (a family may not have landed yet).
  out = {}
  for name, case in EXPLICIT.items():
    used = _primitives_used(case)
    if used:
      out[name] = (case, used)
  return out


USABLE = _explicit_usable()
COVERED = set().union(*[u for _, u in USABLE.values()]) if USABLE else set()
GENERIC = _generic_elementwise_cases(PRIMS, COVERED)
ALL_CASES = [c for c, _ in USABLE.values()] + list(GENERIC.values())


def test_every_lax_primitive_has_a_batching_case():
  missing = sorted(set(PRIMS) - COVERED - set(GENERIC) - set(EXEMPT))
  assert not missing, f"lax primitives without a batching test case: {missing}"


def test_every_lax_primitive_has_a_batching_rule():
  from jaxlite.interpreters import batching
  missing = sorted(name for name, p in PRIMS.items() if p not in batching.primitive_batchers
                   and p not in batching.axis_primitive_batchers and name != "iota"
                   and not EXEMPT.get(name, "").endswith("(as in JAX)")
                   and EXEMPT.get(name) != "no operands")
  assert not missing, f"lax primitives without a batching rule: {missing}"


# --- the comparison ---------------------------------------------------------------------------------


def _batch_configs(case):
  """Lists of batch axes, one per operand (None: unbatched): all batched at the
  front, all at the back, and (for several operands) one batched in the middle
  with the others unbatched, and batch axes at different positions."""
  ranks = [np.ndim(a) for a in case.args]
  idx = [i for i, b in enumerate(case.batchable) if b]
  n = len(ranks)
  configs = [[0 if i in idx else None for i in range(n)],
             [ranks[i] if i in idx else None for i in range(n)]]
  if len(idx) > 1:
    for k in idx[:2]:
      configs.append([(ranks[i] + 1) // 2 if i == k else None for i in range(n)])
    configs.append([(ranks[i] if j % 2 else 0) if i in idx else None
                    for j, i in enumerate(range(n))])
  elif ranks[idx[0]] >= 2 and not case.name.endswith(("[f]", "[i]", "[b]", "[c]")):
    configs.append([1 if i == idx[0] else None for i in range(n)])
  unique = []
  for c in configs:
    if c not in unique and any(d is not None for d in c):
      unique.append(c)
  return unique


def _make_batch(x, d):
  """B variations of example ``x`` stacked along axis ``d``."""
  x = np.asarray(x)
  if x.dtype == np.bool_:
    variants = [x ^ (k % 2 == 1) for k in range(B)]
  elif x.dtype.kind in "iu":
    if x.ndim == 0:   # indices: keep them in range but different per example
      variants = [np.asarray(max(int(x) - k, 0), x.dtype) for k in range(B)]
    else:
      variants = [(x + k) % 4 if x.ndim == 2 and x.shape[-1] == 1 and x.max() < 4 else x + k
                  for k in range(B)]
  else:
    variants = [x * (1 + 0.25 * k) for k in range(B)]
  return np.stack([np.asarray(v, x.dtype) for v in variants], axis=d)


def _take(x, d, i):
  return np.take(x, i, axis=d)


@functools.lru_cache(maxsize=None)
def _jitted(fun):
  return jaxlite.jit(fun)


def _loop_reference(fun, args, dims):
  # One example at a time through the (unbatched) jitted function.
  f = _jitted(fun)
  outs = []
  for i in range(B):
    example = [a if d is None else _take(a, d, i) for a, d in zip(args, dims)]
    outs.append([np.asarray(o) for o in jaxlite.tree_util.tree_leaves(f(*example))])
  return [np.stack(col) for col in zip(*outs)]


def _params():
  for case in ALL_CASES:
    yield pytest.param(case, id=case.name)


@pytest.mark.parametrize("case", list(_params()))
def test_batching_rule_matches_loop(case):
  # Every batch configuration of the case in ONE jitted program: one compile
  # per case, not one per configuration (this table is the suite's largest).
  # Each configuration is compared on its own below.
  configs = _batch_configs(case)
  arg_lists = [[a if d is None else _make_batch(a, d) for a, d in zip(case.args, dims)]
               for dims in configs]

  def every_config(arg_lists):
    return [jaxlite.vmap(case.fun, in_axes=tuple(dims))(*args)
            for dims, args in zip(configs, arg_lists)]

  got_all = jaxlite.jit(every_config)(arg_lists)
  for dims, args, got in zip(configs, arg_lists, got_all):
    want = _loop_reference(case.fun, args, dims)
    got = [np.asarray(o) for o in jaxlite.tree_util.tree_leaves(got)]
    assert len(got) == len(want), dims
    for g, w in zip(got, want):
      assert g.shape == w.shape and g.dtype == w.dtype, (dims, g.shape, w.shape, g.dtype, w.dtype)
      if g.dtype.kind in "fc":
        np.testing.assert_allclose(g, w, rtol=case.rtol, atol=1e-6, err_msg=f"batch axes {dims}")
      else:
        np.testing.assert_array_equal(g, w, err_msg=f"batch axes {dims}")


def test_eager_vmap_matches_jit_vmap_for_a_mixed_case():
  # The same rules run eagerly (one dispatch per primitive) and staged.
  case = EXPLICIT["dot_general_batch"]
  dims = (2, None)
  args = [_make_batch(case.args[0], 2), case.args[1]]
  eager = jaxlite.vmap(case.fun, in_axes=dims)(*args)
  staged = jaxlite.jit(jaxlite.vmap(case.fun, in_axes=dims))(*args)
  np.testing.assert_allclose(eager, staged, rtol=1e-6)
  np.testing.assert_allclose(eager, np.stack(_loop_reference(case.fun, args, dims)[0]),
                             rtol=1e-5)
