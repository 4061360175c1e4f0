"""``jaxlite.scipy.cluster``: vector quantization (``vq``).

  >>> from jaxlite.scipy.cluster import vq
  >>> vq.vq([[0.], [5.]], [[1.], [4.]])[0]
  Array([0, 1], dtype=int32)
"""
from jaxlite.scipy.cluster import vq  # noqa: F401
