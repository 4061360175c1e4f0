"""The tracing core: abstract values, primitives, traces, tracers and jaxprs.

Everything that transforms a Python function goes through this module. A
function is run with *tracers* in place of its array arguments; every
primitive a tracer meets is handed to the tracer's *trace*, which decides what
the primitive means under that transformation (evaluate it, record it into a
jaxpr, differentiate it, batch it ...). Transformations nest: each gets a
``MainTrace`` with its own level on a stack, and a primitive is always
processed by the highest-level trace among its arguments.

The design follows JAX's "autodidax" (JAX core from scratch): transformations
are interpreters, and everything a primitive means lives in rule tables keyed
by the primitive.
"""
from __future__ import annotations

import itertools
import operator
import threading
from contextlib import contextmanager
from typing import Any, Callable, NamedTuple, Sequence

import numpy as np

from jaxlite import dtypes

# ---------------------------------------------------------------------------
# Abstract values
# ---------------------------------------------------------------------------


class ShapedArray:
  """The abstract value of an array: its shape, dtype and weak type.

  Example:
    >>> ShapedArray((2, 3), np.dtype('float32'))
    ShapedArray(float32[2,3])
  """
  __slots__ = ("shape", "dtype", "weak_type", "_hash")
  array_abstraction_level = 1

  def __init__(self, shape, dtype, weak_type=False):
    self.shape = tuple(shape)
    self.dtype = np.dtype(dtype)
    self.weak_type = bool(weak_type)
    self._hash = None

  ndim = property(lambda self: len(self.shape))
  size = property(lambda self: int(np.prod(self.shape, dtype=np.int64)))

  def __len__(self):
    if not self.shape:
      raise TypeError("len() of unsized object")
    return self.shape[0]

  def update(self, shape=None, dtype=None, weak_type=None):
    return ShapedArray(self.shape if shape is None else shape,
                       self.dtype if dtype is None else dtype,
                       self.weak_type if weak_type is None else weak_type)

  def strip_weak_type(self):
    return self.update(weak_type=False) if self.weak_type else self

  def __eq__(self, other):
    return (type(self) is type(other) and self.shape == other.shape
            and self.dtype == other.dtype and self.weak_type == other.weak_type)

  def __hash__(self):
    h = self._hash
    if h is None:
      h = self._hash = hash((self.shape, self.dtype, self.weak_type))
    return h

  def str_short(self, short_dtypes=True):
    """``f32[2,3]``, the form used when printing jaxprs."""
    name = dtypes.short_dtype_name(self.dtype) if short_dtypes else self.dtype.name
    return f"{name}[{','.join(str(d) for d in self.shape)}]"

  def __repr__(self):
    weak = ", weak_type=True" if self.weak_type else ""
    return f"ShapedArray({self.str_short(short_dtypes=False)}{weak})"

  __str__ = __repr__


class ConcreteArray(ShapedArray):
  """A ShapedArray that also knows its value (used under ``disable_jit``)."""
  __slots__ = ("val",)
  array_abstraction_level = 0

  def __init__(self, val, weak_type=False):
    val = np.asarray(val)
    super().__init__(val.shape, val.dtype, weak_type)
    self.val = val


def raise_to_shaped(aval: ShapedArray) -> ShapedArray:
  if type(aval) is ShapedArray:
    return aval
  return ShapedArray(aval.shape, aval.dtype, aval.weak_type)
