"""``jaxlite.random``: JAX's counter-based PRNG (threefry2x32), bit for bit.

Keys are explicit values: ``PRNGKey(seed)`` (a ``uint32[2]`` array) or
``key(seed)`` (a typed key array); ``split`` and ``fold_in`` derive new keys
and every sampler takes a key, giving JAX's numbers for the same key.

  >>> from jaxlite import random
  >>> key = random.PRNGKey(0)
  >>> key, subkey = random.split(key)
  >>> random.normal(subkey, (2,)).shape
  (2,)
"""
from jaxlite.prng import PRNGKeyArray, prng_key  # noqa: F401
from jaxlite.random.keys import *  # noqa: F401,F403
from jaxlite.random.samplers import *  # noqa: F401,F403
from jaxlite.random.gamma import *  # noqa: F401,F403
from jaxlite.random.discrete import *  # noqa: F401,F403
from jaxlite.random.binomial import *  # noqa: F401,F403
from jaxlite.random.gamma_primitive import random_gamma_p  # noqa: F401
from jaxlite.random import rbg as _rbg  # noqa: F401,E402  (registers 'rbg' and 'unsafe_rbg')
# Register 'threefry4x32', 'philox2x32' and 'philox4x32'.
from jaxlite.random import threefry4x32 as _threefry4x32  # noqa: F401,E402
from jaxlite.random import philox as _philox  # noqa: F401,E402
