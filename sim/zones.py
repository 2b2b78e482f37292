"""Traffic zones on the twin: H3 cells or kelurahan, centroid connectors, and gateway zones.

A zone is where trips start and end. Internal zones cover the city: by default the H3 cells at
resolution 8 (about 0.74 km² each) that hold graph nodes, or the 151 kelurahan. Each internal
zone is tied to the road graph by *centroid connectors* to several nodes near its centre, so
its trips do not all pour onto one street corner.

Gateway zones stand for the world outside the city: one per main road (motorway, trunk,
primary) whose open end lies beyond or at the city boundary, where it continues into Deli
Serdang or Binjai. Commuters enter and leave through them.

Zone ``i`` of a :class:`ZoneSystem` is node ``i`` of the :class:`sim.network.Network` built by
:func:`sim.from_twin.network_from_twin`; the first ``n_internal`` zones are internal, the rest
gateways.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

import h3
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from twin.errors import InputError
from twin.model import OUTSIDE, Twin

ZoneKind = Literal["h3", "kelurahan"]

#: Highway classes whose crossing of the city boundary makes a gateway zone.
GATEWAY_HIGHWAYS = frozenset({"motorway", "trunk", "primary"})

#: A main road ending this close (metres) to the city boundary continues beyond it.
GATEWAY_REACH_M = 600.0

#: Offset of the synthetic node ids given to gateway zones (far above any OSM node id).
GATEWAY_ID_BASE = 9_000_000_000_000_000

#: Gateway stubs whose outer ends lie closer than this (metres) are one gateway (dual
#: carriageways, toll road and its service road).
_GATEWAY_MERGE_M = 400.0


@dataclass(frozen=True)
class ZoneSystem:
    """The zones of a twin and how they attach to its road graph.

    Attributes
    ----------
    kind
        ``"h3"`` or ``"kelurahan"``.
    resolution
        H3 resolution of the internal zones (``None`` for kelurahan zones).
    table
        One row per zone, in zone order: ``zone`` (H3 cell, kelurahan code or ``gw-<k>``),
        ``kind`` (``"internal"``/``"gateway"``), ``label`` (a name for reports), ``kel_code``,
        ``kec_code``, ``x``, ``y`` (projected metres), ``lon``, ``lat``, ``gateway_capacity``
        (PCU/h of the boundary-crossing road, gateways only).
    connector_nodes
        Per zone, the graph node ids (OSM ids) its connectors attach to.
    node_zone
        Per graph node id, the internal zone index it falls in (``-1`` outside the city).
    """

    kind: ZoneKind
    resolution: int | None
    table: pd.DataFrame
    connector_nodes: tuple[tuple[int, ...], ...]
    node_zone: pd.Series
    meta: dict[str, object] = field(default_factory=dict)

    @property
    def n_zones(self) -> int:
        """Number of zones, gateways included."""
        return len(self.table)

    @property
    def n_internal(self) -> int:
        """Number of internal zones (they come first)."""
        return int((self.table["kind"] == "internal").sum())

    @property
    def n_gateways(self) -> int:
        """Number of gateway zones (they come last)."""
        return self.n_zones - self.n_internal

    @property
    def zone_ids(self) -> list[str]:
        """Zone identifiers in zone order."""
        return [str(z) for z in self.table["zone"]]

    def node_ids(self) -> npt.NDArray[np.int64]:
        """Identifiers for the zone nodes of a :class:`~sim.network.Network`.

        H3 zones use the cell's 64-bit integer, kelurahan zones the digits of their code,
        gateways ``GATEWAY_ID_BASE + k``; none can collide with an OSM node id.
        """
        out = np.empty(self.n_zones, dtype=np.int64)
        for i, (zone, kind) in enumerate(zip(self.table["zone"], self.table["kind"], strict=True)):
            if kind == "gateway":
                out[i] = GATEWAY_ID_BASE + int(str(zone).removeprefix("gw-"))
            elif self.kind == "h3":
                out[i] = h3.str_to_int(str(zone))
            else:
                out[i] = int(str(zone).replace(".", ""))
        return out

    def label(self, zone_index: int) -> str:
        """A readable name of a zone: its kelurahan and cell, or its gateway road."""
        return str(self.table["label"].iat[zone_index])

    def index_of(self, zone: str) -> int:
        """The index of a zone given by its identifier."""
        hits = np.flatnonzero(self.table["zone"].to_numpy() == zone)
        if hits.size == 0:
            raise InputError("zones", f"no zone {zone!r} in this {self.kind} zone system")
        return int(hits[0])


def build_zones(
    twin: Twin,
    *,
    kind: ZoneKind = "h3",
    resolution: int = 8,
    connectors_per_zone: int = 3,
) -> ZoneSystem:
    """Build the zones of a twin.

    Parameters
    ----------
    twin
        A loaded snapshot.
    kind
        ``"h3"`` (cells at ``resolution``) or ``"kelurahan"``.
    resolution
        H3 resolution of the internal zones when ``kind == "h3"``.
    connectors_per_zone
        Connectors per zone: to this many graph nodes nearest the zone's centre.

    Returns
    -------
    ZoneSystem
    """
    if kind not in ("h3", "kelurahan"):
        raise InputError("zones.kind", f"unknown zone kind {kind!r} (use 'h3' or 'kelurahan')")
    if kind == "h3" and not 5 <= resolution <= 10:
        raise InputError("zones.resolution", f"H3 resolution {resolution} outside 5..10")
    if connectors_per_zone < 1:
        raise InputError("zones.connectors_per_zone", "must be at least 1")
    nodes = _node_frame(twin)
    inside = nodes["kec_code"].to_numpy() != OUTSIDE
    if kind == "h3":
        keys = np.array(
            [
                h3.latlng_to_cell(lat, lon, resolution) if ok else ""
                for lat, lon, ok in zip(nodes["lat"], nodes["lon"], inside, strict=True)
            ],
            dtype=object,
        )
    else:
        keys = np.where(inside, nodes["kel_code"].to_numpy(dtype=object), "")
    internal = _internal_zones(twin, nodes, keys, kind, connectors_per_zone)
    gateways = _gateway_zones(twin, nodes, start=len(internal[0]))
    table = pd.concat([internal[0], gateways[0]], ignore_index=True)
    zone_of_key = {k: i for i, k in enumerate(internal[0]["zone"])}
    node_zone = pd.Series(
        [zone_of_key.get(k, -1) if k else -1 for k in keys], index=nodes.index, dtype=np.int64
    )
    return ZoneSystem(
        kind=kind,
        resolution=resolution if kind == "h3" else None,
        table=table,
        connector_nodes=tuple(internal[1] + gateways[1]),
        node_zone=node_zone,
        meta={"connectors_per_zone": connectors_per_zone},
    )


def _node_frame(twin: Twin) -> pd.DataFrame:
    nodes: pd.DataFrame = twin.nodes
    if "node_id" in nodes.columns:
        nodes = nodes.set_index("node_id", drop=False)
    return nodes


def _internal_zones(
    twin: Twin,
    nodes: pd.DataFrame,
    keys: npt.NDArray[np.object_],
    kind: ZoneKind,
    k: int,
) -> tuple[pd.DataFrame, list[tuple[int, ...]]]:
    kel_names = dict(zip(twin.kelurahan["code"], twin.kelurahan["name"], strict=False))
    frame = pd.DataFrame(
        {
            "key": keys,
            "x": nodes["x"].to_numpy(float),
            "y": nodes["y"].to_numpy(float),
            "lon": nodes["lon"].to_numpy(float),
            "lat": nodes["lat"].to_numpy(float),
            "kel_code": nodes["kel_code"].to_numpy(object),
            "kec_code": nodes["kec_code"].to_numpy(object),
            "node_id": nodes.index.to_numpy(np.int64),
        }
    )
    frame = frame[frame["key"] != ""]
    rows = []
    connectors: list[tuple[int, ...]] = []
    for key, group in frame.groupby("key", sort=True):
        if kind == "h3":
            lat, lon = h3.cell_to_latlng(str(key))
            # the cell centre in projected metres, from the group's local lon/lat -> x/y fit
            cx, cy = _project_like(group, lon, lat)
        else:
            cx, cy = float(group["x"].mean()), float(group["y"].mean())
            lon, lat = float(group["lon"].mean()), float(group["lat"].mean())
        d2 = (group["x"].to_numpy() - cx) ** 2 + (group["y"].to_numpy() - cy) ** 2
        nearest = np.argsort(d2, kind="stable")[:k]
        connectors.append(tuple(int(n) for n in group["node_id"].to_numpy()[nearest]))
        kel = Counter(group["kel_code"]).most_common(1)[0][0]
        kec = Counter(group["kec_code"]).most_common(1)[0][0]
        name = kel_names.get(kel, kel)
        label = f"{name} ({key})" if kind == "h3" else str(name)
        rows.append(
            {
                "zone": str(key),
                "kind": "internal",
                "label": label,
                "kel_code": kel,
                "kec_code": kec,
                "x": cx,
                "y": cy,
                "lon": lon,
                "lat": lat,
                "gateway_capacity": 0.0,
            }
        )
    if not rows:
        raise InputError(twin.path, "the twin has no graph nodes inside the city: no zones")
    return pd.DataFrame(rows), connectors


def _project_like(group: pd.DataFrame, lon: float, lat: float) -> tuple[float, float]:
    """Projected x/y of a lon/lat, by a local linear fit to the group's nodes.

    Avoids a pyproj round trip per cell: over a few hundred metres the projection is affine.
    """
    if len(group) < 3:
        return float(group["x"].mean()), float(group["y"].mean())
    a = np.column_stack([group["lon"], group["lat"], np.ones(len(group))])
    sol_x, *_ = np.linalg.lstsq(a, group["x"].to_numpy(), rcond=None)
    sol_y, *_ = np.linalg.lstsq(a, group["y"].to_numpy(), rcond=None)
    v = np.array([lon, lat, 1.0])
    return float(v @ sol_x), float(v @ sol_y)


def _gateway_zones(
    twin: Twin, nodes: pd.DataFrame, *, start: int
) -> tuple[pd.DataFrame, list[tuple[int, ...]]]:
    """One gateway per main road that ends at (or beyond) the city boundary.

    A gateway node is the open end of a main road (:data:`GATEWAY_HIGHWAYS`, a dead end of
    the graph) lying outside the city or within :data:`GATEWAY_REACH_M` of its boundary: the
    road goes on into the neighbouring regency beyond the modelled area. Ends closer than
    ``_GATEWAY_MERGE_M`` to each other form one gateway.
    """
    edges = twin.edges
    main = edges[edges["highway"].isin(GATEWAY_HIGHWAYS)]
    if main.empty:
        return _empty_gateways(), []
    # undirected neighbours: a two-way dead end has one neighbour (two directed edges)
    pairs = pd.DataFrame({"a": edges["u"], "b": edges["v"]})
    pairs = pd.DataFrame(np.sort(pairs.to_numpy(), axis=1), columns=["a", "b"]).drop_duplicates()
    neighbours = pd.concat([pairs["a"], pairs["b"]]).value_counts()
    ends = set(main["u"]) | set(main["v"])
    cand = [n for n in ends if neighbours.get(n, 0) == 1]
    if not cand:
        return _empty_gateways(), []
    boundary = shapely.union_all(
        np.asarray(twin.kota.to_crs(twin.crs).geometry.to_numpy())
    ).boundary
    xy = nodes.loc[cand, ["x", "y"]].to_numpy(float)
    dist = shapely.distance(shapely.points(xy), boundary)
    outside = nodes.loc[cand, "kec_code"].to_numpy() == OUTSIDE
    keep = outside | (dist <= GATEWAY_REACH_M)
    centre = np.array(
        [
            nodes.loc[nodes["kec_code"] != OUTSIDE, "x"].mean(),
            nodes.loc[nodes["kec_code"] != OUTSIDE, "y"].mean(),
        ],
        dtype=float,
    )
    groups: list[_Gateway] = []
    for node, pt in zip(np.asarray(cand)[keep], xy[keep], strict=True):
        inc = main[(main["u"] == node) | (main["v"] == node)]
        names = [n for n in inc["name"].astype(str) if n]
        groups.append(
            _Gateway(
                nodes=(int(node),),
                xy=np.asarray(pt, dtype=float),
                capacity=float(inc["capacity_pcu_h"].max()),
                name=Counter(names).most_common(1)[0][0] if names else "unnamed road",
            )
        )
    merged = _merge_groups(groups, centre)
    rows = []
    nx_, ny_ = nodes["x"], nodes["y"]
    nlon, nlat = nodes["lon"], nodes["lat"]
    for k, g in enumerate(merged):
        first = g.nodes[0]
        rows.append(
            {
                "zone": f"gw-{k}",
                "kind": "gateway",
                "label": f"gateway {k}: {g.name}",
                "kel_code": OUTSIDE,
                "kec_code": OUTSIDE,
                "x": float(nx_[first]),
                "y": float(ny_[first]),
                "lon": float(nlon[first]),
                "lat": float(nlat[first]),
                "gateway_capacity": g.capacity,
            }
        )
    if not rows:
        return _empty_gateways(), []
    return pd.DataFrame(rows), [g.nodes for g in merged]


@dataclass(frozen=True)
class _Gateway:
    """Road ends that make one gateway zone."""

    nodes: tuple[int, ...]
    xy: npt.NDArray[np.float64]
    capacity: float
    name: str


def _merge_groups(groups: list[_Gateway], centre: npt.NDArray[np.float64]) -> list[_Gateway]:
    """Merge road ends closer than ``_GATEWAY_MERGE_M``; order them clockwise from north."""
    if not groups:
        return []
    xy = np.array([g.xy for g in groups], dtype=float)
    pairs = cKDTree(xy).query_pairs(_GATEWAY_MERGE_M, output_type="ndarray")
    n = len(groups)
    graph = coo_matrix(
        (np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])) if len(pairs) else ([], ([], [])),
        shape=(n, n),
    )
    _, comp = connected_components(graph, directed=False)
    merged = []
    for c in np.unique(comp):
        members = [groups[i] for i in np.flatnonzero(comp == c)]
        best = max(members, key=lambda g: g.capacity)
        merged.append(
            _Gateway(
                nodes=tuple(nid for g in members for nid in g.nodes),
                xy=best.xy,
                capacity=sum(g.capacity for g in members),
                name=best.name,
            )
        )

    def bearing(g: _Gateway) -> float:
        dx, dy = g.xy - centre
        return float(np.arctan2(dx, dy) % (2 * np.pi))

    return sorted(merged, key=bearing)


def _empty_gateways() -> pd.DataFrame:
    return pd.DataFrame(
        columns=[
            "zone",
            "kind",
            "label",
            "kel_code",
            "kec_code",
            "x",
            "y",
            "lon",
            "lat",
            "gateway_capacity",
        ]
    )
