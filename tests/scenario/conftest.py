"""Fixtures of the scenario tests on the offline Medan twin.

* ``medan_demand``: the default zones (H3 res 8), network and demand model, no assignment.
* ``am_baseline`` / ``pm_baseline``: solved baselines the example scenarios run against. To
  keep this part of the suite within a few minutes on 2 shared cores they use coarser zones
  (H3 res 7) and a looser gap than the benchmark (which runs the default res 8 at 1e-4).

Baselines are cached on disk by :func:`sim.baseline.load_baseline` (keyed by snapshot and
demand settings) in a folder shared by every xdist worker and by later sessions; a file lock
makes the first worker solve one while the others wait and then load it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from filelock import FileLock

from sim.baseline import Baseline, BaselineSettings, load_baseline
from sim.demand import DemandModel, build_demand_model, load_demand_config
from sim.from_twin import TwinNetwork, network_from_twin
from sim.network import Network
from sim.zones import build_zones
from twin.model import Twin
from twin.settings import REPO_ROOT, Settings, get_settings

#: Looser than the benchmark's 1e-4: the tests check directions and invariants, not digits.
TEST_GAP = 1e-3
#: Zone resolution of the test baselines (the default is 8).
TEST_ZONE_RES = 7
SCENARIO_HOME = REPO_ROOT / "var" / "test-cache" / "scenario-home"


@dataclass(frozen=True)
class MedanDemand:
    """Default zones, network and demand model of the Medan twin."""

    tn: TwinNetwork
    model: DemandModel

    @property
    def network(self) -> Network:
        return self.tn.network


@pytest.fixture(scope="session")
def medan_demand(medan_twin: Twin) -> MedanDemand:
    """The default demand set-up (H3 res-8 zones), built in about a second."""
    cfg = load_demand_config()
    zones = build_zones(medan_twin, connectors_per_zone=3)
    tn = network_from_twin(medan_twin, zones)
    return MedanDemand(tn=tn, model=build_demand_model(medan_twin, tn, config=cfg))


@pytest.fixture(scope="session")
def scenario_settings(data_dir: Path) -> Settings:
    """Settings whose cache folder holds the test baselines."""
    SCENARIO_HOME.mkdir(parents=True, exist_ok=True)
    return get_settings().with_(data_dir=data_dir, home=SCENARIO_HOME)


def _baseline(twin: Twin, settings: Settings, period: str) -> Baseline:
    with FileLock(str(SCENARIO_HOME / f"baseline-{period}.lock")):
        return load_baseline(
            twin,
            settings=BaselineSettings(period=period, gap=TEST_GAP, zone_resolution=TEST_ZONE_RES),
            app_settings=settings,
        )


@pytest.fixture(scope="session")
def am_baseline(medan_twin: Twin, scenario_settings: Settings) -> Baseline:
    """The AM-peak baseline of the offline Medan twin (test zones and gap)."""
    return _baseline(medan_twin, scenario_settings, "am_peak")


@pytest.fixture(scope="session")
def pm_baseline(medan_twin: Twin, scenario_settings: Settings) -> Baseline:
    """The PM-peak baseline (the stadium event runs in the PM peak)."""
    return _baseline(medan_twin, scenario_settings, "pm_peak")


@pytest.fixture(scope="session")
def scenario_gap() -> float:
    """The relative gap scenario tests solve to."""
    return TEST_GAP


@pytest.fixture(scope="session")
def cli_options(medan_snapshot_dir: Path) -> list[str]:
    """CLI options that make ``twin scenario`` reuse the cached test baselines."""
    return [
        "--snapshot",
        str(medan_snapshot_dir),
        "--gap",
        str(TEST_GAP),
        "--resolution",
        str(TEST_ZONE_RES),
    ]
