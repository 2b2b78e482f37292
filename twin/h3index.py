"""H3 index of the city: cell sets per resolution, the dominant kelurahan of each cell, and
every edge's length split over the cells it crosses.

The splitting is vectorised: each edge is cut into ``n = ceil(length / step)`` equal pieces
and every piece is credited, in full, to the cell of its midpoint. The pieces of an edge sum
to its length exactly (up to floating point); a piece straddling a cell border credits at
most ``step / 2`` metres to the neighbouring cell, which at resolution 9 (edge ~174 m) is
noise. ``h3`` 4.x is scalar per point, so the midpoints go through one tight loop
(~1 µs per point; ~1 M points for Medan at a 5 m step).
"""

from __future__ import annotations

import geopandas as gpd
import h3
import numpy as np
import numpy.typing as npt
import pandas as pd
import pyproj
import shapely

from twin.model import EDGE_CELL_COLUMNS, H3_CELL_COLUMNS, OUTSIDE

#: Length of the pieces an edge is cut into before each piece is given to a cell (metres).
SPLIT_STEP_M = 5.0


def cells_for_points(
    lon: npt.ArrayLike, lat: npt.ArrayLike, *, res: int
) -> npt.NDArray[np.object_]:
    """The H3 cell (string) of each lon/lat point.

    Examples
    --------
    >>> cells_for_points([98.6722], [3.5952], res=9).tolist()
    ['89650d4e327ffff']
    """
    f = h3.latlng_to_cell
    lats = np.asarray(lat, float).tolist()
    lons = np.asarray(lon, float).tolist()
    return np.array([f(a, b, res) for a, b in zip(lats, lons, strict=True)], dtype=object)


def cell_polygons(cells: list[str] | npt.NDArray[np.object_]) -> npt.NDArray[np.object_]:
    """Shapely polygons (EPSG:4326, lon/lat) of H3 cells."""
    out = np.empty(len(cells), dtype=object)
    for i, c in enumerate(cells):
        ring = [(lng, lat) for lat, lng in h3.cell_to_boundary(c)]
        out[i] = shapely.Polygon(ring)
    return out


def polygon_cells(polygon: shapely.Geometry, *, res: int) -> list[str]:
    """Every cell of resolution ``res`` that overlaps a (multi)polygon in EPSG:4326."""
    shape = h3.geo_to_h3shape(polygon)
    # a multipolygon yields the cells its parts share once per part
    return sorted(set(h3.h3shape_to_cells_experimental(shape, res, contain="overlap")))


def city_cell_table(
    *,
    city: shapely.Geometry,
    kelurahan: gpd.GeoDataFrame,
    resolutions: tuple[int, ...],
    crs: str,
) -> pd.DataFrame:
    """The city's cells at each resolution with their share inside it and dominant kelurahan.

    Parameters
    ----------
    city
        The city polygon in EPSG:4326.
    kelurahan
        The kelurahan table (``code``, ``parent_code``, geometry in EPSG:4326).
    resolutions
        H3 resolutions, e.g. ``(9, 8, 7)``.
    crs
        Projected CRS for areas.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`twin.model.H3_CELL_COLUMNS`, one row per (cell, res) whose area lies
        partly inside the city (``share_in_city > 0``). ``kel_code`` is the kelurahan with the
        largest area in the cell, ``kec_code`` the kecamatan with the largest area (so a cell
        on a border can differ from its kelurahan's parent); both :data:`OUTSIDE` when the cell
        overlaps no kelurahan.
    """
    city_p = gpd.GeoSeries([city], crs="EPSG:4326").to_crs(crs).iloc[0]
    shapely.prepare(city_p)
    kel_p = kelurahan.to_crs(crs)
    kel_geoms = kel_p.geometry.to_numpy()
    kel_codes = kel_p["code"].to_numpy()
    kel_parent = kel_p["parent_code"].to_numpy()
    tree = shapely.STRtree(kel_geoms)
    frames = []
    for res in resolutions:
        cells = np.array(polygon_cells(city, res=res), dtype=object)
        polys = gpd.GeoSeries(cell_polygons(cells), crs="EPSG:4326").to_crs(crs).to_numpy()
        area = shapely.area(polys)
        share = shapely.area(shapely.intersection(polys, city_p)) / area
        keep = share > 1e-9
        cells, polys, share = cells[keep], polys[keep], share[keep]
        ci, ki = tree.query(polys, predicate="intersects")
        inter = shapely.area(shapely.intersection(polys[ci], kel_geoms[ki]))
        pairs = pd.DataFrame({"ci": ci, "kel": kel_codes[ki], "kec": kel_parent[ki], "a": inter})
        pairs = pairs[pairs["a"] > 0]
        kel_dom = (
            pairs.sort_values(["ci", "a", "kel"], ascending=[True, False, True])
            .drop_duplicates("ci")
            .set_index("ci")["kel"]
        )
        kec_area = pairs.groupby(["ci", "kec"])["a"].sum().reset_index()
        kec_dom = (
            kec_area.sort_values(["ci", "a", "kec"], ascending=[True, False, True])
            .drop_duplicates("ci")
            .set_index("ci")["kec"]
        )
        idx = pd.RangeIndex(len(cells))
        frames.append(
            pd.DataFrame(
                {
                    "cell": cells.astype(str),
                    "res": np.full(len(cells), res, dtype=np.int64),
                    "kel_code": kel_dom.reindex(idx).fillna(OUTSIDE).to_numpy(dtype=object),
                    "kec_code": kec_dom.reindex(idx).fillna(OUTSIDE).to_numpy(dtype=object),
                    "share_in_city": np.clip(share, 0.0, 1.0),
                }
            )
        )
    table = pd.concat(frames, ignore_index=True)
    return table[list(H3_CELL_COLUMNS)]


