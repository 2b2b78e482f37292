"""Apply a scenario's changes to the baseline network and demand.

Roads are closed by the network's ``closed`` mask and changed in place (capacity, free-flow
time), so link indices stay those of the baseline and its solution can seed the scenario's.
New links are appended after the baseline's links.

Flood depth classes (:data:`FLOOD_FACTORS`) follow the depth-disruption curve of Pregnolato et
al. (2017), "The impact of flooding on road transport: a depth-disruption function",
*Transportation Research Part D* 55, 67-81: safe speed ``v = 0.0009 d^2 - 0.5529 d + 86.9448``
(km/h, ``d`` water depth in mm), which reaches 0 at about 300 mm. ``shallow`` stands for about
100 mm (speed x 0.47 by the curve, rounded to 0.5), ``medium`` for about 200 mm (x 0.14, rounded
to 0.15), ``deep`` for 300 mm and more (impassable: closed). Capacity falls with the speed and
because drivers keep to the crown of the road; the capacity factors (0.7, 0.3) are assumptions.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from pyproj import Transformer
from scipy.spatial import cKDTree

from sim.demand import DemandModel
from sim.from_twin import TwinNetwork
from sim.network import Demand, FloatArray, Network
from sim.scenario.schema import (
    Close,
    Event,
    Flood,
    Growth,
    Modify,
    NewLink,
    Scenario,
    ScenarioError,
)
from sim.scenario.selection import check_in_city, select_edges, select_zones
from twin.model import OUTSIDE, Twin
from twin.road_defaults import ROAD_CLASSES, road_class

#: depth class -> (capacity factor, speed factor, closed)
FLOOD_FACTORS: dict[str, tuple[float, float, bool]] = {
    "shallow": (0.7, 0.5, False),
    "medium": (0.3, 0.15, False),
    "deep": (0.0, 0.0, True),
}

#: A new link's end may lie at most this far (m) from the node it snaps to.
SNAP_LIMIT_M = 500.0


@dataclass
class AppliedScenario:
    """The scenario's network and demand, and what each change touched.

    Attributes
    ----------
    network
        The changed network (baseline links first, new links appended).
    demand
        The period's demand with growth and events.
    links
        Link metadata (the baseline's rows, updated lanes/speeds, plus new links).
    touched
        Per change (in order), a summary: ``type``, ``edges`` (edge ids), ``zones``...
    notes
        Plain-language notes for the report (e.g. an event's trips in the period).
    """

    scenario: Scenario
    network: Network
    demand: Demand
    links: pd.DataFrame
    touched: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def closed_edges(self) -> np.ndarray:
        """Edge ids closed by the scenario."""
        closed = self.network.closed
        if closed is None:
            return np.zeros(0, dtype=np.int64)
        ids = self.links["edge_id"].to_numpy()
        return np.asarray(ids[np.asarray(closed) & (ids >= 0)], dtype=np.int64)


def apply_scenario(
    scenario: Scenario,
    *,
    twin: Twin,
    tn: TwinNetwork,
    model: DemandModel,
    demand: Demand | None = None,
) -> AppliedScenario:
    """Build the scenario's network and demand from the baseline's.

    Parameters
    ----------
    scenario
        A validated scenario.
    twin, tn, model
        The baseline's twin, network and demand model.
    demand
        The baseline demand of the scenario's period (built from ``model`` if not given).

    Returns
    -------
    AppliedScenario
    """
    src = scenario.source
    model.config.period(scenario.period)  # unknown period -> error listing the known ones
    net = tn.network
    L = net.n_links
    capacity = net.capacity.copy()
    fft = net.fft.copy()
    closed = np.zeros(L, dtype=bool) if net.closed is None else np.asarray(net.closed).copy()
    links = tn.links.copy()
    matrix = (demand.matrix if demand is not None else model.period_matrix(scenario.period)).copy()
    touched: list[dict[str, Any]] = []
    notes: list[str] = []
    new: list[dict[str, Any]] = []

    for i, change in enumerate(scenario.changes):
        at = f"changes[{i}]"
        if isinstance(change, Close):
            ids = select_edges(change.where, twin, source=src, field=f"{at}.where")
            closed[ids] = True
            touched.append({"type": "close", "edges": ids.tolist()})
            notes.append(f"closed {ids.size} road link(s): {change.where.describe()}")
        elif isinstance(change, Modify):
            ids = select_edges(change.where, twin, source=src, field=f"{at}.where")
            _modify(change, ids, capacity, fft, links, net, src=src, at=at)
            touched.append({"type": "modify", "edges": ids.tolist()})
            notes.append(f"changed {ids.size} road link(s): {change.where.describe()}")
        elif isinstance(change, Flood):
            ids = select_edges(change.where, twin, source=src, field=f"{at}.where")
            cap_f, speed_f, shut = FLOOD_FACTORS[change.depth]
            if shut:
                closed[ids] = True
            else:
                capacity[ids] *= cap_f
                fft[ids] /= speed_f
                links.loc[ids, "free_speed_kmh"] *= speed_f
            touched.append({"type": "flood", "depth": change.depth, "edges": ids.tolist()})
            notes.append(
                f"flooded ({change.depth}) {ids.size} road link(s): {change.where.describe()}"
            )
        elif isinstance(change, Growth):
            zones = (
                np.arange(tn.zones.n_internal)
                if change.where is None
                else select_zones(change.where, twin, tn.zones, source=src, field=f"{at}.where")
            )
            sel = np.zeros(matrix.shape[0], dtype=bool)
            sel[zones] = True
            if change.where is None:
                sel[:] = True
            touched_pairs = sel[:, None] | sel[None, :]
            matrix[touched_pairs] *= change.factor
            touched.append({"type": "growth", "zones": zones.tolist(), "factor": change.factor})
            notes.append(
                f"trips from and to {zones.size} zone(s) x {change.factor:g}"
                if change.where is not None
                else f"all trips x {change.factor:g}"
            )
        elif isinstance(change, Event):
            added, zone, share = _event(change, twin, tn, model, scenario.period, src=src, at=at)
            matrix += added
            touched.append({"type": "event", "zone": zone, "pcu_per_hour": float(added.sum())})
            notes.append(
                f"{change.label}: {change.attendees:,} attendees, {share:.0%} of the window in "
                f"this period, {added.sum():,.0f} PCU/h added ({change.direction})"
            )
        elif isinstance(change, NewLink):
            new.extend(_new_link(change, twin, tn, src=src, at=at))
            touched.append({"type": "new_link", "links": len(new)})
            notes.append(f"new link {change.name!r} ({change.highway})")

    network = net.with_links(capacity=capacity, fft=fft, closed=closed)
    if new:
        network, links = _append_links(network, links, new)
    np.fill_diagonal(matrix, 0.0)
    dem = Demand(
        matrix=matrix,
        name=f"{scenario.name} ({scenario.period})",
        meta={"period": scenario.period, "units": "PCU/h", "label": "simulated"},
    )
    return AppliedScenario(
        scenario=scenario, network=network, demand=dem, links=links, touched=touched, notes=notes
    )


def _modify(
    change: Modify,
    ids: np.ndarray,
    capacity: FloatArray,
    fft: FloatArray,
    links: pd.DataFrame,
    net: Network,
    *,
    src: str,
    at: str,
) -> None:
    lanes_now = links.loc[ids, "lanes"].to_numpy(float)
    lanes_now = np.where(lanes_now > 0, lanes_now, 1.0)
    if change.lanes is not None or change.lanes_delta is not None:
        target = (
            np.full(ids.size, change.lanes)
            if change.lanes is not None
            else lanes_now + float(change.lanes_delta or 0.0)
        )
        if (target <= 0).any():
            raise ScenarioError(
                src, f"{at}.lanes_delta: would leave a road with {target.min():g} lanes"
            )
        # capacity scales with the number of lanes (per-lane capacity kept)
        capacity[ids] *= target / lanes_now
        links.loc[ids, "lanes"] = target
    if change.capacity_factor is not None:
        capacity[ids] *= change.capacity_factor
    if change.speed_kmh is not None:
        fft[ids] = net.length[ids] / change.speed_kmh * 60.0
        links.loc[ids, "free_speed_kmh"] = change.speed_kmh
    if change.speed_factor is not None:
        fft[ids] /= change.speed_factor
        links.loc[ids, "free_speed_kmh"] *= change.speed_factor


def _event(
    ev: Event,
    twin: Twin,
    tn: TwinNetwork,
    model: DemandModel,
    period: str,
    *,
    src: str,
    at: str,
) -> tuple[FloatArray, int, float]:
    """Trips of an event in the period (PCU/h), the venue's zone, the window share."""
    lon, lat = ev.at
    check_in_city(twin, lon, lat, source=src, field=f"{at}.at")
    spec = model.config.period(period)
    p0, p1 = spec.hours
    e0 = float(ev.start.split(":")[0]) + float(ev.start.split(":")[1]) / 60
    e1 = float(ev.end.split(":")[0]) + float(ev.end.split(":")[1]) / 60
    if e1 <= e0:
        raise ScenarioError(src, f"{at}: end {ev.end} is not after start {ev.start}")
    overlap = max(0.0, min(p1, e1) - max(p0, e0))
    if overlap <= 0:
        raise ScenarioError(
            src,
            f"{at}: the event window {ev.start}-{ev.end} does not overlap the simulated period "
            f"{spec.label}; set the scenario's period or the event's times",
        )
    share = overlap / (e1 - e0)
    zone = _nearest_internal_zone(twin, tn, lon, lat)
    vehicles = ev.attendees * ev.motorised_share / ev.occupancy * share
    # the trips falling in the overlap are spread over the simulated period (an hour)
    pcu_h = vehicles * model.config.pcu_per_vehicle / max(p1 - p0, 1e-9)
    Zi = tn.zones.n_internal
    d = model.distance_km[zone, :Zi]
    w = model.population * np.exp(-model.beta * np.where(np.isfinite(d), d, np.inf))
    w[zone] = 0.0
    w = w / max(w.sum(), 1e-300)
    added = np.zeros((tn.zones.n_zones, tn.zones.n_zones))
    if ev.direction == "depart":
        added[zone, :Zi] = pcu_h * w
    else:
        added[:Zi, zone] = pcu_h * w
    return added, zone, share


def _nearest_internal_zone(twin: Twin, tn: TwinNetwork, lon: float, lat: float) -> int:
    x, y = _project(twin, [lon], [lat])
    nodes = twin.nodes
    inside = (nodes["kec_code"] != OUTSIDE).to_numpy()
    xy = nodes.loc[inside, ["x", "y"]].to_numpy(float)
    ids = nodes.loc[inside].index.to_numpy()
    _, k = cKDTree(xy).query([x[0], y[0]])
    return int(tn.zones.node_zone[ids[int(k)]])


def _project(twin: Twin, lon: list[float], lat: list[float]) -> tuple[np.ndarray, np.ndarray]:
    tr = Transformer.from_crs("EPSG:4326", twin.crs, always_xy=True)
    x, y = tr.transform(lon, lat)
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def _new_link(
    nl: NewLink, twin: Twin, tn: TwinNetwork, *, src: str, at: str
) -> list[dict[str, Any]]:
    if nl.highway not in ROAD_CLASSES:
        raise ScenarioError(
            src, f"{at}.highway: unknown class {nl.highway!r} (known: {', '.join(ROAD_CLASSES)})"
        )
    for key, (lon, lat) in (("from", nl.start), ("to", nl.end)):
        check_in_city(twin, lon, lat, source=src, field=f"{at}.{key}")
    xs, ys = _project(twin, [nl.start[0], nl.end[0]], [nl.start[1], nl.end[1]])
    nodes = twin.nodes
    tree = cKDTree(nodes[["x", "y"]].to_numpy(float))
    dist, idx = tree.query(np.column_stack([xs, ys]))
    for key, d in zip(("from", "to"), dist, strict=True):
        if d > SNAP_LIMIT_M:
            raise ScenarioError(
                src,
                f"{at}.{key}: the nearest road node is {d:.0f} m away (limit {SNAP_LIMIT_M:.0f} m)",
            )
    a, b = (int(nodes.index[int(i)]) for i in idx)
    if a == b:
        raise ScenarioError(src, f"{at}: both ends snap to the same node {a}")
    rc = road_class(nl.highway)
    lanes = float(nl.lanes if nl.lanes is not None else rc.lanes_per_direction)
    speed = float(nl.speed_kmh if nl.speed_kmh is not None else rc.speed_kmh)
    ax, ay = nodes.at[a, "x"], nodes.at[a, "y"]
    bx, by = nodes.at[b, "x"], nodes.at[b, "y"]
    length_km = float(np.hypot(bx - ax, by - ay)) / 1000.0
    base = {
        "length": length_km,
        "fft": length_km / speed * 60.0,
        "capacity": rc.capacity_pcu_h_per_lane * lanes,
        "name": nl.name,
        "highway": nl.highway,
        "lanes": lanes,
        "speed": speed,
    }
    ends = [(a, b)] if nl.oneway else [(a, b), (b, a)]
    return [{**base, "u": int(tn.node_index[u]), "v": int(tn.node_index[v])} for u, v in ends]


def _append_links(
    net: Network, links: pd.DataFrame, new: list[dict[str, Any]]
) -> tuple[Network, pd.DataFrame]:
    n = len(new)
    bpr_b = float(np.median(net.b[net.b > 0])) if (net.b > 0).any() else 0.15
    bpr_p = float(np.median(net.power[net.b > 0])) if (net.b > 0).any() else 4.0

    def cat(arr: np.ndarray, extra: list[float] | list[int]) -> np.ndarray:
        return np.concatenate([arr, np.asarray(extra, dtype=arr.dtype)])

    closed = net.closed if net.closed is not None else np.zeros(net.n_links, dtype=bool)
    network = replace(
        net,
        init_node=cat(net.init_node, [d["u"] for d in new]),
        term_node=cat(net.term_node, [d["v"] for d in new]),
        capacity=cat(net.capacity, [d["capacity"] for d in new]),
        fft=cat(net.fft, [d["fft"] for d in new]),
        b=cat(net.b, [bpr_b] * n),
        power=cat(net.power, [bpr_p] * n),
        length=cat(net.length, [d["length"] for d in new]),
        toll=cat(net.toll, [0.0] * n),
        link_ids=cat(net.link_ids, [-1] * n),
        closed=np.concatenate([np.asarray(closed, dtype=bool), np.zeros(n, dtype=bool)]),
    )
    extra = pd.DataFrame(
        {
            "edge_id": -1,
            "name": [d["name"] for d in new],
            "highway": [d["highway"] for d in new],
            "lanes": [d["lanes"] for d in new],
            "free_speed_kmh": [d["speed"] for d in new],
            "kel_code": "new",
            "kec_code": "new",
            "kind": "new",
        }
    )
    return network, pd.concat([links, extra], ignore_index=True)
