"""H3 index: cell tables, dominant kelurahan, exact split of edge lengths over cells."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from twin.boundaries import load_boundaries
from twin.h3index import (
    cell_area_m2,
    cell_lookup,
    city_cell_table,
    dominant_kelurahan,
    polygon_area_m2,
    polygon_cells,
    split_edges,
)
from twin.model import EDGE_CELL_COLUMNS, H3_CELL_COLUMNS, OUTSIDE
from twin.profile import load_profile

PROFILE = load_profile("medan")
CRS = PROFILE.crs


@pytest.fixture(scope="module")
def tiny_cells(tiny_admin: Path) -> tuple[pd.DataFrame, shapely.Geometry]:
    b = load_boundaries(tiny_admin, profile=PROFILE)
    city = b.city_polygon()
    return city_cell_table(city=city, kelurahan=b.kelurahan, resolutions=(9, 8, 7), crs=CRS), city


def test_cell_table_contract(tiny_cells) -> None:  # type: ignore[no-untyped-def]
    table, city = tiny_cells
    assert tuple(table.columns) == H3_CELL_COLUMNS
    assert set(table["res"]) == {9, 8, 7}
    assert not table.duplicated(["cell", "res"]).any()
    assert ((table["share_in_city"] > 0) & (table["share_in_city"] <= 1)).all()
    for res in (9, 8, 7):
        cells = table.loc[table["res"] == res, "cell"]
        assert all(h3.get_resolution(c) == res for c in cells)
        assert set(cells) == set(polygon_cells(city, res=res))


def test_share_weighted_area_equals_city_area(tiny_cells) -> None:  # type: ignore[no-untyped-def]
    table, city = tiny_cells
    area = polygon_area_m2(city, crs=CRS)
    for res in (9, 8):
        sub = table[table["res"] == res]
        covered = float((cell_area_m2(sub["cell"], crs=CRS) * sub["share_in_city"]).sum())
        assert covered == pytest.approx(area, rel=0.01)


def test_dominant_kelurahan_of_cell_centres(tiny_cells) -> None:  # type: ignore[no-untyped-def]
    table, _ = tiny_cells
    res9 = table[(table["res"] == 9) & (table["share_in_city"] > 0.99)]
    assert len(res9) > 0
    for cell, kel in zip(res9["cell"], res9["kel_code"], strict=True):
        lat, lon = h3.cell_to_latlng(cell)
        # a cell wholly inside the city is dominated by the kelurahan of its quadrant,
        # unless a border runs close to its centre (cells are ~350 m across)
        if abs(lon - 98.675) > 0.002 and abs(lat - 3.595) > 0.002:
            west, south = lon < 98.675, lat < 3.595
            expected = {
                (True, True): "12.71.01.1001",
                (True, False): "12.71.01.1002",
                (False, True): "12.71.02.1001",
                (False, False): "12.71.02.1002",
            }[(west, south)]
            assert kel == expected
    lookup = cell_lookup(table, res=9)
    some = res9["cell"].iloc[0]
    assert lookup[some] == res9["kel_code"].iloc[0]
    far = h3.latlng_to_cell(3.7, 98.7, 9)
    assert dominant_kelurahan(table, [some, far], res=9) == [lookup[some], OUTSIDE]


def _line(coords: list[tuple[float, float]]) -> gpd.GeoSeries:
    return gpd.GeoSeries([shapely.LineString(coords)], crs="EPSG:4326")


def test_split_single_edge_crossing_cells() -> None:
    line = _line([(98.66, 3.59), (98.68, 3.60)])
    out = split_edges(line, [7], res=9, crs=CRS)
    assert tuple(out.columns) == EDGE_CELL_COLUMNS
    assert (out["edge_id"] == 7).all()
    assert len(out) >= 5  # ~2.5 km through cells ~350 m across
    total = float(line.to_crs(CRS).length.iloc[0])
    assert out["length_m"].sum() == pytest.approx(total, rel=1e-12)
    # every piece credits the cell that the line actually passes through
    for cell in out["cell"]:
        poly = shapely.Polygon([(lng, lat) for lat, lng in h3.cell_to_boundary(cell)])
        assert poly.buffer(1e-4).intersects(line.iloc[0])


def test_split_short_and_zero_length_edges() -> None:
    geoms = gpd.GeoSeries(
        [
            shapely.LineString([(98.67, 3.59), (98.67001, 3.59)]),  # ~1 m
            shapely.LineString([(98.67, 3.59), (98.67, 3.59)]),  # degenerate
        ],
        crs="EPSG:4326",
    )
    out = split_edges(geoms, [0, 1], res=9, crs=CRS)
    assert sorted(out["edge_id"]) == [0, 1]
    assert out.loc[out["edge_id"] == 1, "length_m"].iloc[0] == 0.0


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(98.60, 98.74, allow_nan=False), st.floats(3.50, 3.78, allow_nan=False)),
        min_size=2,
        max_size=6,
    ),
    st.sampled_from([9, 8]),
)
def test_split_sums_are_exact(coords: list[tuple[float, float]], res: int) -> None:
    line = _line(coords)
    out = split_edges(line, [3], res=res, crs=CRS)
    total = float(line.to_crs(CRS).length.iloc[0])
    assert out["length_m"].sum() == pytest.approx(total, rel=1e-9, abs=1e-9)
    assert (out["length_m"] >= 0).all()
    assert not out.duplicated(["edge_id", "cell"]).any()


def test_split_many_edges_keeps_ids_apart() -> None:
    rng = np.random.default_rng(1)
    starts = rng.uniform([98.62, 3.52], [98.72, 3.62], size=(200, 2))
    ends = starts + rng.uniform(-0.01, 0.01, size=(200, 2))
    geoms = gpd.GeoSeries(
        [shapely.LineString([a, b]) for a, b in zip(starts, ends, strict=True)], crs="EPSG:4326"
    )
    ids = np.arange(1000, 1200)
    out = split_edges(geoms, ids, res=9, crs=CRS)
    sums = out.groupby("edge_id")["length_m"].sum()
    np.testing.assert_allclose(sums.loc[ids].to_numpy(), geoms.to_crs(CRS).length.to_numpy())
