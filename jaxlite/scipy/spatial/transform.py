"""``jaxlite.scipy.spatial.transform``: rotations in 3-D as unit quaternions
``(x, y, z, w)`` (scalar last, as SciPy), with SciPy's conversions, and spherical linear
interpolation between them.  Both classes are NamedTuples, so they pass through
``jit`` and ``vmap``.

  >>> from jaxlite.scipy.spatial.transform import Rotation
  >>> Rotation.from_euler('z', 90, degrees=True).as_rotvec()
  Array([0.       , 0.       , 1.5707964], dtype=float32)
"""
from __future__ import annotations

import re
from typing import Any, NamedTuple, Sequence

import numpy as np

import jaxlite.numpy as jnp

__all__ = ["Rotation", "Slerp"]


def _norm(v):
  # A dot product (not a sum of squares): the same rounding as JAX's.
  return jnp.sqrt(jnp.einsum("...i,...i->...", v, v))


def _normalized(q):
  return q / _norm(q)[..., None]


def _compose(p, q):
  """The Hamilton product p q of quaternions (scalar last), broadcast."""
  pv, pw = p[..., :3], p[..., 3:]
  qv, qw = q[..., :3], q[..., 3:]
  vector = pw * qv + qw * pv + jnp.cross(pv, qv)
  # Subtracted one term at a time, as JAX rounds it.
  scalar = (pw * qw - pv[..., :1] * qv[..., :1] - pv[..., 1:2] * qv[..., 1:2]
            - pv[..., 2:] * qv[..., 2:])
  return jnp.concatenate([vector, scalar], axis=-1)


def _axis_index(axis):
  if axis not in "xyz":
    raise ValueError(f"Expected axis to be from ['x', 'y', 'z'], got {axis}")
  return "xyz".index(axis)


def _check_sequence(seq, lengths):
  if not lengths[0] <= len(seq) <= lengths[1]:
    if lengths == (3, 3):
      raise ValueError(f"Expected 3 axes, got {seq}.")
    raise ValueError("Expected axis specification to be a non-empty string of upto 3 "
                     f"characters, got {seq}")
  intrinsic = re.match(r"^[XYZ]{1,3}$", seq) is not None
  extrinsic = re.match(r"^[xyz]{1,3}$", seq) is not None
  if not (intrinsic or extrinsic):
    raise ValueError("Expected axes from `seq` to be from ['x', 'y', 'z'] or "
                     f"['X', 'Y', 'Z'], got {seq}")
  if any(seq[i] == seq[i + 1] for i in range(len(seq) - 1)):
    raise ValueError(f"Expected consecutive axes to be different, got {seq}")
  return intrinsic, [_axis_index(a) for a in seq.lower()]


def _elementary(axis, angle):
  """The quaternion of a rotation by ``angle`` about basis axis ``axis``."""
  half = angle / 2.
  parts = [jnp.zeros_like(angle)] * 3 + [jnp.cos(half)]
  parts[axis] = jnp.sin(half)
  return jnp.stack(parts, axis=-1)


def _matrix(q):
  x, y, z, w = (q[..., i] for i in range(4))
  rows = [[x * x - y * y - z * z + w * w, 2 * (x * y - z * w), 2 * (x * z + y * w)],
          [2 * (x * y + z * w), -x * x + y * y - z * z + w * w, 2 * (y * z - x * w)],
          [2 * (x * z - y * w), 2 * (y * z + x * w), -x * x - y * y + z * z + w * w]]
  return jnp.stack([jnp.stack(r, axis=-1) for r in rows], axis=-2)


def _from_matrix(m):
  # Shepperd's method: build from the largest of the diagonal and the trace.
  trace = m[..., 0, 0] + m[..., 1, 1] + m[..., 2, 2]
  decision = jnp.stack([m[..., 0, 0], m[..., 1, 1], m[..., 2, 2], trace], axis=-1)
  choice = jnp.argmax(decision, axis=-1)
  candidates = []
  for i in range(3):
    j, k = (i + 1) % 3, (i + 2) % 3
    q = [None] * 4
    q[i] = 1 - trace + 2 * m[..., i, i]
    q[j] = m[..., j, i] + m[..., i, j]
    q[k] = m[..., k, i] + m[..., i, k]
    q[3] = m[..., k, j] - m[..., j, k]
    candidates.append(jnp.stack(q, axis=-1))
  candidates.append(jnp.stack([m[..., 2, 1] - m[..., 1, 2], m[..., 0, 2] - m[..., 2, 0],
                               m[..., 1, 0] - m[..., 0, 1], 1 + trace], axis=-1))
  q = candidates[3]
  for i in range(3):
    q = jnp.where((choice == i)[..., None], candidates[i], q)
  return _normalized(q)


