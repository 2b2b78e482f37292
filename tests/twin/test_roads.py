"""Road graph: parsing the hand-made grid, drive filter, ref nodes, SCC report, edge table."""

from __future__ import annotations

import bz2
from pathlib import Path

import numpy as np
import pytest

from twin.errors import InputError
from twin.model import EDGE_COLUMNS
from twin.roads import (
    is_synthetic_osm,
    load_road_graph,
    read_osm_graph,
    road_tables,
)

CRS = "EPSG:32647"


@pytest.fixture(scope="module")
def tiny_edges(tiny_osm: Path):  # type: ignore[no-untyped-def]
    G, report = load_road_graph(tiny_osm)
    return road_tables(G, crs=CRS, report=report)


def _edge(edges, u: int, v: int):  # type: ignore[no-untyped-def]
    rows = edges[(edges["u"] == u) & (edges["v"] == v)]
    assert len(rows) == 1, f"expected one edge {u}->{v}, found {len(rows)}"
    return rows.iloc[0]


def test_report_counts_what_was_dropped(tiny_edges) -> None:  # type: ignore[no-untyped-def]
    r = tiny_edges.report
    assert r.osm_nodes == 17
    assert r.non_drivable_edges_dropped == 2  # the footway, both directions
    # the one-way stub 13->14 and the one-way spur 9->15 cannot be returned from
    assert r.components == 4
    assert r.nodes_dropped == 3
    assert r.edges_dropped == 2
    assert r.nodes_kept == 11
    assert r.strongly_connected_share == pytest.approx(11 / 14, abs=1e-6)
    assert r.length_km_dropped > 0
    ids = set(tiny_edges.nodes["node_id"])
    assert ids.isdisjoint({10, 13, 14, 15, 11, 22})
    assert 20 in ids  # the ATCS node mid-street survives simplification thanks to its ref


def test_edge_table_columns(tiny_edges) -> None:  # type: ignore[no-untyped-def]
    e = tiny_edges.edges
    assert tuple(e.columns) == tuple(c for c in EDGE_COLUMNS if c not in ("kel_code", "kec_code"))
    assert e["edge_id"].tolist() == list(range(len(e)))
    assert e.crs.to_epsg() == 4326
    assert (e["capacity_pcu_h"] > 0).all()
    assert (e["free_speed_kmh"] > 0).all()
    np.testing.assert_allclose(e["fft_s"], e["length_m"] / (e["free_speed_kmh"] / 3.6))


def test_tags_become_attributes(tiny_edges) -> None:  # type: ignore[no-untyped-def]
    e = tiny_edges.edges
    main = _edge(e, 4, 20)  # primary, lanes=4 two-way, "50 km/h"
    assert (main["highway"], main["lanes"], main["lanes_source"]) == ("primary", 2.0, "osm")
    assert (main["maxspeed_kmh"], main["maxspeed_source"]) == (50.0, "osm")
    assert main["capacity_pcu_h"] == pytest.approx(2 * 1570.0)
    assert main["capacity_veh_h"] == pytest.approx(2 * 1570.0 / 0.485)
    assert not main["oneway"]

    local = _edge(e, 1, 2)  # untagged residential: defaults
    assert (local["lanes"], local["lanes_source"]) == (1.0, "default")
    assert (local["maxspeed_kmh"], local["maxspeed_source"]) == (30.0, "default")
    assert local["name"] == ""

    top = _edge(e, 7, 8)  # two ways merged: name and osmid lists, "30 mph", lanes "2;3"|"2"
    assert top["name"] == "Jalan Atas; Jalan Atas Baru"
    assert set(top["osmid"].split(";")) == {"103", "104"}
    assert top["maxspeed_kmh"] == pytest.approx(48.28)
    assert top["lanes"] == 1.0

    gang = _edge(e, 2, 5)  # maxspeed=none: no number, class default
    assert (gang["maxspeed_kmh"], gang["maxspeed_source"]) == (30.0, "default")


def test_oneway_directions(tiny_edges) -> None:  # type: ignore[no-untyped-def]
    e = tiny_edges.edges
    pairs = set(zip(e["u"], e["v"], strict=True))
    assert (1, 4) in pairs
    assert (4, 1) not in pairs
    assert (9, 6) in pairs
    assert (6, 9) not in pairs
    right = _edge(e, 9, 6)
    assert right["oneway"]
    assert right["lanes"] == 1.0  # lanes=1 on a one-way street is one lane that way


def test_toll_gateway(tiny_edges) -> None:  # type: ignore[no-untyped-def]
    gate = _edge(tiny_edges.edges, 6, 12)
    assert gate["toll"]
    assert gate["highway"] == "motorway"
    assert gate["capacity_veh_h"] == pytest.approx(gate["capacity_pcu_h"] / 1.04)


def test_lengths_are_projected_metres(tiny_edges) -> None:  # type: ignore[no-untyped-def]
    # 4 and 20 are 0.002 degrees of longitude apart at 3.595 N: about 222 m
    assert _edge(tiny_edges.edges, 4, 20)["length_m"] == pytest.approx(222.0, rel=0.01)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="OSM file not found"):
        read_osm_graph(tmp_path / "nope.osm")


def test_not_xml(tmp_path: Path) -> None:
    bad = tmp_path / "bad.osm"
    bad.write_text("this is not <osm", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.osm: not a readable OSM XML file"):
        read_osm_graph(bad)


def test_truncated_bz2(tmp_path: Path, medan_roads_file: Path) -> None:
    bad = tmp_path / "cut.osm.bz2"
    bad.write_bytes(medan_roads_file.read_bytes()[:5000])
    with pytest.raises(InputError, match="not a readable OSM XML file"):
        read_osm_graph(bad)


def test_no_roads(tmp_path: Path) -> None:
    empty = tmp_path / "empty.osm"
    empty.write_text('<?xml version="1.0"?><osm version="0.6"></osm>', encoding="utf-8")
    with pytest.raises(
        InputError, match=r"empty\.osm: the OSM file holds no roads \(no nodes or ways\)"
    ):
        read_osm_graph(empty)


def test_only_footways(tmp_path: Path) -> None:
    f = tmp_path / "paths.osm"
    f.write_text(
        '<?xml version="1.0"?><osm version="0.6">'
        '<node id="1" lat="3.59" lon="98.67"/><node id="2" lat="3.591" lon="98.67"/>'
        '<way id="1"><nd ref="1"/><nd ref="2"/><tag k="highway" v="footway"/></way></osm>',
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="no drivable roads"):
        load_road_graph(f)


def test_synthetic_marker(tmp_path: Path, medan_roads_file: Path, tiny_osm: Path) -> None:
    assert is_synthetic_osm(medan_roads_file)
    assert not is_synthetic_osm(tiny_osm)
    plain = tmp_path / "tagged.osm.bz2"
    text = tiny_osm.read_text(encoding="utf-8").replace(
        '<tag k="highway" v="residential"/>',
        '<tag k="highway" v="residential"/><tag k="source" v="medan-offline-synthetic"/>',
    )
    plain.write_bytes(bz2.compress(text.encode()))
    assert is_synthetic_osm(plain)
