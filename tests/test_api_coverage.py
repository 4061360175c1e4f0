"""Keeps jaxlite's coverage of JAX 0.10.2's public names from falling (issue 17).

The floors are the figures reached so far (tools/api_coverage.py, measured
against the installed JAX); raise them as names are added. A module may not
lose names, and may not gain signature mismatches that break JAX-valid calls.
"""
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), os.pardir, "tools"))
import api_coverage  # noqa: E402  (tools/ is not a package)

# module: (names present at least, signature mismatches at most)
FLOORS = {
    "jax": (103, 0),
    "jax.ref": (10, 0),
    "jax.numpy": (414, 0),
    "jax.numpy.linalg": (31, 0),
    "jax.numpy.fft": (18, 0),
    "jax.lax": (371, 0),
    "jax.lax.linalg": (36, 0),
    "jax.nn": (35, 0),
    "jax.nn.initializers": (20, 0),
    "jax.random": (48, 0),
    "jax.tree_util": (36, 0),
    "jax.tree": (14, 0),
    "jax.dtypes": (12, 0),
    "jax.errors": (12, 0),
    "jax.debug": (9, 0),
    "jax.flatten_util": (1, 0),
    "jax.custom_derivatives": (12, 0),
    "jax.ad_checkpoint": (6, 0),
    "jax.distributed": (3, 0),
    "jax.sharding": (17, 0),
    "jax.stages": (6, 0),
    "jax.typing": (2, 0),
    "jax.test_util": (3, 0),
    "jax.example_libraries.optimizers": (34, 0),
    "jax.example_libraries.stax": (48, 0),
    "jax.extend.core": (38, 0),
    "jax.extend.source_info_util": (13, 6),
    "jax.profiler": (15, 0),
    "jax.monitoring": (13, 0),
    "jax.ffi": (9, 0),
    "jax.export": (13, 0),
    "jax.extend.backend": (9, 0),
    "jax.extend.linear_util": (9, 0),
    "jax.extend.random": (8, 0),
    "jax.experimental.checkify": (15, 1),
    "jax.experimental.mesh_utils": (3, 0),
    "jax.experimental.multihost_utils": (21, 0),
    "jax.experimental": (4, 0),
    "jax.ops": (4, 0),
    "jax.experimental.ode": (18, 0),
    "jax.experimental.jet": (29, 0),
    "jax.image": (3, 0),
    "jax.experimental.sparse": (78, 0),
    "jax.custom_batching": (2, 0),
    "jax.dlpack": (2, 0),
}
# group: (coverage at least, signature mismatches at most)
GROUP_FLOORS = {"all": (0.786, 118), "jax.scipy": (1.0, 0)}


@pytest.fixture(scope="module")
def records():
  return {r["module"]: r for r in api_coverage.measure(api_coverage.MODULES)}


@pytest.mark.parametrize("module", sorted(FLOORS))
def test_module_keeps_its_names_and_signatures(records, module):
  record = records[module]
  present, breaks = FLOORS[module]
  assert record["present"] >= present, (module, record["missing"])
  assert len(record["signature_breaks"]) <= breaks, (module, record["signature_breaks"])


def test_group_coverage_does_not_fall(records):
  summary = api_coverage.summarize(list(records.values()))
  for group, (coverage, breaks) in GROUP_FLOORS.items():
    assert summary[group]["coverage"] >= coverage, (group, summary[group])
    assert summary[group]["signature_breaks"] <= breaks, (group, summary[group])
