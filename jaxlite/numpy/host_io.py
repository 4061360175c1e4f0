"""Host-side I/O and printing: ``save``/``savez``/``load`` (NumPy's ``.npy`` and
``.npz`` formats, through ``device_get``), ``fromstring``, ``from_dlpack``,
``array_repr``/``array_str`` and NumPy's print options, which also govern how
jaxlite arrays print.

  >>> import io
  >>> import jaxlite.numpy as jnp
  >>> buffer = io.BytesIO()
  >>> jnp.save(buffer, jnp.arange(3))
  >>> _ = buffer.seek(0)
  >>> jnp.load(buffer)
  Array([0, 1, 2], dtype=int32)
"""
from __future__ import annotations

__all__ = ['save', 'savez', 'load', 'fromfile', 'fromiter', 'fromstring', 'from_dlpack',
           'array_repr', 'array_str', 'printoptions', 'set_printoptions',
           'get_printoptions']

import numpy as np

from jaxlite import dtypes
from jaxlite.numpy import creation, promotion


def _host(arr):
  """``arr`` as a NumPy array (fetched from the device)."""
  if promotion.is_arraylike(arr):
    return np.asarray(arr)
  return arr


def save(file, arr, allow_pickle: bool = True):
  """Writes ``arr`` to ``file`` in NumPy's ``.npy`` format.

  >>> import io
  >>> import jaxlite.numpy as jnp
  >>> jnp.save(io.BytesIO(), jnp.zeros(2))
  """
  np.save(file, _host(arr), allow_pickle=allow_pickle)


def savez(file, *args, allow_pickle: bool = True, **kwds):
  """Writes several arrays to ``file`` in NumPy's uncompressed ``.npz`` format.

  >>> import io
  >>> import jaxlite.numpy as jnp
  >>> jnp.savez(io.BytesIO(), a=jnp.zeros(2), b=jnp.ones(1))
  """
  np.savez(file, *[_host(a) for a in args], allow_pickle=allow_pickle,
           **{k: _host(v) for k, v in kwds.items()})


def load(file, *args, **kwargs):
  """Reads an array saved by ``save`` (or ``np.save``) as a jaxlite Array.

  An ``.npz`` file gives NumPy's lazy ``NpzFile``. bfloat16 arrays, which
  NumPy stores as 2-byte voids, come back as bfloat16.

  >>> import io
  >>> import jaxlite.numpy as jnp
  >>> buffer = io.BytesIO()
  >>> jnp.save(buffer, jnp.arange(2.0, dtype=jnp.bfloat16))
  >>> _ = buffer.seek(0)
  >>> jnp.load(buffer)
  Array([0, 1], dtype=bfloat16)
  """
  out = np.load(file, *args, **kwargs)
  if not isinstance(out, np.ndarray):
    return out
  if out.dtype == np.dtype("V2"):
    # NumPy stores bfloat16 (unknown to its file format) as 2-byte voids.
    out = out.view(dtypes.bfloat16)
  return creation.asarray(out)


def _impure(name):
  def fun(*args, **kwargs):
    raise NotImplementedError(
        f"jnp.{name}() is not implemented because it may be non-pure and thus unsafe "
        "for use with JIT and other JAX transformations. Consider using "
        f"jnp.asarray(np.{name}(...)) instead, although care should be taken if "
        f"np.{name} is used within a jax transformations because of its potential "
        "side-effect of consuming the iterable object; for more information see "
        "https://jax.readthedocs.io/en/latest/faq.html#pure-functions")
  fun.__name__ = fun.__qualname__ = name
  fun.__doc__ = (f"Not implemented, as in JAX: ``np.{name}`` reads external state.\n\n"
                 "  >>> import jaxlite.numpy as jnp\n"
                 f"  >>> jnp.{name}('data.bin')\n"
                 "  Traceback (most recent call last):\n"
                 f"  NotImplementedError: jnp.{name}() is not implemented ...\n")
  return fun


fromfile = _impure("fromfile")
fromiter = _impure("fromiter")


def fromstring(string: str, dtype=float, count: int = -1, *, sep: str):
  """The numbers written in ``string``, separated by ``sep``.

  >>> import jaxlite.numpy as jnp
  >>> jnp.fromstring("1 2 3", dtype=int, sep=" ")
  Array([1, 2, 3], dtype=int32)
  """
  return creation.asarray(np.fromstring(string, dtype=dtype, count=count, sep=sep))


def from_dlpack(x, /, *, device=None, copy=None):
  """An Array holding the data of ``x``, any object with ``__dlpack__``.

  The data is read through NumPy's DLPack import (host memory) and placed on
  ``device`` (the default device if None); a copy is always made.

  >>> import numpy as np
  >>> import jaxlite.numpy as jnp
  >>> jnp.from_dlpack(np.arange(3))
  Array([0, 1, 2], dtype=int32)
  """
  if copy is False:
    raise ValueError("jnp.from_dlpack: copy=False is not supported; the data is copied "
                     "onto the device")
  if not hasattr(x, "__dlpack__"):
    raise TypeError(f"The array passed to from_dlpack must have __dlpack__ and "
                    f"__dlpack_device__ methods; got {type(x)}")
  return creation.asarray(np.from_dlpack(x), device=device)


def array_repr(arr, max_line_width=None, precision=None, suppress_small=None):
  """NumPy's ``array_repr`` of ``arr``'s values.

  >>> import jaxlite.numpy as jnp
  >>> jnp.array_repr(jnp.arange(2))
  'array([0, 1], dtype=int32)'
  """
  return np.array_repr(_host(arr), max_line_width, precision, suppress_small)


def array_str(a, max_line_width=None, precision=None, suppress_small=None):
  """NumPy's ``array_str`` of ``a``'s values.

  >>> import jaxlite.numpy as jnp
  >>> jnp.array_str(jnp.arange(3.0))
  '[0. 1. 2.]'
  """
  return np.array_str(_host(a), max_line_width, precision, suppress_small)


def printoptions(*args, **kwargs):
  """NumPy's ``printoptions`` context manager: jaxlite arrays print through NumPy.

  >>> import jaxlite.numpy as jnp
  >>> with jnp.printoptions(precision=2):
  ...   print(jnp.array([1 / 3]))
  [0.33]
  """
  return np.printoptions(*args, **kwargs)


def set_printoptions(*args, **kwargs):
  """NumPy's ``set_printoptions``: jaxlite arrays print through NumPy.

  >>> import jaxlite.numpy as jnp
  >>> jnp.set_printoptions(precision=8)
  """
  np.set_printoptions(*args, **kwargs)


def get_printoptions():
  """NumPy's current print options.

  >>> import jaxlite.numpy as jnp
  >>> jnp.get_printoptions()["precision"]
  8
  """
  return np.get_printoptions()
