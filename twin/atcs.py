"""ATCS camera sites of Dishub Kota Medan, joined to the nearest graph node and edge.

Later feeds (camera counts, complaints near a camera) refer to a site by ``site_id`` and reach
the graph through ``node_id`` / ``edge_id``. A camera node that survives simplification with
its ``ref=ATCS-<id>`` tag is matched to itself (distance 0) rather than to whatever node
happens to be nearest.
"""

from __future__ import annotations

import csv
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from twin.boundaries import Boundaries, locate_points
from twin.errors import InputError
from twin.h3index import cells_for_points
from twin.model import ATCS_COLUMNS

#: Columns the ATCS CSV must have.
REQUIRED_FIELDS = ("atcs_id", "name", "alias", "kind", "lat", "lon")
KINDS = frozenset({"simpang", "ruas"})
#: A site counts as matched when its nearest edge is at most this far (metres).
MATCH_TOLERANCE_M = 50.0


def read_atcs_csv(path: str | Path) -> pd.DataFrame:
    """Read and validate the ATCS site list.

    Returns
    -------
    pandas.DataFrame
        ``atcs_id`` (int), ``name``, ``alias``, ``kind``, ``lon``, ``lat``, in file order.

    Raises
    ------
    InputError
        Missing file or columns, or a row whose id, kind or coordinates are not valid, naming
        the line and field.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "ATCS site file not found")
    rows: list[dict[str, object]] = []
    seen: set[int] = set()
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        missing = [c for c in REQUIRED_FIELDS if c not in (reader.fieldnames or [])]
        if missing:
            raise InputError(path, f"missing column(s): {', '.join(missing)}", line=1)
        for rec in reader:
            line = reader.line_num
            try:
                atcs_id = int(rec["atcs_id"])
            except (TypeError, ValueError):
                raise InputError(
                    path, f"atcs_id {rec['atcs_id']!r} is not an integer", line=line
                ) from None
            if atcs_id in seen:
                raise InputError(path, f"duplicate atcs_id {atcs_id}", line=line)
            seen.add(atcs_id)
            try:
                lon, lat = float(rec["lon"]), float(rec["lat"])
            except (TypeError, ValueError):
                raise InputError(path, "lon/lat are not numbers", line=line) from None
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                raise InputError(path, f"lon/lat {lon}, {lat} out of range", line=line)
            kind = (rec["kind"] or "").strip()
            if kind not in KINDS:
                raise InputError(path, f"kind {kind!r} is not simpang or ruas", line=line)
            rows.append(
                {
                    "atcs_id": atcs_id,
                    "name": (rec["name"] or "").strip(),
                    "alias": (rec["alias"] or "").strip(),
                    "kind": kind,
                    "lon": lon,
                    "lat": lat,
                }
            )
    return pd.DataFrame(rows, columns=["atcs_id", "name", "alias", "kind", "lon", "lat"])


def join_sites(
    sites: pd.DataFrame,
    *,
    nodes: gpd.GeoDataFrame,
    edges: gpd.GeoDataFrame,
    boundaries: Boundaries,
    crs: str,
    res: int,
) -> gpd.GeoDataFrame:
    """Join ATCS sites to the nearest node and edge of the graph.

    Parameters
    ----------
    sites
        Output of :func:`read_atcs_csv`.
    nodes, edges
        The twin's node and edge tables (EPSG:4326, nodes with ``ref`` and ``x``/``y``).
    boundaries
        Admin tiers, for ``kel_code``/``kec_code``.
    crs
        Projected CRS for distances.
    res
        H3 resolution of the ``h3`` column.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns :data:`twin.model.ATCS_COLUMNS`. Of several equally near edges (the two
        directions of a street share a geometry) the lowest ``edge_id`` wins.
    """
    pts = gpd.GeoSeries(gpd.points_from_xy(sites["lon"], sites["lat"]), crs="EPSG:4326")
    pts_p = pts.to_crs(crs)
    px, py = pts_p.x.to_numpy(), pts_p.y.to_numpy()
    node_ids = nodes["node_id"].to_numpy(np.int64)
    tree = cKDTree(np.column_stack([nodes["x"].to_numpy(), nodes["y"].to_numpy()]))
    dist, idx = tree.query(np.column_stack([px, py]))
    node_match = node_ids[idx]
    node_dist = np.asarray(dist, float)
    by_ref = {str(r): i for i, r in enumerate(nodes["ref"]) if isinstance(r, str)}
    for j, atcs_id in enumerate(sites["atcs_id"]):
        i = by_ref.get(f"ATCS-{atcs_id}")
        if i is not None:
            node_match[j] = node_ids[i]
            node_dist[j] = float(np.hypot(nodes["x"].iat[i] - px[j], nodes["y"].iat[i] - py[j]))
    lines = edges.geometry.to_crs(crs).to_numpy()
    etree = shapely.STRtree(lines)
    pts_arr = pts_p.to_numpy()
    _, nearest = etree.query_nearest(pts_arr, return_distance=True, all_matches=False)
    # both directions of a street share a geometry up to float noise: take every edge within
    # a millimetre of the nearest, then prefer the lowest edge id
    pi, ei = etree.query(pts_arr, predicate="dwithin", distance=nearest + 1e-3)
    edist = shapely.distance(pts_arr[pi], lines[ei])
    pairs = pd.DataFrame({"p": pi, "e": edges["edge_id"].to_numpy()[ei], "d": edist})
    best = pairs.sort_values(["p", "e"]).drop_duplicates("p").set_index("p")
    kel, kec = locate_points(pts, boundaries=boundaries, crs=crs)
    out = gpd.GeoDataFrame(
        {
            "site_id": [f"ATCS-{i}" for i in sites["atcs_id"]],
            "atcs_id": sites["atcs_id"].to_numpy(np.int64),
            "name": sites["name"].to_numpy(),
            "alias": sites["alias"].to_numpy(),
            "kind": sites["kind"].to_numpy(),
            "lon": sites["lon"].to_numpy(float),
            "lat": sites["lat"].to_numpy(float),
            "node_id": node_match,
            "node_dist_m": node_dist,
            "edge_id": best["e"].reindex(range(len(sites))).to_numpy(np.int64),
            "edge_dist_m": best["d"].reindex(range(len(sites))).to_numpy(float),
            "kel_code": kel,
            "kec_code": kec,
            "h3": cells_for_points(sites["lon"], sites["lat"], res=res),
        },
        geometry=pts.to_numpy(),
        crs="EPSG:4326",
    )
    return out[list(ATCS_COLUMNS)]


def empty_sites() -> gpd.GeoDataFrame:
    """An ATCS table with no rows (for a city without a site list)."""
    cols = {c: pd.Series(dtype=object) for c in ATCS_COLUMNS if c != "geometry"}
    return gpd.GeoDataFrame(cols, geometry=gpd.GeoSeries([], crs="EPSG:4326"))


def matched_count(sites: pd.DataFrame, *, tolerance_m: float = MATCH_TOLERANCE_M) -> int:
    """Sites whose nearest edge lies within ``tolerance_m``."""
    return int((sites["edge_dist_m"].astype(float) <= tolerance_m).sum())


__all__ = [
    "MATCH_TOLERANCE_M",
    "REQUIRED_FIELDS",
    "empty_sites",
    "join_sites",
    "matched_count",
    "read_atcs_csv",
]
