"""ATCS sites: CSV validation with line numbers, join to the nearest node and edge."""

from __future__ import annotations

from pathlib import Path

import pytest

from twin.atcs import join_sites, matched_count, read_atcs_csv
from twin.boundaries import load_boundaries
from twin.errors import InputError
from twin.model import ATCS_COLUMNS
from twin.profile import load_profile
from twin.roads import load_road_graph, road_tables

PROFILE = load_profile("medan")
HEADER = "atcs_id,stream_code,name,alias,kind,lat,lon\n"


def test_reads_the_real_list(atcs_csv: Path) -> None:
    sites = read_atcs_csv(atcs_csv)
    assert len(sites) == 111
    assert sites["atcs_id"].is_unique
    assert set(sites["kind"]) == {"simpang", "ruas"}
    assert (sites["kind"] == "simpang").sum() == 93


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("x,S,A - B,Al,simpang,3.59,98.67", r":3: atcs_id 'x' is not an integer"),
        ("5,S,A - B,Al,simpang,abc,98.67", r":3: lon/lat are not numbers"),
        ("5,S,A - B,Al,simpang,95,98.67", r":3: lon/lat .* out of range"),
        ("5,S,A - B,Al,bridge,3.59,98.67", r":3: kind 'bridge' is not simpang or ruas"),
        ("1,S,A - B,Al,simpang,3.59,98.67", r":3: duplicate atcs_id 1"),
    ],
)
def test_bad_rows_name_file_and_line(tmp_path: Path, row: str, message: str) -> None:
    f = tmp_path / "sites.csv"
    f.write_text(HEADER + "1,S,A - B,Al,simpang,3.59,98.67\n" + row + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"sites\.csv" + message):
        read_atcs_csv(f)


def test_missing_columns_and_file(tmp_path: Path) -> None:
    f = tmp_path / "sites.csv"
    f.write_text("atcs_id,name\n1,x\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"sites\.csv:1: missing column\(s\): alias, kind"):
        read_atcs_csv(f)
    with pytest.raises(InputError, match="not found"):
        read_atcs_csv(tmp_path / "none.csv")


def test_join_on_tiny_grid(tiny_osm: Path, tiny_admin: Path, tiny_atcs: Path) -> None:
    G, report = load_road_graph(tiny_osm)
    net = road_tables(G, crs=PROFILE.crs, report=report)
    b = load_boundaries(tiny_admin, profile=PROFILE)
    sites = join_sites(
        read_atcs_csv(tiny_atcs),
        nodes=net.nodes,
        edges=net.edges,
        boundaries=b,
        crs=PROFILE.crs,
        res=9,
    )
    assert tuple(sites.columns) == ATCS_COLUMNS
    one, two = sites.iloc[0], sites.iloc[1]
    assert one["site_id"] == "ATCS-1"
    assert one["node_id"] == 20  # the node tagged ref=ATCS-1
    assert one["node_dist_m"] == pytest.approx(0.0, abs=0.01)
    assert one["edge_dist_m"] == pytest.approx(0.0, abs=0.01)
    assert one["kel_code"] == "12.71.01.1001"  # on the border: lowest code
    # site 2 sits 0.0002 deg (22 m) north of the bottom street, between nodes 2 and 3
    assert two["node_id"] in (2, 3)
    assert two["edge_dist_m"] == pytest.approx(22.1, abs=0.5)
    edge = net.edges.set_index("edge_id").loc[two["edge_id"]]
    assert {edge["u"], edge["v"]} == {2, 3}
    # of the two directions sharing the geometry, the lower edge id is chosen
    both = net.edges[net.edges["u"].isin([2, 3]) & net.edges["v"].isin([2, 3])]
    assert two["edge_id"] == both["edge_id"].min()
    assert matched_count(sites) == 2
    assert matched_count(sites, tolerance_m=10) == 1
