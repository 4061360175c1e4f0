"""A small document layout engine (Wadler/Lindig style) for printing jaxprs.

A *document* is built from text, breaks, concatenations, nesting (extra
indentation) and groups. A group is laid out flat (every break inside it
printed as its text, usually a space) when the whole group fits in what is
left of the line; otherwise its own breaks become newlines indented to the
current nesting level, and each nested group decides again for itself. Only
the group itself has to fit, not the text that follows it on the line: that
is the rule JAX's printer follows, so jaxprs lay out exactly as JAX's do.

Example:
  >>> doc = group(concat([text("let"), nest(2, concat([brk(), text("x = 1")])),
  ...                     brk(), text("in x")]))
  >>> doc.format(width=80)
  'let x = 1 in x'
  >>> print(doc.format(width=8))
  let
    x = 1
  in x
"""
from __future__ import annotations

from typing import Sequence


class Doc:
  """A pretty-printer document; ``str(doc)`` lays it out 80 columns wide."""
  __slots__ = ()

  def __add__(self, other: "Doc") -> "Doc":
    return concat([self, other])

  def __str__(self):
    return self.format()

  def format(self, width: int = 80, **unused_options) -> str:
    """Lays the document out in ``width`` columns and returns the text.

    Options JAX's printer accepts for colour and source maps are accepted and
    ignored: this printer produces plain text only.
    """
    return _layout(self, width)


class _Text(Doc):
  __slots__ = ("text", "annotation")

  def __init__(self, text, annotation=None):
    self.text = text
    self.annotation = annotation


class _Break(Doc):
  __slots__ = ("text",)

  def __init__(self, text):
    self.text = text


class _Concat(Doc):
  __slots__ = ("children",)

  def __init__(self, children):
    self.children = children


class _Nest(Doc):
  __slots__ = ("indent", "child")

  def __init__(self, indent, child):
    self.indent = indent
    self.child = child


class _Group(Doc):
  __slots__ = ("child",)

  def __init__(self, child):
    self.child = child


_NIL = _Concat(())


def nil() -> Doc:
  """The empty document."""
  return _NIL


def text(s: str, annotation=None, anchor=None, href=None) -> Doc:
  """Literal text; an ``annotation`` is printed as a ``# comment`` after the
  line it lands on, in one column for the whole document (as JAX's printer
  does; ``anchor``/``href`` are accepted and unused).

    >>> print(concat([text("a = 1", annotation="one"), brk("; "),
    ...               text("bb = 22", annotation="two")]).format(width=5))
    a = 1   # one
    bb = 22 # two
  """
  return _Text(s, annotation)


def brk(s: str = " ") -> Doc:
  """A break: ``s`` when its enclosing group is flat, a newline otherwise."""
  return _Break(s)


def concat(children: Sequence[Doc]) -> Doc:
  """The documents one after the other."""
  return _Concat(tuple(children))


def nest(n: int, child: Doc) -> Doc:
  """``child`` with newlines inside it indented ``n`` more columns."""
  return _Nest(n, child)


def group(child: Doc) -> Doc:
  """A unit that is laid out flat when it fits on the rest of the line."""
  return _Group(child)


def join(sep: Doc, docs: Sequence[Doc]) -> Doc:
  """``docs`` separated by ``sep``."""
  docs = list(docs)
  if len(docs) <= 1:
    return docs[0] if docs else _NIL
  parts = [docs[0]]
  for d in docs[1:]:
    parts.append(sep)
    parts.append(d)
  return concat(parts)


_FLAT, _BREAK = 0, 1


def _fits_flat(doc: Doc, room: int) -> bool:
  """Whether ``doc`` printed entirely flat takes at most ``room`` columns."""
  pending = [doc]
  while pending:
    if room < 0:
      return False
    d = pending.pop()
    kind = type(d)
    if kind is _Text or kind is _Break:
      room -= len(d.text)
    elif kind is _Concat:
      pending.extend(reversed(d.children))
    else:   # _Nest, _Group: flat either way
      pending.append(d.child)
  return room >= 0


def _layout(doc: Doc, width: int) -> str:
  out = []
  column = 0
  line = 0
  annotations: dict = {}   # line number -> its annotations, in order
  # A stack of (indent, mode, doc), processed front to back.
  todo = [(0, _BREAK, doc)]
  while todo:
    indent, mode, d = todo.pop()
    kind = type(d)
    if kind is _Text:
      out.append(d.text)
      column += len(d.text)
      if d.annotation is not None:
        annotations.setdefault(line, []).append(d.annotation)
    elif kind is _Concat:
      todo.extend((indent, mode, c) for c in reversed(d.children))
    elif kind is _Break:
      if mode is _BREAK:
        out.append("\n" + " " * indent)
        column = indent
        line += 1
      else:
        out.append(d.text)
        column += len(d.text)
    elif kind is _Nest:
      todo.append((indent + d.indent, mode, d.child))
    else:   # _Group: flat if the group alone fits in what is left of the line
      flat = mode is _FLAT or _fits_flat(d.child, width - column)
      todo.append((indent, _FLAT if flat else _BREAK, d.child))
  laid_out = "".join(out)
  return _annotate(laid_out, annotations) if annotations else laid_out


def _annotate(laid_out: str, annotations: dict) -> str:
  """Each annotated line followed by `` # annotation`` in one column (past the
  longest annotated line); a line's further annotations go on lines of their own."""
  lines = laid_out.split("\n")
  column = max(len(lines[i]) for i in annotations)
  out = []
  for i, text_line in enumerate(lines):
    notes = annotations.get(i)
    if not notes:
      out.append(text_line)
      continue
    out.append(f"{text_line.ljust(column)} # {notes[0]}")
    out.extend(f"{'':{column}} # {note}" for note in notes[1:])
  return "\n".join(out)
