"""Crash safety: malformed inputs (wrong ranks, NaN/Inf, zero-size arrays,
huge shapes, mismatched dtypes, bad collective permutations, invalid gather
indices) raise Python exceptions, never abort the interpreter.

Every case runs in one subprocess that prints a line before and after each
case: a signal kills only the subprocess, and the last line names the culprit.
"""
import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest

SCRIPT = textwrap.dedent(r'''
  import json, os, sys
  os.environ["XLA_FLAGS"] = "--xla_force_host_platform_device_count=4"
  import numpy as np
  import jaxlite as jax, jaxlite.numpy as jnp
  from jaxlite import lax

  x = jnp.arange(6.0).reshape(2, 3)
  v = jnp.arange(4.0)
  i1 = jnp.zeros((1, 1), jnp.int32)
  GDN = lax.GatherDimensionNumbers
  SDN = lax.ScatterDimensionNumbers
  pm = lambda f: jax.pmap(f, axis_name="i")(jnp.arange(4.0))

  def gather(offset_dims, collapsed, start_map, sizes, idx=i1):
    return lax.gather(x, idx, GDN(offset_dims=offset_dims, collapsed_slice_dims=collapsed,
                                  start_index_map=start_map), sizes)

  CASES = {
    # wrong ranks and dimension numbers
    "dot_rank": lambda: lax.dot_general(x, v, (((1,), (0,)), ((), ()))),
    "dot_dim_oob": lambda: lax.dot_general(x, x, (((5,), (1,)), ((), ()))),
    "transpose_dup": lambda: lax.transpose(x, (0, 0)),
    "bid_oob": lambda: lax.broadcast_in_dim(v, (4, 4), (7,)),
    "slice_oob": lambda: lax.slice(x, (0, 0), (5, 5)),
    "slice_zero_stride": lambda: lax.slice(x, (0, 0), (2, 3), (0, 1)),
    "dynamic_slice_big": lambda: lax.dynamic_slice(x, (0, 0), (3, 3)),
    "pad_negative": lambda: lax.pad(v, 0.0, [(-3, -3, 0)]),
    "reduce_axes_oob": lambda: lax.reduce_sum(x, (3,)),
    "concat_dim_oob": lambda: lax.concatenate([x, x], 4),
    "squeeze_non1": lambda: lax.squeeze(x, (0,)),
    "conv_rank": lambda: lax.conv(jnp.ones((1, 1, 4)), jnp.ones((1, 1, 2, 2)), (1,), "VALID"),
    "conv_zero_stride": lambda: lax.conv(jnp.ones((1, 1, 4, 4)), jnp.ones((1, 1, 2, 2)),
                                         (0, 0), "VALID"),
    "reduce_window_zero_stride": lambda: lax.reduce_window(v, 0.0, lax.add, (2,), (0,),
                                                           "VALID"),
    "top_k_too_big": lambda: lax.top_k(v, 10),
    "iota_negative": lambda: lax.iota(np.int32, -1),
    "full_negative": lambda: lax.full((2, -3), 1.0),
    "uniform_negative_shape": lambda: jax.random.uniform(jax.random.PRNGKey(0), (-1,)),
    "cholesky_nonsquare": lambda: jnp.linalg.cholesky(x),
    # NaN/Inf: computed, as NumPy/XLA define them
    "log_of_negative": lambda: jnp.log(-v),
    "divide_by_zero": lambda: v / 0.0,
    "int_divide_by_zero": lambda: jnp.arange(4) // 0,
    "nan_to_int": lambda: jnp.array([np.nan, np.inf, -np.inf]).astype(jnp.int32),
    "inv_singular": lambda: jnp.linalg.inv(jnp.zeros((3, 3))),
    "eigh_nan": lambda: jnp.linalg.eigh(jnp.full((3, 3), np.nan))[0],
    "sort_nan": lambda: jnp.sort(jnp.array([np.nan, 1.0, -np.inf])),
    "int_min_div_minus_one": lambda: jnp.int32(-2 ** 31) // jnp.int32(-1),
    # zero-size arrays
    "empty_sum": lambda: jnp.zeros((0, 3)).sum(0),
    "empty_max": lambda: jnp.zeros((0,)).max(),
    "empty_argmax": lambda: jnp.argmax(jnp.zeros((0,))),
    "empty_matmul": lambda: jnp.zeros((0, 3)) @ jnp.zeros((3, 0)),
    "empty_inv": lambda: jnp.linalg.inv(jnp.zeros((0, 0))),
    "empty_svd": lambda: jnp.linalg.svd(jnp.zeros((0, 3)))[1],
    "empty_fft": lambda: jnp.fft.fft(jnp.zeros((0,))),
    "empty_jit": lambda: jax.jit(lambda a: a * 2 + a.sum())(jnp.zeros((0, 5))),
    "empty_grad": lambda: jax.grad(lambda a: a.sum())(jnp.zeros((0,))),
    "empty_scan": lambda: lax.scan(lambda c, a: (c + a, a), 0.0, jnp.zeros((0,)))[1],
    "empty_index": lambda: jnp.zeros((0, 3))[0],
    # huge shapes: XLA aborts the process on element counts that overflow int64
    "huge_out_of_memory": lambda: jnp.zeros((2 ** 40,), jnp.int8).block_until_ready(),
    "huge_2d_overflow": lambda: jnp.zeros((2 ** 31, 2 ** 31)),
    "huge_overflow": lambda: jnp.zeros((2 ** 62, 4)),
    "huge_beyond_int64": lambda: jnp.zeros((2 ** 63,)),
    "huge_broadcast": lambda: jnp.broadcast_to(v[:1], (2 ** 62,)),
    "huge_pad": lambda: lax.pad(v, 0.0, [(2 ** 62, 0, 0)]),
    "huge_under_jit": lambda: jax.jit(lambda: jnp.ones((2 ** 31, 2 ** 32)))(),
    "huge_random": lambda: jax.random.normal(jax.random.PRNGKey(0), (2 ** 62,)),
    # mismatched and invalid dtypes
    "lax_add_dtypes": lambda: lax.add(v, jnp.arange(4)),
    "bitwise_on_float": lambda: lax.bitwise_and(v, v),
    "object_array": lambda: jnp.asarray(np.array([object()])),
    "string_array": lambda: jnp.asarray(np.array(["a"])),
    "ragged_list": lambda: jnp.array([[1, 2], [3]]),
    "convert_to_object": lambda: lax.convert_element_type(v, object),
    "float0_arithmetic": lambda: jnp.zeros(3, jax.dtypes.float0) + 1,
    "cond_on_vector": lambda: lax.cond(jnp.ones(3), lambda: 1.0, lambda: 2.0),
    # bad collectives
    "ppermute_duplicate_source": lambda: pm(lambda a: lax.ppermute(a, "i", [(0, 1), (0, 2)])),
    "ppermute_out_of_range": lambda: pm(lambda a: lax.ppermute(a, "i", [(0, 9)])),
    "ppermute_negative": lambda: pm(lambda a: lax.ppermute(a, "i", [(-1, 0)])),
    "vmap_ppermute_out_of_range": lambda: jax.vmap(
        lambda a: lax.ppermute(a, "i", [(0, 9)]), axis_name="i")(jnp.ones(3)),
    "all_to_all_indivisible": lambda: jax.pmap(lambda a: lax.all_to_all(a, "i", 0, 0),
                                               axis_name="i")(jnp.ones((4, 3))),
    "groups_overlap": lambda: pm(lambda a: lax.psum(a, "i", axis_index_groups=[[0, 1], [1, 2]])),
    "groups_out_of_range": lambda: pm(lambda a: lax.psum(a, "i",
                                                         axis_index_groups=[[0, 7], [1, 2]])),
    "groups_uneven": lambda: pm(lambda a: lax.psum(a, "i", axis_index_groups=[[0, 1, 2], [3]])),
    "pmap_too_many": lambda: jax.pmap(lambda a: a)(jnp.ones(5)),
    # invalid gather/scatter indices
    "gather_offset_dims_oob": lambda: gather((5,), (0,), (0,), (1, 3)),
    "gather_slice_too_big": lambda: gather((1,), (0,), (0,), (1, 9)),
    "gather_start_index_map_oob": lambda: gather((1,), (0,), (4,), (1, 3)),
    "gather_float_indices": lambda: gather((1,), (0,), (0,), (1, 3), jnp.zeros((1, 1))),
    "gather_index_vector_mismatch": lambda: gather((1,), (0,), (0,), (1, 3),
                                                   jnp.zeros((1, 3), jnp.int32)),
    "scatter_window_dims_oob": lambda: lax.scatter_add(
        v, i1, jnp.ones((1,)), SDN(update_window_dims=(3,), inserted_window_dims=(0,),
                                   scatter_dims_to_operand_dims=(0,))),
    "take_out_of_bounds": lambda: jnp.take(v, jnp.array([100, -100])),
    "index_huge": lambda: v[2 ** 70],
    # runtime misuse
    "donate_same_buffer_twice": lambda: jax.jit(lambda a, b: a + b, donate_argnums=(0, 1))(v, v),
    "deleted_array": lambda: (lambda a: (a.delete(), a.block_until_ready()))(jnp.ones(2)),
  }

  names = sys.argv[1:] or list(CASES)
  for name in names:
    print(json.dumps({"start": name}), flush=True)
    try:
      out = CASES[name]()
      value = np.asarray(out)
      record = {"case": name, "ok": True, "shape": list(value.shape),
                "value": value.astype(np.float64).tolist() if value.size < 16 else None}
    except RecursionError as e:
      record = {"case": name, "ok": False, "type": "RecursionError", "message": ""}
    except Exception as e:
      record = {"case": name, "ok": False, "type": type(e).__name__,
                "bases": [c.__name__ for c in type(e).__mro__],
                "message": str(e)[:300]}
    print(json.dumps(record), flush=True)
''')

