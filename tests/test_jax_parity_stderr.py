"""A simple program prints nothing to stderr, as under JAX 0.10.2: jaxlib's
native INFO log lines (the PJRT client's device count) stay quiet unless the
user asks for them with TF_CPP_MIN_LOG_LEVEL=0 (issue 20, "quiet start")."""
import os
import subprocess
import sys

_PROGRAM = ("import {lib}.numpy as jnp\n"
            "import {lib}\n"
            "x = jnp.arange(3.0)\n"
            "print(float({lib}.jit(lambda v: (v * 2).sum())(x)))\n")


def _run(lib, **env_updates):
  env = {k: v for k, v in os.environ.items()
         if k not in ("TF_CPP_MIN_LOG_LEVEL", "XLA_FLAGS")}
  env.update(env_updates)
  return subprocess.run([sys.executable, "-c", _PROGRAM.format(lib=lib)],
                        capture_output=True, text=True, env=env, timeout=120)


def test_no_native_log_lines_on_stderr(jax_reference):
  del jax_reference   # JAX must be installed: its behaviour is the reference
  got, expected = _run("jaxlite"), _run("jax")
  assert expected.returncode == 0 and expected.stderr == ""
  assert got.returncode == 0, got.stderr
  assert got.stdout == expected.stdout == "6.0\n"
  assert got.stderr == ""


def test_native_logs_when_the_user_asks():
  got = _run("jaxlite", TF_CPP_MIN_LOG_LEVEL="0")
  assert got.returncode == 0
  assert "pjrt_client.cc" in got.stderr
