"""Calling jaxlib's LAPACK kernels from StableHLO on CPU.

jaxlib ships typed-FFI custom-call targets for the LAPACK routines
(``lapack_spotrf_ffi``, ``lapack_dgesdd_ffi`` ...) in ``jaxlib.cpu._lapack``.
They are registered with XLA's CPU runtime once, on first use, and called
through ``stablehlo.custom_call`` with ``api_version = 4``: operands and
results are batches of column-major matrices (batch dimensions leading), and
the routine's options (``uplo``, ``mode`` ...) are ``ui8`` attributes in
``mhlo.backend_config``. Each kernel reports LAPACK's ``info`` per matrix;
callers turn a failure into NaNs, as JAX does.

Half-precision operands (float16, bfloat16) have no LAPACK kernel: they are
computed in float32 and converted back.
"""
from __future__ import annotations

import threading
from typing import Sequence

import numpy as np

from jaxlite.core import ShapedArray
from jaxlite.interpreters import mlir

_registered = False
_register_lock = threading.Lock()

_PREFIX = {np.dtype(np.float32): "s", np.dtype(np.float64): "d",
           np.dtype(np.complex64): "c", np.dtype(np.complex128): "z"}
LAPACK_DTYPES = frozenset(_PREFIX)   # the dtypes LAPACK has kernels for


def _ensure_registered():
  """Registers jaxlib's LAPACK FFI handlers with XLA's CPU runtime (once)."""
  global _registered
  if _registered:
    return
  with _register_lock:
    if _registered:
      return
    from jaxlib import xla_client
    from jaxlib.cpu import _lapack
    _lapack.initialize()
    for name, capsule in _lapack.registrations().items():
      if name.endswith("_ffi"):
        # api_version 1 here means "typed FFI" (the custom call says 4).
        xla_client.register_custom_call_target(name, capsule, platform="cpu",
                                               api_version=1)
    _registered = True


def target_name(routine: str, dtype) -> str:
  """``lapack_{s,d,c,z}{routine}_ffi`` for ``dtype``; ``routine`` is e.g. 'potrf'.

  >>> target_name('potrf', np.float32)
  'lapack_spotrf_ffi'
  """
  dtype = np.dtype(dtype)
  if dtype not in _PREFIX:
    raise TypeError(f"LAPACK routine {routine} does not support dtype {dtype.name}; "
                    "expected float32, float64, complex64 or complex128.")
  return f"lapack_{_PREFIX[dtype]}{routine}_ffi"


def compute_dtype(dtype) -> np.dtype:
  """The dtype LAPACK computes ``dtype`` in (half precision goes through float32)."""
  dtype = np.dtype(dtype)
  if dtype in _PREFIX:
    return dtype
  if dtype.kind == "f" or dtype.name == "bfloat16":
    return np.dtype(np.float32)
  raise TypeError(f"LAPACK does not support dtype {dtype.name}.")


def char_attr(c: str):
  """A LAPACK option character ('L', 'U', 'V' ...) as a ``ui8`` attribute."""
  ir = mlir.ir()
  return ir.IntegerAttr.get(ir.IntegerType.get_unsigned(8), ord(c))


def u8_attr(value: int):
  ir = mlir.ir()
  return ir.IntegerAttr.get(ir.IntegerType.get_unsigned(8), int(value))


def _layout_attr(layout):
  ir = mlir.ir()
  return ir.DenseIntElementsAttr.get(np.asarray(layout, np.int64), type=ir.IndexType.get())


def _column_major(ndim: int):
  # minor-to-major: the row index varies fastest, then columns, then batch dims
  return (ndim - 2, ndim - 1) + tuple(range(ndim - 3, -1, -1))


def _row_major(ndim: int):
  return tuple(range(ndim - 1, -1, -1))


def _layouts(avals, matrix_ndim):
  return [_layout_attr(_column_major(a.ndim) if a.ndim == matrix_ndim and a.ndim >= 2
                       else _row_major(a.ndim)) for a in avals]


def custom_call(name: str, operands: Sequence, operand_avals: Sequence[ShapedArray],
                result_avals: Sequence[ShapedArray], *, aliases: dict[int, int] | None = None,
                **attrs) -> list:
  """Emits a ``stablehlo.custom_call`` of the LAPACK FFI target ``name``.

  Operands and results with the rank of the largest operand are batches of
  matrices, laid out column-major; the others (pivots, taus, eigenvalues,
  info) are row-major. ``aliases`` maps result index -> operand index (the
  kernel works in place); ``attrs`` are the kernel's ui8 options."""
  _ensure_registered()
  ir, hlo = mlir.ir(), mlir.hlo()
  matrix_ndim = max(a.ndim for a in operand_avals)
  result_types = [mlir.aval_to_ir_type(a) for a in result_avals]
  i32 = ir.IntegerType.get_signless(32)
  kwargs = dict(
      api_version=ir.IntegerAttr.get(i32, 4),
      backend_config=ir.DictAttr.get(dict(attrs)),
      operand_layouts=ir.ArrayAttr.get(_layouts(operand_avals, matrix_ndim)),
      result_layouts=ir.ArrayAttr.get(_layouts(result_avals, matrix_ndim)),
  )
  if aliases:
    kwargs["output_operand_aliases"] = ir.ArrayAttr.get([
        hlo.OutputOperandAlias.get(output_tuple_indices=[r] if len(result_avals) > 1 else [],
                                   operand_index=o, operand_tuple_indices=[])
        for r, o in aliases.items()])
  op = hlo.CustomCallOp(result_types, list(operands), name, **kwargs)
  return list(op.results)


def info_ok(info, batch_shape, direction="EQ"):
  """``info == 0`` (or another comparison with 0) per matrix of the batch."""
  zero = mlir.ir_constant(np.zeros(batch_shape, np.int32))
  return mlir.compare(info, zero, direction, "SIGNED")


def nan_if_not_ok(ok, x, aval: ShapedArray):
  """``x`` where ``ok`` (one flag per matrix of the batch), NaN elsewhere."""
  batch = tuple(mlir.ir().RankedTensorType(ok.type).shape)
  pred_aval = ShapedArray(aval.shape, np.bool_)
  pred = mlir.broadcast_in_dim(ok, pred_aval, range(len(batch)))
  nan = mlir.full_like_aval(np.nan, aval)
  return mlir.hlo().select(pred, x, nan)


def convert(x, aval_from: ShapedArray, dtype):
  """``x`` converted to ``dtype`` (a no-op when it already has it)."""
  if np.dtype(aval_from.dtype) == np.dtype(dtype):
    return x
  return mlir.convert(x, aval_from.update(dtype=np.dtype(dtype)))