# Cases that compute: their NumPy values (None: only the shape is checked).
COMPUTE = {
    "log_of_negative": np.array([-np.inf, np.nan, np.nan, np.nan]),
    "divide_by_zero": np.array([np.nan, np.inf, np.inf, np.inf]),
    "int_divide_by_zero": None, "nan_to_int": None, "inv_singular": None,
    "eigh_nan": None, "sort_nan": np.array([-np.inf, 1.0, np.nan]),
    "int_min_div_minus_one": None,
    "empty_sum": np.zeros(3), "empty_matmul": np.zeros((0, 0)), "empty_inv": np.zeros((0, 0)),
    "empty_svd": np.zeros((0,)), "empty_fft": np.zeros((0,)), "empty_jit": np.zeros((0, 5)),
    "empty_grad": np.zeros((0,)), "empty_scan": np.zeros((0,)),
    "take_out_of_bounds": None, "index_huge": None,
}

# Cases that raise: the exception class (by name, anywhere in its MRO) and a
# fragment of the message.
RAISE = {
    "dot_rank": ("TypeError", "dot_general requires contracting dimensions"),
    "dot_dim_oob": ("TypeError", "dot_general requires lhs dimension numbers"),
    "transpose_dup": ("TypeError", "permutation"),
    "bid_oob": ("TypeError", "broadcast_dimensions"),
    "slice_oob": ("TypeError", "limit_indices"),
    "slice_zero_stride": ("TypeError", "strides must be positive"),
    "dynamic_slice_big": ("TypeError", "slice_sizes"),
    "pad_negative": ("ValueError", "padding"),
    "reduce_axes_oob": ("ValueError", "out-of-bounds"),
    "concat_dim_oob": ("TypeError", "out of bounds"),
    "squeeze_non1": ("ValueError", "size not equal to one"),
    "conv_rank": ("TypeError", "ndim"),
    "conv_zero_stride": ("ValueError", "window_strides must be positive"),
    "reduce_window_zero_stride": ("TypeError", "window_strides must be positive"),
    "top_k_too_big": ("ValueError", "k argument to top_k"),
    "iota_negative": ("TypeError", "nonnegative"),
    "full_negative": ("TypeError", "must have every element be nonnegative"),   # JAX's
    "uniform_negative_shape": ("MLIRError", "invalid tensor dimension size"),   # JAX's too
    "cholesky_nonsquare": ("ValueError", "square"),
    "empty_max": ("ValueError", "zero-size array to reduction operation max"),
    "empty_argmax": ("ValueError", "empty sequence"),
    "empty_index": ("IndexError", "out of bounds"),
    "huge_out_of_memory": ("JaxRuntimeError", "RESOURCE_EXHAUSTED"),
    "huge_2d_overflow": ("ValueError", "too big"),
    "huge_overflow": ("ValueError", "too big"),
    "huge_beyond_int64": ("ValueError", "too big"),
    "huge_broadcast": ("ValueError", "too big"),
    "huge_pad": ("ValueError", "too big"),
    "huge_under_jit": ("ValueError", "too big"),
    "huge_random": ("ValueError", "too big"),
    "lax_add_dtypes": ("TypeError", "same dtypes"),
    "bitwise_on_float": ("TypeError", "does not accept dtype float32"),
    "object_array": ("TypeError", "not a valid JAX array type"),
    "string_array": ("TypeError", "not a valid JAX array type"),
    "ragged_list": ("ValueError", "inhomogeneous"),
    "convert_to_object": ("TypeError", "not a valid JAX array type"),
    "float0_arithmetic": ("TypeError", ""),
    "cond_on_vector": ("TypeError", "Pred must be a scalar"),
    "ppermute_duplicate_source": ("ValueError", "must be unique"),
    "ppermute_out_of_range": ("ValueError", "out of range"),
    "ppermute_negative": ("ValueError", "out of range"),
    "vmap_ppermute_out_of_range": ("ValueError", "out of range"),
    "all_to_all_indivisible": ("ValueError", "all_to_all"),
    "groups_overlap": ("ValueError", "axis_index_groups must cover all indices exactly once"),
    "groups_out_of_range": ("ValueError",
                            "axis_index_groups must cover all indices exactly once"),
    "groups_uneven": ("ValueError", "axis_index_groups must all be the same size"),
    "pmap_too_many": ("ValueError", "XLA devices are available"),
    "gather_offset_dims_oob": ("TypeError", "Offset dimension"),
    "gather_slice_too_big": ("TypeError", "Slice size"),
    "gather_start_index_map_oob": ("TypeError", "start_index_map"),
    "gather_float_indices": ("ValueError", "integer type"),
    "gather_index_vector_mismatch": ("TypeError", "start_index_map"),
    "scatter_window_dims_oob": ("TypeError", "update_window_dims"),
    "donate_same_buffer_twice": ("JaxRuntimeError", "donated"),
    "deleted_array": ("RuntimeError", "Array has been deleted"),
}


@pytest.fixture(scope="module")
def results():
  out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                       timeout=600)
  lines = [json.loads(l) for l in out.stdout.splitlines() if l.startswith("{")]
  started = [l["start"] for l in lines if "start" in l]
  assert out.returncode == 0, (
      f"the interpreter died (exit status {out.returncode}, a negative number is a signal) "
      f"during case {started[-1] if started else None!r}:\n{out.stderr[-2000:]}")
  return {l["case"]: l for l in lines if "case" in l}


def test_every_case_ran(results):
  assert set(results) == set(COMPUTE) | set(RAISE)


@pytest.mark.parametrize("name", sorted(RAISE))
def test_malformed_input_raises(results, name):
  record = results[name]
  exc, fragment = RAISE[name]
  assert not record["ok"], f"{name} did not raise"
  assert exc in record["bases"], record
  assert fragment in record["message"], record


@pytest.mark.parametrize("name", sorted(COMPUTE))
def test_edge_values_compute(results, name):
  record = results[name]
  assert record["ok"], record
  expected = COMPUTE[name]
  if expected is not None:
    assert tuple(record["shape"]) == expected.shape
    np.testing.assert_allclose(np.asarray(record["value"], np.float64).reshape(expected.shape),
                               expected, rtol=1e-6)
