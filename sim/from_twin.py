"""Build the assignment :class:`~sim.network.Network` of a twin: its edges plus zone connectors.

Nodes ``0 .. Z-1`` are the zones of a :class:`~sim.zones.ZoneSystem` (internal, then gateway),
nodes ``Z ..`` the twin's graph nodes in table order. Links ``0 .. E-1`` are the twin's directed
edges in ``edge_id`` order (so link index == ``edge_id``, and ``link_ids`` holds it), followed by
the centroid connectors (``link_ids == -1``), two per zone/node pair.

Units: ``fft`` in minutes, ``length`` in km, ``capacity`` in PCU/h (the twin's
``capacity_pcu_h``), so flows are PCU/h, link costs minutes, VKT PCU-km and VHT PCU-hours.

Volume-delay function: BPR (Bureau of Public Roads, 1964), ``t = t0 (1 + 0.15 (v/c)^4)`` by
default (``[assignment]`` of ``data/medan/demand.toml``). Connectors have a constant cost
(``b = 0``): the straight-line distance from the zone centre to the node at the connector speed.
Zones are not through nodes (``first_thru_node = Z``), so no route cuts through a zone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from sim.network import Network
from sim.zones import ZoneSystem
from twin.errors import InputError
from twin.model import Twin

#: Capacity given to connectors; unused since their cost is constant (b = 0).
CONNECTOR_CAPACITY = 1.0e6

#: Shortest connector, metres: a node at the zone's centre still costs a little to reach.
_MIN_CONNECTOR_M = 25.0


@dataclass(frozen=True)
class TwinNetwork:
    """A :class:`Network` together with what ties it back to the twin.

    Attributes
    ----------
    network
        The arrays the engine solves.
    zones
        The zone system (zone ``i`` is node ``i``).
    n_edges
        Number of twin edges (links ``0 .. n_edges-1``); connectors follow, then any links a
        scenario adds.
    node_index
        Graph node id (OSM id) -> network node index.
    links
        One row per link: ``edge_id`` (-1 for connectors and added links), ``name``,
        ``highway``, ``lanes``, ``free_speed_kmh``, ``kel_code``, ``kec_code``, ``kind``
        (``"edge"``/``"connector"``/``"new"``).
    snapshot_id
        The twin snapshot this was built from.
    """

    network: Network
    zones: ZoneSystem
    n_edges: int
    node_index: pd.Series
    links: pd.DataFrame
    snapshot_id: str

    @property
    def edge_mask(self) -> npt.NDArray[np.bool_]:
        """True for links that are twin edges (not connectors, not added links)."""
        return np.asarray(self.links["kind"].to_numpy() == "edge")


def network_from_twin(
    twin: Twin,
    zones: ZoneSystem,
    *,
    bpr_alpha: float = 0.15,
    bpr_beta: float = 4.0,
    connector_speed_kmh: float = 20.0,
) -> TwinNetwork:
    """The assignment network of a twin with the given zones.

    Parameters
    ----------
    twin
        A loaded snapshot.
    zones
        Zones built from the same twin (:func:`sim.zones.build_zones`).
    bpr_alpha, bpr_beta
        BPR parameters of every road link.
    connector_speed_kmh
        Speed that prices the centroid connectors.

    Returns
    -------
    TwinNetwork
    """
    if connector_speed_kmh <= 0:
        raise InputError("assignment.connector_speed_kmh", "must be > 0")
    edges = twin.edges.sort_values("edge_id")
    n_edges = len(edges)
    if n_edges and not np.array_equal(edges["edge_id"].to_numpy(), np.arange(n_edges)):
        raise InputError(twin.path, "edge_id is not 0..E-1: the snapshot breaks its contract")
    nodes = twin.nodes.set_index("node_id", drop=False) if "node_id" in twin.nodes else twin.nodes
    Z = zones.n_zones
    node_index = pd.Series(np.arange(len(nodes), dtype=np.int64) + Z, index=nodes.index)
    u = node_index.reindex(edges["u"]).to_numpy()
    v = node_index.reindex(edges["v"]).to_numpy()
    if np.isnan(u.astype(float)).any() or np.isnan(v.astype(float)).any():
        raise InputError(twin.path, "an edge refers to a node missing from the nodes table")

    # connectors, both directions
    c_zone: list[int] = []
    c_node: list[int] = []
    c_len_m: list[float] = []
    zx = zones.table["x"].to_numpy(float)
    zy = zones.table["y"].to_numpy(float)
    for z, conn in enumerate(zones.connector_nodes):
        for nid in conn:
            c_zone.append(z)
            c_node.append(int(node_index[nid]))
            dx = float(nodes.at[nid, "x"]) - zx[z]
            dy = float(nodes.at[nid, "y"]) - zy[z]
            c_len_m.append(max(float(np.hypot(dx, dy)), _MIN_CONNECTOR_M))
    cz = np.asarray(c_zone, dtype=np.int64)
    cn = np.asarray(c_node, dtype=np.int64)
    clen = np.asarray(c_len_m, dtype=float) / 1000.0
    n_conn = 2 * cz.size

    init = np.concatenate([u.astype(np.int64), cz, cn])
    term = np.concatenate([v.astype(np.int64), cn, cz])
    length_km = np.concatenate([edges["length_m"].to_numpy(float) / 1000.0, clen, clen])
    fft_min = np.concatenate(
        [edges["fft_s"].to_numpy(float) / 60.0, np.tile(clen / connector_speed_kmh * 60.0, 2)]
    )
    capacity = np.concatenate(
        [edges["capacity_pcu_h"].to_numpy(float), np.full(n_conn, CONNECTOR_CAPACITY)]
    )
    b = np.concatenate([np.full(n_edges, bpr_alpha), np.zeros(n_conn)])
    power = np.full(n_edges + n_conn, bpr_beta)
    link_ids = np.concatenate([edges["edge_id"].to_numpy(np.int64), np.full(n_conn, -1)])
    network = Network(
        n_nodes=Z + len(nodes),
        n_zones=Z,
        first_thru_node=Z,
        init_node=init,
        term_node=term,
        capacity=capacity,
        fft=fft_min,
        b=b,
        power=power,
        length=length_km,
        toll=np.zeros(n_edges + n_conn),
        link_ids=link_ids,
        node_ids=np.concatenate([zones.node_ids(), nodes.index.to_numpy(np.int64)]),
        name=f"{twin.snapshot_id} ({zones.kind} zones)",
    )
    links = pd.DataFrame(
        {
            "edge_id": link_ids,
            "name": np.concatenate(
                [edges["name"].fillna("").astype(str).to_numpy(), np.full(n_conn, "connector")]
            ),
            "highway": np.concatenate(
                [edges["highway"].astype(str).to_numpy(), np.full(n_conn, "connector")]
            ),
            "lanes": np.concatenate([edges["lanes"].to_numpy(float), np.zeros(n_conn)]),
            "free_speed_kmh": np.concatenate(
                [edges["free_speed_kmh"].to_numpy(float), np.full(n_conn, connector_speed_kmh)]
            ),
            "kel_code": np.concatenate(
                [edges["kel_code"].astype(str).to_numpy(), np.full(n_conn, "connector")]
            ),
            "kec_code": np.concatenate(
                [edges["kec_code"].astype(str).to_numpy(), np.full(n_conn, "connector")]
            ),
            "kind": np.concatenate([np.full(n_edges, "edge"), np.full(n_conn, "connector")]),
        }
    )
    return TwinNetwork(
        network=network,
        zones=zones,
        n_edges=n_edges,
        node_index=node_index,
        links=links,
        snapshot_id=twin.snapshot_id,
    )
