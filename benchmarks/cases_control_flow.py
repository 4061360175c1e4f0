"""Control-flow benchmarks: a jitted 1,000-step scan RNN, forward and backward.

Each case's `setup(jx, jnp)` gets either jaxlite or jax; see run.py. Only
`jx.lax`, `jx.jit`, `jx.grad` and `jx.device_put` are used, so both libraries
run the very same program.
"""
import numpy as np

from run import Case

STEPS, HIDDEN = 1000, 64


def _rnn_setup(jx):
  rng = np.random.RandomState(0)
  put = jx.device_put
  params = (put(rng.randn(HIDDEN, HIDDEN).astype(np.float32) / np.sqrt(HIDDEN)),
            put(rng.randn(HIDDEN, HIDDEN).astype(np.float32) / np.sqrt(HIDDEN)),
            put(np.zeros(HIDDEN, np.float32)))
  xs = put(rng.randn(STEPS, HIDDEN).astype(np.float32))
  h0 = put(np.zeros(HIDDEN, np.float32))
  lax = jx.lax

  def loss(params, h0, xs):
    w, u, b = params

    def step(h, x):
      h = lax.tanh(lax.add(lax.add(lax.dot(w, h), lax.dot(u, x)), b))
      return h, lax.reduce_sum(h, (0,))
    h, ys = lax.scan(step, h0, xs)
    return lax.add(lax.reduce_sum(h, (0,)), lax.reduce_sum(ys, (0,)))
  return loss, params, h0, xs


def _forward(jx, jnp):
  loss, params, h0, xs = _rnn_setup(jx)
  f = jx.jit(loss)
  f(params, h0, xs).block_until_ready()

  def run():
    f(params, h0, xs).block_until_ready()
  return run


def _backward(jx, jnp):
  loss, params, h0, xs = _rnn_setup(jx)
  g = jx.jit(jx.grad(loss))
  for a in g(params, h0, xs):
    a.block_until_ready()

  def run():
    for a in g(params, h0, xs):
      a.block_until_ready()
  return run


def _backward_first_call(jx, jnp):
  loss, params, h0, xs = _rnn_setup(jx)
  g = jx.jit(jx.grad(loss))

  def run():
    for a in g(params, h0, xs):
      a.block_until_ready()
  return run


CASES = [
    Case("scan_rnn_1000_forward", _forward, goal="<= 1.0x JAX"),
    Case("scan_rnn_1000_backward", _backward, goal="<= 1.0x JAX"),
    Case("scan_rnn_1000_backward_first_call", _backward_first_call, goal="<= 1.0x JAX",
         kind="first_call"),
]
