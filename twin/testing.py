"""Assertion helpers for twins, in the spirit of ``geopandas.testing``.

Tests of every package call these instead of re-checking the contract of :mod:`twin.model`
by hand; each failure message names the table, column and offending rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from twin.model import (
    ADMIN_COLUMNS,
    ATCS_COLUMNS,
    EDGE_CELL_COLUMNS,
    EDGE_COLUMNS,
    H3_CELL_COLUMNS,
    NODE_COLUMNS,
    OUTSIDE,
    Twin,
)

#: Provenance layers every snapshot records.
REQUIRED_LAYERS = ("roads", "kota", "kecamatan", "kelurahan", "h3")


def assert_columns(frame: pd.DataFrame, columns: tuple[str, ...], *, table: str) -> None:
    """Assert that ``frame`` has exactly ``columns``, in order."""
    got = tuple(frame.columns)
    assert got == columns, f"{table}: columns {got} != contract {columns}"


def assert_edge_lengths_split(twin: Twin, *, rtol: float = 1e-9) -> None:
    """Assert that every edge's cell lengths sum to its length (and every edge has cells)."""
    sums = twin.edge_cells.groupby("edge_id")["length_m"].sum()
    lengths = twin.edges.set_index("edge_id")["length_m"]
    missing = lengths.index.difference(sums.index)
    assert missing.empty, f"edge_cells: {len(missing)} edges have no cells, e.g. {missing[:5]}"
    diff = np.abs(sums.reindex(lengths.index).to_numpy() - lengths.to_numpy())
    tol = rtol * np.maximum(lengths.to_numpy(), 1.0)
    bad = lengths.index[diff > tol]
    assert bad.empty, f"edge_cells: lengths do not sum to edge length for edges {list(bad[:5])}"


def assert_twin_valid(twin: Twin) -> None:
    """Assert the column contract and the invariants of a twin.

    Checks: every table's columns; EPSG:4326 geometries; node ids unique; edge ids
    ``0..E-1``; every edge's ``u``/``v`` is a node; capacity, speed, lanes, length and
    free-flow time positive and finite; admin codes known or :data:`OUTSIDE`; kelurahan
    parents are kecamatan; H3 shares in (0, 1]; edge lengths split exactly over cells; ATCS
    sites reference existing nodes and edges; provenance of every layer recorded.
    """
    for name, cols in (
        ("nodes", NODE_COLUMNS),
        ("edges", EDGE_COLUMNS),
        ("kota", ADMIN_COLUMNS),
        ("kecamatan", ADMIN_COLUMNS),
        ("kelurahan", ADMIN_COLUMNS),
        ("h3_cells", H3_CELL_COLUMNS),
        ("edge_cells", EDGE_CELL_COLUMNS),
        ("atcs_sites", ATCS_COLUMNS),
    ):
        assert_columns(getattr(twin, name), cols, table=name)
    for name in ("nodes", "edges", "kota", "kecamatan", "kelurahan", "atcs_sites"):
        crs = getattr(twin, name).crs
        assert crs is not None, f"{name}: no CRS"
        assert crs.to_epsg() == 4326, f"{name}: CRS {crs} is not EPSG:4326"

    nodes, edges = twin.nodes, twin.edges
    assert nodes["node_id"].is_unique, "nodes: node_id not unique"
    assert np.array_equal(edges["edge_id"].to_numpy(), np.arange(len(edges))), (
        "edges: edge_id is not 0..E-1 in order"
    )
    node_set = set(nodes["node_id"].tolist())
    dangling = ~edges["u"].isin(node_set) | ~edges["v"].isin(node_set)
    assert not dangling.any(), f"edges: {int(dangling.sum())} edges end at unknown nodes"
    for col in (
        "capacity_pcu_h",
        "capacity_veh_h",
        "free_speed_kmh",
        "maxspeed_kmh",
        "lanes",
        "fft_s",
    ):
        values = edges[col].to_numpy(float)
        bad = ~np.isfinite(values) | (values <= 0)
        assert not bad.any(), (
            f"edges.{col}: {int(bad.sum())} values not > 0, e.g. edge ids "
            f"{edges['edge_id'][bad].tolist()[:5]}"
        )
    lengths = edges["length_m"].to_numpy(float)
    assert np.isfinite(lengths).all(), "edges.length_m: not finite"
    assert (lengths >= 0).all(), "edges.length_m: negative"
    for col in ("lanes_source", "maxspeed_source"):
        assert set(edges[col]) <= {"osm", "default"}, f"edges.{col}: unknown values"

    kel_codes = set(twin.kelurahan["code"]) | {OUTSIDE}
    kec_codes = set(twin.kecamatan["code"]) | {OUTSIDE}
    for name, frame in (
        ("nodes", nodes),
        ("edges", edges),
        ("atcs_sites", twin.atcs_sites),
        ("h3_cells", twin.h3_cells),
    ):
        unknown_kel = set(frame["kel_code"]) - kel_codes
        unknown_kec = set(frame["kec_code"]) - kec_codes
        assert not unknown_kel, f"{name}.kel_code: unknown codes {sorted(unknown_kel)[:5]}"
        assert not unknown_kec, f"{name}.kec_code: unknown codes {sorted(unknown_kec)[:5]}"
    orphans = set(twin.kelurahan["parent_code"]) - set(twin.kecamatan["code"])
    assert not orphans, f"kelurahan: parents not among kecamatan: {sorted(orphans)[:5]}"
    kota_codes = set(twin.kota["code"])
    assert set(twin.kecamatan["parent_code"]) <= kota_codes, "kecamatan: parent not the kota"

    share = twin.h3_cells["share_in_city"].to_numpy(float)
    assert ((share > 0) & (share <= 1)).all(), "h3_cells.share_in_city outside (0, 1]"
    assert not twin.h3_cells.duplicated(["cell", "res"]).any(), "h3_cells: duplicate cells"
    assert set(twin.h3_cells["res"]) == set(twin.profile.h3_resolutions), (
        f"h3_cells: resolutions {sorted(set(twin.h3_cells['res']))} != profile "
        f"{twin.profile.h3_resolutions}"
    )
    assert_edge_lengths_split(twin)

    sites = twin.atcs_sites
    if len(sites):
        assert sites["node_id"].isin(node_set).all(), "atcs_sites: node_id not in nodes"
        assert sites["edge_id"].isin(set(edges["edge_id"])).all(), "atcs_sites: bad edge_id"
        assert (sites["node_dist_m"] >= 0).all(), "atcs_sites: negative node distance"
        assert (sites["edge_dist_m"] >= 0).all(), "atcs_sites: negative edge distance"

    layers = {p.layer for p in twin.provenance}
    missing = set(REQUIRED_LAYERS) - layers
    assert not missing, f"provenance: layers missing: {sorted(missing)}"


__all__ = ["REQUIRED_LAYERS", "assert_columns", "assert_edge_lengths_split", "assert_twin_valid"]
