"""One rule for the dtype of tangents (``core.primal_dtype_to_tangent_dtype``),
against JAX 0.10.2's; ``ShapedArray.to_tangent_aval``, ``ad.tangent_aval``
and ``jax.extend.core``'s name give the same dtypes."""
import numpy as np
import pytest

from jaxlite import core, core_tools, dtypes
from jaxlite.experimental import primal_tangent_dtype
from jaxlite.extend import core as extend_core
from jaxlite.interpreters import ad

DTYPES = ["bool", "int8", "uint32", "int64", "float16", "float32", "float64", "complex64",
          "bfloat16", "float8_e4m3fn", "float8_e5m2", "float4_e2m1fn", "int4"]


@pytest.mark.parametrize("name", DTYPES)
def test_tangent_dtype_as_jax(jax_reference, name):
  from jax.extend import core as jax_core  # pylint: disable=g-import-not-at-top
  dtype = np.dtype(dtypes.dtype(name))
  ours = core.primal_dtype_to_tangent_dtype(dtype)
  theirs = jax_core.primal_dtype_to_tangent_dtype(dtype)
  assert str(ours) == str(theirs)
  assert extend_core.primal_dtype_to_tangent_dtype is core_tools.primal_dtype_to_tangent_dtype \
      is core.primal_dtype_to_tangent_dtype
  for weak in (False, True):
    aval = core.ShapedArray((2,), dtype, weak)
    assert ad.tangent_aval(aval).dtype == aval.to_tangent_aval().dtype == ours
  # float0 tangents are strong in ad's type; inexact ones keep the weak type
  assert ad.tangent_aval(core.ShapedArray((2,), dtype, True)).weak_type == (ours == dtype)


def test_extended_dtypes_use_their_rule():
  dt = primal_tangent_dtype(np.int32, np.float32)
  assert core.primal_dtype_to_tangent_dtype(dt) == np.float32
  import jaxlite  # pylint: disable=g-import-not-at-top
  key_dtype = jaxlite.random.key(0).dtype
  assert core.primal_dtype_to_tangent_dtype(key_dtype) == dtypes.float0
