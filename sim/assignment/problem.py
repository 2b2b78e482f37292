"""What every algorithm starts from: the graph, the routable demand and the evaluation of flows."""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from sim.assignment.graph import Graph, build_graph
from sim.assignment.shortest_paths import _aon, _aon_chunk, _reachable
from sim.assignment.vdf import _beckmann, _costs
from sim.network import Demand, FloatArray, IntArray, Network
from twin.errors import InputError

__all__: list[str] = []


#: Threads for the all-or-nothing loads and the bush updates: two by default (the cores of
#: the machine the targets are set for), fewer if the machine has fewer; set
#: ``TWIN_ASSIGN_THREADS`` to change it. Results do not depend on it.
_THREADS = max(1, int(os.environ.get("TWIN_ASSIGN_THREADS", "") or min(2, os.cpu_count() or 1)))


@dataclass(frozen=True)
class Problem:
    """A network and demand made ready for the kernels.

    ``origins`` are the zones with routable demand; ``demand[k, z]`` is the routable demand
    from ``origins[k]`` to zone ``z`` (pairs no open path joins are in ``unassigned``).
    """

    network: Network
    graph: Graph
    origins: IntArray
    demand: FloatArray
    unassigned: list[tuple[int, int, float]]
    unassigned_demand: float
    assigned_demand: float

    def costs(self, flow: FloatArray) -> FloatArray:
        """Generalized cost per link at ``flow``."""
        g = self.graph
        out = np.empty(flow.shape[0])
        _costs(g.fft, g.b, g.power, g.capacity, g.fixed, flow, out)
        return out

    def all_or_nothing(
        self, cost: FloatArray, *, by_origin: FloatArray | None = None
    ) -> tuple[FloatArray, float]:
        """All-or-nothing flows on shortest paths at ``cost`` and their total cost (SPTT).

        ``by_origin``, if given (an entry per origin), receives each origin's part of SPTT.
        """
        g = self.graph
        y = np.zeros(cost.shape[0])
        if by_origin is None:
            by_origin = np.empty(self.origins.shape[0])
        if self.origins.size == 0:
            return y, 0.0
        if _THREADS == 1:
            sptt = _aon_chunk(
                0, 1, self.origins, self.demand, g.out_ptr, g.out_links, g.init_node,
                g.term_node, cost, g.first_thru_node, g.n_nodes, y, by_origin,
            )  # fmt: skip
        else:
            sptt = _aon(
                self.origins, self.demand, g.out_ptr, g.out_links, g.init_node, g.term_node,
                cost, g.first_thru_node, g.n_nodes, y,
                max(1, min(_THREADS, int(self.origins.size))), by_origin,
            )  # fmt: skip
        return y, float(sptt)

    def gap(
        self, flow: FloatArray, *, by_origin: FloatArray | None = None
    ) -> tuple[float, float, float, FloatArray]:
        """``(relative gap, TSTT, SPTT, all-or-nothing flows)`` of ``flow``.

        ``by_origin`` as in :meth:`all_or_nothing`.
        """
        cost = self.costs(flow)
        y, sptt = self.all_or_nothing(cost, by_origin=by_origin)
        tstt = float(np.dot(cost, flow))
        return _relative(tstt, sptt), tstt, sptt, y

    def objective(self, flow: FloatArray) -> float:
        """Beckmann objective of ``flow``."""
        g = self.graph
        return float(_beckmann(g.fft, g.b, g.power, g.capacity, g.fixed, flow))


def _relative(tstt: float, sptt: float) -> float:
    if tstt > 0.0:
        return max((tstt - sptt) / tstt, 0.0)
    # all routes free: every path is a shortest path
    return 0.0


def prepare(network: Network, demand: Demand) -> Problem:
    """Check the inputs, build the graph and split the demand into routable and unassigned.

    Raises
    ------
    twin.errors.InputError
        If the demand matrix does not match the network's zones or has negative or
        non-finite entries, or the network's arrays are inconsistent.
    """
    graph = build_graph(network)
    m = np.asarray(demand.matrix, dtype=np.float64)
    src = f"demand {demand.name!r}" if demand.name else "demand"
    if m.shape != (network.n_zones, network.n_zones):
        raise InputError(
            src,
            f"matrix has shape {m.shape} but network {network.name!r} has {network.n_zones} zones",
        )
    if not np.isfinite(m).all() or (m < 0).any():
        bad = np.argwhere(~np.isfinite(m) | (m < 0))[0]
        raise InputError(src, f"entry ({bad[0]}, {bad[1]}) is negative or not finite")
    m = m.copy()
    np.fill_diagonal(m, 0.0)
    origins = np.flatnonzero(m.sum(axis=1) > 0).astype(np.int64)
    reach = _reachable(
        origins,
        network.n_zones,
        graph.out_ptr,
        graph.out_links,
        graph.term_node,
        graph.first_thru_node,
        graph.n_nodes,
        max(1, min(_THREADS, int(origins.size))),
    )
    dem = np.ascontiguousarray(m[origins])
    lost = (dem > 0) & ~reach
    unassigned = [
        (int(origins[k]), int(z), float(dem[k, z])) for k, z in zip(*np.nonzero(lost), strict=True)
    ]
    dem[lost] = 0.0
    keep = dem.sum(axis=1) > 0
    origins, dem = origins[keep], np.ascontiguousarray(dem[keep])
    return Problem(
        network=network,
        graph=graph,
        origins=origins,
        demand=dem,
        unassigned=unassigned,
        unassigned_demand=float(sum(q for _, _, q in unassigned)),
        assigned_demand=float(dem.sum()),
    )
