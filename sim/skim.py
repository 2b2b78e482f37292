"""Zone-to-zone shortest-path skims of a :class:`~sim.network.Network` (distance or time).

Used by the demand model (network distances for the gravity model) and by the comparison of
scenarios (mean travel time per zone). Zones are never passed through: a path may leave its
origin zone and enter its destination zone, nothing else, as in the assignment engine.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from sim.network import FloatArray, Network

#: Origins per Dijkstra batch: bounds memory at batch x nodes floats.
_BATCH = 64


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
    init = network.init_node
    term = network.term_node
    open_ = np.ones(network.n_links, dtype=bool)
    if network.closed is not None:
        open_ &= ~np.asarray(network.closed, dtype=bool)
    into_zone = open_ & (term < Z)
    body = open_ & ~into_zone
    # scipy sums duplicate entries: keep the cheapest of parallel links instead.
    bu, bv, bw = init[body], term[body], w[body]
    order = np.lexsort((bw, bv, bu))
    bu, bv, bw = bu[order], bv[order], bw[order]
    first = np.ones(bu.size, dtype=bool)
    first[1:] = (bu[1:] != bu[:-1]) | (bv[1:] != bv[:-1])
    # zero weights would vanish from a sparse matrix: nudge them to a negligible cost
    graph = csr_matrix((np.maximum(bw[first], 1e-12), (bu[first], bv[first])), shape=(n, n))
    origin_idx = np.arange(Z) if origins is None else np.asarray(origins, dtype=np.int64)
    out = np.full((origin_idx.size, Z), np.inf)
    a_tail = init[into_zone]
    a_zone = term[into_zone]
    a_w = w[into_zone]
    for start in range(0, origin_idx.size, _BATCH):
        batch = origin_idx[start : start + _BATCH]
        dist = np.atleast_2d(dijkstra(graph, directed=True, indices=batch))
        cand = dist[:, a_tail] + a_w
        block = np.full((batch.size, Z), np.inf)
        for k in range(batch.size):
            np.minimum.at(block[k], a_zone, cand[k])
        out[start : start + batch.size] = block
    out[np.arange(origin_idx.size), origin_idx] = 0.0
    return out
