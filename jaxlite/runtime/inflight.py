"""Multi-device launches that cannot deadlock XLA's CPU client.

XLA's CPU client admits at most 32 computations in flight per device (a
semaphore) and launches each replica of a multi-device program from a thread
of its own pool. When a device already has 32 in flight, the replica's launch
blocks a pool thread in that semaphore; if the other pool threads are the
replicas of an earlier program waiting in an all-reduce for the one that
cannot get a thread, nothing moves and XLA aborts the process after 40 s.
JAX's data-parallel training loops (pmap + psum, no host sync) hit this.

Two measures make it impossible, without a host sync on the steady path:

* ``launch`` keeps at most ``MAX_IN_FLIGHT`` multi-device programs queued on
  the devices (plus one per thread launching at the same moment): the oldest one's completion token is awaited before a new
  launch only when the queue is full (the devices still have that many
  programs to work through, so no throughput is lost), hence a replica's
  launch never meets a full semaphore because of pmap itself; launches are
  issued one at a time, so at most one replica per device can ever wait.
* ``cpu_thread_pool_size`` gives the CPU client enough pool threads for one
  collective's replicas, one waiting launch per device and one more thread
  (``backend`` uses it before the client exists).

  >>> cpu_thread_pool_size(num_devices=8, num_cores=2)
  17
"""
from __future__ import annotations

import collections
import threading

# Far below XLA's 32 per device: single-device work queued on the same devices
# (eager ops, jit) keeps room in the semaphore too.
MAX_IN_FLIGHT = 16

_launch_lock = threading.Lock()
_acquire_launch = _launch_lock.acquire
_release_launch = _launch_lock.release
_tokens: collections.deque = collections.deque()


def cpu_thread_pool_size(num_devices: int, num_cores: int) -> int:
  """Pool threads the CPU client needs so that no collective can starve.

  XLA sizes the pool ``max(cores, devices)``. A collective's replicas hold
  ``num_devices`` threads while they wait for each other; a launch that waits
  for room in a device's semaphore holds one more per device; one thread is
  left for the single-device computations that free that room.

  >>> cpu_thread_pool_size(num_devices=1, num_cores=4)
  4
  """
  if num_devices <= 1:
    return num_cores   # no collectives: XLA's own default
  return max(num_cores, 2 * num_devices + 1)


def launch(loaded, bufs, checked=False):
  """``loaded.execute_sharded(bufs)`` for a multi-device program, bounded.

  ``checked``: the caller saw that no buffer is deleted.

  Returns jaxlib's ``ExecuteResults`` (its token already taken).

  >>> results = launch(exe.loaded, bufs)    # doctest: +SKIP
  >>> outs = results.consume_with_handlers(exe.handlers)   # doctest: +SKIP
  """
  # jaxlib 0.10.2 crashes the process on a multi-device launch with a donated
  # operand: JAX's error instead, for any deleted one.
  if not checked:
    is_deleted = _is_deleted or _load_is_deleted()
    # Past two buffers, filter (jaxlib called from C) costs less than a loop.
    for b in bufs if len(bufs) <= 2 else filter(is_deleted, bufs):
      if is_deleted(b):
        raise RuntimeError(f"Array has been deleted with shape={_shape_text(b)}.")
  tokens = _tokens
  if len(tokens) >= MAX_IN_FLIGHT:
    # The queue is full: wait for the oldest launch (inlined: a full queue is
    # the steady state of a training loop). No lock: deque.popleft is atomic,
    # and another thread may have emptied the queue meanwhile.
    try:
      oldest = tokens.popleft()
    except IndexError:
      oldest = None
    if oldest is not None:
      # Outside the lock: a host callback inside that program may launch too.
      try:
        oldest.block_until_ready()
      except Exception:   # pylint: disable=broad-except
        pass   # that program's failure is reported through its own outputs
  # acquire/release rather than ``with``: the statement looks up and calls
  # the lock's __enter__/__exit__ on every launch.
  _acquire_launch()
  try:
    # with_tokens given by position: nanobind parses keywords on a slower path.
    results = loaded.execute_sharded(bufs, True)
    tokens.append(results.consume_token())
  finally:
    _release_launch()
  return results


_is_deleted = None   # jaxlib's ArrayImpl.is_deleted, once a launch needs it


def _load_is_deleted():
  global _is_deleted
  from jaxlib import xla_client as xc  # pylint: disable=g-import-not-at-top
  _is_deleted = xc.ArrayImpl.is_deleted
  return _is_deleted


def _shape_text(buf) -> str:
  try:
    return buf.aval.str_short(short_dtypes=False)
  except Exception:  # noqa: BLE001 - an aval without jaxlite's printer
    return str(buf.aval)


def in_flight() -> int:
  """Multi-device launches not yet known to be finished.

  >>> 0 <= in_flight() <= MAX_IN_FLIGHT
  True
  """
  return len(_tokens)
