"""Fixtures of the live-layer tests: the city context, sample payloads, a scratch store."""

from __future__ import annotations

from pathlib import Path

import pytest

from layers.context import CityContext
from layers.store import Store

SAMPLES = Path(__file__).parents[1] / "fixtures" / "layers"


@pytest.fixture(scope="session")
def samples() -> Path:
    """Hand-written sample payloads in the real formats."""
    return SAMPLES


@pytest.fixture(scope="session")
def ctx(medan_admin_dir: Path, atcs_csv: Path) -> CityContext:
    """Medan from the admin GeoJSON and the camera list (no snapshot needed)."""
    return CityContext.from_admin_dir(medan_admin_dir, atcs_csv=atcs_csv)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    """A fresh writable store."""
    with Store(tmp_path / "feeds.sqlite") as s:
        yield s
