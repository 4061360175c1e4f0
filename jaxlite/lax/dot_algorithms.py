"""Dot-product algorithms: JAX's ``DotAlgorithm`` and ``DotAlgorithmPreset``,
accepted as the ``precision`` of ``dot``/``dot_general``.

An algorithm fixes the types the operands are rounded to, the accumulation
type, and how many primitive products emulate a higher precision. The
lowering converts the operands to those types, emits ``stablehlo.dot_general``
with the ``algorithm`` attribute, and converts the result to the output
dtype. XLA's CPU backend ignores algorithms it does not know, so, as JAX does,
only the presets CPU implements are accepted there.
"""
from __future__ import annotations

__all__ = ['DotAlgorithm', 'DotAlgorithmPreset']

import enum
from typing import NamedTuple

import numpy as np

from jaxlite import dtypes
from jaxlite.interpreters import mlir


class DotAlgorithm(NamedTuple):
  """An explicit dot algorithm: operand (``lhs_precision_type``,
  ``rhs_precision_type``) and ``accumulation_type`` dtypes, the number of
  components each operand is split into and of primitive products, and
  whether imprecise accumulation is allowed.

  >>> import numpy as np
  >>> from jaxlite import lax
  >>> lax.DotAlgorithm(np.float32, np.float32, np.float32).num_primitive_operations
  1
  """
  lhs_precision_type: object
  rhs_precision_type: object
  accumulation_type: object
  lhs_component_count: int = 1
  rhs_component_count: int = 1
  num_primitive_operations: int = 1
  allow_imprecise_accumulation: bool = False

  def _convert_to_hlo_attr(self, lhs_dtype, rhs_dtype):
    del lhs_dtype, rhs_dtype
    return mlir.hlo().DotAlgorithm.get(
        mlir.dtype_to_ir_type(dtypes.dtype(self.lhs_precision_type)),
        mlir.dtype_to_ir_type(dtypes.dtype(self.rhs_precision_type)),
        mlir.dtype_to_ir_type(dtypes.dtype(self.accumulation_type)),
        self.lhs_component_count, self.rhs_component_count, self.num_primitive_operations,
        self.allow_imprecise_accumulation)


def _float8_dtypes():
  names = ("float8_e4m3b11fnuz", "float8_e4m3fn", "float8_e4m3fnuz", "float8_e5m2",
           "float8_e5m2fnuz", "float8_e3m4", "float8_e4m3", "float8_e8m0fnu")
  return tuple(np.dtype(getattr(dtypes, n)) for n in names if hasattr(dtypes, n))