def _from_rotvec(v, degrees):
  if degrees:
    v = jnp.deg2rad(v)
  angle = _norm(v)
  a2 = angle * angle
  # sin(angle/2)/angle, by its Taylor series near 0
  scale = jnp.where(angle <= 1e-3, 0.5 - a2 / 48 + a2 * a2 / 3840, jnp.sin(angle / 2) / angle)
  return jnp.concatenate([scale[..., None] * v, jnp.cos(angle / 2)[..., None]], axis=-1)


def _as_rotvec(q, degrees):
  q = jnp.where(q[..., 3:] < 0, -q, q)  # w >= 0: angle in [0, pi]
  angle = 2. * jnp.arctan2(_norm(q[..., :3]), q[..., 3])
  a2 = angle * angle
  scale = jnp.where(angle <= 1e-3, 2 + a2 / 12 + 7 * a2 * a2 / 2880,
                    angle / jnp.sin(angle / 2))
  if degrees:
    scale = jnp.rad2deg(scale)
  return scale[..., None] * q[..., :3]


def _as_euler(q, axes, extrinsic, degrees):
  """Bernardes and Viollet (2022): Euler angles straight from the quaternion."""
  if not extrinsic:
    axes = axes[::-1]
  i, j, k = axes
  symmetric = i == k
  if symmetric:
    k = 3 - i - j
  sign = (i - j) * (j - k) * (k - i) // 2
  qi, qj, qk, qw = q[..., i], q[..., j], q[..., k], q[..., 3]
  if symmetric:
    a, b, c, d = qw, qi, qj, qk * sign
  else:
    a, b, c, d = qw - qj, qi + qk * sign, qj + qw, qk * sign - qi
  middle = 2 * jnp.arctan2(jnp.hypot(c, d), jnp.hypot(a, b))
  eps = 1e-7
  case = jnp.where(jnp.abs(middle) <= eps, 1, jnp.where(jnp.abs(middle - np.pi) <= eps, 2, 0))
  half_sum = jnp.arctan2(b, a)
  half_diff = jnp.arctan2(d, c)
  first_idx, third_idx = (0, 2) if extrinsic else (2, 0)
  angles = [None, middle, None]
  # Degenerate (gimbal lock) cases put the whole angle in slot 0 and 0 elsewhere.
  degenerate = jnp.where(case == 1, 2 * half_sum, 2 * half_diff * (-1 if extrinsic else 1))
  slot0 = degenerate
  slot_first = jnp.where(case == 0, half_sum - half_diff, slot0 if first_idx == 0 else 0.)
  slot_third = jnp.where(case == 0, half_sum + half_diff, slot0 if third_idx == 0 else 0.)
  zeros = jnp.zeros_like(middle)
  angles[first_idx] = slot_first + zeros
  angles[third_idx] = slot_third + zeros
  if not symmetric:
    angles[third_idx] = angles[third_idx] * sign
    angles[1] = angles[1] - np.pi / 2
  out = jnp.stack(angles, axis=-1)
  out = (out + np.pi) % (2 * np.pi) - np.pi
  return jnp.rad2deg(out) if degrees else out


def _canonical(q):
  neg, zero = q < 0, q == 0
  flip = (neg[..., 3] | (zero[..., 3] & neg[..., 0])
          | (zero[..., 3] & zero[..., 0] & neg[..., 1])
          | (zero[..., 3] & zero[..., 0] & zero[..., 1] & neg[..., 2]))
  return jnp.where(flip[..., None], -q, q)


