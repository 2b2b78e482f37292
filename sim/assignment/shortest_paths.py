"""One-to-all shortest paths (Dijkstra, binary heap) and all-or-nothing loading, in numba.

Zones below ``first_thru_node`` are settled (paths may end there) but never expanded unless
they are the origin, so no path passes through them.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from sim.network import FloatArray, IntArray

__all__: list[str] = []


# Binary min-heap on two parallel arrays (keys, nodes); entries are never decreased in place,
# a node is pushed again and stale entries are skipped when popped. Inlined into the kernels.
@nb.njit(cache=True, inline="always")
def _heap_push(heap_key: FloatArray, heap_node: IntArray, size: int, key: float, node: int) -> int:
    """Push ``(key, node)``; returns the new size."""
    i = size
    while i > 0:
        p = (i - 1) >> 1
        if heap_key[p] <= key:
            break
        heap_key[i] = heap_key[p]
        heap_node[i] = heap_node[p]
        i = p
    heap_key[i] = key
    heap_node[i] = node
    return size + 1


@nb.njit(cache=True, inline="always")
def _heap_pop(heap_key: FloatArray, heap_node: IntArray, size: int) -> tuple[float, int, int]:
    """Pop the smallest entry; returns ``(key, node, new size)``."""
    top_key = heap_key[0]
    top_node = heap_node[0]
    size -= 1
    if size > 0:
        # sift the last entry down from the root
        key = heap_key[size]
        node = heap_node[size]
        i = 0
        while True:
            c = 2 * i + 1
            if c >= size:
                break
            if c + 1 < size and heap_key[c + 1] < heap_key[c]:
                c += 1
            if heap_key[c] >= key:
                break
            heap_key[i] = heap_key[c]
            heap_node[i] = heap_node[c]
            i = c
        heap_key[i] = key
        heap_node[i] = node
    return top_key, top_node, size


@nb.njit(cache=True)
def _dijkstra(
    origin: int,
    out_ptr: IntArray,
    out_links: IntArray,
    term: IntArray,
    cost: FloatArray,
    ftn: int,
    dist: FloatArray,
    pred: IntArray,
    order: IntArray,
    heap_key: FloatArray,
    heap_node: IntArray,
) -> int:
    """Shortest-path tree from ``origin``; returns how many nodes were settled (in ``order``)."""
    dist[:] = np.inf
    pred[:] = -1
    dist[origin] = 0.0
    heap_key[0] = 0.0
    heap_node[0] = origin
    return _settle(
        origin, out_ptr, out_links, term, cost, ftn, dist, pred, order, heap_key, heap_node, 1
    )


@nb.njit(cache=True)
def _settle(
    origin: int,
    out_ptr: IntArray,
    out_links: IntArray,
    term: IntArray,
    cost: FloatArray,
    ftn: int,
    dist: FloatArray,
    pred: IntArray,
    order: IntArray,
    heap_key: FloatArray,
    heap_node: IntArray,
    size: int,
) -> int:
    """Dijkstra's search from the ``size`` entries on the heap, on the labels ``dist``.

    Labels the search lowers get their link in ``pred``; the nodes it settles are listed in
    ``order`` (returns how many). The heap needs room for one entry per link relaxed.
    """
    n_settled = 0
    while size > 0:
        d, u, size = _heap_pop(heap_key, heap_node, size)
        if d > dist[u]:
            continue
        order[n_settled] = u
        n_settled += 1
        if u < ftn and u != origin:
            continue
        for e in range(out_ptr[u], out_ptr[u + 1]):
            a = out_links[e]
            v = term[a]
            nd = d + cost[a]
            if nd < dist[v]:
                dist[v] = nd
                pred[v] = a
                size = _heap_push(heap_key, heap_node, size, nd, v)
    return n_settled


@nb.njit(cache=True)
def _aon_chunk(
    chunk: int,
    n_chunks: int,
    origins: IntArray,
    demand: FloatArray,
    out_ptr: IntArray,
    out_links: IntArray,
    init: IntArray,
    term: IntArray,
    cost: FloatArray,
    ftn: int,
    n_nodes: int,
    flow: FloatArray,
    by_origin: FloatArray,
) -> float:
    n_links = init.shape[0]
    dist = np.empty(n_nodes)
    pred = np.empty(n_nodes, dtype=np.int64)
    order = np.empty(n_nodes, dtype=np.int64)
    heap_key = np.empty(n_links + 1)
    heap_node = np.empty(n_links + 1, dtype=np.int64)
    node_flow = np.zeros(n_nodes)
    n_zones = demand.shape[1]
    sptt = 0.0
    for k in range(chunk, origins.shape[0], n_chunks):
        o = origins[k]
        n_set = _dijkstra(
            o, out_ptr, out_links, term, cost, ftn, dist, pred, order, heap_key, heap_node
        )
        sk = 0.0
        for z in range(n_zones):
            q = demand[k, z]
            if q > 0.0 and z != o and dist[z] < np.inf:
                node_flow[z] += q
                sk += q * dist[z]
        by_origin[k] = sk
        sptt += sk
        for i in range(n_set - 1, 0, -1):
            j = order[i]
            f = node_flow[j]
            if f != 0.0:
                a = pred[j]
                flow[a] += f
                node_flow[init[a]] += f
                node_flow[j] = 0.0
        node_flow[o] = 0.0
    return sptt


@nb.njit(cache=True, parallel=True)
def _aon(
    origins: IntArray,
    demand: FloatArray,
    out_ptr: IntArray,
    out_links: IntArray,
    init: IntArray,
    term: IntArray,
    cost: FloatArray,
    ftn: int,
    n_nodes: int,
    flow: FloatArray,
    n_chunks: int,
    by_origin: FloatArray,
) -> float:
    """All-or-nothing flows on the shortest paths at ``cost`` into ``flow``; returns SPTT.

    ``demand[k, z]`` is the demand from ``origins[k]`` to zone ``z``; demand that cannot reach
    its zone is skipped (the caller removes it beforehand and reports it). Origins are split
    into ``n_chunks`` groups solved in parallel. ``by_origin[k]`` receives origin ``k``'s
    part of SPTT.
    """
    parts = np.zeros((n_chunks, flow.shape[0]))
    sptts = np.zeros(n_chunks)
    for c in nb.prange(n_chunks):
        sptts[c] = _aon_chunk(
            c,
            n_chunks,
            origins,
            demand,
            out_ptr,
            out_links,
            init,
            term,
            cost,
            ftn,
            n_nodes,
            parts[c],
            by_origin,
        )
    flow[:] = 0.0
    for c in range(n_chunks):
        flow += parts[c]
    return float(sptts.sum())


@nb.njit(cache=True, parallel=True)
def _reachable(
    origins: IntArray,
    n_zones: int,
    out_ptr: IntArray,
    out_links: IntArray,
    term: IntArray,
    ftn: int,
    n_nodes: int,
    n_chunks: int,
) -> np.ndarray:
    """``reach[k, z]``: can zone ``z`` be reached from ``origins[k]`` at all.

    One search per origin, the origins split in ``n_chunks`` groups searched in parallel
    (each row is one search's: the result does not depend on the grouping).
    """
    reach = np.zeros((origins.shape[0], n_zones), dtype=np.bool_)
    seen = np.full((n_chunks, n_nodes), -1, dtype=np.int64)
    stack = np.empty((n_chunks, n_nodes), dtype=np.int64)
    for c in nb.prange(n_chunks):
        seen_c = seen[c]
        stack_c = stack[c]
        for k in range(c, origins.shape[0], n_chunks):
            o = origins[k]
            seen_c[o] = k
            stack_c[0] = o
            top = 1
            while top > 0:
                top -= 1
                u = stack_c[top]
                if u < n_zones:
                    reach[k, u] = True
                if u < ftn and u != o:
                    continue
                for e in range(out_ptr[u], out_ptr[u + 1]):
                    v = term[out_links[e]]
                    if seen_c[v] != k:
                        seen_c[v] = k
                        stack_c[top] = v
                        top += 1
    return reach
