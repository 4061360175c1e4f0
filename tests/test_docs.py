"""The documentation: the site builds without warnings, its links resolve, the
examples on its pages run, and the docstring examples of the public API pass.

* ``mkdocs build --strict`` into a temporary directory (skipped when MkDocs is
  not installed: ``pip install -e '.[docs]'``).
* Every relative link of every page under ``docs/`` points at an existing page,
  image or anchor-bearing page.
* The ``>>>`` examples on the pages and in the docstrings of the public
  modules are run as doctests.
* ``jaxlite.tools.render_hlo`` draws the HLO of ``sin(cos(x))`` to an SVG
  (skipped when Graphviz's ``dot`` is not installed).
"""
import doctest
import glob
import importlib
import os
import re
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOCS = os.path.join(ROOT, "docs")
PAGES = sorted(glob.glob(os.path.join(DOCS, "**", "*.md"), recursive=True))
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _modules_in(package_dir, package):
  names = []
  for path in sorted(glob.glob(os.path.join(ROOT, package_dir, "**", "*.py"), recursive=True)):
    rel = os.path.relpath(path, ROOT)[:-3].replace(os.sep, ".")
    names.append(rel[:-len(".__init__")] if rel.endswith(".__init__") else rel)
  return names


# The public API modules whose docstring examples are checked.
PUBLIC_MODULES = (
    ["jaxlite", "jaxlite.api", "jaxlite.differentiation", "jaxlite.vectorization",
     "jaxlite.tree_util", "jaxlite.custom_derivatives", "jaxlite.checkpoint",
     "jaxlite.tools", "jaxlite.distributed"]
    + _modules_in("jaxlite/numpy", "jaxlite.numpy")
    + _modules_in("jaxlite/lax", "jaxlite.lax")
    + _modules_in("jaxlite/random", "jaxlite.random")
    + (_modules_in("jaxlite/nn", "jaxlite.nn") if os.path.isdir(os.path.join(ROOT, "jaxlite/nn"))
       else [])
    + (["jaxlite.nn"] if os.path.exists(os.path.join(ROOT, "jaxlite/nn.py")) else []))


def _run(tests, name):
  runner = doctest.DocTestRunner(optionflags=FLAGS)
  out = []
  for test in tests:
    runner.run(test, out=out.append)
  failed, attempted = runner.summarize(verbose=False)
  assert failed == 0, f"{failed} of {attempted} doctest examples failed in {name}:\n" + "".join(out)
  return attempted


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_docstring_examples(name):
  module = importlib.import_module(name)
  tests = doctest.DocTestFinder(exclude_empty=True).find(module, name)
  _run(tests, name)


def test_every_public_module_has_docstring_examples():
  with_examples = 0
  for name in PUBLIC_MODULES:
    module = importlib.import_module(name)
    if any(t.examples for t in doctest.DocTestFinder().find(module, name)):
      with_examples += 1
  assert with_examples >= len(PUBLIC_MODULES) // 2, with_examples


@pytest.mark.parametrize("page", [os.path.relpath(p, DOCS) for p in PAGES
                                  if ">>>" in open(p, encoding="utf-8").read()])
def test_page_examples(page):
  path = os.path.join(DOCS, page)
  with open(path, encoding="utf-8") as f:
    # Fence lines end a block of expected output (line numbers are kept).
    text = re.sub(r"^[ \t]*```.*$", "", f.read(), flags=re.M)
  test = doctest.DocTestParser().get_doctest(text, {"__name__": "__docs__"}, page, path, 0)
  assert _run([test], page) > 0


_LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)|!\[[^\]]*\]\(([^)\s]+)\)|src=\"([^\"]+)\"")


def _relative_links(text):
  text = re.sub(r"```.*?```", "", text, flags=re.S)     # links inside code are code
  for match in _LINK.finditer(text):
    target = next(g for g in match.groups() if g)
    if re.match(r"^[a-z]+:", target) or target.startswith("#"):
      continue
    yield target


def test_pages_exist_and_relative_links_resolve():
  assert len(PAGES) >= 15, PAGES
  broken = []
  for page in PAGES:
    with open(page, encoding="utf-8") as f:
      text = f.read()
    for target in _relative_links(text):
      path = target.split("#")[0]
      resolved = os.path.normpath(os.path.join(os.path.dirname(page), path))
      if not os.path.exists(resolved):
        broken.append(f"{os.path.relpath(page, DOCS)} -> {target}")
  assert not broken, "broken relative links:\n" + "\n".join(broken)


def test_nav_lists_every_page():
  with open(os.path.join(ROOT, "mkdocs.yml"), encoding="utf-8") as f:
    config = f.read()
  listed = set(re.findall(r":\s*([\w/]+\.md)\s*$", config, flags=re.M))
  on_disk = {os.path.relpath(p, DOCS).replace(os.sep, "/") for p in PAGES}
  assert on_disk == listed, (on_disk ^ listed)


def test_mkdocs_build_strict(tmp_path):
  pytest.importorskip("mkdocs")
  pytest.importorskip("mkdocstrings_handlers.python")
  env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
  proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q",
                         "-d", str(tmp_path / "site")], cwd=ROOT, env=env,
                        capture_output=True, text=True, timeout=600)
  assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
  site = tmp_path / "site"
  for page in ["index.html", "architecture/index.html", "inspecting/index.html",
               "benchmarks/index.html", "api/numpy/index.html"]:
    assert (site / page).exists(), page
  inspecting = (site / "inspecting" / "index.html").read_text()
  assert "sin_cos_hlo.svg" in inspecting
  numpy_page = (site / "api" / "numpy" / "index.html").read_text()
  assert "jaxlite.numpy.creation" in numpy_page and "zeros_like" in numpy_page


def test_docs_images_are_svg():
  for name in ["pipeline.svg", "sin_cos_hlo.svg", "benchmarks_ratios.svg"]:
    path = os.path.join(DOCS, "images", name)
    with open(path, encoding="utf-8") as f:
      head = f.read(2000)
    assert "<svg" in head, name


def test_render_hlo_sin_cos_svg(tmp_path):
  if shutil.which("dot") is None:
    pytest.skip("Graphviz's dot is not installed (apt-get install graphviz)")
  import jaxlite.numpy as jnp
  from jaxlite.tools import render_hlo
  path = render_hlo(lambda x: jnp.sin(jnp.cos(x)), 3.0, path=str(tmp_path / "sin_cos.svg"))
  with open(path, encoding="utf-8") as f:
    svg = f.read()
  assert "<svg" in svg and "</svg>" in svg
  assert "cosine" in svg and "sine" in svg and "Parameter 0" in svg
  assert "googleapis" not in svg          # self-contained: no remote web font


def test_render_hlo_without_graphviz_names_the_fix(tmp_path, monkeypatch):
  import jaxlite.numpy as jnp
  from jaxlite import tools
  monkeypatch.setattr(tools, "_dot_program", lambda: None)
  with pytest.raises(tools.GraphvizNotFoundError, match="apt-get install graphviz"):
    tools.render_hlo(lambda x: jnp.sin(jnp.cos(x)), 3.0, path=str(tmp_path / "x.svg"))
