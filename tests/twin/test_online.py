"""The online path, with osmnx's download calls replaced by parsers of local OSM files.

Only the network call is replaced: ``ox.graph_from_polygon`` and ``ox.features_from_place``
become osmnx's own XML readers on hand-made fixtures, so everything after the download
(tag handling, admin levels, codes, the build) runs for real.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import networkx as nx
import osmnx as ox
import pytest
import shapely

from twin.build import build_twin
from twin.errors import InputError
from twin.settings import Settings
from twin.snapshot import load_snapshot, read_manifest
from twin.testing import assert_twin_valid

FIXTURES = Path(__file__).parents[1] / "fixtures" / "twin"


@pytest.fixture
def offline_osm(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    calls: dict[str, Any] = {}
    # the replacements accept exactly what the real functions accept
    real_graph = inspect.signature(ox.graph_from_polygon)
    real_features = inspect.signature(ox.features_from_place)

    def graph_from_polygon(polygon: shapely.Geometry, **kw: Any) -> nx.MultiDiGraph:
        real_graph.bind(polygon, **kw)
        calls["graph"] = (polygon, kw)
        return ox.graph_from_xml(FIXTURES / "tiny.osm", simplify=False, retain_all=True)

    def features_from_place(query: str, tags: dict[str, Any], **kw: Any) -> Any:
        real_features.bind(query, tags, **kw)
        calls["features"] = (query, tags)
        return ox.features_from_xml(FIXTURES / "tiny_boundaries.osm", tags=tags)

    monkeypatch.setattr(ox, "graph_from_polygon", graph_from_polygon)
    monkeypatch.setattr(ox, "features_from_place", features_from_place)
    return calls


def test_online_build(offline_osm: dict[str, Any], offline_settings: Settings) -> None:
    lines: list[str] = []
    path = build_twin(settings=offline_settings, progress=lines.append)
    assert any("downloading admin levels" in line for line in lines)
    assert any("downloading the drive network" in line for line in lines)

    query, tags = offline_osm["features"]
    assert query == "Kota Medan, Sumatera Utara, Indonesia"
    assert tags == {"boundary": "administrative", "admin_level": ["5", "6", "7"]}
    polygon, kw = offline_osm["graph"]
    assert kw["network_type"] == "drive"
    assert kw["simplify"] is False
    assert polygon.bounds == pytest.approx((98.670, 3.590, 98.680, 3.600))

    twin = load_snapshot(path)
    assert_twin_valid(twin)
    assert sorted(twin.kecamatan["code"]) == ["12.71.01", "12.71.02"]
    # the kelurahan without a code tag gets a provisional code under its kecamatan
    assert sorted(twin.kelurahan["code"]) == [
        "12.71.01.1001",
        "12.71.01.1002",
        "12.71.02.1001",
        "12.71.02.osm3007",
    ]
    assert set(twin.kelurahan["parent_code"]) == {"12.71.01", "12.71.02"}
    m = read_manifest(path)
    assert m["inputs"]["roads"]["online"] is True
    assert m["inputs"]["roads"]["mode"] == "online"
    assert m["inputs"]["boundaries"]["mode"] == "online"
    roads = next(p for p in twin.provenance if p.layer == "roads")
    assert roads.licence == "ODbL-1.0"
    assert roads.attribution == "© OpenStreetMap contributors"
    assert not roads.synthetic
    assert len(twin.atcs_sites) == 0

    # the same download gives the same snapshot
    assert build_twin(settings=offline_settings) == path


def test_files_win_over_online(
    offline_osm: dict[str, Any], offline_settings: Settings, tiny_admin: Path
) -> None:
    path = build_twin(boundaries=tiny_admin, settings=offline_settings)
    assert "features" not in offline_osm  # boundaries came from the folder
    assert "graph" in offline_osm  # roads still online
    assert read_manifest(path)["inputs"]["boundaries"]["mode"] == "file"


def test_download_failure_is_one_clear_error(
    monkeypatch: pytest.MonkeyPatch, offline_settings: Settings
) -> None:
    def no_network(*args: Any, **kw: Any) -> Any:
        raise ConnectionError("Max retries exceeded with url: overpass-api.de")

    monkeypatch.setattr(ox, "features_from_place", no_network)
    with pytest.raises(InputError, match=r"downloading admin boundaries failed .*no internet\?"):
        build_twin(settings=offline_settings)
    assert not (offline_settings.snapshot_root / "medan").exists()
