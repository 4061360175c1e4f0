"""A process that keeps compiling distinct programs must not run out of memory
maps: at the kernel's vm.max_map_count XLA's CPU compiler segfaults (seen in a
pytest-xdist worker after some 2,700 tests). jaxlite clears its compilation
caches (whose executables hold the maps) before it gets there."""
import sys

import numpy as np
import pytest

from jaxlite import lax
from jaxlite.runtime import caches, executable

pytestmark = pytest.mark.skipif(executable._map_limit is None or sys.platform != "linux",
                                reason="no /proc/sys/vm/max_map_count to watch")


def test_caches_are_cleared_before_the_map_limit(monkeypatch):
  # A pretend limit a few dozen programs away: the guard must clear the caches
  # (and the maps of their executables go with them) instead of letting the
  # count reach it.
  base = executable._map_count()
  fake_limit = int((base + 120) / executable._MAP_HEADROOM)
  monkeypatch.setattr(executable, "_map_limit", fake_limit)
  monkeypatch.setattr(executable, "_MAP_CHECK_EVERY", 4)
  clears = []
  clear_caches = caches.clear_caches
  monkeypatch.setattr(caches, "clear_caches", lambda: (clears.append(1), clear_caches())[1])
  peak = 0
  for size in range(101, 221):   # distinct shapes: a fresh executable each
    out = lax.broadcast_in_dim(np.full((size,), 2.0, np.float32), (2, size), (1,))
    peak = max(peak, executable._map_count())
    assert float(out[1, -1]) == 2.0
  assert peak < fake_limit
  # Cleared at least once on the way (how often depends on how many maps the
  # process's earlier programs held, which the first clear releases too).
  assert clears