class Rotation(NamedTuple):
  """A rotation, or a 1-D batch of rotations, in 3 dimensions (``quat``, shape
  ``(4,)`` or ``(N, 4)``, scalar last).

  >>> from jaxlite.scipy.spatial.transform import Rotation
  >>> r = Rotation.from_euler('z', 90, degrees=True)
  >>> r.as_rotvec()
  Array([0.       , 0.       , 1.5707964], dtype=float32)
  >>> r2 = Rotation.from_euler('x', 90, degrees=True)
  >>> (r * r2).as_matrix()
  Array([[0., 0., 1.],
         [1., 0., 0.],
         [0., 1., 0.]], dtype=float32)
  """
  quat: Any

  @classmethod
  def concatenate(cls, rotations: Sequence):
    """Concatenate a sequence of `Rotation` objects."""
    return cls(jnp.concatenate([r.quat for r in rotations]))

  @classmethod
  def from_euler(cls, seq: str, angles, degrees: bool = False):
    """Initialize from Euler angles (``'xyz'`` extrinsic, ``'XYZ'`` intrinsic)."""
    intrinsic, axes = _check_sequence(seq, (1, 3))
    angles = jnp.atleast_1d(angles)
    if angles.shape[-1] != len(axes):
      raise ValueError(f"Expected the last axis of `angles` to hold {len(axes)} angles for "
                       f"seq {seq!r}, got shape {angles.shape}")
    if degrees:
      angles = jnp.deg2rad(angles)
    quat = _elementary(axes[0], angles[..., 0])
    for n in range(1, len(axes)):
      step = _elementary(axes[n], angles[..., n])
      quat = _compose(quat, step) if intrinsic else _compose(step, quat)
    return cls(quat)

  @classmethod
  def from_matrix(cls, matrix):
    """Initialize from rotation matrix."""
    return cls(_from_matrix(jnp.asarray(matrix)))

  @classmethod
  def from_mrp(cls, mrp):
    """Initialize from Modified Rodrigues Parameters (MRPs)."""
    mrp = jnp.asarray(mrp)
    norm2_plus_1 = jnp.einsum("...i,...i->...", mrp, mrp)[..., None] + 1
    return cls(jnp.concatenate([2 * mrp[..., :3], 2 - norm2_plus_1], axis=-1) / norm2_plus_1)

  @classmethod
  def from_quat(cls, quat):
    """Initialize from quaternions (normalized here)."""
    return cls(_normalized(jnp.asarray(quat)))

  @classmethod
  def from_rotvec(cls, rotvec, degrees: bool = False):
    """Initialize from rotation vectors."""
    return cls(_from_rotvec(jnp.asarray(rotvec), degrees))

  @classmethod
  def identity(cls, num: int | None = None, dtype=float):
    """Get identity rotation(s)."""
    if num is not None:
      raise AssertionError("Rotation.identity supports num=None only (JAX asserts it)")
    return cls(jnp.array([0., 0., 0., 1.], dtype=dtype))

  @classmethod
  def random(cls, random_key, num: int | None = None):
    """Generate uniformly distributed rotations (normalized Gaussian quaternions)."""
    from jaxlite import random
    shape = (4,) if num is None else (num, 4)
    return cls(_normalized(random.normal(random_key, shape)))

  def __getitem__(self, indexer):
    """Extract rotation(s) at given index(es) from object."""
    if self.single:
      raise TypeError("Single rotation is not subscriptable.")
    return Rotation(self.quat[indexer])

  def __len__(self):
    """Number of rotations contained in this object."""
    if self.single:
      raise TypeError("Single rotation has no len().")
    return self.quat.shape[0]

  def __mul__(self, other) -> Rotation:
    """Compose this rotation with the other (``other`` applied first)."""
    return Rotation.from_quat(_compose(self.quat, other.quat))

  def apply(self, vectors, inverse: bool = False):
    """Apply this rotation to one or more vectors."""
    m = self.as_matrix()
    if inverse:
      m = jnp.swapaxes(m, -1, -2)
    return jnp.einsum("...ij,...j->...i", m, jnp.asarray(vectors))

  def as_euler(self, seq: str, degrees: bool = False):
    """Represent as Euler angles."""
    intrinsic, axes = _check_sequence(seq, (3, 3))
    return _as_euler(self.quat, axes, not intrinsic, degrees)

  def as_matrix(self):
    """Represent as rotation matrix."""
    return _matrix(self.quat)

  def as_mrp(self):
    """Represent as Modified Rodrigues Parameters (MRPs)."""
    sign = jnp.where(self.quat[..., 3:] < 0, -1., 1.)
    return sign * self.quat[..., :3] / (1. + sign * self.quat[..., 3:])

  def as_rotvec(self, degrees: bool = False):
    """Represent as rotation vectors."""
    return _as_rotvec(self.quat, degrees)

  def as_quat(self, canonical: bool = False, scalar_first: bool = False):
    """Represent as quaternions (``canonical``: w >= 0, as SciPy)."""
    quat = _canonical(self.quat) if canonical else self.quat
    return jnp.roll(quat, shift=1, axis=-1) if scalar_first else quat

  def inv(self):
    """Invert this rotation."""
    return Rotation(self.quat * jnp.array([-1, -1, -1, 1], dtype=self.quat.dtype))

  def magnitude(self):
    """Get the magnitude(s) of the rotation(s)."""
    return 2. * jnp.arctan2(_norm(self.quat[..., :3]), jnp.abs(self.quat[..., 3]))

  def mean(self, weights=None):
    """Get the mean of the rotations (Markley et al.: the top eigenvector of the
    weighted quaternion outer-product sum)."""
    dtype = self.quat.dtype
    w = jnp.ones(self.quat.shape[0], dtype=dtype) if weights is None else \
        jnp.asarray(weights, dtype=dtype)
    if w.ndim != 1:
      raise ValueError(f"Expected `weights` to be 1 dimensional, got shape {w.shape}.")
    if w.shape[0] != len(self):
      raise ValueError("Expected `weights` to have number of values equal to number of "
                       f"rotations, got {w.shape[0]} values and {len(self)} rotations.")
    k = jnp.dot(w[None, :] * self.quat.T, self.quat)
    _, vectors = jnp.linalg.eigh(k)
    return Rotation(vectors[:, -1])

  @property
  def single(self) -> bool:
    """Whether this instance represents a single rotation."""
    return self.quat.ndim == 1


