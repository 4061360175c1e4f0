"""A griffe extension for the API pages: shows doctest examples as code.

Docstrings here are Google style, and many put ``>>>`` examples in their
description rather than under an ``Example:`` section. Markdown would render
those as paragraphs, so every ``>>>`` block outside an ``Example(s):`` section
is wrapped in a ``pycon`` code fence before mkdocstrings renders it.
"""
from __future__ import annotations

import re

import griffe

_SECTION = re.compile(r"^(\s*)(Examples?|Example usage):\s*$")
_HEADER = re.compile(r"^(\s*)[A-Z][A-Za-z ]*:\s*$")


def fence_doctests(text: str) -> str:
  """Wraps each ``>>>`` block (and its expected output) in a ``pycon`` fence."""
  lines = text.splitlines()
  out: list[str] = []
  in_examples_at = None       # indentation of an open Example(s): header
  in_fence = False
  i = 0
  while i < len(lines):
    line = lines[i]
    stripped = line.strip()
    indent = len(line) - len(line.lstrip())
    if stripped.startswith("```"):
      in_fence = not in_fence
    if in_fence or stripped.startswith("```"):
      out.append(line)
      i += 1
      continue
    if in_examples_at is not None and stripped and indent <= in_examples_at:
      in_examples_at = None
    match = _SECTION.match(line)
    if match:
      in_examples_at = len(match.group(1))
    if in_examples_at is None and stripped.startswith(">>>"):
      block = []
      while i < len(lines) and lines[i].strip():
        block.append(lines[i])
        i += 1
      pad = " " * indent
      out.append(pad + "```pycon")
      out.extend(block)
      out.append(pad + "```")
      continue
    out.append(line)
    i += 1
  return "\n".join(out)


class DoctestFences(griffe.Extension):
  """Fences ``>>>`` blocks of every docstring griffe loads."""

  def on_instance(self, *, node, obj, agent, **kwargs) -> None:
    if obj.docstring is not None and ">>>" in obj.docstring.value:
      obj.docstring.value = fence_doctests(obj.docstring.value)
