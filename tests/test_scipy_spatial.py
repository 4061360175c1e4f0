"""jaxlite.scipy.spatial.transform (Rotation, Slerp) against JAX 0.10.2 and SciPy;
jit and vmap against eager; JAX's errors."""
import numpy as np
import pytest

import jaxlite
from jaxlite.scipy.spatial.transform import Rotation, Slerp

jax = pytest.importorskip("jax")
from jax.scipy.spatial.transform import Rotation as JRotation, Slerp as JSlerp  # noqa: E402
from scipy.spatial.transform import Rotation as SRotation  # noqa: E402

RNG = np.random.default_rng(0)
QUATS = RNG.normal(size=(6, 4)).astype(np.float32)
QUATS[0], QUATS[1] = [0, 0, 0, 1], [1, 0, 0, 0]  # identity and a half turn
VECTORS = RNG.normal(size=(6, 3)).astype(np.float32)
ANGLES = RNG.normal(size=(6, 3)).astype(np.float32)


def _same(ours, theirs, tol=1e-5):
  ours, theirs = np.asarray(ours), np.asarray(theirs)
  assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
  np.testing.assert_allclose(ours, theirs, rtol=tol, atol=tol)


def test_representations_match_jax_and_scipy():
  ours, theirs = Rotation.from_quat(QUATS), JRotation.from_quat(QUATS)
  _same(ours.quat, theirs.quat)
  for name, args in [("as_matrix", ()), ("as_rotvec", ()), ("as_rotvec", (True,)),
                     ("as_mrp", ()), ("magnitude", ()), ("as_quat", (True, True)),
                     ("as_quat", (False, True))]:
    _same(getattr(ours, name)(*args), getattr(theirs, name)(*args))
  _same(ours.inv().quat, theirs.inv().quat)
  reference = SRotation.from_quat(QUATS.astype(np.float64))
  np.testing.assert_allclose(ours.as_matrix(), reference.as_matrix(), atol=1e-5)
  np.testing.assert_allclose(ours.as_rotvec(), reference.as_rotvec(), atol=1e-5)
  np.testing.assert_allclose(ours.as_mrp(), reference.as_mrp(), atol=1e-5)
  np.testing.assert_allclose(ours.magnitude(), reference.magnitude(), atol=1e-5)
  np.testing.assert_allclose(ours.as_quat(canonical=True), reference.as_quat(canonical=True),
                             atol=1e-5)


@pytest.mark.parametrize("seq", ["xyz", "ZXY", "zxz", "XYX", "yzx"])
def test_euler_round_trips_match_jax_and_scipy(seq):
  ours, theirs = Rotation.from_quat(QUATS), JRotation.from_quat(QUATS)
  _same(ours.as_euler(seq), theirs.as_euler(seq))
  _same(ours.as_euler(seq, degrees=True), theirs.as_euler(seq, degrees=True), 1e-3)
  _same(Rotation.from_euler(seq, ANGLES).quat, JRotation.from_euler(seq, ANGLES).quat)
  # Away from the gimbal-locked half turn (row 1) SciPy agrees too.
  np.testing.assert_allclose(ours[2:].as_euler(seq),
                             SRotation.from_quat(QUATS[2:]).as_euler(seq), atol=1e-4)


