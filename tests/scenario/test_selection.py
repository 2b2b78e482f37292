"""Selections on the offline Medan twin, and the errors a planner gets for bad ones."""

from __future__ import annotations

from typing import Any

import h3
import numpy as np
import pytest

from sim.scenario import ScenarioError, Selection, select_edges, select_zones
from twin.model import Twin

pytestmark = pytest.mark.slow


def test_street_within_a_kecamatan(medan_twin: Twin) -> None:
    edges = medan_twin.edges
    ids = select_edges(
        Selection(street="Jalan Gatot Subroto", kecamatan="Medan Sunggal"), medan_twin
    )
    sub = edges.loc[ids]
    assert len(ids) > 0
    assert set(sub["name"]) == {"Jalan Gatot Subroto"}
    assert set(sub["kec_code"]) == {"12.71.02"}
    whole = select_edges(Selection(street="jl. gatot subroto"), medan_twin)
    assert len(whole) > len(ids)
    assert set(ids) <= set(whole)
    # kecamatan by code or without the "Medan " prefix
    assert np.array_equal(
        ids, select_edges(Selection(street="Gatot Subroto", kecamatan="Sunggal"), medan_twin)
    )


def test_unknown_street_lists_closest_names(medan_twin: Twin) -> None:
    with pytest.raises(ScenarioError) as err:
        select_edges(
            Selection(street="Jalan Gatot Subrot"),
            medan_twin,
            source="x.toml",
            field="changes[0].where",
        )
    msg = str(err.value)
    assert msg.startswith("x.toml: changes[0].where.street: no street 'Jalan Gatot Subrot'")
    assert "closest names" in msg
    assert "Jalan Gatot Subroto" in msg


def test_street_outside_the_kecamatan(medan_twin: Twin) -> None:
    with pytest.raises(ScenarioError, match="does not run through Medan Belawan; it runs through"):
        select_edges(Selection(street="Jalan Gatot Subroto", kecamatan="Medan Belawan"), medan_twin)


def test_unknown_kecamatan_and_kelurahan(medan_twin: Twin) -> None:
    with pytest.raises(ScenarioError, match=r"no kecamatan 'Medan Sungal'.*Medan Sunggal"):
        select_edges(Selection(kecamatan="Medan Sungal"), medan_twin)
    with pytest.raises(ScenarioError, match=r"kelurahan: no kelurahan 'Hamdam'.*Hamdan"):
        select_edges(Selection(kelurahan=("Aur", "Hamdam")), medan_twin)


def test_kelurahan_polygon_and_h3(medan_twin: Twin) -> None:
    edges = medan_twin.edges
    kel = select_edges(Selection(kelurahan=("Aur", "12.71.15.1002")), medan_twin)
    assert set(edges.loc[kel, "kel_code"]) == {"12.71.15.1001", "12.71.15.1002"}
    square = ((98.690, 3.580), (98.705, 3.580), (98.705, 3.592), (98.690, 3.592))
    poly = select_edges(Selection(polygon=square), medan_twin)
    lon = edges.loc[poly].geometry.representative_point().x
    assert len(poly) > 100
    assert lon.between(98.68, 98.715).all()
    cell = h3.latlng_to_cell(3.5952, 98.6722, 8)
    in_cell = select_edges(Selection(h3=(cell,)), medan_twin)
    ec = medan_twin.edge_cells
    parents = {h3.cell_to_parent(c, 8) for c in ec.loc[ec["edge_id"].isin(in_cell), "cell"]}
    assert cell in parents
    assert len(in_cell) > 0
    trunk = select_edges(Selection(kecamatan="Medan Kota", highway=("trunk",)), medan_twin)
    assert set(edges.loc[trunk, "highway"]) == {"trunk"}


def test_polygon_outside_city_h3_and_empty_selection_errors(medan_twin: Twin) -> None:
    far = ((98.0, 3.0), (98.1, 3.0), (98.1, 3.1))
    with pytest.raises(ScenarioError, match="polygon: lies entirely outside Kota Medan"):
        select_edges(Selection(polygon=far), medan_twin, field="changes[1].where")
    with pytest.raises(ScenarioError, match="is not an H3 cell"):
        select_edges(Selection(h3=("nothex",)), medan_twin)
    with pytest.raises(ScenarioError, match="matches no road"):
        select_edges(Selection(kecamatan="Medan Maimun", highway=("motorway",)), medan_twin)
    with pytest.raises(ScenarioError, match="no edge 99999999"):
        select_edges(Selection(edge_ids=(1, 99999999)), medan_twin)
    with pytest.raises(ScenarioError, match="unknown class 'highway'"):
        select_edges(Selection(kecamatan="Medan Kota", highway=("highway",)), medan_twin)


def test_zones_of_a_selection(medan_twin: Twin, medan_demand: Any) -> None:
    zones = medan_demand.tn.zones
    z = select_zones(Selection(kecamatan="Medan Johor"), medan_twin, zones)
    assert z.size > 5
    kec = zones.table["kec_code"].to_numpy()[z]
    assert (kec == "12.71.11").mean() > 0.6