class Slerp(NamedTuple):
  """Spherical linear interpolation of rotations at key ``times``.

  >>> from jaxlite.scipy.spatial.transform import Rotation, Slerp
  >>> keys = Rotation.from_euler('z', jnp.array([[0.], [90.]]), degrees=True)
  >>> Slerp.init(jnp.array([0., 1.]), keys)(0.5).as_euler('xyz', degrees=True)
  Array([ 0.      ,  0.      , 45.000004], dtype=float32)
  """
  times: Any
  timedelta: Any
  rotations: Rotation
  rotvecs: Any

  @classmethod
  def init(cls, times, rotations: Rotation):
    """Key rotations at increasing ``times``."""
    if not isinstance(rotations, Rotation):
      raise TypeError("`rotations` must be a `Rotation` instance.")
    if rotations.single or len(rotations) == 1:
      raise ValueError("`rotations` must be a sequence of at least 2 rotations.")
    times = jnp.asarray(times, dtype=rotations.quat.dtype)
    if times.ndim != 1:
      raise ValueError("Expected times to be specified in a 1 dimensional array, got "
                       f"{times.ndim} dimensions.")
    if times.shape[0] != len(rotations):
      raise ValueError("Expected number of rotations to be equal to number of timestamps "
                       f"given, got {len(rotations)} rotations and {times.shape[0]} "
                       "timestamps.")
    starts = Rotation(rotations.as_quat()[:-1])
    steps = (starts.inv() * Rotation(rotations.as_quat()[1:])).as_rotvec()
    return cls(times=times, timedelta=jnp.diff(times), rotations=starts, rotvecs=steps)

  def __call__(self, times):
    """Interpolate rotations."""
    t = jnp.asarray(times, dtype=self.times.dtype)
    if t.ndim > 1:
      raise ValueError("`times` must be at most 1-dimensional.")
    single = t.ndim == 0
    t = jnp.atleast_1d(t)
    index = jnp.maximum(jnp.searchsorted(self.times, t) - 1, 0)
    fraction = (t - self.times[index]) / self.timedelta[index]
    result = self.rotations[index] * Rotation.from_rotvec(self.rotvecs[index] * fraction[:, None])
    return result[0] if single else result
