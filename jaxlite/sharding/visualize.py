"""``jax.debug.visualize_array_sharding``: a text picture of which device holds
which block of a 1-D or 2-D array, drawn as JAX draws it (JAX uses ``rich``;
this draws the same box table itself, without colours; a table wider than
``max_width`` is not narrowed as rich narrows it).

  >>> import numpy as np, jaxlite
  >>> visualize_array_sharding(jaxlite.numpy.ones(4))
  ┌───────┐
  │ CPU 0 │
  └───────┘
"""
from __future__ import annotations

from typing import Sequence

_HEIGHT_TO_WIDTH = 2.5   # a character cell is about 2.5 times taller than wide


def _chunk_index(size: int, slc) -> int:
  if isinstance(slc, int):
    slc = slice(slc, slc + 1)
  if slc.start is None and slc.stop is None:
    return 0
  return slc.start // (slc.stop - slc.start)


def _blocks(shape, sharding):
  """(row, col) -> (device ids, height fraction or None, width fraction)."""
  blocks: dict = {}
  for device, index in sharding.devices_indices_map(tuple(shape)).items():
    index = tuple(slice(i, i + 1) if isinstance(i, int) else i for i in index)
    chunk = tuple(_chunk_index(n, s) for n, s in zip(shape, index))
    extents = [((s.stop - s.start) if s.stop is not None else n) / n
               for n, s in zip(shape, index)]
    if len(shape) == 2:
      key, height, width = chunk, extents[0], extents[1]
    else:
      key, height, width = (0,) + chunk, None, extents[0]
    ids, _, _ = blocks.setdefault(key, (set(), height, width))
    ids.add(device.id)
  return blocks


def sharding_picture(shape: Sequence[int], sharding, *, scale: float = 1.,
                     min_width: int = 9, max_width: int = 80) -> str:
  """The picture ``visualize_sharding`` prints, as a string."""
  shape = tuple(shape)
  if len(shape) > 2 or len(shape) < 1:
    raise ValueError("`visualize_sharding` only works for shapes with 1 and 2 dimensions.")
  base_height = int(10 * scale)
  base_width = int(base_height * (shape[1] if len(shape) == 2 else 1) / shape[0])
  kind = next(iter(sharding.device_set)).platform.upper()
  blocks = _blocks(shape, sharding)
  rows = max(k[0] for k in blocks) + 1
  cols = max(k[1] for k in blocks) + 1
  cells = {}
  for (i, j), (ids, height, width) in blocks.items():
    text = f"{kind} " + ",".join(str(d) for d in sorted(ids))
    w = min(max(int(width * base_width * _HEIGHT_TO_WIDTH), min_width), max_width)
    h = 1 if height is None else int(height * base_height)
    left, extra = divmod(w - len(text) - 2, 2)
    top, extra_v = divmod(h - 2, 2)
    cells[i, j] = (text, max(top, 0), max(left + extra, 0), max(top + extra_v, 0),
                   max(left, 0))
  col_widths = [max(len(c[0]) + c[2] + c[4] for (i, j), c in cells.items() if j == col)
                for col in range(cols)]

  def render(cell, width):
    text, top, right, bottom, left = cell
    inner = width - left - right
    pad = inner - len(text)
    line = " " * left + " " * (pad // 2) + text + " " * (pad - pad // 2) + " " * right
    return [" " * width] * top + [line] + [" " * width] * bottom

  def rule(left, mid, right):
    return left + mid.join("─" * w for w in col_widths) + right

  lines = [rule("┌", "┬", "┐")]
  for i in range(rows):
    rendered = [render(cells[i, j], col_widths[j]) for j in range(cols)]
    height = max(len(r) for r in rendered)
    rendered = [r + [" " * col_widths[j]] * (height - len(r)) for j, r in enumerate(rendered)]
    for k in range(height):
      lines.append("│" + "│".join(r[k] for r in rendered) + "│")
    lines.append(rule("├", "┼", "┤") if i < rows - 1 else rule("└", "┴", "┘"))
  return "\n".join(lines) + "\n"


def visualize_sharding(shape: Sequence[int], sharding, *, use_color: bool = True,
                       scale: float = 1., min_width: int = 9, max_width: int = 80,
                       color_map=None) -> None:
  """Prints which device holds which block of an array of ``shape``.

  ``use_color`` and ``color_map`` are accepted for JAX's signature; the
  picture is drawn without colours.

  >>> import jaxlite
  >>> from jaxlite.sharding import SingleDeviceSharding
  >>> visualize_sharding((2,), SingleDeviceSharding(jaxlite.devices()[0]))
  ┌───────┐
  │ CPU 0 │
  └───────┘
  """
  del use_color, color_map
  print(sharding_picture(shape, sharding, scale=scale, min_width=min_width,
                         max_width=max_width), end="")


def visualize_array_sharding(arr, **kwargs) -> None:
  """``visualize_sharding(arr.shape, arr.sharding, **kwargs)``."""
  visualize_sharding(arr.shape, arr.sharding, **kwargs)


def inspect_array_sharding(value, *, callback) -> None:
  """Calls ``callback`` with the sharding of each array of the pytree ``value``
  (inside ``jit``: the sharding XLA picks, when it compiles the program).

  >>> import jaxlite
  >>> inspect_array_sharding(jaxlite.numpy.ones(2), callback=lambda s: print(type(s).__name__))
  SingleDeviceSharding
  """
  from jaxlite.interpreters import inspect_sharding  # pylint: disable=g-import-not-at-top
  inspect_sharding.inspect_array_sharding(value, callback=callback)
