"""Global arrays over two processes (4 CPU devices each, joined by
jaxlite.distributed.initialize): make_array_from_process_local_data, a jitted
sharded step, and multihost_utils give what one process with 8 devices gives."""
import os
import socket
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import jaxlite
import jaxlite.numpy as jnp
from jaxlite.sharding import Mesh, NamedSharding, PartitionSpec as P

_SCRIPT = textwrap.dedent("""
    import sys, numpy as np
    import jaxlite, jaxlite.numpy as jnp
    from jaxlite.sharding import Mesh, NamedSharding, PartitionSpec as P
    from jaxlite.experimental import multihost_utils
    pid = int(sys.argv[1]); port = sys.argv[2]
    jaxlite.distributed.initialize(f"127.0.0.1:{port}", num_processes=2, process_id=pid,
                                   heartbeat_timeout_seconds=10)
    mesh = Mesh(np.array(jaxlite.devices()).reshape(2, 4), ('data', 'model'))
    full = np.arange(16 * 8, dtype=np.float32).reshape(16, 8) / 100
    w = np.cos(np.arange(64, dtype=np.float32)).reshape(8, 8)
    xs = NamedSharding(mesh, P('data', 'model'))
    x = jaxlite.make_array_from_process_local_data(xs, full[pid * 8:(pid + 1) * 8])
    assert x.shape == (16, 8) and not x.is_fully_addressable
    wg = jaxlite.make_array_from_callback(w.shape, NamedSharding(mesh, P('model', None)),
                                          lambda i: w[i])
    step = jaxlite.jit(lambda x, w: jnp.tanh(x @ w) * 2,
                       out_shardings=NamedSharding(mesh, P('data')))
    out = step(x, wg)
    gathered = multihost_utils.process_allgather(out, tiled=True)
    local = multihost_utils.process_allgather(np.float32(pid + 1))
    one = multihost_utils.broadcast_one_to_all(np.float32(pid + 7))
    multihost_utils.sync_global_devices("done")
    back = multihost_utils.global_array_to_host_local_array(out, mesh, P('data'))
    again = multihost_utils.host_local_array_to_global_array(back, mesh, P('data'))
    assert again.shape == (16, 8) and not again.is_fully_addressable
    assert all(a.index == b.index and np.array_equal(np.asarray(a.data), np.asarray(b.data))
               for a, b in zip(again.addressable_shards, out.addressable_shards))
    with multihost_utils.live_devices(jaxlite.devices()) as alive:
      assert len(alive) == 8
    print(repr(out.sharding.spec), gathered.shape, local.tolist(), float(one),
          back.shape, float(np.abs(np.asarray(back) - gathered[pid * 8:(pid + 1) * 8]).max()))
    np.save(sys.argv[3], gathered)
    jaxlite.distributed.shutdown()
""")


def _free_port():
  with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    return s.getsockname()[1]


@pytest.mark.slow
def test_two_process_global_array_step(tmp_path):
  if len(jaxlite.devices()) < 8:
    pytest.skip("needs 8 devices for the single-process reference")
  port = _free_port()
  env = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=4")
  outs = [str(tmp_path / f"out{i}.npy") for i in range(2)]
  procs = [subprocess.Popen([sys.executable, "-c", _SCRIPT, str(i), str(port), outs[i]],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
           for i in range(2)]
  results = [p.communicate(timeout=300) for p in procs]
  for p, (out, err) in zip(procs, results):
    assert p.returncode == 0, err[-3000:]
  for out, _ in results:
    assert out.strip().splitlines()[-1] == "P('data',) (16, 8) [1.0, 2.0] 7.0 (8, 8) 0.0"
  # One process with 8 devices computes the same.
  mesh = Mesh(np.array(jaxlite.devices()[:8]).reshape(2, 4), ("data", "model"))
  full = np.arange(16 * 8, dtype=np.float32).reshape(16, 8) / 100
  w = np.cos(np.arange(64, dtype=np.float32)).reshape(8, 8)
  x = jaxlite.device_put(full, NamedSharding(mesh, P("data", "model")))
  wg = jaxlite.device_put(w, NamedSharding(mesh, P("model", None)))
  ref = jaxlite.jit(lambda x, w: jnp.tanh(x @ w) * 2,
                    out_shardings=NamedSharding(mesh, P("data")))(x, wg)
  # Equal up to the order of the cross-process sum (Gloo's all-reduce).
  for path in outs:
    np.testing.assert_allclose(np.load(path), np.asarray(ref), rtol=1e-5, atol=1e-6)