def split_edges(
    geoms: gpd.GeoSeries,
    edge_ids: npt.ArrayLike,
    *,
    res: int,
    crs: str,
    step_m: float = SPLIT_STEP_M,
) -> pd.DataFrame:
    """Each edge's length split over the H3 cells it crosses.

    Parameters
    ----------
    geoms
        Edge line geometries (any CRS; lengths are measured in ``crs``).
    edge_ids
        The id of each edge.
    res
        H3 resolution.
    crs
        Projected CRS for lengths.
    step_m
        Piece length; see the module notes.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`twin.model.EDGE_CELL_COLUMNS`, sorted by ``edge_id`` then ``cell``.
        For every edge, ``length_m`` sums to the edge's projected length.
    """
    lines = geoms.to_crs(crs).to_numpy()
    ids = np.asarray(edge_ids, dtype=np.int64)
    length = shapely.length(lines)
    n = np.maximum(1, np.ceil(length / step_m)).astype(np.int64)
    rep = np.repeat(np.arange(len(lines)), n)
    # position of each piece within its edge: 0..n-1, without a Python loop over edges
    offsets = np.arange(rep.size) - np.repeat(np.cumsum(n) - n, n)
    x, y = _points_along(lines, rep, (offsets + 0.5) / n[rep] * length[rep])
    lon, lat = pyproj.Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform(x, y)
    cells = cells_for_points(lon, lat, res=res)
    pieces = pd.DataFrame({"edge_id": ids[rep], "cell": cells, "length_m": (length / n)[rep]})
    out = pieces.groupby(["edge_id", "cell"], sort=True)["length_m"].sum().reset_index()
    out["cell"] = out["cell"].astype(str)
    return out[list(EDGE_CELL_COLUMNS)]


def _points_along(
    lines: npt.NDArray[np.object_], which: npt.NDArray[np.int64], dist: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Points at distance ``dist`` along ``lines[which]``, for many points at once.

    Equivalent to ``shapely.line_interpolate_point`` but walks all vertices once: one global
    cumulative distance over every line (zero between lines), one ``searchsorted``.
    """
    coords, owner = shapely.get_coordinates(lines, return_index=True)
    step = np.hypot(np.diff(coords[:, 0]), np.diff(coords[:, 1]))
    step[owner[1:] != owner[:-1]] = 0.0  # no distance from one line's end to the next start
    cum = np.concatenate([[0.0], np.cumsum(step)])
    first = np.searchsorted(owner, np.arange(len(lines)), side="left")
    last = np.searchsorted(owner, np.arange(len(lines)), side="right") - 1
    target = cum[first[which]] + dist
    j = np.searchsorted(cum, target, side="right") - 1
    j = np.clip(j, first[which], np.maximum(last[which] - 1, first[which]))
    k = np.minimum(j + 1, last[which])
    seg = cum[k] - cum[j]
    t = np.divide(target - cum[j], seg, out=np.zeros_like(seg), where=seg > 0)
    t = np.clip(t, 0.0, 1.0)
    x = coords[j, 0] + t * (coords[k, 0] - coords[j, 0])
    y = coords[j, 1] + t * (coords[k, 1] - coords[j, 1])
    return x, y


def cell_lookup(h3_cells: pd.DataFrame, *, res: int, column: str = "kel_code") -> dict[str, str]:
    """``{cell: kelurahan code}`` (or ``column``) for the cells of one resolution.

    Examples
    --------
    >>> t = pd.DataFrame({"cell": ["a", "b"], "res": [9, 9], "kel_code": ["k1", "k2"]})
    >>> cell_lookup(t, res=9)
    {'a': 'k1', 'b': 'k2'}
    """
    sub = h3_cells[h3_cells["res"] == res]
    return dict(zip(sub["cell"].astype(str), sub[column].astype(str), strict=True))


def dominant_kelurahan(h3_cells: pd.DataFrame, cells: npt.ArrayLike, *, res: int) -> list[str]:
    """The dominant kelurahan of each cell (:data:`OUTSIDE` for cells beyond the city)."""
    lookup = cell_lookup(h3_cells, res=res)
    return [lookup.get(str(c), OUTSIDE) for c in np.asarray(cells, dtype=object)]


def polygon_area_m2(polygon: shapely.Geometry, *, crs: str) -> float:
    """Area of an EPSG:4326 polygon in square metres, measured in ``crs``."""
    return float(gpd.GeoSeries([polygon], crs="EPSG:4326").to_crs(crs).area.iloc[0])


def cell_area_m2(cells: npt.ArrayLike, *, crs: str) -> npt.NDArray[np.float64]:
    """Area of each cell in square metres, measured in ``crs`` (same metric as the city)."""
    polys = cell_polygons(np.asarray(cells, dtype=object))
    return np.asarray(gpd.GeoSeries(polys, crs="EPSG:4326").to_crs(crs).area, float)


__all__ = [
    "SPLIT_STEP_M",
    "cell_area_m2",
    "cell_lookup",
    "cell_polygons",
    "cells_for_points",
    "city_cell_table",
    "dominant_kelurahan",
    "polygon_area_m2",
    "polygon_cells",
    "split_edges",
]