class DotAlgorithmPreset(enum.Enum):
  """The named dot algorithms (``LHS_RHS_ACCUMULATOR``; ``_X3``/``_X6``/``_X9``:
  that many products emulate a higher precision). Selected by member or by
  name as ``precision``.

  >>> from jaxlite import lax
  >>> lax.DotAlgorithmPreset.F32_F32_F32
  DotAlgorithmPreset.F32_F32_F32
  """
  DEFAULT = enum.auto()
  ANY_F8_ANY_F8_F32 = enum.auto()
  ANY_F8_ANY_F8_F32_FAST_ACCUM = enum.auto()
  ANY_F8_ANY_F8_ANY = enum.auto()
  ANY_F8_ANY_F8_ANY_FAST_ACCUM = enum.auto()
  F16_F16_F16 = enum.auto()
  F16_F16_F32 = enum.auto()
  BF16_BF16_BF16 = enum.auto()
  BF16_BF16_F32 = enum.auto()
  BF16_BF16_F32_X3 = enum.auto()
  BF16_BF16_F32_X6 = enum.auto()
  BF16_BF16_F32_X9 = enum.auto()
  TF32_TF32_F32 = enum.auto()
  TF32_TF32_F32_X3 = enum.auto()
  F32_F32_F32 = enum.auto()
  F64_F64_F64 = enum.auto()

  def __repr__(self) -> str:
    return f'{self.__class__.__name__}.{self.name}'

  def __str__(self) -> str:
    return self.name

  @property
  def _is_float8(self) -> bool:
    return self.name.startswith("ANY_F8")

  @property
  def supported_lhs_types(self):
    """The operand dtypes the algorithm takes as they are (None: any); others
    are converted to the first."""
    name = self.name
    if name == "DEFAULT" or self._is_float8:
      return None
    if name.startswith("F16_"):
      return (np.dtype(np.float16),)
    if name in ("BF16_BF16_BF16", "BF16_BF16_F32"):
      return (np.dtype(dtypes.bfloat16), np.dtype(np.float32))
    if name == "F64_F64_F64":
      return (np.dtype(np.float64),)
    return (np.dtype(np.float32),)

  @property
  def supported_rhs_types(self):
    return self.supported_lhs_types

  @property
  def accumulation_type(self):
    """The accumulator dtype (None: chosen by the output type)."""
    name = self.name
    if name in ("DEFAULT", "ANY_F8_ANY_F8_ANY", "ANY_F8_ANY_F8_ANY_FAST_ACCUM"):
      return None
    return {"F16_F16_F16": np.dtype(np.float16), "BF16_BF16_BF16": np.dtype(dtypes.bfloat16),
            "F64_F64_F64": np.dtype(np.float64)}.get(name, np.dtype(np.float32))

  def supported_output_types(self, lhs_dtype, rhs_dtype):
    """The result dtypes the algorithm can produce (None: any)."""
    name = self.name
    if name in ("ANY_F8_ANY_F8_F32", "ANY_F8_ANY_F8_F32_FAST_ACCUM"):
      return (np.dtype(np.float32), np.dtype(np.float16), np.dtype(dtypes.bfloat16),
              *_float8_dtypes()[:5])
    promoted = dtypes.promote_types(lhs_dtype, rhs_dtype)
    if name == "F16_F16_F32":
      return ((np.dtype(np.float32), np.dtype(np.float16)) if promoted == np.float16
              else (np.dtype(np.float32),))
    if name == "BF16_BF16_F32":
      return ((np.dtype(np.float32), np.dtype(dtypes.bfloat16))
              if promoted == dtypes.bfloat16 else (np.dtype(np.float32),))
    accumulation = self.accumulation_type
    return None if accumulation is None else (accumulation,)

  def _convert_to_hlo_attr(self, lhs_dtype, rhs_dtype):
    ir, hlo = mlir.ir(), mlir.hlo()
    if self.name == "DEFAULT":
      return None
    if self._is_float8:
      f8 = _float8_dtypes()
      if np.dtype(lhs_dtype) not in f8 or np.dtype(rhs_dtype) not in f8:
        raise ValueError(f"The dot algorithm '{self}' requires both inputs to have float8 "
                         f"dtypes. Got {lhs_dtype} and {rhs_dtype} instead.")
      return hlo.DotAlgorithm.get(mlir.dtype_to_ir_type(np.dtype(lhs_dtype)),
                                  mlir.dtype_to_ir_type(np.dtype(rhs_dtype)), ir.F32Type.get(),
                                  1, 1, 1, self.name.endswith("FAST_ACCUM"))
    kinds = {"F16": ir.F16Type.get(), "F32": ir.F32Type.get(), "F64": ir.F64Type.get(),
             "BF16": ir.BF16Type.get(), "TF32": ir.FloatTF32Type.get()}
    parts = self.name.split("_")
    products = int(parts[3][1:]) if len(parts) > 3 else 1
    return hlo.DotAlgorithm.get(kinds[parts[0]], kinds[parts[1]], kinds[parts[2]], 1, 1,
                                products, False)


# The presets XLA's CPU backend implements (it ignores the others silently).
_CPU_PRESETS = frozenset({"DEFAULT", "F16_F16_F16", "F32_F32_F32", "F64_F64_F64",
                          "BF16_BF16_F32", "BF16_BF16_F32_X3", "BF16_BF16_F32_X6"})


def is_algorithm(precision) -> bool:
  return isinstance(precision, (DotAlgorithm, DotAlgorithmPreset))


def compute_types(algorithm, lhs_dtype, rhs_dtype, out_dtype):
  """(lhs, rhs, accumulation) dtypes a dot with ``algorithm`` computes in."""
  if isinstance(algorithm, DotAlgorithm):
    return tuple(np.dtype(dtypes.dtype(t)) if t is not None else None
                 for t in (algorithm.lhs_precision_type, algorithm.rhs_precision_type,
                           algorithm.accumulation_type))

  def pick(dtype, supported):
    if supported is None or np.dtype(dtype) in supported:
      return np.dtype(dtype)
    return supported[0]
  lhs = pick(lhs_dtype, algorithm.supported_lhs_types)
  rhs = pick(rhs_dtype, algorithm.supported_rhs_types)
  return lhs, rhs, pick(out_dtype, algorithm.supported_output_types(lhs, rhs))


def check_platform(algorithm, platform: str):
  """ValueError (JAX's) for an algorithm the platform's compiler would ignore."""
  if platform == "cpu" and not (isinstance(algorithm, DotAlgorithmPreset)
                                and algorithm.name in _CPU_PRESETS):
    raise ValueError(f"The precision '{algorithm}' is not supported by dot_general on CPU")
