"""Convolutions: ``conv_general_dilated`` and its convenience forms (``conv``,
``conv_with_general_padding``, ``conv_transpose``), with dimension numbers as in
JAX (``ConvDimensionNumbers`` or layout strings such as ``('NCHW', 'OIHW', 'NCHW')``).
"""
from __future__ import annotations

__all__ = ['ConvDimensionNumbers', 'conv_dimension_numbers', 'conv_general_dilated',
           'conv', 'conv_with_general_padding', 'conv_transpose', 'conv_general_dilated_p',
           'ConvGeneralDilatedDimensionNumbers']

from typing import NamedTuple, Sequence

import numpy as np

from jaxlite import core, dtypes
from jaxlite.interpreters import ad, batching, mlir
from jaxlite.lax import base
from jaxlite.lax.dot_conv import canonicalize_precision, precision_attr
from jaxlite.lax.windowed import dilate_shape, padtype_to_pads


def _lax():
  from jaxlite import lax
  return lax


class ConvDimensionNumbers(NamedTuple):
  """Where the batch/feature/spatial axes are, for lhs, rhs (kernel) and output.

  ``lhs_spec = (batch, feature, spatial...)``, ``rhs_spec = (out feature, in
  feature, spatial...)``, ``out_spec = (batch, feature, spatial...)``.

  >>> from jaxlite import lax
  >>> lax.ConvDimensionNumbers((0, 1, 2), (0, 1, 2), (0, 1, 2)).lhs_spec
  (0, 1, 2)
  """
  lhs_spec: tuple
  rhs_spec: tuple
  out_spec: tuple


# JAX's type alias: None, a ConvDimensionNumbers or a triple of layout strings.
ConvGeneralDilatedDimensionNumbers = tuple[str, str, str] | ConvDimensionNumbers | None


def conv_dimension_numbers(lhs_shape, rhs_shape, dimension_numbers) -> ConvDimensionNumbers:
  """Canonical ``ConvDimensionNumbers`` from None (NC.../OI.../NC...), a
  ``ConvDimensionNumbers`` or a tuple of three layout strings.

  >>> from jaxlite import lax
  >>> lax.conv_dimension_numbers((1, 5, 5, 2), (3, 3, 2, 4), ('NHWC', 'HWIO', 'NHWC'))
  ConvDimensionNumbers(lhs_spec=(0, 3, 1, 2), rhs_spec=(3, 2, 0, 1), out_spec=(0, 3, 1, 2))
  """
  if len(lhs_shape) != len(rhs_shape):
    raise TypeError("convolution requires lhs and rhs ndim to be equal, got "
                    f"{len(lhs_shape)} and {len(rhs_shape)}.")
  if dimension_numbers is None:
    iota = tuple(range(len(lhs_shape)))
    return ConvDimensionNumbers(iota, iota, iota)
  if isinstance(dimension_numbers, ConvDimensionNumbers):
    return dimension_numbers
  if len(dimension_numbers) != 3:
    raise TypeError("convolution dimension_numbers must be a ConvDimensionNumbers or a "
                    f"tuple of three strings, got {dimension_numbers}.")
  lhs_str, rhs_str, out_str = dimension_numbers
  for name, spec, shape in (("lhs", lhs_str, lhs_shape), ("rhs", rhs_str, rhs_shape),
                            ("out", out_str, lhs_shape)):
    if len(spec) != len(shape):
      raise TypeError(f"convolution dimension_numbers[{('lhs', 'rhs', 'out').index(name)}] "
                      f"must have len equal to the ndim of {name}, got {spec} for shape "
                      f"{tuple(shape)}.")
  for spec, chars in ((lhs_str, "NC"), (rhs_str, "OI"), (out_str, "NC")):
    if not set(chars) <= set(spec) or len(set(spec)) != len(spec):
      raise TypeError(f"convolution dimension_numbers spec {spec} must contain "
                      f"{chars[0]} and {chars[1]} exactly once and no repeated letters.")
  spatial = [c for c in rhs_str if c not in "OI"]
  for spec in (lhs_str, out_str):
    if sorted(c for c in spec if c not in "NC") != sorted(spatial):
      raise TypeError(f"convolution dimension_numbers have mismatched spatial "
                      f"dimensions: {dimension_numbers}")
  def perm(spec, a, b):
    return (spec.index(a), spec.index(b)) + tuple(spec.index(c) for c in spatial)
  return ConvDimensionNumbers(perm(lhs_str, "N", "C"), perm(rhs_str, "O", "I"),
                              perm(out_str, "N", "C"))