def test_constructors_composition_and_apply_match_jax():
  theirs = JRotation.from_quat(QUATS)
  matrices, rotvecs, mrps = (np.asarray(theirs.as_matrix()), np.asarray(theirs.as_rotvec()),
                             np.asarray(theirs.as_mrp()))
  _same(Rotation.from_matrix(matrices).quat, JRotation.from_matrix(matrices).quat)
  _same(Rotation.from_rotvec(rotvecs).quat, JRotation.from_rotvec(rotvecs).quat)
  _same(Rotation.from_rotvec(rotvecs, degrees=True).quat,
        JRotation.from_rotvec(rotvecs, degrees=True).quat)
  _same(Rotation.from_mrp(mrps).quat, JRotation.from_mrp(mrps).quat)
  _same(Rotation.from_euler("z", 90, degrees=True).quat,
        JRotation.from_euler("z", 90, degrees=True).quat)
  ours = Rotation.from_quat(QUATS)
  _same((ours * ours[::-1]).quat, (theirs * theirs[::-1]).quat)
  _same(ours.apply(VECTORS), theirs.apply(VECTORS))
  _same(ours.apply(VECTORS, inverse=True), theirs.apply(VECTORS, inverse=True))
  _same(ours[2].apply(VECTORS), theirs[2].apply(VECTORS))
  _same(ours.mean().quat, theirs.mean().quat)
  _same(ours.mean(np.arange(6.)).quat, theirs.mean(np.arange(6.)).quat)
  _same(Rotation.concatenate([ours, ours]).quat, JRotation.concatenate([theirs, theirs]).quat)
  _same(Rotation.identity().quat, JRotation.identity().quat)
  assert len(ours) == 6 and not ours.single and ours[0].single
  np.testing.assert_allclose(ours.apply(VECTORS),
                             SRotation.from_quat(QUATS).apply(VECTORS), atol=1e-5)


@pytest.mark.slow   # 20-33 s; the default suite stays under 20 minutes
def test_slerp_matches_jax_and_scipy():
  rots = np.array([[90, 0, 0], [0, 45, 0], [0, 0, -30]])
  times = [0, 0.5, 1, 1.5, 2]
  ours = Slerp.init([0, 1, 2], Rotation.from_euler("zxy", rots, degrees=True))
  theirs = JSlerp.init([0, 1, 2], JRotation.from_euler("zxy", rots, degrees=True))
  _same(ours(times).as_euler("zxy"), theirs(times).as_euler("zxy"))
  _same(ours(0.3).quat, theirs(0.3).quat)
  from scipy.spatial.transform import Slerp as SSlerp
  reference = SSlerp([0, 1, 2], SRotation.from_euler("zxy", rots, degrees=True))
  np.testing.assert_allclose(ours(times).as_matrix(), reference(times).as_matrix(), atol=1e-5)


def test_jit_vmap_agree_with_eager():
  to_euler = lambda q: Rotation.from_quat(q).as_euler("xyz")  # noqa: E731
  eager = np.asarray(to_euler(QUATS))
  np.testing.assert_allclose(jaxlite.jit(to_euler)(QUATS), eager, atol=1e-6)
  np.testing.assert_allclose(jaxlite.vmap(to_euler)(QUATS), eager, atol=1e-6)
  rotate = jaxlite.jit(lambda r, v: r.apply(v))  # a Rotation is a pytree
  np.testing.assert_allclose(rotate(Rotation.from_quat(QUATS), VECTORS),
                             Rotation.from_quat(QUATS).apply(VECTORS), atol=1e-6)


def test_random_rotations_are_unit_quaternions():
  r = Rotation.random(jaxlite.random.PRNGKey(0), 5)
  assert r.quat.shape == (5, 4)
  np.testing.assert_allclose(np.linalg.norm(np.asarray(r.quat), axis=-1), 1., rtol=1e-6)
  assert Rotation.random(jaxlite.random.PRNGKey(1)).single


def test_errors_as_jax():
  single = Rotation.from_quat(QUATS[0])
  with pytest.raises(TypeError, match="not subscriptable"):
    single[0]
  with pytest.raises(TypeError, match="has no len"):
    len(single)
  with pytest.raises(ValueError, match="Expected 3 axes"):
    single.as_euler("xy")
  with pytest.raises(ValueError, match="consecutive axes"):
    Rotation.from_euler("xxy", [1., 2., 3.])
  with pytest.raises(ValueError, match=r"\['x', 'y', 'z'\]"):
    Rotation.from_euler("xYz", [1., 2., 3.])
  with pytest.raises(TypeError, match="must be a `Rotation`"):
    Slerp.init([0, 1], QUATS[:2])
  with pytest.raises(ValueError, match="at least 2 rotations"):
    Slerp.init([0], Rotation.from_quat(QUATS[:1]))
