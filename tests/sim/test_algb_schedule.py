"""Algorithm B's schedule (bush updates every round or once per iteration, the exact gap
measured when the bushes' own gap says so) changes how fast it converges, never where to."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from sim.assignment import algorithm_b, assign, relative_gap
from sim.assignment.problem import prepare
from sim.assignment.synthetic import grid_problem
from sim.network import Demand
from sim.tntp import read_network, read_trips


@pytest.mark.parametrize("every_round", [True, False])
def test_every_update_schedule_reaches_the_same_equilibrium(
    every_round: bool, siouxfalls_dir: Path
) -> None:
    net = read_network(siouxfalls_dir / "SiouxFalls_net.tntp")
    dem = read_trips(siouxfalls_dir / "SiouxFalls_trips.tntp", network=net)
    reference = assign(net, dem, gap=1e-11)
    problem = prepare(net, dem)
    flow, _, history, converged, _, _, evaluated = algorithm_b.solve(
        problem, gap=1e-10, max_iter=500, max_seconds=None, warm=None, progress=None,
        t0=time.perf_counter(), every_round=every_round,
    )  # fmt: skip
    assert converged
    # the reported figures are those of the returned flows
    assert evaluated[0] == pytest.approx(relative_gap(net, dem, flow), rel=1e-6, abs=1e-14)
    assert history[-1][1] == evaluated[0] <= 1e-10
    assert problem.objective(flow) == pytest.approx(reference.objective, rel=1e-9)
    l1 = float(np.abs(flow - reference.flow).sum() / reference.flow.sum())
    assert l1 < 1e-4


@pytest.mark.parametrize("every_round", [True, False])
def test_warm_start_after_closing_the_busiest_link_matches_a_cold_solve(
    every_round: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    net, dem = grid_problem(n_intersections=300, n_zones=60, n_links=1000, seed=2)
    base = assign(net, dem, gap=1e-6)
    road = net.b > 0
    # the busiest road: nearly every bush used it, so every bush must be repaired
    k = int(np.flatnonzero(road)[np.argmax(base.flow[road])])
    closed = np.zeros(net.n_links, dtype=bool)
    closed[k] = True
    shut = net.with_links(closed=closed)
    cold = assign(shut, dem, gap=1e-9)
    # the schedule is chosen from the network's shape; force each one on this small grid
    threshold = 0 if every_round else 10**9
    monkeypatch.setattr(algorithm_b, "_EVERY_ROUND_NODES_PER_ORIGIN", threshold)
    warm = assign(shut, dem, gap=1e-9, warm_start=base)
    assert warm.warm_started
    assert warm.converged
    assert cold.converged
    assert warm.flow[k] == 0.0
    assert warm.relative_gap == pytest.approx(relative_gap(shut, dem, warm.flow), rel=1e-6)
    assert warm.relative_gap <= 1e-9
    assert warm.objective == pytest.approx(cold.objective, rel=1e-8)
    l1 = float(np.abs(warm.flow - cold.flow).sum() / cold.flow.sum())
    assert l1 < 1e-3
    # every exact measurement is in the history, the last one is the reported gap
    assert warm.history[-1][1] == warm.relative_gap
    assert len(warm.history) <= warm.iterations + 1


def test_adapted_bushes_route_exactly_the_new_demand_off_closed_links() -> None:
    net, dem = grid_problem(n_intersections=300, n_zones=60, n_links=1000, seed=3)
    base = assign(net, dem, gap=1e-6)
    road = net.b > 0
    busiest = np.flatnonzero(road)[np.argsort(base.flow[road])[-3:]]
    closed = np.zeros(net.n_links, dtype=bool)
    closed[busiest] = True
    shut = net.with_links(closed=closed)
    grown = Demand(dem.matrix * 1.1)
    problem = prepare(shut, grown)
    prev = base.state
    assert isinstance(prev, algorithm_b.BushState)
    adapted = algorithm_b._warm_state(problem, prev)
    assert adapted is not None
    st, touched = adapted
    # every bush changed: the demand grew everywhere
    assert touched.all()
    assert (st.flow[:, busiest] == 0.0).all()
    assert (st.flow >= 0.0).all()
    assert st.in_bush[st.flow > 0.0].all()
    for k, o in enumerate(st.origins):
        # what enters each node minus what leaves it is the demand that ends there
        bal = np.zeros(net.n_nodes)
        np.add.at(bal, net.term_node, st.flow[k])
        np.subtract.at(bal, net.init_node, st.flow[k])
        want = np.zeros(net.n_nodes)
        want[: net.n_zones] = problem.demand[k]
        want[o] -= problem.demand[k].sum() - problem.demand[k, o]
        assert np.abs(bal - want).max() < 1e-9 * max(problem.demand[k].sum(), 1.0)
    # every bush link runs forward in its bush's order (the repair re-orders without a sort)
    for k in range(st.origins.shape[0]):
        pos = np.full(net.n_nodes, -1)
        pos[st.topo[k, : st.n_topo[k]]] = np.arange(st.n_topo[k])
        links = np.flatnonzero(st.in_bush[k])
        assert (pos[net.init_node[links]] >= 0).all()
        assert (pos[net.init_node[links]] < pos[net.term_node[links]]).all()
    # the previous bushes are untouched
    assert (prev.flow[:, busiest] > 0.0).any()


def test_results_do_not_depend_on_the_number_of_threads() -> None:
    # bush updates run in parallel but each reads only the costs and writes only its bush
    net, dem = grid_problem(n_intersections=300, n_zones=80, n_links=1000, seed=5)
    problem = prepare(net, dem)
    runs = []
    for n in (1, 2, 3):
        out = algorithm_b.solve(
            problem, gap=1e-8, max_iter=200, max_seconds=None, warm=None, progress=None,
            t0=time.perf_counter(), n_threads=n,
        )  # fmt: skip
        runs.append(out)
    for flow, iterations, *_ in runs[1:]:
        assert iterations == runs[0][1]
        np.testing.assert_allclose(flow, runs[0][0], rtol=0, atol=1e-9 * float(flow.max()))


def test_warm_starts_do_not_depend_on_the_number_of_threads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the repaired bushes are adapted in parallel in fixed batches, and the every-round
    # schedule picks its bushes from their gaps: neither may depend on the thread count
    net, dem = grid_problem(n_intersections=300, n_zones=80, n_links=1000, seed=5)
    base = assign(net, dem, gap=1e-6)
    road = np.flatnonzero(net.b > 0)
    closed = np.zeros(net.n_links, dtype=bool)
    closed[road[np.argsort(base.flow[road])[-4:]]] = True
    problem = prepare(net.with_links(closed=closed), Demand(dem.matrix * 1.05))
    monkeypatch.setattr(algorithm_b, "_EVERY_ROUND_NODES_PER_ORIGIN", 0)
    runs = []
    for n in (1, 2, 3):
        out = algorithm_b.solve(
            problem, gap=1e-8, max_iter=200, max_seconds=None, warm=base.state, progress=None,
            t0=time.perf_counter(), n_threads=n,
        )  # fmt: skip
        assert out[5]  # warm-started
        runs.append(out)
    for flow, iterations, *_ in runs[1:]:
        assert iterations == runs[0][1]
        np.testing.assert_allclose(flow, runs[0][0], rtol=0, atol=1e-9 * float(flow.max()))


def test_a_warm_start_marks_the_bushes_a_closure_touched() -> None:
    net, dem = grid_problem(n_intersections=300, n_zones=60, n_links=1000, seed=3)
    base = assign(net, dem, gap=1e-6)
    prev = base.state
    assert isinstance(prev, algorithm_b.BushState)
    # a link some bushes hold and others do not
    share = prev.in_bush.mean(axis=0)
    k = int(np.flatnonzero((share > 0.2) & (share < 0.8) & (net.b > 0))[0])
    closed = np.zeros(net.n_links, dtype=bool)
    closed[k] = True
    adapted = algorithm_b._warm_state(prepare(net.with_links(closed=closed), dem), prev)
    assert adapted is not None
    st, touched = adapted
    np.testing.assert_array_equal(touched, prev.in_bush[:, k])
    assert 0 < touched.sum() < touched.size
    # untouched bushes are the previous ones, unchanged
    np.testing.assert_array_equal(st.flow[~touched], prev.flow[~touched])
    assert (st.flow[:, k] == 0.0).all()


def test_labels_over_the_link_list_equal_labels_over_the_graph(siouxfalls_dir: Path) -> None:
    net = read_network(siouxfalls_dir / "SiouxFalls_net.tntp")
    dem = read_trips(siouxfalls_dir / "SiouxFalls_trips.tntp", network=net)
    problem = prepare(net, dem)
    g = problem.graph
    *_, st, _, _ = algorithm_b.solve(
        problem, gap=1e-6, max_iter=100, max_seconds=None, warm=None, progress=None,
        t0=time.perf_counter(),
    )  # fmt: skip
    cost = problem.costs(st.flow.sum(axis=0))
    n_nodes = g.n_nodes
    checked = 0
    for k in range(st.origins.shape[0]):
        n = int(st.n_topo[k])
        topo_k = st.topo[k]
        pos = np.full(n_nodes, -1, dtype=np.int64)
        pos[topo_k[:n]] = np.arange(n)
        blist = np.empty(g.init_node.shape[0], dtype=np.int32)
        m = algorithm_b._build_list(n, topo_k, st.in_bush[k], g.out_ptr, g.out_links, blist)
        assert m == int(st.in_bush[k].sum())
        for used_only in (False, True):
            a = _label_arrays(n_nodes)
            b = _label_arrays(n_nodes)
            ta = algorithm_b._labels(
                n, topo_k, pos, st.in_bush[k], st.flow[k], g.in_ptr, g.in_links, g.init_node,
                cost, used_only, 1e-9, *a,
            )  # fmt: skip
            tb = algorithm_b._labels_list(
                n, topo_k, m, blist, st.flow[k], g.init_node, g.term_node, cost, used_only,
                1e-9, *b,
            )  # fmt: skip
            nodes = topo_k[:n]
            assert tb == pytest.approx(ta, rel=1e-12)
            np.testing.assert_allclose(b[0][nodes], a[0][nodes], rtol=1e-12)  # L
            np.testing.assert_allclose(b[2][nodes], a[2][nodes], rtol=1e-12)  # U
            checked += n
    assert checked > 20 * 24


def _label_arrays(n: int) -> list[np.ndarray]:
    """L, predL, U, predU of a label pass."""
    return [np.empty(n), np.empty(n, np.int64), np.empty(n), np.empty(n, np.int64)]


@pytest.mark.parametrize("case", ["solved", "after a closure, random costs"])
def test_exact_gaps_from_the_bushes_equal_dijkstra(case: str) -> None:
    net, dem = grid_problem(n_intersections=300, n_zones=60, n_links=1000, seed=4)
    base = assign(net, dem, gap=1e-3)
    st = base.state
    assert isinstance(st, algorithm_b.BushState)
    problem = prepare(net, dem)
    cost = problem.costs(base.flow)
    if case != "solved":
        # bushes just repaired after closing the busiest road (some lack nodes until their
        # first update), and costs far from the ones they were built for
        road = net.b > 0
        k = int(np.flatnonzero(road)[np.argmax(base.flow[road])])
        closed = np.zeros(net.n_links, dtype=bool)
        closed[k] = True
        problem = prepare(net.with_links(closed=closed), dem)
        adapted = algorithm_b._warm_state(problem, st)
        assert adapted is not None
        st = adapted[0]
        rng = np.random.default_rng(5)
        cost = problem.costs(st.flow.sum(axis=0)) * rng.uniform(0.3, 3.0, cost.shape[0])
    g = problem.graph
    n_origins, n_links = st.flow.shape
    reference = np.empty(n_origins)
    _, sptt = problem.all_or_nothing(cost, by_origin=reference)
    blist = np.empty((n_origins, n_links), dtype=np.int32)
    n_blist = np.full(n_origins, -1, dtype=np.int64)
    out = np.full((n_origins, 2), np.nan)
    which = np.ones(n_origins, dtype=bool)
    which[::3] = False
    algorithm_b._exact_gaps(
        2, which, st.origins, st.demand, st.n_topo, st.topo, st.in_bush, st.flow, g.out_ptr,
        g.out_links, g.init_node, g.term_node, cost, g.first_thru_node, blist, n_blist, out,
    )  # fmt: skip
    np.testing.assert_allclose(out[which, 1], reference[which], rtol=1e-12)
    np.testing.assert_allclose(out[which, 0], st.flow[which] @ cost, rtol=1e-12)
    assert np.isnan(out[~which]).all()  # the others are left as they were
    # the bushes' own shortest paths are longer somewhere: the search did correct them
    own = np.array(
        [
            algorithm_b._bush_shortest(
                int(st.n_topo[k]), st.topo[k], _positions(st, k), st.in_bush[k], st.flow[k],
                g.in_ptr, g.in_links, g.init_node, cost,
            )[0][: net.n_zones][st.demand[k] > 0] @ st.demand[k][st.demand[k] > 0]
            for k in range(n_origins)
        ]
    )  # fmt: skip
    assert (own > reference * (1 + 1e-9)).any()
    assert sptt == pytest.approx(float(reference.sum()), rel=1e-12)


def _positions(st: algorithm_b.BushState, k: int) -> np.ndarray:
    pos = np.full(st.n_nodes, -1, dtype=np.int64)
    n = int(st.n_topo[k])
    pos[st.topo[k][:n]] = np.arange(n)
    return pos
