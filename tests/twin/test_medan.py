"""Integration: the offline Medan twin built from ../shared/data (slow: a full build)."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from apps.cli import main
from twin.h3index import cell_area_m2, polygon_area_m2
from twin.model import OUTSIDE, Twin
from twin.testing import assert_edge_lengths_split, assert_twin_valid

pytestmark = pytest.mark.slow

# From shared/data/medan/roads/README.md (osmnx 2.1.1, default simplification, haversine
# lengths): directed km per class. Our lengths are measured in UTM 47N, ~0.3 % shorter.
README_KM = {
    "motorway": 56.9,
    "motorway_link": 6.2,
    "trunk": 97.8,
    "primary": 173.5,
    "secondary": 229.2,
    "tertiary": 202.8,
    "unclassified": 527.0,
    "residential": 3454.3,
}


def test_contract_and_invariants(medan_twin: Twin) -> None:
    assert_twin_valid(medan_twin)


def test_admin_counts(medan_twin: Twin) -> None:
    assert len(medan_twin.kota) == 1
    assert len(medan_twin.kecamatan) == 21
    assert len(medan_twin.kelurahan) == 151
    assert len(medan_twin.kecamatan) == medan_twin.profile.fact("kecamatan").value
    assert len(medan_twin.kelurahan) == medan_twin.profile.fact("kelurahan").value


def test_graph_is_one_strongly_connected_component(medan_twin: Twin) -> None:
    summary = medan_twin.manifest["summary"]
    assert summary["strongly_connected_share"] == 1.0  # the README's figure: 100.00 %
    G = nx.MultiDiGraph()
    G.add_edges_from(zip(medan_twin.edges["u"], medan_twin.edges["v"], strict=True))
    assert nx.number_strongly_connected_components(G) == 1
    assert G.number_of_nodes() == len(medan_twin.nodes)
    conn = medan_twin.manifest["connectivity"]
    assert conn["nodes_dropped"] == 0
    assert conn["components"] == 1
    assert len(medan_twin.edges) >= 44_931  # README figure, plus the kept ATCS 'ruas' nodes


def test_every_edge_has_capacity_and_speed(medan_twin: Twin) -> None:
    e = medan_twin.edges
    assert (e["capacity_pcu_h"] > 0).all()
    assert (e["capacity_veh_h"] > 0).all()
    assert (e["free_speed_kmh"] > 0).all()
    assert (e["maxspeed_kmh"] > 0).all()
    # the synthetic file tags maxspeed on every way (README: defaults per class)
    assert set(e.loc[e["highway"] == "trunk", "maxspeed_kmh"]) == {60.0}
    assert e.loc[e["highway"] == "motorway", "toll"].all()


def test_length_by_class_matches_the_generator(medan_twin: Twin) -> None:
    summary = medan_twin.manifest["summary"]["length_km_by_class"]
    km = medan_twin.edges.groupby("highway")["length_m"].sum() / 1000.0
    assert set(summary) == set(km.index) == set(README_KM)
    for cls, expected in README_KM.items():
        assert km[cls] == pytest.approx(expected, rel=0.01), cls
        assert summary[cls] == round(km[cls], 1)


def test_h3_cells_cover_the_city(medan_twin: Twin) -> None:
    """The res-9 cells cover the city polygon's area within 2 %.

    Two measures, both in the profile CRS (UTM 47N) like the polygon's area:

    * the share-weighted sum, sum(cell area x share_in_city): the cells tile the plane, so
      this equals the polygon area when no cell is missing from the set (a gap in the
      covering would show as a deficit); it must agree within 2 % (in practice ~0.3 %: H3
      edges are geodesic arcs, the stored polygons straight lines);
    * the plain area of the cells mostly inside (share >= 0.5), the "cell set" a map shows:
      boundary cells half in and half out cancel, so it also agrees within 2 %. The whole
      overlap set is not used: it overshoots by a ring of boundary cells (~13 % here).
    """
    city_m2 = polygon_area_m2(medan_twin.kota.geometry.union_all(), crs=medan_twin.crs)
    assert city_m2 / 1e6 == pytest.approx(278.35, abs=0.5)
    res9 = medan_twin.h3_cells[medan_twin.h3_cells["res"] == 9]
    area = cell_area_m2(res9["cell"], crs=medan_twin.crs)
    weighted = float((area * res9["share_in_city"].to_numpy()).sum())
    assert weighted == pytest.approx(city_m2, rel=0.02)
    mostly_in = float(area[res9["share_in_city"].to_numpy() >= 0.5].sum())
    assert mostly_in == pytest.approx(city_m2, rel=0.02)
    for res in (8, 7):
        sub = medan_twin.h3_cells[medan_twin.h3_cells["res"] == res]
        a = cell_area_m2(sub["cell"], crs=medan_twin.crs)
        assert float((a * sub["share_in_city"].to_numpy()).sum()) == pytest.approx(
            city_m2, rel=0.02
        )
    assert (res9["kel_code"] != OUTSIDE).all()


def test_edge_lengths_split_over_cells(medan_twin: Twin) -> None:
    assert_edge_lengths_split(medan_twin)
    total = medan_twin.edge_cells["length_m"].sum()
    assert total == pytest.approx(medan_twin.edges["length_m"].sum(), rel=1e-12)
    # long edges cross several cells
    per_edge = medan_twin.edge_cells.groupby("edge_id").size()
    longest = int(medan_twin.edges["length_m"].idxmax())
    assert per_edge.loc[longest] > 20


def test_admin_assignment(medan_twin: Twin) -> None:
    e, n = medan_twin.edges, medan_twin.nodes
    outside = e["kel_code"] == OUTSIDE
    # gateway roads and parts of the toll road run up to ~1 km beyond the city polygon
    assert 0 < outside.sum() < 0.01 * len(e)
    assert (e.loc[outside, "kec_code"] == OUTSIDE).all()
    inside = e.loc[~outside]
    assert all(
        kel.startswith(kec + ".")
        for kel, kec in zip(inside["kel_code"], inside["kec_code"], strict=True)
    )
    assert n["kel_code"].nunique() >= 140
    # every node's h3 cell is a res-9 cell of the city, unless the node is outside
    city_cells = set(medan_twin.h3_cells.loc[medan_twin.h3_cells["res"] == 9, "cell"])
    in_city = n["kel_code"] != OUTSIDE
    assert n.loc[in_city, "h3"].isin(city_cells).all()


def test_atcs_sites_on_their_nodes(medan_twin: Twin, atcs_csv: Path) -> None:
    s = medan_twin.atcs_sites
    assert len(s) == 111
    assert medan_twin.manifest["summary"]["atcs_sites_matched"] == 111
    # every camera is a node of the synthetic file, kept through simplification by its ref
    refs = medan_twin.nodes.set_index("node_id").loc[s["node_id"], "ref"].to_numpy()
    assert (refs == s["site_id"].to_numpy()).all()
    assert (s["node_dist_m"] < 0.01).all()
    assert (s["edge_dist_m"] < 0.01).all()
    assert (s["kind"] == "ruas").sum() == 18
    # the admin join agrees with the one shipped in the CSV (109 within, 2 nearest in gaps)
    import pandas as pd

    ref = pd.read_csv(atcs_csv).set_index("atcs_id")
    got = s.set_index("atcs_id")
    assert (got["kel_code"] == ref.loc[got.index, "kode_kel"]).mean() >= 0.98


def test_provenance_marks_roads_synthetic(medan_twin: Twin) -> None:
    assert medan_twin.roads_synthetic
    layers = {p.layer: p for p in medan_twin.provenance}
    assert set(layers) == {"roads", "kota", "kecamatan", "kelurahan", "h3", "atcs_sites"}
    assert layers["roads"].synthetic
    assert "synthetic" in layers["roads"].source
    assert not layers["kelurahan"].synthetic
    assert layers["kelurahan"].licence == "MIT"
    assert "SYNTHETIC" in layers["atcs_sites"].notes.upper()


def test_info_json(medan_snapshot_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info", "--json", "--snapshot", str(medan_snapshot_dir)]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["nodes"] > 15_000
    assert info["edges"] > 44_000
    assert (info["kecamatan"], info["kelurahan"]) == (21, 151)
    assert info["h3"]["9"] > 2_000
    assert info["h3"]["8"] > info["h3"]["7"]
    assert info["atcs_sites_matched"] == 111
    assert info["roads_synthetic"] is True
    roads = next(p for p in info["provenance"] if p["layer"] == "roads")
    assert roads["synthetic"] is True


def test_load_is_fast_enough_to_be_used_everywhere(medan_snapshot_dir: Path) -> None:
    # a smoke check that loading works from the folder alone; timing is in bench/
    from twin.snapshot import load_snapshot

    twin = load_snapshot(medan_snapshot_dir)
    assert np.array_equal(twin.edges["edge_id"].to_numpy(), np.arange(len(twin.edges)))
