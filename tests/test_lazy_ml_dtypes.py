"""``import jaxlite`` does not load ml_dtypes (its native extension costs more
than the rest of the import); its types work as before once anything needs
them: a name (jnp.bfloat16, dtypes.finfo, jnp.dtype), a dtype string, or
anyone importing ml_dtypes. Each case runs in a fresh interpreter."""
import subprocess
import sys
import textwrap

import pytest


def _run(code):
  out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                       text=True, timeout=300)
  assert out.returncode == 0, out.stderr[-3000:]
  return out.stdout


def test_import_does_not_load_ml_dtypes():
  assert _run("""
      import sys, jaxlite, jaxlite.numpy, jaxlite.lax, jaxlite.dtypes
      print('ml_dtypes' in sys.modules)
  """).split() == ["False"]


def test_user_import_of_ml_dtypes_completes_the_tables():
  # Only dtype queries (no op), so nothing but the user's import loads ml_dtypes.
  out = _run("""
      import jaxlite.numpy as jnp
      from jaxlite import dtypes
      import ml_dtypes, numpy as np
      bf16 = np.dtype(ml_dtypes.bfloat16)
      print(jnp.result_type(bf16, 1.0), jnp.promote_types(bf16, np.float16),
            dtypes.issubdtype(ml_dtypes.int4, np.signedinteger),
            dtypes.isdtype(bf16, 'real floating'), dtypes.supports_inf(ml_dtypes.float8_e4m3fn),
            dtypes.itemsize_bits(ml_dtypes.int4), bf16 in dtypes.supported_dtypes(),
            dtypes.bfloat16 is ml_dtypes.bfloat16, dtypes.finfo is ml_dtypes.finfo)
  """)
  assert out.split() == ["bfloat16", "float32", "True", "True", "False", "4", "True", "True",
                         "True"]


@pytest.mark.parametrize("expr,expected", [
    ("jnp.dtype('bfloat16')", "bfloat16"),
    ("jnp.bfloat16(1.5)", "1.5"),
    ("jnp.zeros(2, 'float8_e4m3fn').dtype", "float8_e4m3fn"),
    ("jnp.promote_types('bfloat16', 'float16')", "float32"),
    ("jnp.result_type('int4', 1)", "int4"),
    ("float(jnp.finfo('bfloat16').eps)", "0.0078125"),
    ("jnp.issubdtype(jnp.float8_e5m2, jnp.floating)", "True"),
    ("jax_dtypes.canonicalize_dtype('bfloat16')", "bfloat16"),
])
def test_first_use_loads_ml_dtypes(expr, expected):
  out = _run(f"""
      import jaxlite.numpy as jnp
      from jaxlite import dtypes as jax_dtypes
      print({expr})
  """)
  assert out.split() == [expected]


def test_host_arrays_of_ml_dtypes_transfer_after_a_rejected_void_dtype():
  out = _run("""
      import numpy as np, jaxlite
      try:
        jaxlite.device_put(np.zeros(2, 'V4'))
      except TypeError:
        print('rejected')
      import ml_dtypes
      print(jaxlite.device_put(np.ones(2, ml_dtypes.bfloat16)).dtype)
  """)
  assert out.split() == ["rejected", "bfloat16"]
