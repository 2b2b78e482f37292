"""Fixtures shared by every test: paths to the offline data, an isolated TWIN_HOME."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from filelock import FileLock

from twin.model import Twin
from twin.settings import REPO_ROOT

FIXTURES = Path(__file__).parent / "fixtures"
#: Where the test session builds the Medan twin once; the snapshot's own reuse logic (same
#: inputs and settings, same folder) makes later sessions load it instead of rebuilding.
TEST_CACHE = REPO_ROOT / "var" / "test-cache"


def _shared_data_dir() -> Path:
    env = os.environ.get("TWIN_DATA_DIR")
    path = Path(env) if env else REPO_ROOT.parent / "shared" / "data"
    if not (path / "medan" / "admin").is_dir():
        raise RuntimeError(
            f"offline data folder not found at {path}: set TWIN_DATA_DIR to shared/data"
        )
    return path.resolve()


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The offline data folder (``../shared/data``): the suite needs it, so it fails loudly."""
    return _shared_data_dir()


@pytest.fixture(scope="session")
def medan_admin_dir(data_dir: Path) -> Path:
    """Real Medan kelurahan/kecamatan/kota GeoJSON folder."""
    return data_dir / "medan" / "admin"


@pytest.fixture(scope="session")
def medan_roads_file(data_dir: Path) -> Path:
    """The synthetic offline Medan road network (OSM XML, bz2)."""
    return data_dir / "medan" / "roads" / "medan_offline_roads.osm.bz2"


@pytest.fixture(scope="session")
def atcs_csv(data_dir: Path) -> Path:
    """The 111 real ATCS camera sites."""
    return data_dir / "medan" / "unlicensed" / "atcs_cctv_medan.csv"


@pytest.fixture(scope="session")
def osm_samples_dir(data_dir: Path) -> Path:
    """Two small real OSM extracts (not Medan) for parser tests."""
    return data_dir / "osm-samples"


@pytest.fixture(scope="session")
def siouxfalls_dir(data_dir: Path) -> Path:
    """TNTP SiouxFalls network, trips and best-known flows."""
    return data_dir / "tntp" / "SiouxFalls"


@pytest.fixture
def twin_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty TWIN_HOME for tests that write snapshots, stores or results."""
    home = tmp_path / "twin-home"
    monkeypatch.setenv("TWIN_HOME", str(home))
    monkeypatch.delenv("TWIN_STORE", raising=False)
    return home


@pytest.fixture(scope="session")
def medan_snapshot_dir(data_dir: Path) -> Path:
    """Snapshot folder of the offline Medan twin, built once per test run (xdist-safe).

    Every xdist worker takes the same file lock; the first builds, the others then find the
    snapshot of the same inputs already there and reuse it.
    """
    from twin.build import build_twin
    from twin.settings import get_settings

    TEST_CACHE.mkdir(parents=True, exist_ok=True)
    settings = get_settings().with_(data_dir=data_dir, home=TEST_CACHE / "home")
    with FileLock(str(TEST_CACHE / "medan-build.lock")):
        return build_twin(city="medan", settings=settings)


@pytest.fixture(scope="session")
def medan_twin(medan_snapshot_dir: Path) -> Twin:
    """The offline Medan twin, loaded once per worker. Treat it as read-only (shared)."""
    from twin.snapshot import load_snapshot

    return load_snapshot(medan_snapshot_dir)
