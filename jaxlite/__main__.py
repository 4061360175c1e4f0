"""``python -m jaxlite``: run unmodified JAX code on jaxlite.

  python -m jaxlite train.py --steps 100     # a script, with its arguments
  python -m jaxlite -m pytest optax/         # a module, as `python -m`
  python -m jaxlite -c "import jax; print(jax.numpy.ones(2))"

The switch (``jaxlite.install_as_jax()``) is turned on first, so every
``import jax...`` in the program is served by jaxlite. ``sys.argv`` and
``sys.path[0]`` are what plain ``python`` would give the program.
"""
import os
import runpy
import sys

import jaxlite

_USAGE = """usage: python -m jaxlite SCRIPT [ARGS...]
       python -m jaxlite -m MODULE [ARGS...]
       python -m jaxlite -c COMMAND [ARGS...]
Runs the program with every `import jax` served by jaxlite."""


def main(argv):
  """Runs the program that ``argv`` (``sys.argv[1:]``) names; returns an exit code."""
  if not argv or argv[0] in ("-h", "--help"):
    print(_USAGE, file=sys.stdout if argv else sys.stderr)
    return 0 if argv else 2
  jaxlite.install_as_jax()
  if argv[0] == "-m":
    if len(argv) < 2:
      print("python -m jaxlite: -m needs a module name\n" + _USAGE, file=sys.stderr)
      return 2
    sys.argv = argv[1:]  # runpy replaces argv[0] with the module's file
    sys.path[0] = os.getcwd()  # as `python -m`
    runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
  elif argv[0] == "-c":
    if len(argv) < 2:
      print("python -m jaxlite: -c needs a command\n" + _USAGE, file=sys.stderr)
      return 2
    sys.argv = ["-c"] + argv[2:]
    sys.path[0] = ""  # as `python -c`
    exec(compile(argv[1], "<string>", "exec"), {"__name__": "__main__"})
  else:
    script = argv[0]
    sys.argv = list(argv)
    sys.path[0] = os.path.dirname(os.path.abspath(script))  # as `python script.py`
    runpy.run_path(script, run_name="__main__")
  return 0


if __name__ == "__main__":
  sys.exit(main(sys.argv[1:]))
