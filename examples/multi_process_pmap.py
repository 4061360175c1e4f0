"""One pmap over the devices of two processes (jaxlite.distributed).

Run without arguments, this script starts itself twice (process 0 and 1 of a
two-process job on this machine, 4 CPU devices each) and prints what each
process computed. Each process runs:

    jaxlite.distributed.initialize("127.0.0.1:PORT", num_processes=2, process_id=i)
    out = jaxlite.pmap(lambda x: lax.psum(x, "i"), axis_name="i")(local_shard)

``jaxlite.devices()`` then lists all 8 devices, the ``psum`` runs across both
processes (XLA's coordination service, Gloo TCP collectives), and each
process gets back the results for its own 4 devices.

Run:  python examples/multi_process_pmap.py
      python examples/multi_process_pmap.py --worker ID PORT   (what each process runs)
"""
import os
import socket
import subprocess
import sys

NUM_PROCESSES = 2
DEVICES_PER_PROCESS = 4


def worker(process_id, port):
  os.environ["XLA_FLAGS"] = f"--xla_force_host_platform_device_count={DEVICES_PER_PROCESS}"
  import numpy as np

  import jaxlite
  from jaxlite import lax

  jaxlite.distributed.initialize(f"127.0.0.1:{port}", num_processes=NUM_PROCESSES,
                                 process_id=process_id)
  n_local = jaxlite.local_device_count()
  # Each process feeds the slice of the global batch that belongs to its devices.
  start = jaxlite.process_index() * n_local
  local = np.arange(start, start + n_local, dtype=np.float32)
  total = jaxlite.pmap(lambda x: lax.psum(x, "i"), axis_name="i")(local)
  rank = jaxlite.pmap(lambda x: lax.axis_index("i"), axis_name="i")(local)
  print(f"process {jaxlite.process_index()}/{jaxlite.process_count()}: "
        f"{jaxlite.local_device_count()} local of {jaxlite.device_count()} devices; "
        f"global ranks {np.asarray(rank).tolist()}; psum {np.asarray(total).tolist()}",
        flush=True)
  jaxlite.distributed.shutdown()


def _free_port():
  with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    return s.getsockname()[1]


def main():
  port = _free_port()
  procs = [subprocess.Popen([sys.executable, __file__, "--worker", str(i), str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
           for i in range(NUM_PROCESSES)]
  outputs = [p.communicate(timeout=300) for p in procs]
  for p, (out, err) in zip(procs, outputs):
    if p.returncode != 0:
      sys.exit(f"a worker failed (exit {p.returncode}):\n{err[-3000:]}")
    # Gloo's C++ layer writes its connection log to stdout too; keep our lines.
    print("\n".join(line for line in out.splitlines() if line.startswith("process ")))
  return [out for out, _ in outputs]


if __name__ == "__main__":
  if len(sys.argv) == 4 and sys.argv[1] == "--worker":
    worker(int(sys.argv[2]), int(sys.argv[3]))
  else:
    main()
