"""Zone-to-zone shortest-path skims of a :class:`~sim.network.Network` (distance or time).

Used by the demand model (network distances for the gravity model) and by the comparison of
scenarios (mean travel time per zone). Zones are never passed through: a path may leave its
origin zone and enter its destination zone, nothing else, as in the assignment engine.
"""

from __future__ import annotations

import numba as nb
import numpy as np
import numpy.typing as npt

from sim.assignment.graph import star
from sim.assignment.problem import _THREADS
from sim.assignment.shortest_paths import _dijkstra
from sim.network import FloatArray, IntArray, Network


def zone_skim(
    network: Network,
    weight: npt.ArrayLike,
    *,
    origins: npt.ArrayLike | None = None,
) -> FloatArray:
    """Shortest-path cost between zones under a per-link weight.

    Parameters
    ----------
    network
        The network; closed links (``network.closed``) are left out.
    weight
        Per-link cost (length in km, travel time in minutes...), >= 0.
    origins
        Origin zones (default: all zones).

    Returns
    -------
    numpy.ndarray
        ``skim[k, z]``: cost from ``origins[k]`` to zone ``z`` (``inf`` when unreachable,
        0 on the diagonal).

    Examples
    --------
    >>> import numpy as np
    >>> net = Network(n_nodes=4, n_zones=2, first_thru_node=2,
    ...     init_node=np.array([0, 2, 3, 1, 3, 2]), term_node=np.array([2, 3, 1, 3, 2, 0]),
    ...     capacity=np.ones(6), fft=np.ones(6), b=np.zeros(6), power=np.ones(6),
    ...     length=np.array([1.0, 5.0, 1.0, 1.0, 5.0, 1.0]), toll=np.zeros(6),
    ...     link_ids=np.arange(6), node_ids=np.arange(4))
    >>> zone_skim(net, net.length)
    array([[0., 7.],
           [7., 0.]])
    """
    w = np.asarray(weight, dtype=float)
    Z = network.n_zones
    n = network.n_nodes
    init = np.asarray(network.init_node, dtype=np.int64)
    term = np.asarray(network.term_node, dtype=np.int64)
    open_ = np.ones(network.n_links, dtype=bool)
    if network.closed is not None:
        open_ &= ~np.asarray(network.closed, dtype=bool)
    out_ptr, out_links = star(init, open_, n)
    origin_idx = (
        np.arange(Z, dtype=np.int64) if origins is None else np.asarray(origins, dtype=np.int64)
    )
    out = np.full((origin_idx.size, Z), np.inf)
    if origin_idx.size:
        n_chunks = max(1, min(_THREADS, int(origin_idx.size)))
        # zones are the first Z nodes: a path may start in one, never pass through one
        _skim(origin_idx, out_ptr, out_links, term, w, Z, n, out, n_chunks)
    out[np.arange(origin_idx.size), origin_idx] = 0.0
    return out


@nb.njit(cache=True)
def _skim_chunk(
    chunk: int,
    n_chunks: int,
    origins: IntArray,
    out_ptr: IntArray,
    out_links: IntArray,
    term: IntArray,
    w: FloatArray,
    n_zones: int,
    n_nodes: int,
    out: FloatArray,
) -> None:
    dist = np.empty(n_nodes)
    pred = np.empty(n_nodes, dtype=np.int64)
    order = np.empty(n_nodes, dtype=np.int64)
    heap_key = np.empty(out_links.shape[0] + 1)
    heap_node = np.empty(out_links.shape[0] + 1, dtype=np.int64)
    for k in range(chunk, origins.shape[0], n_chunks):
        _dijkstra(
            origins[k], out_ptr, out_links, term, w, n_zones, dist, pred, order, heap_key,
            heap_node,
        )  # fmt: skip
        for z in range(n_zones):
            out[k, z] = dist[z]


@nb.njit(cache=True, parallel=True)
def _skim(
    origins: IntArray,
    out_ptr: IntArray,
    out_links: IntArray,
    term: IntArray,
    w: FloatArray,
    n_zones: int,
    n_nodes: int,
    out: FloatArray,
    n_chunks: int,
) -> None:
    """Zone rows of one Dijkstra tree per origin, the origins split into ``n_chunks`` threads."""
    for c in nb.prange(n_chunks):
        _skim_chunk(c, n_chunks, origins, out_ptr, out_links, term, w, n_zones, n_nodes, out)
