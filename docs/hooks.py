"""MkDocs hooks: API pages that follow the package as it grows.

* ``<!-- modules: jaxlite.numpy -->`` expands to one mkdocstrings block per
  public submodule of the package (found on disk, in file order), so a new
  family module shows up in the reference without editing the page.
* ``<!-- package-map -->`` expands to a table of every module of the
  ``jaxlite`` package with the first sentence of its docstring.
* ``<!-- api-coverage -->`` expands to a table of the names of JAX's public
  modules that jaxlite does not define yet, computed at build time by
  importing both (``jax`` is the test extra; without it the page says so).
"""
from __future__ import annotations

import ast
import importlib
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

_MODULES = re.compile(r"^<!-- modules: ([\w.]+) -->$", re.M)
_COVERAGE = "<!-- api-coverage -->"

# (JAX module, jaxlite module) pairs shown on the "Differences from JAX" page.
COVERAGE_PAIRS = [
    ("jax", "jaxlite"),
    ("jax.numpy", "jaxlite.numpy"),
    ("jax.numpy.linalg", "jaxlite.numpy.linalg"),
    ("jax.numpy.fft", "jaxlite.numpy.fft"),
    ("jax.lax", "jaxlite.lax"),
    ("jax.random", "jaxlite.random"),
    ("jax.nn", "jaxlite.nn"),
    ("jax.tree_util", "jaxlite.tree_util"),
    ("jax.scipy.linalg", "jaxlite.scipy.linalg"),
    ("jax.scipy.special", "jaxlite.scipy.special"),
    ("jax.scipy.stats", "jaxlite.scipy.stats"),
    ("jax.custom_derivatives", "jaxlite.custom_derivatives"),
    ("jax.ad_checkpoint", "jaxlite.ad_checkpoint"),
    ("jax.example_libraries.optimizers", "jaxlite.example_libraries.optimizers"),
    ("jax.example_libraries.stax", "jaxlite.example_libraries.stax"),
    ("jax.experimental", "jaxlite.experimental"),
    ("jax.sharding", "jaxlite.sharding"),
]


def _module_docline(path: str) -> str:
  with open(path, encoding="utf-8") as f:
    doc = ast.get_docstring(ast.parse(f.read())) or ""
  return doc.strip().split("\n\n")[0].replace("\n", " ")


def _has_public_api(path: str) -> bool:
  with open(path, encoding="utf-8") as f:
    tree = ast.parse(f.read())
  for node in tree.body:
    if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__all__"
                                            for t in node.targets):
      return True
  return False


def public_submodules(package: str) -> list[str]:
  """Submodules of ``package`` that declare ``__all__`` (sorted by file name)."""
  directory = os.path.join(ROOT, *package.split("."))
  found = []
  for name in sorted(os.listdir(directory)):
    path = os.path.join(directory, name)
    if name.startswith("_"):
      continue
    if name.endswith(".py") and _has_public_api(path):
      found.append(f"{package}.{name[:-3]}")
    elif os.path.isdir(path) and os.path.exists(os.path.join(path, "__init__.py")):
      if _has_public_api(os.path.join(path, "__init__.py")):
        found.append(f"{package}.{name}")
  return found


def _expand_modules(match: re.Match) -> str:
  package = match.group(1)
  blocks = []
  for module in public_submodules(package):
    parts = module.split(".")
    path = os.path.join(ROOT, *parts)
    path = path + ".py" if os.path.exists(path + ".py") else os.path.join(path, "__init__.py")
    blocks.append(f"## `{module}`\n\n{_module_docline(path)}\n\n::: {module}\n"
                  "    options:\n      show_root_heading: false\n      heading_level: 3\n")
  return "\n".join(blocks) or f"*No public submodule of `{package}` yet.*"


def _public_names(module) -> set[str]:
  return {n for n in dir(module) if not n.startswith("_")}


def api_coverage_markdown() -> str:
  """A table: for each JAX module, how many of its public names jaxlite has."""
  try:
    importlib.import_module("jax")
  except ImportError:
    return ("!!! note\n    `jax` is not installed where these docs were built, so the "
            "coverage table could not be computed. Install the test extra "
            "(`pip install -e '.[test]'`) and build again.\n")
  import jax
  rows = ["| JAX module | names jaxlite has | missing in jaxlite |", "| --- | --- | --- |"]
  for jax_name, lite_name in COVERAGE_PAIRS:
    try:
      jax_module = importlib.import_module(jax_name)
    except ImportError:
      continue
    theirs = _public_names(jax_module)
    try:
      ours = _public_names(importlib.import_module(lite_name))
    except ImportError:
      rows.append(f"| `{jax_name}` | 0 / {len(theirs)} | the whole module |")
      continue
    missing = sorted(theirs - ours)
    shown = ", ".join(f"`{n}`" for n in missing) or "none"
    rows.append(f"| `{jax_name}` | {len(theirs & ours)} / {len(theirs)} | {shown} |")
  return (f"Computed when this page was built, against `jax` {jax.__version__}: "
          "public names (those not starting with `_`) of each JAX module that the "
          "matching jaxlite module does not define.\n\n" + "\n".join(rows) + "\n")


def package_map_markdown() -> str:
  """One row per module of ``jaxlite``: its path and what its docstring says."""
  rows = ["| module | what it is |", "| --- | --- |"]
  base = os.path.join(ROOT, "jaxlite")
  for directory, subdirs, names in os.walk(base):
    subdirs[:] = sorted(d for d in subdirs if not d.startswith(("_", ".")))
    for name in sorted(names):
      if not name.endswith(".py"):
        continue
      path = os.path.join(directory, name)
      rel = os.path.relpath(path, ROOT).replace(os.sep, "/")
      line = _module_docline(path)
      first = line if len(line) <= 200 else line[:197].rsplit(" ", 1)[0] + " ..."
      first = first.replace("|", "\\|")
      rows.append(f"| `{rel}` | {first} |")
  return "\n".join(rows) + "\n"


def on_page_markdown(markdown, page, config, files):
  markdown = _MODULES.sub(_expand_modules, markdown)
  if "<!-- package-map -->" in markdown:
    markdown = markdown.replace("<!-- package-map -->", package_map_markdown())
  if _COVERAGE in markdown:
    markdown = markdown.replace(_COVERAGE, api_coverage_markdown())
  return markdown
