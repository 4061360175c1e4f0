"""jaxlite.random benchmarks: the eager key-splitting loop research code runs
every training step, and a jitted sampler.

Each case's `setup(jx, jnp)` gets either jaxlite or jax; see run.py.
"""
from run import Case


def _split_normal_loop(jx, jnp):
  random = jx.random
  key = random.PRNGKey(0)

  def run():
    k = key
    for _ in range(20):
      k, sub = random.split(k)
      x = random.normal(sub, (128,))
    x.block_until_ready()
  run()   # compiles split and normal once
  return run


def _split_normal_loop_typed(jx, jnp):
  random = jx.random
  key = random.key(0)

  def run():
    k = key
    for _ in range(20):
      k, sub = random.split(k)
      x = random.normal(sub, (128,))
    x.block_until_ready()
  run()
  return run


def _jit_uniform_normal(jx, jnp):
  random = jx.random
  f = jx.jit(lambda k: random.uniform(k, (1024,)) + random.normal(random.fold_in(k, 1),
                                                                  (1024,)))
  key = random.PRNGKey(1)
  f(key).block_until_ready()

  def run():
    f(key).block_until_ready()
  return run


def _eager_normal(typed):
  def setup(jx, jnp):
    random = jx.random
    key = random.key(0) if typed else random.PRNGKey(0)

    def run():
      random.normal(key, (128,))
    run()
    return run
  return setup


def _eager_split(jx, jnp):
  random = jx.random
  key = random.key(0)

  def run():
    random.split(key)
  run()
  return run


# 100 calls per counted batch, as the dispatch cases: with 20, XLA's idle spin
# (subtracted) outweighed the calls and one run counted -31K per call.
_CALLS = 100

CASES = [
    Case("instr_random_normal_eager_typed", _eager_normal(True), goal="<= 1.0x JAX",
         kind="instructions", calls=_CALLS),
    Case("instr_random_normal_eager_raw", _eager_normal(False), goal="<= 1.0x JAX",
         kind="instructions", calls=_CALLS),
    Case("instr_random_split_eager_typed", _eager_split, goal="<= 1.0x JAX",
         kind="instructions", calls=_CALLS),
    Case("random_split_normal_loop_20", _split_normal_loop, goal="<= 1.0x JAX"),
    Case("random_split_normal_loop_20_typed_keys", _split_normal_loop_typed,
         goal="<= 1.0x JAX"),
    Case("random_jit_uniform_normal_1024", _jit_uniform_normal, goal="<= 1.1x JAX"),
]
