"""Fixtures of the twin tests: the hand-made tiny city and a built snapshot of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from twin.model import Twin
from twin.settings import Settings, get_settings

TWIN_FIXTURES = Path(__file__).parents[1] / "fixtures" / "twin"


@pytest.fixture(scope="session")
def tiny_osm() -> Path:
    """A 3x3 street grid (hand-made OSM XML) in a made-up corner of Medan."""
    return TWIN_FIXTURES / "tiny.osm"


@pytest.fixture(scope="session")
def tiny_admin() -> Path:
    """Kota/kecamatan/kelurahan GeoJSON of the tiny city (2 kecamatan, 4 kelurahan)."""
    return TWIN_FIXTURES / "tiny_admin"


@pytest.fixture(scope="session")
def tiny_atcs() -> Path:
    """Two ATCS-style sites on the tiny grid."""
    return TWIN_FIXTURES / "tiny_atcs.csv"


@pytest.fixture
def offline_settings(twin_home: Path) -> Settings:
    """Settings with an empty TWIN_HOME and no data folder (explicit files only)."""
    return get_settings().with_(data_dir=None, home=twin_home)


@pytest.fixture
def tiny_snapshot(
    offline_settings: Settings, tiny_osm: Path, tiny_admin: Path, tiny_atcs: Path
) -> Path:
    """A freshly built snapshot of the tiny city."""
    from twin.build import build_twin

    return build_twin(
        osm_file=tiny_osm,
        boundaries=tiny_admin,
        atcs_file=tiny_atcs,
        settings=offline_settings,
    )


@pytest.fixture
def tiny_twin(tiny_snapshot: Path) -> Twin:
    """The tiny city's twin, loaded."""
    from twin.snapshot import load_snapshot

    return load_snapshot(tiny_snapshot)
