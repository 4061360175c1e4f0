"""jax.debug.breakpoint (the CLI debugger driven through stdin), debug.log and the
two-call forms of debug.print/debug.callback, against JAX 0.10.2."""
import io
import logging
import re

import pytest

import jaxlite
import jaxlite.numpy as lnp

jax = pytest.importorskip("jax")
import jax.numpy as jnp  # noqa: E402

COMMANDS = "p y\np x + 1\npp {'a': y}\nw\nu\nd\nl\nzzz\nnope(\nc\n"


def session(jax, jnp, wrap, commands=COMMANDS, **options):
  """What the debugger writes when a breakpoint inside ``f`` reads ``commands``."""
  out = io.StringIO()

  def f(x):
    y = jnp.sin(x)
    jax.debug.breakpoint(stdin=io.StringIO(commands), stdout=out, **options)
    return y * 2

  def caller(x):
    return f(x)
  result = wrap(jax)(caller)(jnp.float32(1.0))
  return float(result), out.getvalue()


WRAPS = {"eager": lambda jax: (lambda f: f), "jit": lambda jax: jax.jit}


@pytest.mark.parametrize("mode", ["eager", "jit"])
def test_cli_session_matches_jax(mode):
  actual = session(jaxlite, lnp, WRAPS[mode], num_frames=2)
  expected = session(jax, jnp, WRAPS[mode], num_frames=2)
  assert actual == expected
  assert "Array(0.84147096, dtype=float32)" in actual[1]


def test_vmap_runs_the_debugger_per_element_and_token_form():
  def run(jax, jnp):
    out = io.StringIO()

    def h(x):
      y = x * 3
      jax.debug.breakpoint(stdin=io.StringIO("p y\nc\n" * 2), stdout=out, num_frames=1)
      return y

    def k(x):
      return jax.debug.breakpoint(token=x, stdin=io.StringIO("p x\nc\n"), stdout=out,
                                  num_frames=1) * 2
    values = (jax.vmap(h)(jnp.arange(2.0)), jax.jit(k)(jnp.float32(5.0)))
    return [v.tolist() for v in values], out.getvalue()
  assert run(jaxlite, lnp) == run(jax, jnp)


def test_breakpoint_errors_are_jaxs():
  for lib in (jaxlite, jax):
    with pytest.raises(ValueError, match="`ordered` and `token` are mutually exclusive"):
      lib.debug.breakpoint(token=1.0, ordered=True)


def test_log_writes_an_info_record_at_the_callers_line(caplog):
  with caplog.at_level(logging.INFO, logger="jaxlite.debug"):
    jaxlite.jit(lambda x: jaxlite.debug.log("x={x}", x=x))(lnp.float32(2.0))
  record, = [r for r in caplog.records if r.name == "jaxlite.debug"]
  assert record.getMessage() == "x=2.0" and record.levelno == logging.INFO
  assert record.pathname == __file__


def test_two_call_forms_and_format_errors_match_jax(capfd):
  for lib, np_ in ((jaxlite, lnp), (jax, jnp)):
    lib.jit(lambda x: lib.debug.print(ordered=True)("v={v}", v=x))(np_.float32(3.0))
    seen = []
    lib.debug.callback(ordered=True)(seen.append, 7)
    assert seen == [7]
  out = capfd.readouterr().out
  assert out == "v=3.0\nv=3.0\n"

  def errors(lib):
    found = []
    for thunk in (lambda: lib.debug.print("{x}"), lambda: lib.debug.print("{}", 1, 2),
                  lambda: lib.debug.print("a", x=1), lambda: lib.debug.callback(3),
                  lambda: lib.debug.print(ordered=True)("{}"),
                  lambda: lib.debug.print(None, 1), lambda: lib.debug.callback(None, 1)):
      try:
        thunk()
        found.append(None)
      except Exception as e:  # noqa: BLE001 -- compared with JAX's
        found.append((type(e).__name__, re.sub(r"\s+", " ", str(e))))
    return found
  assert errors(jaxlite) == errors(jax)
