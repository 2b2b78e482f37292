"""Algorithm B (Dial, 2006): origin-based user equilibrium on acyclic bushes, in numba.

Each origin keeps a *bush*: an acyclic set of links carrying its flow, with the flow of that
origin on each link. An iteration

1. improves every bush: drops the links it no longer uses (keeping its shortest-path tree so
   every node stays reachable) and adds shortcuts. Nodes ordered by (longest bush path ``U``,
   topological position) are in a valid topological order, so a link that runs forward in
   that order cannot close a cycle: every shortcut by ``L`` (shortest bush path) or by ``U``
   that does is added; backward ``L``-shortcuts are tried too and, if the bush turns out
   cyclic, only those that run forward in the order found without them are kept;
2. equilibrates the bushes in rounds (as Boyles' TAP-B): for each node, from the last in
   topological order, finds where its shortest and longest *used* bush paths diverge and
   moves flow between the two segments by Newton steps (bounded by the flow the giving
   segment carries), updating link costs at once (Gauss-Seidel). Bushes whose own gap is
   already far below the whole network's skip the later rounds.

On networks whose bushes span many nodes per origin (a city with a few hundred zones) the
bushes are also improved in every later round, not only the first: they need many new links
before shifting within them pays, most of all after a closure. There the rounds after the
first take the bushes that hold half of the gap (after a closure about a dozen of the Medan
twin's 322), each bush's gap being its exact one after its last pass: a bush's own gap
misses the shortcuts its next update would add, by a factor of ten after a closure.

Exact gaps come from the bushes (:func:`_exact_sptt_one`): a bush's shortest paths bound
the distances from above, and a search from the few nodes a shorter path reaches corrects
them, at a third of the cost of a shortest-path tree. The whole network's gap is measured
when the bushes' gaps say the target may be reached, every few iterations, and at the end
(the returned figures are always exact).

Bushes give exact warm starts: flows on closed links are removed with whatever only they
reached, the cut-off nodes are reconnected by their shortest way in, and the (possibly new)
demand is reloaded on the bush in the old proportions, in parallel batches of bushes. The
first round then improves only the bushes the change touched (the others are shifted, which
measures their gap).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numba as nb
import numpy as np
import numpy.typing as npt

from sim.assignment.graph import Graph
from sim.assignment.problem import _THREADS, Problem, _relative
from sim.assignment.shortest_paths import _dijkstra, _heap_pop, _heap_push, _settle
from sim.assignment.vdf import _cost1, _costs_and_derivs, _deriv1
from sim.network import FloatArray, IntArray

__all__: list[str] = []

BoolArray2 = npt.NDArray[np.bool_]
Int32Array = npt.NDArray[np.int32]

#: Relative cost difference below which two paths count as equally short.
_REL_TOL = 1e-14

#: Nodes per origin from which bushes are updated every round, not once per iteration.
#: Bushes that span many nodes per origin (a city network with a few hundred zones) need
#: many new links before shifting within them pays, and most of all after a closure;
#: small bushes of many zones converge faster by shifting between fewer, costlier updates.
#: Measured: Medan twin (50 nodes per origin) about 1.6x faster every round; grids of 2.5
#: and 14 nodes per origin 1.3-1.5x slower.
_EVERY_ROUND_NODES_PER_ORIGIN = 25

#: With updates every round, the rounds after the first take the bushes that hold this share
#: of the summed exact gaps of the bushes (after a closure on the Medan twin, half of the gap
#: sits in about a dozen of the 322 bushes). Measured with bench/bench_scenario.py: shares of
#: 0.3 to 0.5 did best, 0.9 took a quarter longer.
_ROUND_SHARE = 0.5

#: With updates every round, the rounds stop to measure the gap once the bushes' exact gaps
#: (each as of its last pass) are this share of the target: the measurement then rarely
#: misses, and a lower share polishes past the target.
_MEASURE_AT = 0.9

#: Bushes adapted together on the same costs when a warm start meets closures or new demand.
_ADAPT_BATCH = 8

#: Stand-in mask for searches that take every link they are given.
_NO_MASK = np.zeros(0, dtype=np.bool_)


@dataclass
class BushState:
    """Bushes of every origin: what a warm start of Algorithm B reuses.

    Attributes
    ----------
    origins : numpy.ndarray
        Zone index of each bush.
    demand : numpy.ndarray
        Demand rows (one per origin, all zones) the bush flows route.
    flow : numpy.ndarray
        ``flow[k, a]``: flow of origin ``k`` on link ``a``.
    in_bush : numpy.ndarray
        ``in_bush[k, a]``: link ``a`` belongs to bush ``k``.
    topo, n_topo : numpy.ndarray
        Topological order of the nodes each bush reaches, and how many there are.
    n_nodes : int
        Size of the network the bushes are for.
    """

    origins: IntArray
    demand: FloatArray
    flow: FloatArray
    in_bush: BoolArray2
    topo: Int32Array
    n_topo: IntArray
    n_nodes: int

    @property
    def n_links(self) -> int:
        """Number of links of the network."""
        return int(self.flow.shape[1])


# --------------------------------------------------------------------------- kernels


@nb.njit(cache=True)
def _tree_load(
    origin: int,
    dem_row: FloatArray,
    out_ptr: IntArray,
    out_links: IntArray,
    init: IntArray,
    term: IntArray,
    cost: FloatArray,
    ftn: int,
    flow_k: FloatArray,
    in_bush_k: npt.NDArray[np.bool_],
    topo_k: Int32Array,
) -> int:
    """Bush = shortest-path tree at ``cost``; all demand of the origin loaded on it."""
    n_nodes = topo_k.shape[0]
    n_links = init.shape[0]
    dist = np.empty(n_nodes)
    pred = np.empty(n_nodes, dtype=np.int64)
    order = np.empty(n_nodes, dtype=np.int64)
    heap_key = np.empty(n_links + 1)
    heap_node = np.empty(n_links + 1, dtype=np.int64)
    n_set = _dijkstra(
        origin, out_ptr, out_links, term, cost, ftn, dist, pred, order, heap_key, heap_node
    )
    flow_k[:] = 0.0
    in_bush_k[:] = False
    node_flow = np.zeros(n_nodes)
    for z in range(dem_row.shape[0]):
        if dem_row[z] > 0.0 and z != origin and dist[z] < np.inf:
            node_flow[z] = dem_row[z]
    for i in range(n_set):
        topo_k[i] = order[i]
    for i in range(n_set - 1, 0, -1):
        j = order[i]
        a = pred[j]
        in_bush_k[a] = True
        f = node_flow[j]
        if f != 0.0:
            flow_k[a] += f
            node_flow[init[a]] += f
    return n_set


@nb.njit(cache=True)
def _dfs_post_order(
    origin: int,
    links: npt.NDArray[np.integer],
    seg_start: IntArray,
    seg_end: IntArray,
    keep: npt.NDArray[np.bool_],
    filtered: bool,
    term: IntArray,
    pos: IntArray,
    cursor: IntArray,
    stack: IntArray,
    post: IntArray,
) -> int:
    """Post-order of one depth-first search from ``origin`` over the links
    ``links[seg_start[u]:seg_end[u]]`` out of each node ``u`` (only those with ``keep[a]``
    if ``filtered``). Returns how many nodes it reached, or -1 if it met a cycle.

    ``pos`` ends -1 for nodes not reached (0 for the others); ``cursor`` is scratch space.
    """
    # state in pos: -1 unseen, -2 on the search stack, 0 finished
    pos[:] = -1
    n_post = 0
    stack[0] = origin
    top = 1
    pos[origin] = -2
    cursor[origin] = seg_start[origin]
    while top > 0:
        u = stack[top - 1]
        e = cursor[u]
        end = seg_end[u]
        pushed = False
        while e < end:
            a = links[e]
            e += 1
            if filtered and not keep[a]:
                continue
            v = term[a]
            pv = pos[v]
            if pv == -1:
                cursor[u] = e
                pos[v] = -2
                cursor[v] = seg_start[v]
                stack[top] = v
                top += 1
                pushed = True
                break
            if pv == -2:
                return -1
        if not pushed:
            cursor[u] = e
            top -= 1
            post[n_post] = u
            pos[u] = 0
            n_post += 1
    return n_post


@nb.njit(cache=True)
def _prune_unreached(
    origin: int,
    in_bush_k: npt.NDArray[np.bool_],
    flow_k: FloatArray,
    out_ptr: IntArray,
    out_links: IntArray,
    term: IntArray,
    n_nodes: int,
) -> npt.NDArray[np.bool_]:
    """Drop bush links out of nodes the bush no longer reaches (after closures); returns
    which nodes it still reaches."""
    seen = np.zeros(n_nodes, dtype=np.bool_)
    stack = np.empty(n_nodes, dtype=np.int64)
    seen[origin] = True
    stack[0] = origin
    top = 1
    while top > 0:
        top -= 1
        u = stack[top]
        for e in range(out_ptr[u], out_ptr[u + 1]):
            a = out_links[e]
            if in_bush_k[a]:
                v = term[a]
                if not seen[v]:
                    seen[v] = True
                    stack[top] = v
                    top += 1
    for u in range(n_nodes):
        if not seen[u]:
            for e in range(out_ptr[u], out_ptr[u + 1]):
                a = out_links[e]
                if in_bush_k[a]:
                    in_bush_k[a] = False
                    flow_k[a] = 0.0
    return seen


@nb.njit(cache=True)
def _labels(
    n: int,
    topo_k: Int32Array,
    pos: IntArray,
    in_bush_k: npt.NDArray[np.bool_],
    flow_k: FloatArray,
    in_ptr: IntArray,
    in_links: IntArray,
    init: IntArray,
    cost: FloatArray,
    used_only: bool,
    eps: float,
    L: FloatArray,
    predL: IntArray,
    U: FloatArray,
    predU: IntArray,
) -> float:
    """Shortest (``L``) and longest (``U``) path costs within the bush, in topological order.

    With ``used_only`` the longest path runs over links carrying more than ``eps`` of this
    origin's flow (nodes without such an in-link take their shortest path instead).
    Returns the total cost of the origin's flow on the bush.
    """
    o = topo_k[0]
    L[o] = 0.0
    U[o] = 0.0
    predL[o] = -1
    predU[o] = -1
    total = 0.0
    for t in range(1, n):
        j = topo_k[t]
        lj = np.inf
        pl = -1
        uj = -np.inf
        pu = -1
        for e in range(in_ptr[j], in_ptr[j + 1]):
            a = in_links[e]
            if not in_bush_k[a]:
                continue
            i = init[a]
            if pos[i] < 0:
                continue
            c = cost[a]
            total += flow_k[a] * c
            v = L[i] + c
            if v < lj:
                lj = v
                pl = a
            if used_only and flow_k[a] <= eps:
                continue
            w = U[i] + c
            if w > uj:
                uj = w
                pu = a
        L[j] = lj
        predL[j] = pl
        if pu < 0:
            U[j] = lj
            predU[j] = pl
        else:
            U[j] = uj
            predU[j] = pu
    return total


@nb.njit(cache=True)
def _build_list(
    n: int,
    topo_k: Int32Array,
    in_bush_k: npt.NDArray[np.bool_],
    out_ptr: IntArray,
    out_links: IntArray,
    blist_k: Int32Array,
) -> int:
    """The bush's links grouped by tail node in topological order; returns how many.

    A label pass over this list touches only the bush's links (a third of the network's on
    a city, whose bushes are nearly trees) and reads them in order.
    """
    m = 0
    for t in range(n):
        i = topo_k[t]
        for e in range(out_ptr[i], out_ptr[i + 1]):
            a = out_links[e]
            if in_bush_k[a]:
                blist_k[m] = a
                m += 1
    return m


@nb.njit(cache=True)
def _labels_list(
    n: int,
    topo_k: Int32Array,
    m: int,
    blist_k: Int32Array,
    flow_k: FloatArray,
    init: IntArray,
    term: IntArray,
    cost: FloatArray,
    used_only: bool,
    eps: float,
    L: FloatArray,
    predL: IntArray,
    U: FloatArray,
    predU: IntArray,
) -> float:
    """:func:`_labels` over the bush's link list (see :func:`_build_list`); same results.

    Links come grouped by tail in topological order, so a node's labels are final when its
    first out-link is read; a node without a used in-link takes its shortest path for ``U``
    at that moment, as :func:`_labels` does.
    """
    for t in range(n):
        j = topo_k[t]
        L[j] = np.inf
        U[j] = -np.inf
        predL[j] = -1
        predU[j] = -1
    o = topo_k[0]
    L[o] = 0.0
    U[o] = 0.0
    total = 0.0
    last = -1
    for idx in range(m):
        a = blist_k[idx]
        i = init[a]
        if i != last:
            last = i
            if predU[i] < 0 and i != o:
                U[i] = L[i]
                predU[i] = predL[i]
        j = term[a]
        c = cost[a]
        f = flow_k[a]
        total += f * c
        v = L[i] + c
        if v < L[j]:
            L[j] = v
            predL[j] = a
        if used_only and f <= eps:
            continue
        w = U[i] + c
        if w > U[j]:
            U[j] = w
            predU[j] = a
    for t in range(1, n):
        j = topo_k[t]
        if predU[j] < 0:
            U[j] = L[j]
            predU[j] = predL[j]
    return total


@nb.njit(cache=True)
def _topo_sort_list(
    origin: int,
    n_drop: int,
    drop: IntArray,
    in_bush_k: npt.NDArray[np.bool_],
    blist_k: Int32Array,
    seg_start: IntArray,
    seg_end: IntArray,
    init: IntArray,
    term: IntArray,
    topo_k: Int32Array,
    pos: IntArray,
    cursor: IntArray,
    stack: IntArray,
    post: IntArray,
    tmp: Int32Array,
) -> tuple[int, int]:
    """Topological order of the bush's nodes the origin reaches, the reverse post-order of
    one depth-first search over the bush's links (node ``u``'s are
    ``blist_k[seg_start[u]:seg_end[u]]``), then the link list re-grouped in the new order.

    The links ``drop[:n_drop]`` are left out of the search; they rejoin the bush if they
    run forward in the new order (they close no cycle). A search over the list in its
    grouping reads each node's links in the graph's order, so the order is the one a search
    over the graph would give.

    Returns the number of ordered nodes (-1 if the bush has a cycle: the list is then left
    as it was) and the length of the re-grouped link list.
    """
    for r in range(n_drop):
        in_bush_k[drop[r]] = False
    n_post = _dfs_post_order(
        origin, blist_k, seg_start, seg_end, in_bush_k, n_drop > 0, term, pos, cursor, stack,
        post,
    )  # fmt: skip
    if n_post < 0:
        return -1, 0
    for t in range(n_post):
        v = post[n_post - 1 - t]
        topo_k[t] = v
        pos[v] = t
    for r in range(n_drop):
        a = drop[r]
        pi = pos[init[a]]
        if pi >= 0 and pi < pos[term[a]]:
            in_bush_k[a] = True
    m = 0
    for t in range(n_post):
        v = topo_k[t]
        for idx in range(seg_start[v], seg_end[v]):
            a = blist_k[idx]
            if in_bush_k[a]:
                tmp[m] = a
                m += 1
    for idx in range(m):
        blist_k[idx] = tmp[idx]
    return n_post, m


@nb.njit(cache=True)
def _update_bush(
    origin: int,
    n: int,
    topo_k: Int32Array,
    in_bush_k: npt.NDArray[np.bool_],
    flow_k: FloatArray,
    g_out_ptr: IntArray,
    g_out_links: IntArray,
    g_in_ptr: IntArray,
    g_in_links: IntArray,
    init: IntArray,
    term: IntArray,
    cost: FloatArray,
    ftn: int,
    pos: IntArray,
    indeg: IntArray,
    L: FloatArray,
    predL: IntArray,
    U: FloatArray,
    predU: IntArray,
    eps: float,
    risky: IntArray,
    blist_k: Int32Array,
    n_blist: IntArray,
    k: int,
    seg_start: IntArray,
    seg_end: IntArray,
    stack: IntArray,
    post: IntArray,
    tmp: Int32Array,
) -> int:
    """Drop unused links, add shortcuts; returns the new number of ordered nodes.

    ``blist_k`` is the bush's link list if ``n_blist[k] >= 0``; it is rebuilt here, in the
    new order (-1 in ``n_blist[k]`` if it could not be).
    """
    m = n_blist[k]
    if m >= 0:
        _labels_list(
            n, topo_k, m, blist_k, flow_k, init, term, cost, False, 0.0, L, predL, U, predU
        )
        for idx in range(m):
            a = blist_k[idx]
            if flow_k[a] <= eps and a != predL[term[a]]:
                # rounding residue (<= eps) goes with the link
                flow_k[a] = 0.0
                in_bush_k[a] = False
    else:
        _labels(
            n,
            topo_k,
            pos,
            in_bush_k,
            flow_k,
            g_in_ptr,
            g_in_links,
            init,
            cost,
            False,
            0.0,
            L,
            predL,
            U,
            predU,
        )
        for t in range(1, n):
            j = topo_k[t]
            for e in range(g_in_ptr[j], g_in_ptr[j + 1]):
                a = g_in_links[e]
                if in_bush_k[a] and flow_k[a] <= eps and a != predL[j]:
                    # rounding residue (<= eps) goes with the link
                    flow_k[a] = 0.0
                    in_bush_k[a] = False
    # No relabelling after the removals: L keeps its tree, and the longest-path labels of the
    # larger bush still satisfy U_a + c_ab <= U_b on every remaining link, which is all the
    # acyclicity argument below needs.
    # Nodes ordered by (U, topological position) are in a valid topological order (U never
    # decreases along a bush link, ties keep their order). A new link that runs forward in
    # that order cannot close a cycle. Shortcuts by L that run backward in it usually close
    # none either (they cannot once the bush is equilibrated), so they are tried too and
    # taken back only if the new bush turns out cyclic.
    added = False
    n_risky = 0
    m = 0  # the new link list, grouped by tail in the current order
    for t in range(n):
        i = topo_k[t]
        seg_start[i] = m
        if i < ftn and i != origin:
            seg_end[i] = m
            continue
        ui = U[i]
        li = L[i]
        for e in range(g_out_ptr[i], g_out_ptr[i + 1]):
            a = g_out_links[e]
            if in_bush_k[a]:
                blist_k[m] = a
                m += 1
                continue
            j = term[a]
            if j == origin:
                continue
            if pos[j] < 0:
                # j is not in the bush yet (after a closure): it has no bush links out
                in_bush_k[a] = True
                blist_k[m] = a
                m += 1
                seg_start[j] = 0
                seg_end[j] = 0
                added = True
                continue
            c = cost[a]
            uj = U[j]
            if ui < uj or (ui == uj and t < pos[j]):
                if li + c < L[j] or ui + c < uj:
                    in_bush_k[a] = True
                    blist_k[m] = a
                    m += 1
                    if t > pos[j]:
                        added = True
            elif li + c < L[j]:
                in_bush_k[a] = True
                blist_k[m] = a
                m += 1
                risky[n_risky] = a
                n_risky += 1
        seg_end[i] = m
    n_blist[k] = m
    if n_risky == 0 and not added:
        return n
    mm, _ = _topo_sort_list(
        origin, 0, risky, in_bush_k, blist_k, seg_start, seg_end, init, term, topo_k, pos,
        indeg, stack, post, tmp,
    )  # fmt: skip
    if mm >= 0 or n_risky == 0:
        return mm
    # a cycle: order the bush without the backward shortcuts, keeping those that run forward
    # in the new order
    mm, m = _topo_sort_list(
        origin, n_risky, risky, in_bush_k, blist_k, seg_start, seg_end, init, term, topo_k,
        pos, indeg, stack, post, tmp,
    )  # fmt: skip
    n_blist[k] = m if mm >= 0 else -1
    return mm


@nb.njit(cache=True)
def _shift_bush(
    n: int,
    topo_k: Int32Array,
    flow_k: FloatArray,
    init: IntArray,
    x: FloatArray,
    cost: FloatArray,
    deriv: FloatArray,
    fft: FloatArray,
    b: FloatArray,
    power: FloatArray,
    cap: FloatArray,
    fixed: FloatArray,
    pos: IntArray,
    L: FloatArray,
    predL: IntArray,
    U: FloatArray,
    predU: IntArray,
    eps: float,
    n_newton: int,
    dem_row: FloatArray,
    totals: FloatArray,
    m: int,
    blist_k: Int32Array,
    term: IntArray,
) -> float:
    """One pass of Newton flow shifts from longest to shortest used segments.

    Flows at or below ``eps`` count as unused and are cleared when a shift leaves them (they
    are rounding residue; a used path through one would block every shift behind it).
    Returns the bush's relative gap before the pass: the cost of its flows over the cost of
    sending its demand on its shortest bush paths, minus one (0 at bush equilibrium); the two
    totals go to ``totals``.
    """
    tstt = _labels_list(
        n, topo_k, m, blist_k, flow_k, init, term, cost, True, eps, L, predL, U, predU
    )
    sptt = 0.0
    for z in range(dem_row.shape[0]):
        if dem_row[z] > 0.0:
            sptt += dem_row[z] * L[z]
    rel = (tstt - sptt) / tstt if tstt > 0.0 else 0.0
    totals[0] = tstt
    totals[1] = sptt
    for t in range(n - 1, 0, -1):
        j = topo_k[t]
        pl = predL[j]
        pu = predU[j]
        if pl == pu:
            continue
        excess = U[j] - L[j]
        if excess <= _REL_TOL * U[j]:
            continue
        m = init[pl]
        M = init[pu]
        while m != M:
            if pos[m] > pos[M]:
                m = init[predL[m]]
            else:
                M = init[predU[M]]
        div = m
        for _ in range(n_newton):
            cmin = 0.0
            dsum = 0.0
            fmin = np.inf
            v = j
            while v != div:
                a = predL[v]
                cmin += cost[a]
                dsum += deriv[a]
                if flow_k[a] < fmin:
                    fmin = flow_k[a]
                v = init[a]
            cmax = 0.0
            fmax = np.inf
            v = j
            while v != div:
                a = predU[v]
                cmax += cost[a]
                dsum += deriv[a]
                if flow_k[a] < fmax:
                    fmax = flow_k[a]
                v = init[a]
            dc = cmax - cmin
            if abs(dc) <= _REL_TOL * cmax:
                break
            # Newton step on the cost difference; negative (back to the longer segment)
            # when a previous step overshot. Bounded by the flow the giving segment carries.
            if dc > 0.0:
                if fmax <= eps:
                    break
                delta = fmax if dsum <= 0.0 else min(dc / dsum, fmax)
                if delta > fmax - eps:
                    delta = fmax
            else:
                if fmin <= eps:
                    break
                delta = -fmin if dsum <= 0.0 else max(dc / dsum, -fmin)
                if delta < eps - fmin:
                    delta = -fmin
            v = j
            while v != div:
                a = predU[v]
                f = flow_k[a] - delta
                flow_k[a] = f if f > eps else 0.0
                xa = x[a] - delta
                xa = xa if xa > 0.0 else 0.0
                x[a] = xa
                cost[a] = _cost1(fft[a], b[a], power[a], cap[a], xa) + fixed[a]
                deriv[a] = _deriv1(fft[a], b[a], power[a], cap[a], xa)
                v = init[a]
            v = j
            while v != div:
                a = predL[v]
                f = flow_k[a] + delta
                flow_k[a] = f if f > eps else 0.0
                xa = x[a] + delta
                xa = xa if xa > 0.0 else 0.0
                x[a] = xa
                cost[a] = _cost1(fft[a], b[a], power[a], cap[a], xa) + fixed[a]
                deriv[a] = _deriv1(fft[a], b[a], power[a], cap[a], xa)
                v = init[a]
    return rel


@nb.njit(cache=True)
def _sweep(
    n_topo: IntArray,
    topo: Int32Array,
    in_bush: BoolArray2,
    flow: FloatArray,
    out_ptr: IntArray,
    out_links: IntArray,
    init: IntArray,
    term: IntArray,
    x: FloatArray,
    cost: FloatArray,
    deriv: FloatArray,
    fft: FloatArray,
    b: FloatArray,
    power: FloatArray,
    cap: FloatArray,
    fixed: FloatArray,
    n_inner: int,
    active: npt.NDArray[np.bool_],
    eps: FloatArray,
    excess: FloatArray,
    n_newton: int,
    demand: FloatArray,
    totals: FloatArray,
    blist: Int32Array,
    n_blist: IntArray,
) -> None:
    """Equilibrate every active bush once (the updates are :func:`_update_all`'s).

    ``blist[k]`` holds the link list of bush ``k`` when ``n_blist[k] >= 0`` (see
    :func:`_build_list`); stale lists are rebuilt here.

    ``excess[k]`` receives the relative gap of bush ``k`` before its last pass, and
    ``totals[k]`` the cost of its flows and of its demand on its shortest bush paths.
    """
    n_nodes = topo.shape[1]
    # only the positions of the bush's own nodes are read: no reset between bushes
    pos = np.empty(n_nodes, dtype=np.int64)
    L = np.empty(n_nodes)
    U = np.empty(n_nodes)
    predL = np.empty(n_nodes, dtype=np.int64)
    predU = np.empty(n_nodes, dtype=np.int64)
    for k in range(topo.shape[0]):
        if not active[k]:
            continue
        n = n_topo[k]
        topo_k = topo[k]
        for t in range(n):
            pos[topo_k[t]] = t
        if n_blist[k] < 0:
            n_blist[k] = _build_list(n, topo_k, in_bush[k], out_ptr, out_links, blist[k])
        for _ in range(n_inner):
            worst = _shift_bush(
                n, topo_k, flow[k], init, x, cost, deriv, fft, b, power, cap, fixed, pos, L,
                predL, U, predU, eps[k], n_newton, demand[k], totals[k], n_blist[k], blist[k],
                term,
            )  # fmt: skip
            excess[k] = worst
            if worst <= 0.0:
                break


@nb.njit(cache=True, parallel=True)
def _update_all(
    n_chunks: int,
    origins: IntArray,
    n_topo: IntArray,
    topo: Int32Array,
    in_bush: BoolArray2,
    flow: FloatArray,
    out_ptr: IntArray,
    out_links: IntArray,
    in_ptr: IntArray,
    in_links: IntArray,
    init: IntArray,
    term: IntArray,
    cost: FloatArray,
    ftn: int,
    update: npt.NDArray[np.bool_],
    eps: FloatArray,
    blist: Int32Array,
    n_blist: IntArray,
) -> int:
    """Improve the bushes with ``update[k]`` (:func:`_update_bush`), in ``n_chunks`` threads.

    An update reads the link costs and changes only its own bush, so bushes are independent
    here and the result does not depend on the number of threads. Returns -1-k if bush k
    got a cycle.
    """
    n_nodes = topo.shape[1]
    n_links = init.shape[0]
    todo = np.flatnonzero(update)
    # scratch per chunk, allocated here (allocations inside a parallel loop may be hoisted
    # out of it and shared)
    pos = np.empty((n_chunks, n_nodes), dtype=np.int64)
    cursor = np.empty((n_chunks, n_nodes), dtype=np.int64)
    L = np.empty((n_chunks, n_nodes))
    U = np.empty((n_chunks, n_nodes))
    predL = np.empty((n_chunks, n_nodes), dtype=np.int64)
    predU = np.empty((n_chunks, n_nodes), dtype=np.int64)
    risky = np.empty((n_chunks, n_links), dtype=np.int64)
    seg_start = np.empty((n_chunks, n_nodes), dtype=np.int64)
    seg_end = np.empty((n_chunks, n_nodes), dtype=np.int64)
    stack = np.empty((n_chunks, n_nodes), dtype=np.int64)
    post = np.empty((n_chunks, n_nodes), dtype=np.int64)
    tmp = np.empty((n_chunks, n_links), dtype=np.int32)
    rcs = np.zeros(n_chunks, dtype=np.int64)
    for c in nb.prange(n_chunks):
        for idx in range(c, todo.shape[0], n_chunks):
            k = todo[idx]
            n = n_topo[k]
            topo_k = topo[k]
            pos_c = pos[c]
            pos_c[:] = -1
            for t in range(n):
                pos_c[topo_k[t]] = t
            n = _update_bush(
                origins[k], n, topo_k, in_bush[k], flow[k], out_ptr, out_links, in_ptr,
                in_links, init, term, cost, ftn, pos_c, cursor[c], L[c], predL[c], U[c],
                predU[c], eps[k], risky[c], blist[k], n_blist, k, seg_start[c], seg_end[c],
                stack[c], post[c], tmp[c],
            )  # fmt: skip
            if n < 0:
                rcs[c] = -1 - k
                break
            n_topo[k] = n
            if n_blist[k] < 0:
                n_blist[k] = _build_list(n, topo_k, in_bush[k], out_ptr, out_links, blist[k])
    rc = 0
    for c in range(n_chunks):
        if rcs[c] < 0:
            rc = rcs[c]
    return rc


@nb.njit(cache=True)
def _bush_shortest(
    n: int,
    topo_k: Int32Array,
    pos: IntArray,
    in_bush_k: npt.NDArray[np.bool_],
    flow_k: FloatArray,
    in_ptr: IntArray,
    in_links: IntArray,
    init: IntArray,
    cost: FloatArray,
) -> tuple[FloatArray, IntArray]:
    """Shortest bush-path cost of every ordered node and the bush link it arrives by
    (:func:`_labels` over the graph, for bushes whose link list is not kept)."""
    n_nodes = pos.shape[0]
    L = np.empty(n_nodes)
    predL = np.empty(n_nodes, dtype=np.int64)
    U = np.empty(n_nodes)
    predU = np.empty(n_nodes, dtype=np.int64)
    _labels(
        n, topo_k, pos, in_bush_k, flow_k, in_ptr, in_links, init, cost, False, 0.0, L, predL,
        U, predU,
    )  # fmt: skip
    return L, predL


@nb.njit(cache=True)
def _exact_sptt_one(
    origin: int,
    m: int,
    blist_k: Int32Array,
    in_bush_k: npt.NDArray[np.bool_],
    out_ptr: IntArray,
    out_links: IntArray,
    init: IntArray,
    term: IntArray,
    cost: FloatArray,
    ftn: int,
    demand_k: FloatArray,
    dist: FloatArray,
    pred: IntArray,
    order: IntArray,
    heap_key: FloatArray,
    heap_node: IntArray,
) -> float:
    """The origin's demand times its shortest-path costs in the whole network (its SPTT).

    The bush's shortest paths are real paths, so their costs bound the distances from
    above; near equilibrium they are nearly all exact. One scan of the links outside the
    bush finds the nodes a shorter path reaches, and a Dijkstra from those alone corrects
    them and what lies beyond (a label-correcting search: it ends with every link
    satisfying ``dist[i] + c >= dist[j]``, so the distances equal :func:`_dijkstra`'s).
    This costs a third of a Dijkstra from the origin.
    """
    n_nodes = dist.shape[0]
    dist[:] = np.inf
    dist[origin] = 0.0
    for idx in range(m):
        a = blist_k[idx]
        v = dist[init[a]] + cost[a]
        j = term[a]
        if v < dist[j]:
            dist[j] = v
    size = 0
    for u in range(n_nodes):
        du = dist[u]
        if du == np.inf or (u < ftn and u != origin):
            continue
        for e in range(out_ptr[u], out_ptr[u + 1]):
            a = out_links[e]
            if in_bush_k[a]:
                continue
            v = term[a]
            nd = du + cost[a]
            if nd < dist[v]:
                dist[v] = nd
                size = _heap_push(heap_key, heap_node, size, nd, v)
    _settle(
        origin, out_ptr, out_links, term, cost, ftn, dist, pred, order, heap_key, heap_node, size
    )
    s = 0.0
    for z in range(demand_k.shape[0]):
        q = demand_k[z]
        if q > 0.0 and z != origin and dist[z] < np.inf:
            s += q * dist[z]
    return s


@nb.njit(cache=True, parallel=True)
def _exact_gaps(
    n_chunks: int,
    which: npt.NDArray[np.bool_],
    origins: IntArray,
    demand: FloatArray,
    n_topo: IntArray,
    topo: Int32Array,
    in_bush: BoolArray2,
    flow: FloatArray,
    out_ptr: IntArray,
    out_links: IntArray,
    init: IntArray,
    term: IntArray,
    cost: FloatArray,
    ftn: int,
    blist: Int32Array,
    n_blist: IntArray,
    out: FloatArray,
) -> None:
    """``out[k] = (TSTT, SPTT)`` of origin ``k`` at ``cost``, for the bushes with
    ``which[k]`` (:func:`_exact_sptt_one`), in ``n_chunks`` threads.

    Builds the missing link lists of those bushes.
    """
    n_nodes = topo.shape[1]
    n_links = init.shape[0]
    todo = np.flatnonzero(which)
    dist = np.empty((n_chunks, n_nodes))
    pred = np.empty((n_chunks, n_nodes), dtype=np.int64)
    order = np.empty((n_chunks, n_nodes), dtype=np.int64)
    # the scan pushes a node at most once per link, the search once per link it relaxes
    heap_key = np.empty((n_chunks, 2 * n_links + 1))
    heap_node = np.empty((n_chunks, 2 * n_links + 1), dtype=np.int64)
    for c in nb.prange(n_chunks):
        for idx in range(c, todo.shape[0], n_chunks):
            k = todo[idx]
            if n_blist[k] < 0:
                n_blist[k] = _build_list(
                    n_topo[k], topo[k], in_bush[k], out_ptr, out_links, blist[k]
                )
            m = n_blist[k]
            blist_k = blist[k]
            flow_k = flow[k]
            tstt = 0.0
            for e in range(m):
                a = blist_k[e]
                tstt += flow_k[a] * cost[a]
            out[k, 0] = tstt
            out[k, 1] = _exact_sptt_one(
                origins[k], m, blist_k, in_bush[k], out_ptr, out_links, init, term, cost,
                ftn, demand[k], dist[c], pred[c], order[c], heap_key[c], heap_node[c],
            )  # fmt: skip


@nb.njit(cache=True)
def _regrow(
    n: int,
    topo_k: Int32Array,
    pos: IntArray,
    in_bush_k: npt.NDArray[np.bool_],
    flow_k: FloatArray,
    out_ptr: IntArray,
    out_links: IntArray,
    in_ptr: IntArray,
    in_links: IntArray,
    init: IntArray,
    term: IntArray,
    cost: FloatArray,
    ftn: int,
) -> int:
    """Reconnect the nodes a pruned bush no longer reaches, by their shortest way in.

    A Dijkstra search starts from every node the bush reaches (at its shortest bush cost)
    and only enters nodes it does not; the links it arrives by join the bush. They all point
    into nodes without bush links out, so no cycle can form, and the nodes they reach follow
    the ordered ``n`` in the order the search settles them (``topo_k``, ``pos``), which keeps
    the order topological. Returns the new number of ordered nodes.
    """
    n_nodes = pos.shape[0]
    n_links = init.shape[0]
    L, _ = _bush_shortest(n, topo_k, pos, in_bush_k, flow_k, in_ptr, in_links, init, cost)
    origin = topo_k[0]
    dist = np.full(n_nodes, np.inf)
    pred = np.full(n_nodes, -1, dtype=np.int64)
    done = np.zeros(n_nodes, dtype=np.bool_)
    heap_key = np.empty(n_links + n_nodes + 1)
    heap_node = np.empty(n_links + n_nodes + 1, dtype=np.int64)
    size = 0
    for t in range(n):
        u = topo_k[t]
        dist[u] = L[u]
        done[u] = True  # already in the bush: a source, never re-entered
    # only bush nodes with a link into a cut-off node start the search
    for v in range(n_nodes):
        if done[v]:
            continue
        for e in range(in_ptr[v], in_ptr[v + 1]):
            u = init[in_links[e]]
            if not done[u] or (u < ftn and u != origin) or dist[u] < 0.0:
                continue
            key = dist[u]
            dist[u] = -1.0 - key  # pushed once (decoded below)
            size = _heap_push(heap_key, heap_node, size, key, u)
    for t in range(n):
        u = topo_k[t]
        if dist[u] < 0.0:
            dist[u] = -1.0 - dist[u]
    while size > 0:
        d, u, size = _heap_pop(heap_key, heap_node, size)
        if d > dist[u]:
            continue
        if pred[u] >= 0:
            if done[u]:
                continue  # settled already (pushed twice at the same cost)
            done[u] = True
            in_bush_k[pred[u]] = True
            topo_k[n] = u
            pos[u] = n
            n += 1
        if u < ftn and u != origin:
            continue
        for e in range(out_ptr[u], out_ptr[u + 1]):
            a = out_links[e]
            v = term[a]
            if done[v]:
                continue
            nd = d + cost[a]
            if nd < dist[v]:
                dist[v] = nd
                pred[v] = a
                size = _heap_push(heap_key, heap_node, size, nd, v)
    return n


@nb.njit(cache=True)
def _reload(
    origin: int,
    dem_row: FloatArray,
    n: int,
    topo_k: Int32Array,
    in_bush_k: npt.NDArray[np.bool_],
    flow_k: FloatArray,
    in_ptr: IntArray,
    in_links: IntArray,
    init: IntArray,
    cost: FloatArray,
    pos: IntArray,
) -> bool:
    """Route a new demand row on the bush in the proportions of its old flows.

    Nodes without old inflow use their shortest in-bush link. Returns False when a zone
    with demand is no longer reached by the bush (the caller rebuilds it from scratch).
    """
    n_nodes = pos.shape[0]
    for z in range(dem_row.shape[0]):
        if dem_row[z] > 0.0 and z != origin and pos[z] < 0:
            return False
    _, predL = _bush_shortest(n, topo_k, pos, in_bush_k, flow_k, in_ptr, in_links, init, cost)
    node_flow = np.zeros(n_nodes)
    for z in range(dem_row.shape[0]):
        if z != origin:
            node_flow[z] = dem_row[z]
    new = np.zeros(flow_k.shape[0])
    for t in range(n - 1, 0, -1):
        j = topo_k[t]
        f = node_flow[j]
        if f <= 0.0:
            continue
        inflow = 0.0
        for e in range(in_ptr[j], in_ptr[j + 1]):
            a = in_links[e]
            if in_bush_k[a] and pos[init[a]] >= 0:
                inflow += flow_k[a]
        if inflow > 0.0:
            for e in range(in_ptr[j], in_ptr[j + 1]):
                a = in_links[e]
                if in_bush_k[a] and pos[init[a]] >= 0 and flow_k[a] > 0.0:
                    share = f * (flow_k[a] / inflow)
                    new[a] += share
                    node_flow[init[a]] += share
        else:
            a = predL[j]
            new[a] += f
            node_flow[init[a]] += f
    flow_k[:] = new
    return True


# --------------------------------------------------------------------------- driver


def _new_state(problem: Problem) -> BushState:
    g = problem.graph
    n_o = problem.origins.shape[0]
    L = g.init_node.shape[0]
    return BushState(
        origins=problem.origins.copy(),
        demand=problem.demand.copy(),
        flow=np.zeros((n_o, L)),
        in_bush=np.zeros((n_o, L), dtype=bool),
        topo=np.zeros((n_o, g.n_nodes), dtype=np.int32),
        n_topo=np.zeros(n_o, dtype=np.int64),
        n_nodes=g.n_nodes,
    )


def _cold_state(problem: Problem) -> BushState:
    """Bushes from shortest-path trees, origin after origin on the costs loaded so far."""
    g = problem.graph
    st = _new_state(problem)
    _cold_bushes(
        st.origins, st.demand, g.out_ptr, g.out_links, g.init_node, g.term_node,
        g.first_thru_node, g.fft, g.b, g.power, g.capacity, g.fixed, st.flow, st.in_bush,
        st.topo, st.n_topo,
    )  # fmt: skip
    return st


@nb.njit(cache=True)
def _cold_bushes(
    origins: IntArray,
    demand: FloatArray,
    out_ptr: IntArray,
    out_links: IntArray,
    init: IntArray,
    term: IntArray,
    ftn: int,
    fft: FloatArray,
    b: FloatArray,
    power: FloatArray,
    cap: FloatArray,
    fixed: FloatArray,
    flow: FloatArray,
    in_bush: BoolArray2,
    topo: Int32Array,
    n_topo: IntArray,
) -> None:
    # incremental loading: each origin's tree is built on the congestion of the earlier ones
    n_links = init.shape[0]
    x = np.zeros(n_links)
    cost = np.empty(n_links)
    for a in range(n_links):
        cost[a] = _cost1(fft[a], b[a], power[a], cap[a], 0.0) + fixed[a]
    for k in range(origins.shape[0]):
        n_topo[k] = _tree_load(
            origins[k],
            demand[k],
            out_ptr,
            out_links,
            init,
            term,
            cost,
            ftn,
            flow[k],
            in_bush[k],
            topo[k],
        )
        fk = flow[k]
        for a in range(n_links):
            if fk[a] > 0.0:
                x[a] += fk[a]
                cost[a] = _cost1(fft[a], b[a], power[a], cap[a], x[a]) + fixed[a]


def _warm_state(
    problem: Problem, prev: BushState, *, n_threads: int = _THREADS
) -> tuple[BushState, npt.NDArray[np.bool_]] | None:
    """Adapt the bushes of a previous run to new costs, closures and demand.

    Returns the bushes and which of them changed (those that had a closed link, or whose
    demand changed), or None if the previous run was on another network.
    """
    g = problem.graph
    L = g.init_node.shape[0]
    if prev.n_nodes != g.n_nodes or prev.n_links != L:
        return None
    index = {int(o): k for k, o in enumerate(prev.origins)}
    origins = problem.origins
    src = np.array([index.get(int(o), -1) for o in origins], dtype=np.int64)
    has = src >= 0
    if has.all():
        # one copy each (fancy indexing): the previous result keeps its own state, it may
        # warm-start other scenarios
        st = BushState(
            origins=origins.copy(),
            demand=problem.demand.copy(),
            flow=prev.flow[src],
            in_bush=prev.in_bush[src],
            topo=prev.topo[src],
            n_topo=prev.n_topo[src],
            n_nodes=g.n_nodes,
        )
    else:
        st = _new_state(problem)
        st.flow[has] = prev.flow[src[has]]
        st.in_bush[has] = prev.in_bush[src[has]]
        st.topo[has] = prev.topo[src[has]]
        st.n_topo[has] = prev.n_topo[src[has]]
    x = st.flow.sum(axis=0) if st.origins.size else np.zeros(L)
    cost = problem.costs(x)
    prev_demand = np.zeros_like(st.demand)
    prev_demand[has] = prev.demand[src[has]]
    closed = np.flatnonzero(~g.open_mask).astype(np.int64)
    touched = np.zeros(st.origins.shape[0], dtype=bool)
    _adapt_bushes(
        max(1, min(n_threads, st.origins.shape[0])), st.origins, st.demand, src, prev_demand,
        closed, g.out_ptr, g.out_links, g.in_ptr, g.in_links, g.init_node, g.term_node,
        g.first_thru_node, x, cost, g.fft, g.b, g.power, g.capacity, g.fixed, st.flow,
        st.in_bush, st.topo, st.n_topo, touched,
    )  # fmt: skip
    return st, touched


@nb.njit(cache=True, parallel=True)
def _adapt_bushes(
    n_chunks: int,
    origins: IntArray,
    demand: FloatArray,
    src: IntArray,
    prev_demand: FloatArray,
    closed: IntArray,
    out_ptr: IntArray,
    out_links: IntArray,
    in_ptr: IntArray,
    in_links: IntArray,
    init: IntArray,
    term: IntArray,
    ftn: int,
    x: FloatArray,
    cost: FloatArray,
    fft: FloatArray,
    b: FloatArray,
    power: FloatArray,
    cap: FloatArray,
    fixed: FloatArray,
    flow: FloatArray,
    in_bush: BoolArray2,
    topo: Int32Array,
    n_topo: IntArray,
    touched: npt.NDArray[np.bool_],
) -> None:
    # Per bush: drop closed links (and what only they reached), re-order, and reload the
    # demand in the old proportions where flow was lost or the demand changed; a bush that
    # no longer reaches a destination is rebuilt from the shortest-path tree. The costs
    # follow the bushes' changes batch by batch (as in incremental loading), so the flow a
    # closure displaces is not all sent to the same detour by every bush. The bushes of a
    # batch share its costs and are adapted in ``n_chunks`` threads; the batch size is
    # fixed, so the result does not depend on the number of threads.
    n_nodes = topo.shape[1]
    n_links = init.shape[0]
    n_o = origins.shape[0]
    # touched: the bushes with a closed link, a new demand row or a new origin
    touched[:] = False
    for k in range(n_o):
        if src[k] < 0:
            touched[k] = True
            continue
        for r in range(closed.shape[0]):
            if in_bush[k, closed[r]]:
                touched[k] = True
                break
        if not touched[k]:
            for z in range(demand.shape[1]):
                if demand[k, z] != prev_demand[k, z]:
                    touched[k] = True
                    break
    work = np.flatnonzero(touched)
    pos = np.empty((n_chunks, n_nodes), dtype=np.int64)
    old = np.empty((_ADAPT_BATCH, n_links))
    for first in range(0, work.shape[0], _ADAPT_BATCH):
        size = min(_ADAPT_BATCH, work.shape[0] - first)
        for c in nb.prange(n_chunks):
            for i in range(c, size, n_chunks):
                k = work[first + i]
                old[i, :] = flow[k]
                _adapt_one(
                    k, origins, demand, src, closed, out_ptr, out_links, in_ptr, in_links,
                    init, term, ftn, cost, flow, in_bush, topo, n_topo, pos[c],
                )  # fmt: skip
        for i in range(size):
            fk = flow[work[first + i]]
            for a in range(n_links):
                d = fk[a] - old[i, a]
                if d != 0.0:
                    xa = x[a] + d
                    xa = xa if xa > 0.0 else 0.0
                    x[a] = xa
                    cost[a] = _cost1(fft[a], b[a], power[a], cap[a], xa) + fixed[a]


@nb.njit(cache=True)
def _adapt_one(
    k: int,
    origins: IntArray,
    demand: FloatArray,
    src: IntArray,
    closed: IntArray,
    out_ptr: IntArray,
    out_links: IntArray,
    in_ptr: IntArray,
    in_links: IntArray,
    init: IntArray,
    term: IntArray,
    ftn: int,
    cost: FloatArray,
    flow: FloatArray,
    in_bush: BoolArray2,
    topo: Int32Array,
    n_topo: IntArray,
    pos: IntArray,
) -> None:
    # a touched bush (see _adapt_bushes): a new origin, or closed links, or a new demand row
    n_nodes = topo.shape[1]
    o = origins[k]
    if src[k] < 0:
        n_topo[k] = _tree_load(
            o,
            demand[k],
            out_ptr,
            out_links,
            init,
            term,
            cost,
            ftn,
            flow[k],
            in_bush[k],
            topo[k],
        )
        return
    cut = False
    for r in range(closed.shape[0]):
        a = closed[r]
        if in_bush[k, a]:
            in_bush[k, a] = False
            flow[k, a] = 0.0
            j = term[a]
            # nodes before j in the order cannot depend on a link into j: if j keeps
            # another bush link in, the bush still reaches everything it did
            other = False
            for e in range(in_ptr[j], in_ptr[j + 1]):
                if in_bush[k, in_links[e]]:
                    other = True
                    break
            if not other:
                cut = True
    if cut:
        seen = _prune_unreached(o, in_bush[k], flow[k], out_ptr, out_links, term, n_nodes)
        # the old order without the nodes no longer reached is an order of the pruned bush
        pos[:] = -1
        n = 0
        for t in range(n_topo[k]):
            v = topo[k, t]
            if seen[v]:
                topo[k, n] = v
                pos[v] = n
                n += 1
        n = _regrow(
            n, topo[k], pos, in_bush[k], flow[k], out_ptr, out_links, in_ptr, in_links, init,
            term, cost, ftn,
        )  # fmt: skip
        n_topo[k] = n
    else:
        pos[:] = -1
        for t in range(n_topo[k]):
            pos[topo[k, t]] = t
    ok = _reload(
        o,
        demand[k],
        n_topo[k],
        topo[k],
        in_bush[k],
        flow[k],
        in_ptr,
        in_links,
        init,
        cost,
        pos,
    )
    if not ok:
        n_topo[k] = _tree_load(
            o,
            demand[k],
            out_ptr,
            out_links,
            init,
            term,
            cost,
            ftn,
            flow[k],
            in_bush[k],
            topo[k],
        )


def _exact_gap(
    problem: Problem,
    st: BushState,
    which: npt.NDArray[np.bool_],
    cost: FloatArray,
    blist: Int32Array,
    n_blist: IntArray,
    out: FloatArray,
    n_threads: int,
) -> None:
    """Each origin's ``(TSTT, SPTT)`` at ``cost`` in ``out``, for the origins in ``which``
    (:func:`_exact_gaps`): the distances are :meth:`Problem.gap`'s, at a third of its cost."""
    if not which.any():
        return
    g = problem.graph
    _exact_gaps(
        max(1, min(n_threads, int(which.sum()))), which, st.origins, st.demand, st.n_topo,
        st.topo, st.in_bush, st.flow, g.out_ptr, g.out_links, g.init_node, g.term_node, cost,
        g.first_thru_node, blist, n_blist, out,
    )  # fmt: skip


def _hold_share(gaps: FloatArray, share: float, out: npt.NDArray[np.bool_]) -> None:
    """Mark in ``out`` the fewest bushes whose ``gaps`` add up to ``share`` of their sum.

    >>> out = np.zeros(4, dtype=bool)
    >>> _hold_share(np.array([1.0, 6.0, 0.0, 3.0]), 0.8, out)
    >>> out.tolist()
    [False, True, False, True]
    """
    order = np.argsort(-gaps, kind="stable")
    held = np.cumsum(np.maximum(gaps[order], 0.0))
    out[:] = False
    if held.size == 0 or held[-1] <= 0.0:
        return
    n = int(np.searchsorted(held, share * held[-1])) + 1
    out[order[:n]] = True


def solve(
    problem: Problem,
    *,
    gap: float,
    max_iter: int,
    max_seconds: float | None,
    warm: object | None,
    progress: Callable[[int, float], None] | None,
    t0: float,
    n_inner: int = 1,
    n_rounds: int = 20,
    skip_below: float = 0.1,
    n_newton: int = 2,
    exact_every: int = 6,
    every_round: bool | None = None,
    timing: dict[str, float] | None = None,
    n_threads: int | None = None,
) -> tuple[
    FloatArray,
    int,
    list[tuple[int, float, float]],
    bool,
    BushState,
    bool,
    tuple[float, float, float],
]:
    """Run Algorithm B.

    ``every_round`` updates the bushes in every round rather than once per iteration (by
    default when the network has many nodes per origin, see
    ``_EVERY_ROUND_NODES_PER_ORIGIN``). ``timing``, if given, accumulates wall seconds of
    the exact gaps (``"exact"``), of the rounds with and without updates (``"upd"``,
    ``"shift"``), of the updates within them (``"update"``) and of the exact gaps of the
    bushes each round passed (``"passed"``), the rounds' counts (``"n_upd"``,
    ``"n_shift"``) and the bush passes (``"act"``), for profiling.

    Returns flows, iterations, history, converged, bushes, whether it warm-started, and
    ``(relative gap, TSTT, SPTT)`` of the returned flows.
    """
    g: Graph = problem.graph
    if n_threads is None:
        n_threads = _THREADS
    adapted = (
        _warm_state(problem, warm, n_threads=n_threads) if isinstance(warm, BushState) else None
    )
    warm_started = adapted is not None
    if adapted is None:
        st = _cold_state(problem)
        touched = np.ones(st.origins.shape[0], dtype=bool)
    else:
        st, touched = adapted
    L = g.init_node.shape[0]
    cost = np.empty(L)
    deriv = np.empty(L)
    active = np.ones(st.origins.shape[0], dtype=bool)
    update = np.ones(st.origins.shape[0], dtype=bool)
    # flows this small are rounding residue of the origin's demand
    eps = 1e-13 * np.maximum(st.demand.sum(axis=1), 1.0)
    excess = np.zeros(st.origins.shape[0])
    history: list[tuple[int, float, float]] = []
    it = 0
    converged = False
    evaluated = (np.inf, 0.0, 0.0)
    n_threads = max(1, min(n_threads, st.origins.shape[0]))
    if every_round is None:
        every_round = g.n_nodes >= _EVERY_ROUND_NODES_PER_ORIGIN * max(st.origins.shape[0], 1)
    # relative gap as the bushes see it: their own gaps, or with ``every_round`` the exact
    # ones of each bush when it was last passed or measured
    estimate = np.inf
    last_exact = 0
    totals = np.zeros((st.origins.shape[0], 2))
    everyone = np.ones(st.origins.shape[0], dtype=bool)
    # (TSTT, SPTT) of each origin when last evaluated
    exact_k = np.zeros((st.origins.shape[0], 2))
    # every origin's entry is of the current flows (the last round passed every bush)
    current = False
    # each bush's link list, built on first use (not part of the state: it is cheap to
    # rebuild and would double the size of a cached baseline)
    blist = np.empty((st.origins.shape[0], L), dtype=np.int32)
    n_blist = np.full(st.origins.shape[0], -1, dtype=np.int64)
    while True:
        x = st.flow.sum(axis=0) if st.origins.size else np.zeros(L)
        out_of_time = it >= max_iter or (
            max_seconds is not None and time.perf_counter() - t0 > max_seconds
        )
        # The exact gap of every bush is nearly as costly as a sweep on big networks: it is
        # measured when the bushes' gap (``estimate``) says the target is reached, every
        # few iterations for the record, and at the end.
        _tt = time.perf_counter()
        if (
            estimate <= (1.0 if every_round else 4.0) * gap
            or it - last_exact >= exact_every
            or out_of_time
            or st.origins.size == 0
        ):
            cost_x = problem.costs(x)
            if not current:  # (else the last round measured every bush on these flows)
                _exact_gap(problem, st, everyone, cost_x, blist, n_blist, exact_k, n_threads)
            tstt = float(np.dot(cost_x, x))
            sptt = float(exact_k[:, 1].sum())
            rg = _relative(tstt, sptt)
            if timing is not None:
                timing["exact"] = timing.get("exact", 0.0) + time.perf_counter() - _tt
            evaluated = (rg, tstt, sptt)
            last_exact = it
            history.append((it, rg, time.perf_counter() - t0))
            if progress is not None:
                progress(it, rg)
            if rg <= gap:
                converged = True
                break
            if out_of_time:
                break
        else:
            rg = -1.0  # not measured: estimated from the bushes after the first round
            if progress is not None and it > 0:
                progress(it, max(estimate, 0.0))
        _costs_and_derivs(g.fft, g.b, g.power, g.capacity, g.fixed, x, cost, deriv)
        # The first round improves every bush and shifts; the next rounds shift (as in
        # Boyles' TAP-B) the bushes still far from equilibrium (their own gap well above the
        # whole network's), or with ``every_round`` also improve those that hold most of the
        # gap. Updating every round lets flow reach new shortcuts at once, which big bushes
        # need (above all after a closure); the rounds then stop when the bushes' gap says
        # the target is reached.
        active[:] = True
        if it == 0:
            # a warm start's first round: only the bushes the change touched need new links;
            # the others are shifted, which measures their gap for the rounds that follow
            update[:] = touched
        elif every_round:
            # each origin's part of the exact gap says where the gap is
            _hold_share(exact_k[:, 0] - exact_k[:, 1], _ROUND_SHARE, active)
            update[:] = active
        else:
            update[:] = True
        for r in range(n_rounds):
            _tt = time.perf_counter()
            if update.any():
                # the updates first, in parallel (independent: same result for any number
                # of threads); the shifts that follow stay sequential (Gauss-Seidel: each
                # bush sees the costs the earlier ones left)
                rc = _update_all(
                    n_threads, st.origins, st.n_topo, st.topo, st.in_bush, st.flow,
                    g.out_ptr, g.out_links, g.in_ptr, g.in_links, g.init_node, g.term_node,
                    cost, g.first_thru_node, update & active, eps, blist, n_blist,
                )  # fmt: skip
                if rc < 0:
                    raise RuntimeError(f"bush of origin {st.origins[-1 - rc]} became cyclic")
                was_update = True
                update[:] = False
                if timing is not None:
                    timing["update"] = timing.get("update", 0.0) + time.perf_counter() - _tt
            else:
                was_update = False
            _sweep(
                st.n_topo, st.topo, st.in_bush, st.flow, g.out_ptr, g.out_links, g.init_node,
                g.term_node, x, cost, deriv, g.fft, g.b, g.power, g.capacity, g.fixed,
                n_inner, active, eps, excess, n_newton, st.demand, totals, blist, n_blist,
            )  # fmt: skip
            if timing is not None:
                key = "upd" if was_update else "shift"
                timing[key] = timing.get(key, 0.0) + time.perf_counter() - _tt
                timing["n_" + key] = timing.get("n_" + key, 0) + 1
                timing["act"] = timing.get("act", 0) + int(active.sum())
            if every_round:
                # the exact gaps of the bushes just passed (their own gaps miss the
                # shortcuts their next update would add: after a closure, by a factor of
                # ten), the others' as last evaluated
                _te = time.perf_counter()
                _exact_gap(problem, st, active, cost, blist, n_blist, exact_k, n_threads)
                current = bool(active.all())
                if timing is not None:
                    timing["passed"] = timing.get("passed", 0.0) + time.perf_counter() - _te
                t_sum = float(exact_k[:, 0].sum())
                inside = (t_sum - float(exact_k[:, 1].sum())) / t_sum if t_sum > 0 else 0.0
            else:
                t_sum = float(totals[:, 0].sum())
                inside = (t_sum - float(totals[:, 1].sum())) / t_sum if t_sum > 0 else 0.0
            if every_round or r == 0:
                estimate = inside
            if rg < 0.0:
                rg = max(estimate, 0.0)
            if inside <= (_MEASURE_AT if every_round else 0.5) * gap and (
                every_round or (warm_started and it == 0)
            ):
                # the bushes are well inside the target: measure instead of polishing
                break
            if every_round:
                # a closure leaves a few bushes with most of the gap and many with a sliver
                # of it, large relative to their own small flow: passes go where the gap is
                _hold_share(exact_k[:, 0] - exact_k[:, 1], _ROUND_SHARE, active)
            else:
                # (never finer than the target needs)
                np.greater(excess, skip_below * max(rg, gap), out=active)
            if not active.any():
                break
            np.logical_and(active, every_round, out=update)
        it += 1
    return x, it, history, converged, st, warm_started, evaluated