def _conv_shape_rule(lhs, rhs, *, window_strides, padding, lhs_dilation, rhs_dilation,
                     dimension_numbers, feature_group_count, batch_group_count,
                     precision, preferred_element_type):
  name = "conv_general_dilated"
  lhs_spec, rhs_spec, out_spec = dimension_numbers
  n_spatial = lhs.ndim - 2
  if lhs.ndim != rhs.ndim:
    raise TypeError(f"{name} requires lhs and rhs ndim to be equal, got {lhs.ndim} and "
                    f"{rhs.ndim}.")
  for what, v in (("window_strides", window_strides), ("padding", padding),
                  ("lhs_dilation", lhs_dilation), ("rhs_dilation", rhs_dilation)):
    if len(v) != n_spatial:
      raise ValueError(f"{name} window and {what} must have the same number of "
                       f"dimensions, but got {n_spatial} and {len(v)}")
  for what, v in (("window_strides", window_strides), ("lhs_dilation", lhs_dilation),
                  ("rhs_dilation", rhs_dilation)):
    if any(s < 1 for s in v):
      raise ValueError(f"{name} {what} must be positive, got {tuple(v)}.")
  n, c = lhs.shape[lhs_spec[0]], lhs.shape[lhs_spec[1]]
  o, i = rhs.shape[rhs_spec[0]], rhs.shape[rhs_spec[1]]
  fgc, bgc = feature_group_count, batch_group_count
  if fgc < 1 or bgc < 1:
    raise ValueError(f"{name} feature_group_count and batch_group_count must be positive.")
  if fgc > 1 and bgc > 1:
    raise ValueError(f"{name} At most one of batch_group_count and feature_group_count "
                     f"may be > 1, got batch_group_count={bgc} and "
                     f"feature_group_count={fgc}")
  if c % fgc:
    raise ValueError(f"{name} feature_group_count must divide lhs feature dimension size, "
                     f"but {fgc} does not divide {c}.")
  if c // fgc != i:
    raise ValueError(f"{name} lhs feature dimension size divided by feature_group_count "
                     f"must equal the rhs input feature dimension size, but {c} // {fgc} "
                     f"!= {i}.")
  if o % fgc:
    raise ValueError(f"{name} rhs output feature dimension size must be a multiple of "
                     f"feature_group_count, but {o} is not a multiple of {fgc}.")
  if n % bgc:
    raise ValueError(f"{name} batch_group_count must divide lhs batch dimension size, but "
                     f"{bgc} does not divide {n}.")
  if o % bgc:
    raise ValueError(f"{name} rhs output feature dimension size must be a multiple of "
                     f"batch_group_count, but {o} is not a multiple of {bgc}.")
  lhs_sp = dilate_shape([lhs.shape[d] for d in lhs_spec[2:]], lhs_dilation)
  rhs_sp = dilate_shape([rhs.shape[d] for d in rhs_spec[2:]], rhs_dilation)
  spatial = []
  for x, k, s, (lo, hi) in zip(lhs_sp, rhs_sp, window_strides, padding):
    padded = x + lo + hi
    spatial.append(0 if padded < k or k == 0 else (padded - k) // s + 1)
  out = [0] * lhs.ndim
  out[out_spec[0]], out[out_spec[1]] = n // bgc, o
  for d, size in zip(out_spec[2:], spatial):
    out[d] = size
  return tuple(out)


def _conv_dtype_rule(lhs, rhs, *, preferred_element_type, **_):
  base.check_dtypes("conv_general_dilated", {"integer", "inexact", "bool"}, lhs, rhs)
  if lhs.dtype != rhs.dtype:
    raise TypeError("lax.conv_general_dilated requires arguments to have the same dtypes, "
                    f"got {np.dtype(lhs.dtype).name}, {np.dtype(rhs.dtype).name}.")
  return np.dtype(preferred_element_type) if preferred_element_type is not None \
      else lhs.dtype


conv_general_dilated_p = base.standard_primitive(_conv_shape_rule, _conv_dtype_rule,
                                                 "conv_general_dilated")


def _conv_lowering(ctx, lhs, rhs, *, window_strides, padding, lhs_dilation, rhs_dilation,
                   dimension_numbers, feature_group_count, batch_group_count, precision,
                   preferred_element_type):
  hlo, ir = mlir.hlo(), mlir.ir()
  lhs_spec, rhs_spec, out_spec = dimension_numbers
  dnums = hlo.ConvDimensionNumbers.get(
      input_batch_dimension=lhs_spec[0], input_feature_dimension=lhs_spec[1],
      input_spatial_dimensions=list(lhs_spec[2:]),
      kernel_input_feature_dimension=rhs_spec[1],
      kernel_output_feature_dimension=rhs_spec[0],
      kernel_spatial_dimensions=list(rhs_spec[2:]),
      output_batch_dimension=out_spec[0], output_feature_dimension=out_spec[1],
      output_spatial_dimensions=list(out_spec[2:]))
  pads = np.asarray(padding, np.int64).reshape(len(padding), 2)
  i64 = ir.IntegerType.get_signless(64)
  return hlo.ConvolutionOp(
      mlir.aval_to_ir_type(ctx.avals_out[0]), lhs, rhs, dnums,
      ir.IntegerAttr.get(i64, feature_group_count), ir.IntegerAttr.get(i64, batch_group_count),
      window_strides=mlir.dense_int_array(window_strides),
      padding=ir.DenseIntElementsAttr.get(pads),
      lhs_dilation=mlir.dense_int_array(lhs_dilation),
      rhs_dilation=mlir.dense_int_array(rhs_dilation),
      window_reversal=ir.DenseBoolArrayAttr.get([False] * len(window_strides)),
      precision_config=precision_attr(precision)).result


mlir.register_lowering(conv_general_dilated_p, _conv_lowering)


# --- axis regrouping helpers (for grouped transposes and batching) --------------------------


def _split_axis(x, axis, outer):
  """Splits ``axis`` of size ``outer * r`` into two axes ``(outer, r)``."""
  shape = core.get_aval(x).shape
  new = shape[:axis] + (outer, shape[axis] // outer) + shape[axis + 1:]
  return _lax().reshape(x, new)


def _merge_axis_into(x, src, dst):
  """Moves axis ``src`` next to (just before) axis ``dst`` and merges them, ``src``
  major; ``dst`` counts axes after removing ``src``."""
  shape = core.get_aval(x).shape
  perm = [i for i in range(len(shape)) if i != src]
  perm.insert(dst, src)
  new = [shape[i] for i in range(len(shape)) if i != src]
  new[dst] *= shape[src]
  return _lax().reshape(x, new, perm)


def _merge_batch(x, bdim, dim, groups):
  """Merges batch axis ``bdim`` into logical axis ``dim`` (an axis of the
  unbatched array) as (group, batch, rest), so ``groups`` stay contiguous chunks."""
  x = batching.moveaxis(x, bdim, 0)                      # (B, ...)
  x = _split_axis(x, dim + 1, groups)                    # (B, ..., G, R, ...)
  x = _merge_axis_into(x, 0, dim + 1)                    # (..., G, B*R, ...)
  return _merge_axis_into(x, dim, dim)                   # (..., G*B*R, ...)


def _split_batch(x, dim, groups, size):
  """Inverse of ``_merge_batch`` on an output axis ``dim``: the batch axis goes first."""
  x = _split_axis(x, dim, groups)                        # (..., G, B*R, ...)
  x = _split_axis(x, dim + 1, size)                      # (..., G, B, R, ...)
  x = batching.moveaxis(x, dim + 1, 0)                   # (B, ..., G, R, ...)
  return _merge_axis_into(x, dim + 1, dim + 1), 0        # (B, ..., G*R, ...)


# --- derivatives -------------------------------------------------------------------------------


def _spec_transpose(spec):
  return (spec[1], spec[0]) + tuple(spec[2:])


def _conv_transpose_lhs(ct, lhs, rhs, *, window_strides, padding, lhs_dilation, rhs_dilation,
                        dimension_numbers, feature_group_count, batch_group_count,
                        precision, preferred_element_type):
  # The lhs cotangent is a convolution of ct with the spatially flipped kernel
  # (in/out features swapped), strided by lhs_dilation and dilated by the
  # original strides, padded so each input position sees every output it fed.
  lax = _lax()
  lhs_spec, rhs_spec, out_spec = dimension_numbers
  lhs_shape = lhs.aval.shape
  rhs_shape = core.get_aval(rhs).shape
  groups = max(feature_group_count, batch_group_count)
  if groups > 1:
    # Each group's kernels map its own input features: move the group index
    # from the output-feature axis into the input-feature axis.
    rhs = _split_axis(rhs, rhs_spec[0], groups)
    rhs = _merge_axis_into(rhs, rhs_spec[0], rhs_spec[1])
  lhs_sp = dilate_shape([lhs_shape[d] for d in lhs_spec[2:]], lhs_dilation)
  rhs_sp = dilate_shape([rhs_shape[d] for d in rhs_spec[2:]], rhs_dilation)
  ct_sp = dilate_shape([core.get_aval(ct).shape[d] for d in out_spec[2:]], window_strides)
  pads = []
  for x, k, o, (lo, _) in zip(lhs_sp, rhs_sp, ct_sp, padding):
    before = k - 1 - lo
    pads.append((before, x + k - 1 - o - before))
  flipped = lax.rev(rhs, tuple(rhs_spec[2:]))
  out = conv_general_dilated_p.bind(
      ct, flipped, window_strides=tuple(lhs_dilation), padding=tuple(pads),
      lhs_dilation=tuple(window_strides), rhs_dilation=tuple(rhs_dilation),
      dimension_numbers=ConvDimensionNumbers(out_spec, _spec_transpose(rhs_spec), lhs_spec),
      feature_group_count=groups, batch_group_count=1, precision=precision,
      preferred_element_type=lhs.aval.dtype if preferred_element_type else None)
  if batch_group_count > 1:
    # Batch groups were folded into features; unfold them back into the batch.
    out = _split_axis(out, lhs_spec[1], batch_group_count)
    out = _merge_axis_into(out, lhs_spec[1], lhs_spec[0])
  return out


def _conv_transpose_rhs(ct, lhs, rhs, *, window_strides, padding, lhs_dilation,
                        rhs_dilation, dimension_numbers, feature_group_count,
                        batch_group_count, precision, preferred_element_type):
  # The kernel cotangent correlates lhs with ct: the batch axis is contracted
  # (it plays the feature role), feature groups become batch groups and vice
  # versa, and the original strides become the kernel dilation.
  lhs_spec, rhs_spec, out_spec = dimension_numbers
  lhs_shape = core.get_aval(lhs).shape
  rhs_shape = rhs.aval.shape
  ct_shape = core.get_aval(ct).shape
  lhs_sp = dilate_shape([lhs_shape[d] for d in lhs_spec[2:]], lhs_dilation)
  rhs_sp = dilate_shape([rhs_shape[d] for d in rhs_spec[2:]], rhs_dilation)
  ct_sp = dilate_shape([ct_shape[d] for d in out_spec[2:]], window_strides)
  pads = tuple((lo, (o - x) + (k - lo - 1))
               for x, k, o, (lo, _) in zip(lhs_sp, rhs_sp, ct_sp, padding))
  fgc, bgc = (batch_group_count, 1) if batch_group_count > 1 else (1, feature_group_count)
  return conv_general_dilated_p.bind(
      lhs, ct, window_strides=tuple(rhs_dilation), padding=pads,
      lhs_dilation=tuple(lhs_dilation), rhs_dilation=tuple(window_strides),
      dimension_numbers=ConvDimensionNumbers(_spec_transpose(lhs_spec),
                                             _spec_transpose(out_spec),
                                             _spec_transpose(rhs_spec)),
      feature_group_count=fgc, batch_group_count=bgc, precision=precision,
      preferred_element_type=rhs.aval.dtype if preferred_element_type else None)


def _conv_transpose(ct, lhs, rhs, **params):
  if type(ct) is ad.Zero:
    return [ad.Zero(a.aval) if ad.is_undefined_primal(a) else None for a in (lhs, rhs)]
  if ad.is_undefined_primal(lhs) and ad.is_undefined_primal(rhs):
    raise ValueError("conv_general_dilated transpose requires exactly one linear operand")
  if ad.is_undefined_primal(lhs):
    return [_conv_transpose_lhs(ct, lhs, rhs, **params), None]
  return [None, _conv_transpose_rhs(ct, lhs, rhs, **params)]


def _conv_jvp(primals, tangents, **params):
  (x, y), (tx, ty) = primals, tangents
  ans = conv_general_dilated_p.bind(x, y, **params)
  out = ad.Zero(ad.tangent_aval(core.get_aval(ans)))
  if out.aval.dtype == dtypes.float0:
    return ans, out
  if type(tx) is not ad.Zero:
    out = ad.add_tangents(out, conv_general_dilated_p.bind(tx, y, **params))
  if type(ty) is not ad.Zero:
    out = ad.add_tangents(out, conv_general_dilated_p.bind(x, ty, **params))
  return ans, out


ad.primitive_jvps[conv_general_dilated_p] = _conv_jvp
ad.primitive_transposes[conv_general_dilated_p] = _conv_transpose


def _conv_batch(batched_args, batch_dims, **params):
  # A mapped axis is folded into an existing axis (batch, feature or kernel
  # output feature), keeping feature/batch groups as contiguous chunks, and
  # unfolded from the matching output axis: one convolution, no loop.
  (lhs, rhs), (dl, dr) = batched_args, batch_dims
  lhs_spec, rhs_spec, out_spec = params["dimension_numbers"]
  fgc, bgc = params["feature_group_count"], params["batch_group_count"]
  size = batching.batch_size(batched_args, batch_dims)
  if dl is not None and dr is not None:
    groups = max(fgc, bgc)
    lhs = _merge_batch(lhs, dl, lhs_spec[0] if bgc > 1 else lhs_spec[1], groups)
    rhs = _merge_batch(rhs, dr, rhs_spec[0], groups)
    new = dict(params, feature_group_count=fgc * size if bgc == 1 else 1,
               batch_group_count=bgc * size if bgc > 1 else 1)
    out = conv_general_dilated_p.bind(lhs, rhs, **new)
    return _split_batch(out, out_spec[1], groups, size)
  if dl is not None:
    lhs = _merge_batch(lhs, dl, lhs_spec[0], bgc)
    out = conv_general_dilated_p.bind(lhs, rhs, **params)
    return _split_batch(out, out_spec[0], 1, size)
  groups = max(fgc, bgc)
  rhs = _merge_batch(rhs, dr, rhs_spec[0], groups)
  out = conv_general_dilated_p.bind(lhs, rhs, **params)
  return _split_batch(out, out_spec[1], groups, size)


batching.primitive_batchers[conv_general_dilated_p] = _conv_batch

# --- public wrappers ----------------------------------------------------------------------------


def conv_general_dilated(lhs, rhs, window_strides: Sequence[int], padding,
                         lhs_dilation: Sequence[int] | None = None,
                         rhs_dilation: Sequence[int] | None = None,
                         dimension_numbers=None, feature_group_count: int = 1,
                         batch_group_count: int = 1, precision=None,
                         preferred_element_type=None, out_sharding=None):
  """General n-dimensional convolution with dilations and groups.

  Args:
    lhs: input, rhs: kernel, of equal rank.
    window_strides: strides per spatial dimension.
    padding: ``'SAME'``, ``'SAME_LOWER'``, ``'VALID'`` or ``(low, high)`` pairs.
    lhs_dilation, rhs_dilation: input ("transposed conv") and kernel (atrous) dilation.
    dimension_numbers: None, ``ConvDimensionNumbers`` or layout strings.
    feature_group_count, batch_group_count: grouped convolutions.
    precision, preferred_element_type: as for ``dot_general``.
    out_sharding: the result's sharding (None: the one XLA infers).

  >>> from jaxlite import lax
  >>> import numpy as np
  >>> x = np.ones((1, 1, 4), np.float32); k = np.ones((1, 1, 2), np.float32)
  >>> lax.conv_general_dilated(x, k, (1,), 'VALID')
  Array([[[2., 2., 2.]]], dtype=float32)
  """
  lhs_shape, rhs_shape = core.get_aval(lhs).shape, core.get_aval(rhs).shape
  dnums = conv_dimension_numbers(lhs_shape, rhs_shape, dimension_numbers)
  n_spatial = len(lhs_shape) - 2
  window_strides = tuple(int(s) for s in window_strides)
  lhs_dilation = (1,) * n_spatial if lhs_dilation is None else tuple(map(int, lhs_dilation))
  rhs_dilation = (1,) * n_spatial if rhs_dilation is None else tuple(map(int, rhs_dilation))
  if isinstance(padding, str):
    kernel = dilate_shape([rhs_shape[d] for d in dnums.rhs_spec[2:]], rhs_dilation)
    in_sp = [lhs_shape[d] for d in dnums.lhs_spec[2:]]
    if len(window_strides) != n_spatial:
      raise ValueError("conv_general_dilated window and window_strides must have the same "
                       f"number of dimensions, but got {n_spatial} and {len(window_strides)}")
    padding = padtype_to_pads(in_sp, kernel, window_strides, padding)
  padding = tuple(tuple(int(p) for p in pair) for pair in padding)
  preferred = None if preferred_element_type is None else \
      dtypes.canonicalize_dtype(dtypes.dtype(preferred_element_type))
  out = conv_general_dilated_p.bind(
      lhs, rhs, window_strides=window_strides, padding=padding, lhs_dilation=lhs_dilation,
      rhs_dilation=rhs_dilation, dimension_numbers=dnums,
      feature_group_count=int(feature_group_count), batch_group_count=int(batch_group_count),
      precision=canonicalize_precision(precision), preferred_element_type=preferred)
  if out_sharding is not None:
    from jaxlite.lax.out_sharding import place
    return place(out, out_sharding, "conv_general_dilated")
  return out


def conv(lhs, rhs, window_strides: Sequence[int], padding, precision=None,
         preferred_element_type=None):
  """Convolution in NC.../OI... layout without dilation.

  >>> from jaxlite import lax
  >>> import numpy as np
  >>> lax.conv(np.ones((1, 1, 3), np.float32), np.ones((1, 1, 2), np.float32), (1,), 'SAME')
  Array([[[2., 2., 1.]]], dtype=float32)
  """
  return conv_general_dilated(lhs, rhs, window_strides, padding, precision=precision,
                              preferred_element_type=preferred_element_type)


def conv_with_general_padding(lhs, rhs, window_strides: Sequence[int], padding,
                              lhs_dilation: Sequence[int] | None,
                              rhs_dilation: Sequence[int] | None, precision=None,
                              preferred_element_type=None):
  """Convolution in NC.../OI... layout with explicit padding and dilations.

  >>> from jaxlite import lax
  >>> import numpy as np
  >>> lax.conv_with_general_padding(np.ones((1, 1, 3), np.float32),
  ...     np.ones((1, 1, 2), np.float32), (1,), [(1, 0)], None, None)
  Array([[[1., 2., 2.]]], dtype=float32)
  """
  return conv_general_dilated(lhs, rhs, window_strides, padding, lhs_dilation=lhs_dilation,
                              rhs_dilation=rhs_dilation, precision=precision,
                              preferred_element_type=preferred_element_type)


def _conv_transpose_padding(k, s, padding):
  """Explicit padding of the lhs-dilated convolution that a transposed
  convolution with kernel size ``k`` and stride ``s`` amounts to."""
  if padding == "SAME":
    total = k + s - 2
    before = k - 1 if s > k - 1 else -(-total // 2)
  elif padding == "VALID":
    total = k + s - 2 + max(k - s, 0)
    before = k - 1
  elif isinstance(padding, tuple):   # the forward conv's explicit (low, high) padding
    before, after = k - padding[0] - 1, k - padding[1] - 1
    total = before + after
  else:
    raise ValueError("Padding mode must be `SAME` or `VALID`.")
  return before, total - before


def conv_transpose(lhs, rhs, strides: Sequence[int], padding,
                   rhs_dilation: Sequence[int] | None = None, dimension_numbers=None,
                   transpose_kernel: bool = False, precision=None,
                   preferred_element_type=None, use_consistent_padding: bool = False):
  """Transposed ("fractionally strided") convolution: upsamples by ``strides``.

  The default layout is channels-last (``NHC``/``HIO``, ``NHWC``/``HWIO``, ...).
  With ``transpose_kernel`` the kernel is flipped and its in/out features
  swapped, making this the exact gradient of a strided ``conv``. Explicit
  ``(low, high)`` padding is the transposed convolution's own unless
  ``use_consistent_padding``: then it is the forward convolution's, as for
  ``'SAME'``/``'VALID'`` (PyTorch's convention).

  >>> from jaxlite import lax
  >>> import numpy as np
  >>> lax.conv_transpose(np.ones((1, 2, 1), np.float32), np.ones((2, 1, 1), np.float32),
  ...                    (2,), 'VALID').shape
  (1, 4, 1)
  """
  lax = _lax()
  lhs_shape, rhs_shape = core.get_aval(lhs).shape, core.get_aval(rhs).shape
  ndim = len(lhs_shape)
  if ndim != len(rhs_shape) or ndim < 2:
    raise TypeError("conv_transpose requires lhs and rhs of equal rank >= 2, got shapes "
                    f"{lhs_shape} and {rhs_shape}.")
  if dimension_numbers is None:
    sp = "HWDXYZ"[:ndim - 2] if ndim <= 8 else None
    dimension_numbers = ("N" + sp + "C", sp + "IO", "N" + sp + "C")
  dnums = conv_dimension_numbers(lhs_shape, rhs_shape, dimension_numbers)
  ones = (1,) * (ndim - 2)
  rhs_dilation = ones if rhs_dilation is None else tuple(map(int, rhs_dilation))
  kernel = dilate_shape([rhs_shape[d] for d in dnums.rhs_spec[2:]], rhs_dilation)
  if isinstance(padding, str):
    padding = [_conv_transpose_padding(k, int(s), padding) for k, s in zip(kernel, strides)]
  elif use_consistent_padding:
    padding = [_conv_transpose_padding(k, int(s), tuple(int(p) for p in pad))
               for k, s, pad in zip(kernel, strides, padding)]
  if transpose_kernel:
    rhs = lax.rev(rhs, tuple(dnums.rhs_spec[2:]))
    perm = list(range(ndim))
    perm[dnums.rhs_spec[0]], perm[dnums.rhs_spec[1]] = dnums.rhs_spec[1], dnums.rhs_spec[0]
    rhs = lax.transpose(rhs, perm)
  return conv_general_dilated(lhs, rhs, ones, padding, lhs_dilation=strides,
                              rhs_dilation=rhs_dilation, dimension_numbers=dnums,
                              precision=precision,
                              preferred_element_type=preferred_element_type)
