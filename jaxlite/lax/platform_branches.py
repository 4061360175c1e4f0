"""``lax.platform_dependent``: per-platform code chosen when the program is
lowered for a platform, not when it is traced.

All branches are traced; ``platform_index`` becomes a constant at lowering
(the index of the branch for the platform lowered for), so XLA folds the
``switch`` over the branches away. Eagerly the index is known at once and
only the chosen branch runs.
"""
from __future__ import annotations

__all__ = ['platform_dependent']

import numpy as np

from jaxlite import core
from jaxlite.core import ShapedArray
from jaxlite.interpreters import mlir

# The lowering platform names the branches may use for each platform name
# jaxlite lowers for ("gpu" modules run on CUDA or ROCm devices).
_ALIASES = {"gpu": ("cuda", "rocm", "gpu")}

platform_index_p = core.Primitive("platform_index")
platform_index_p.def_abstract_eval(lambda *, platforms: ShapedArray((), np.dtype(np.int32)))


def _platform_index_lowering(ctx, *, platforms):
  platform = ctx.module_context.platform
  names = _ALIASES.get(platform, (platform,))
  default = None
  for i, group in enumerate(platforms):
    if group is None:
      default = i
    elif any(name in group for name in names):
      return mlir.ir_constant(np.int32(i))
  if default is None:
    raise NotImplementedError(
        f"MLIR translation rule for primitive 'platform_index(platforms={platforms})' "
        f"not found for platform {platform}")
  return mlir.ir_constant(np.int32(default))


mlir.register_lowering(platform_index_p, _platform_index_lowering)


def platform_dependent(*args, default=None, **per_platform):
  """``per_platform[p](*args)`` for the platform ``p`` the code runs on
  ('cpu', 'cuda', 'rocm', 'tpu'), else ``default(*args)``.

  >>> import numpy as np
  >>> from jaxlite import lax
  >>> lax.platform_dependent(np.float32(2.), cpu=lax.neg, default=lax.exp)
  Array(-2., dtype=float32)
  """
  from jaxlite.lax.control_flow import switch
  groups, branches = [], []
  for name, branch in per_platform.items():
    if not callable(branch):
      raise TypeError(f"lax.platform_dependent: the '{name}' branch must be a callable.")
    if name == "gpu":
      raise ValueError("Use 'cuda' or 'rocm' for lax.platform_dependent.")
    for group, known in zip(groups, branches):
      if known == branch:    # one branch for several platforms
        group.append(name)
        break
    else:
      groups.append([name])
      branches.append(branch)
  platforms = tuple(tuple(g) for g in groups)
  if default is not None:
    if not callable(default):
      raise TypeError("lax.platform_dependent: the 'default' branch must be a callable.")
    branches.append(default)
    platforms += (None,)
  index = platform_index_p.bind(platforms=platforms)
  if not isinstance(index, core.Tracer):
    return branches[int(index)](*args)
  return switch(index, branches, *args)
