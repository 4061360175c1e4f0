"""Tools for looking at what XLA runs: pictures of compiled programs.

``render_hlo`` draws the HLO graph of a function, as XLA writes it with
``xla_computation(fun)(*args).as_hlo_dot_graph()``, to an SVG (or any format
Graphviz knows). Graphviz is an optional dependency: either the ``dot``
program (Debian/Ubuntu: ``apt-get install graphviz``; macOS: ``brew install
graphviz``) or the ``graphviz`` Python package with that program beside it.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from typing import Callable

__all__ = ["GraphvizNotFoundError", "hlo_dot_graph", "render_dot", "render_hlo"]

_INSTALL_HINT = ("Install Graphviz's `dot` program: `apt-get install graphviz` "
                 "(Debian/Ubuntu), `brew install graphviz` (macOS) or "
                 "`conda install graphviz`, then make sure `dot` is on PATH.")

# XLA's dot graphs carry a stylesheet that imports a web font; a picture meant
# to be viewed offline (or checked into docs) should not reach the network.
_REMOTE_IMPORT = re.compile(r"@import url\([^)]*\);")


class GraphvizNotFoundError(RuntimeError):
  """Raised when Graphviz's ``dot`` program is needed but not installed."""


def hlo_dot_graph(fun: Callable, *args, static_argnums=(), **kwargs) -> str:
  """The HLO graph of ``fun`` at ``args``, in Graphviz's dot language.

  Same as ``xla_computation(fun)(*args).as_hlo_dot_graph()``, without the
  stylesheet's remote web-font import, so that the rendered picture needs no
  network.

  Example:
    >>> import jaxlite.numpy as jnp
    >>> from jaxlite import tools
    >>> g = tools.hlo_dot_graph(lambda x: jnp.sin(jnp.cos(x)), 3.0)
    >>> g.lstrip().startswith('digraph') and 'cosine' in g and 'sine' in g
    True
  """
  from jaxlite.api import xla_computation
  dot = xla_computation(fun, static_argnums=static_argnums)(*args, **kwargs).as_hlo_dot_graph()
  return _REMOTE_IMPORT.sub("", dot)


def _dot_program() -> str | None:
  return shutil.which("dot")


def render_dot(dot_source: str, path: str, format: str | None = None) -> str:
  """Renders Graphviz ``dot_source`` to ``path``; returns ``path``.

  Args:
    dot_source: a graph in the dot language.
    path: the file to write.
    format: any Graphviz output format (``"svg"``, ``"png"``, ``"pdf"``...);
      defaults to the extension of ``path``, else ``"svg"``.

  Raises:
    GraphvizNotFoundError: if Graphviz's ``dot`` program is not installed.
  """
  if format is None:
    ext = os.path.splitext(path)[1].lstrip(".").lower()
    format = ext or "svg"
  dot = _dot_program()
  if dot is None:
    raise GraphvizNotFoundError(
        f"render_dot needs Graphviz to write a {format!r} picture, and its `dot` "
        f"program was not found on PATH. {_INSTALL_HINT} (The `graphviz` Python "
        "package alone is not enough: it calls the same program.)")
  directory = os.path.dirname(os.path.abspath(path))
  os.makedirs(directory, exist_ok=True)
  proc = subprocess.run([dot, f"-T{format}", "-o", path], input=dot_source.encode(),
                        capture_output=True, check=False)
  if proc.returncode != 0:
    raise RuntimeError(f"Graphviz `dot -T{format}` failed (exit {proc.returncode}): "
                       f"{proc.stderr.decode(errors='replace').strip()}")
  return path


def render_hlo(fun: Callable, *args, path: str, format: str | None = None,
               static_argnums=(), **kwargs) -> str:
  """Renders the HLO graph XLA compiles for ``fun(*args)`` to a picture file.

  The graph is ``xla_computation(fun)(*args).as_hlo_dot_graph()``: one node per
  HLO instruction (parameters, operations, the root), drawn by Graphviz.

  Args:
    fun: the function to trace, as for :func:`jaxlite.xla_computation`.
    *args: example arguments (arrays, scalars or pytrees of them).
    path: the file to write, e.g. ``"sin_cos.svg"``.
    format: Graphviz output format; defaults to the extension of ``path``,
      else ``"svg"``.
    static_argnums: arguments to treat as static, as for ``xla_computation``.
    **kwargs: keyword arguments passed to ``fun``.

  Returns:
    ``path``.

  Raises:
    GraphvizNotFoundError: if Graphviz's ``dot`` program is not installed; the
      message says how to install it.

  Example:
    >>> import os, tempfile
    >>> import jaxlite.numpy as jnp
    >>> from jaxlite.tools import render_hlo
    >>> path = os.path.join(tempfile.mkdtemp(), 'sin_cos.svg')
    >>> render_hlo(lambda x: jnp.sin(jnp.cos(x)), 3.0, path=path)  # doctest: +SKIP
    '/tmp/.../sin_cos.svg'
  """
  dot = hlo_dot_graph(fun, *args, static_argnums=static_argnums, **kwargs)
  return render_dot(dot, path, format=format)
