"""The network and demand an assignment runs on: plain arrays, independent of the twin.

This is the contract between the assignment engine (``sim.assignment``), the TNTP reader
(``sim.tntp``), the twin adapter (``sim.from_twin``) and the scenarios (``sim.scenario``).
Node and zone indices are 0-based internally; ``node_ids`` maps them back to the ids of the
source (TNTP node numbers, OSM node ids or synthetic zone ids).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Network:
    """A directed network with volume-delay functions.

    Link cost is ``fft * (1 + b * (x / capacity) ** power)``; the generalized cost that routes
    minimise adds ``toll_factor * toll + distance_factor * length``.

    Nodes ``0 .. n_zones-1`` are zones (centroids). With ``first_thru_node`` (0-based) greater
    than 0, nodes below it are zones that paths may start or end at but never pass through
    (TNTP's FIRST THRU NODE, shifted to 0-based: TNTP value 1 means 0 here).

    Attributes
    ----------
    n_nodes, n_zones, first_thru_node
        Sizes; see above.
    init_node, term_node
        Tail and head of every link (0-based node indices), ``int64`` arrays of length L.
    capacity, fft, b, power, length, toll
        Per-link arrays (``float64``). ``fft`` may be 0; ``b == 0`` means constant cost.
        ``capacity`` must be > 0 where ``b > 0``.
    link_ids
        Per-link identifier from the source (TNTP row number, twin ``edge_id``; -1 for
        synthetic links such as centroid connectors).
    node_ids
        Per-node identifier from the source (TNTP node number, OSM node id, zone id).
    toll_factor, distance_factor
        Weights of toll and length in the generalized cost.
    closed
        Optional per-link mask of closed links (scenarios close roads this way so link
        indices, and so warm starts, stay valid). A closed link carries no flow; demand
        that can then no longer reach its destination is reported as unassigned.
    name
        A label for reports.
    """

    n_nodes: int
    n_zones: int
    first_thru_node: int
    init_node: IntArray
    term_node: IntArray
    capacity: FloatArray
    fft: FloatArray
    b: FloatArray
    power: FloatArray
    length: FloatArray
    toll: FloatArray
    link_ids: IntArray
    node_ids: IntArray
    toll_factor: float = 0.0
    distance_factor: float = 0.0
    name: str = ""
    closed: npt.NDArray[np.bool_] | None = None

    @property
    def n_links(self) -> int:
        """Number of links."""
        return int(self.init_node.shape[0])

    def with_links(self, **arrays: npt.NDArray) -> Network:
        """A copy with some per-link arrays replaced (used by scenarios: capacity, fft...)."""
        return replace(self, **arrays)  # type: ignore[arg-type]

    def fixed_cost(self) -> FloatArray:
        """The flow-independent part of the generalized cost (toll and distance terms)."""
        return self.toll_factor * self.toll + self.distance_factor * self.length


@dataclass(frozen=True)
class Demand:
    """Origin-destination demand between the zones of a :class:`Network`.

    ``matrix[i, j]`` is the flow from zone ``i`` to zone ``j`` (same units as capacity;
    PCU/h for the twin). The diagonal is ignored.
    """

    matrix: FloatArray
    name: str = ""
    meta: dict[str, object] = field(default_factory=dict)

    @property
    def total(self) -> float:
        """Total demand off the diagonal."""
        m = self.matrix
        return float(m.sum() - np.trace(m))
