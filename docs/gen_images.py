"""Regenerates the pictures in docs/images from their sources.

* ``pipeline.svg`` from ``pipeline.dot`` (the architecture diagram).
* ``sin_cos_hlo.svg``: the HLO graph of ``sin(cos(x))`` drawn by
  ``jaxlite.tools.render_hlo``.

Needs Graphviz's ``dot`` (``apt-get install graphviz``). Run from the
repository root: ``python docs/gen_images.py``.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import jaxlite.numpy as jnp  # noqa: E402
from jaxlite import tools  # noqa: E402

IMAGES = os.path.join(HERE, "images")


def main():
  with open(os.path.join(IMAGES, "pipeline.dot"), encoding="utf-8") as f:
    tools.render_dot(f.read(), os.path.join(IMAGES, "pipeline.svg"))
  tools.render_hlo(lambda x: jnp.sin(jnp.cos(x)), 3.0,
                   path=os.path.join(IMAGES, "sin_cos_hlo.svg"))
  print("wrote", ", ".join(sorted(n for n in os.listdir(IMAGES) if n.endswith(".svg"))))


if __name__ == "__main__":
  main()
