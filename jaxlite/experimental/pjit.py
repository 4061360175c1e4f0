"""``jax.experimental.pjit``: JAX 0.10.2's deprecated ``pjit``.

``pjit`` is ``jit`` whose bare ``PartitionSpec`` shardings (and None leaves,
meaning "replicated") are resolved against the mesh of the deprecated
``with mesh:`` block, and whose function is traced with that mesh as the
abstract mesh in context. Reading ``pjit`` warns, as JAX's does.

>>> import warnings
>>> with warnings.catch_warnings(record=True) as caught:
...   warnings.simplefilter("always")
...   from jaxlite.experimental.pjit import pjit
>>> print(caught[0].message)
jax.experimental.pjit.pjit has been deprecated. Please use `jax.jit` instead.
"""
import functools as _functools

from jaxlite import tree_util as _tree_util
from jaxlite.api import jit as _jit
from jaxlite.interpreters import spmd as _spmd
from jaxlite.deprecations import deprecation_getattr as _deprecation_getattr
from jaxlite.sharding import mesh as _mesh_lib
from jaxlite.sharding.partition_spec import PartitionSpec as _PartitionSpec
from jaxlite.sharding.shardings import NamedSharding as _NamedSharding


class _Unspecified:
  """pjit's default shardings: left to the arguments / to XLA (None would mean
  replicated)."""

  def __repr__(self):
    return "UnspecifiedValue"


_UNSPECIFIED = _Unspecified()


def _is_leaf(x) -> bool:
  return x is None or isinstance(x, _PartitionSpec) or hasattr(x, "_to_xla_hlo_sharding")


def _resolve(shardings, mesh, what: str):
  """``shardings`` with every bare spec a NamedSharding over ``mesh`` and every
  None leaf replicated over it (jit's None: unspecified) as JAX's pjit; JAX's
  RuntimeError for a bare spec without a mesh."""
  if shardings is _UNSPECIFIED:
    return None
  if isinstance(shardings, list):
    shardings = tuple(shardings)   # as jit: a list is a tuple of arguments

  def leaf(s):
    if s is None:
      return None if mesh.empty else _NamedSharding(mesh, _PartitionSpec())
    if isinstance(s, _PartitionSpec):
      if mesh.empty:
        raise _spmd.missing_mesh_error("pjit", what)
      return _NamedSharding(mesh, s)
    return s
  return _tree_util.tree_map(leaf, shardings, is_leaf=_is_leaf)


def _traced_under(fun, mesh):
  """``fun``, run with ``mesh``'s abstract mesh in context (JAX's pjit traces so)."""
  abstract = mesh.abstract_mesh

  @_functools.wraps(fun)
  def under_mesh(*args, **kwargs):
    with _mesh_lib.use_abstract_mesh(abstract):
      return fun(*args, **kwargs)
  return under_mesh


class _ResourceEnvJitted:
  """A pjit-wrapped function: one ``jit`` per ``with mesh:`` mesh it is called under."""

  def __init__(self, fun, in_shardings, out_shardings, jit_kwargs):
    self._fun = fun
    self._in_shardings = in_shardings
    self._out_shardings = out_shardings
    self._jit_kwargs = jit_kwargs
    self._by_mesh: dict = {}
    # Built at once: a bad static_argnums/donate_argnums is jit's error at pjit().
    self._for_mesh(_mesh_lib.empty_concrete_mesh, check_only=True)
    _functools.update_wrapper(self, fun)

  def _for_mesh(self, mesh, check_only=False):
    jitted = self._by_mesh.get(mesh)
    if jitted is None:
      if check_only:
        return _jit(self._fun, **self._jit_kwargs)
      in_shardings = _resolve(self._in_shardings, mesh, "in_shardings")
      out_shardings = _resolve(self._out_shardings, mesh, "out_shardings")
      fun = self._fun if mesh.empty else _traced_under(self._fun, mesh)
      jitted = self._by_mesh[mesh] = _jit(fun, in_shardings=in_shardings,
                                         out_shardings=out_shardings, **self._jit_kwargs)
    return jitted

  def __call__(self, *args, **kwargs):
    return self._for_mesh(_mesh_lib.thread_resource_mesh())(*args, **kwargs)

  def lower(self, *args, **kwargs):
    return self._for_mesh(_mesh_lib.thread_resource_mesh()).lower(*args, **kwargs)

  def trace(self, *args, **kwargs):
    return self._for_mesh(_mesh_lib.thread_resource_mesh()).trace(*args, **kwargs)

  def eval_shape(self, *args, **kwargs):
    return self._for_mesh(_mesh_lib.thread_resource_mesh()).eval_shape(*args, **kwargs)

  def clear_cache(self):
    self._by_mesh.clear()

  def __get__(self, obj, objtype=None):
    # As a method: bind the instance, as jit's functions do.
    return self if obj is None else _functools.partial(self, obj)

  def __repr__(self):
    return f"<PjitFunction of {self._fun!r}>"


def _pjit(fun, in_shardings=_UNSPECIFIED, out_shardings=_UNSPECIFIED, static_argnums=None,
          static_argnames=None, donate_argnums=None, donate_argnames=None,
          keep_unused=False, device=None, backend=None, inline=False,
          compiler_options=None):
  """`jax.experimental.pjit.pjit` has been deprecated. Please use `jax.jit`.

  ``jit`` with the mesh of the enclosing ``with mesh:`` block as its context
  mesh: bare ``PartitionSpec``s in ``in_shardings`` / ``out_shardings`` become
  ``NamedSharding``s over it and None means replicated over it.

  >>> import warnings, numpy as np, jaxlite, jaxlite.numpy as jnp
  >>> from jaxlite.sharding import Mesh, PartitionSpec as P
  >>> mesh = Mesh(np.array(jaxlite.devices()[:1]), ('x',))
  >>> with warnings.catch_warnings():
  ...   warnings.simplefilter("ignore", DeprecationWarning)
  ...   with mesh:
  ...     y = _pjit(lambda a: a * 2, in_shardings=P('x'))(jnp.arange(4.0))
  >>> y, y.sharding.mesh.axis_names
  (Array([0., 2., 4., 6.], dtype=float32), ('x',))
  """
  jit_kwargs = dict(static_argnums=static_argnums, static_argnames=static_argnames,
                    donate_argnums=donate_argnums, donate_argnames=donate_argnames,
                    keep_unused=keep_unused, device=device, backend=backend, inline=inline,
                    compiler_options=compiler_options)
  return _ResourceEnvJitted(fun, in_shardings, out_shardings, jit_kwargs)


_pjit.__name__ = _pjit.__qualname__ = "pjit"

__getattr__ = _deprecation_getattr(__name__, {
    "pjit": ("jax.experimental.pjit.pjit has been deprecated. Please use `jax.jit` instead.",
             _pjit),
})
