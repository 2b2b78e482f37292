"""Warm starts: a perturbed problem re-converges from the previous result much faster."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.assignment import AssignmentResult, assign, relative_gap
from sim.assignment.synthetic import grid_problem
from sim.network import Demand, Network
from sim.tntp import read_network, read_trips

ALGOS = ["bfw", "auto"]
#: BFW tails off slowly; the bush-based default goes much deeper.
GAP = {"bfw": 1e-5, "auto": 1e-8, "algb": 1e-8}


@pytest.fixture(scope="module")
def sioux(siouxfalls_dir: Path) -> tuple[Network, Demand]:
    net = read_network(siouxfalls_dir / "SiouxFalls_net.tntp")
    return net, read_trips(siouxfalls_dir / "SiouxFalls_trips.tntp", network=net)


def _link(net: Network, a: int, b: int) -> int:
    """Index of the link from TNTP node a to TNTP node b."""
    return int(np.flatnonzero((net.init_node == a - 1) & (net.term_node == b - 1))[0])


def _conserved(net: Network, res: AssignmentResult, matrix: np.ndarray) -> float:
    bal = np.zeros(net.n_nodes)
    np.add.at(bal, net.term_node, res.flow)
    np.subtract.at(bal, net.init_node, res.flow)
    m = matrix.copy()
    np.fill_diagonal(m, 0)
    for o, d, q in res.unassigned:
        m[o, d] -= q
    bal[: net.n_zones] += m.sum(axis=1) - m.sum(axis=0)
    return float(np.abs(bal).max())


@pytest.mark.parametrize("algorithm", ALGOS)
def test_warm_start_after_capacity_cut_is_much_faster(
    algorithm: str, sioux: tuple[Network, Demand]
) -> None:
    net, dem = sioux
    gap = {"bfw": 1e-5, "auto": 1e-7, "algb": 1e-7}[algorithm]
    base = assign(net, dem, gap=GAP[algorithm], algorithm=algorithm)
    cap = net.capacity.copy()
    # roadworks: 10 % less capacity both ways on the 12-13 link
    cap[_link(net, 12, 13)] *= 0.9
    cap[_link(net, 13, 12)] *= 0.9
    cut = net.with_links(capacity=cap)
    cold = assign(cut, dem, gap=gap, algorithm=algorithm)
    warm = assign(cut, dem, gap=gap, algorithm=algorithm, warm_start=base)
    assert warm.warm_started
    assert not cold.warm_started
    assert cold.converged
    assert warm.converged
    # the warm start begins close to the new equilibrium (measured before any sweep)...
    assert warm.history[0][1] < 1e-3
    # ...and gets there in far fewer iterations (BFW keeps its slow tail: fewer still)
    speedup = 1.2 if algorithm == "bfw" else 3.0
    assert warm.iterations * speedup <= cold.iterations
    assert warm.objective == pytest.approx(cold.objective, rel=10 * gap)
    assert warm.relative_gap == pytest.approx(relative_gap(cut, dem, warm.flow), rel=1e-9)


@pytest.mark.parametrize("algorithm", ALGOS)
def test_warm_start_with_scaled_demand(algorithm: str, sioux: tuple[Network, Demand]) -> None:
    net, dem = sioux
    base = assign(net, dem, gap=GAP[algorithm], algorithm=algorithm)
    more = Demand(dem.matrix * 1.05)
    warm = assign(net, more, gap=GAP[algorithm], algorithm=algorithm, warm_start=base)
    assert warm.converged
    assert _conserved(net, warm, more.matrix) < 1e-6 * more.total
    assert relative_gap(net, more, warm.flow) <= GAP[algorithm]


@pytest.mark.parametrize("algorithm", ALGOS)
def test_closed_link_sheds_its_flow(algorithm: str, sioux: tuple[Network, Demand]) -> None:
    net, dem = sioux
    base = assign(net, dem, gap=GAP[algorithm], algorithm=algorithm)
    k = _link(net, 10, 16)
    assert base.flow[k] > 1000
    closed = np.zeros(net.n_links, dtype=bool)
    closed[k] = True
    shut = net.with_links(closed=closed)
    warm = assign(shut, dem, gap=GAP[algorithm], algorithm=algorithm, warm_start=base)
    assert warm.flow[k] == 0.0
    assert warm.converged
    assert warm.unassigned == []
    assert _conserved(net, warm, dem.matrix) < 1e-6 * dem.total
    assert relative_gap(shut, dem, warm.flow) <= GAP[algorithm]


@pytest.mark.parametrize("algorithm", ALGOS)
def test_closures_that_cut_off_a_zone(algorithm: str, sioux: tuple[Network, Demand]) -> None:
    net, dem = sioux
    base = assign(net, dem, gap=GAP[algorithm], algorithm=algorithm)
    closed = np.zeros(net.n_links, dtype=bool)
    closed[[_link(net, 1, 2), _link(net, 1, 3)]] = True  # nothing leaves node 1
    shut = net.with_links(closed=closed)
    warm = assign(shut, dem, gap=GAP[algorithm], algorithm=algorithm, warm_start=base)
    lost = dem.matrix[0, 1:].sum()
    assert warm.unassigned_demand == pytest.approx(lost)
    assert {o for o, _, _ in warm.unassigned} == {0}
    assert len(warm.unassigned) == int((dem.matrix[0, 1:] > 0).sum())
    assert warm.flow[closed].sum() == 0.0
    assert _conserved(net, warm, dem.matrix) < 1e-6 * dem.total
    assert warm.converged
    # and back: reopening re-converges from the cut-off state
    again = assign(net, dem, gap=GAP[algorithm], algorithm=algorithm, warm_start=warm)
    assert again.unassigned == []
    assert again.converged
    assert again.objective == pytest.approx(base.objective, rel=1e-5)


def test_warm_start_after_a_closure_on_a_grid() -> None:
    net, dem = grid_problem(n_intersections=300, n_zones=60, n_links=1000, seed=1)
    base = assign(net, dem, gap=1e-6)
    road = net.b > 0
    # close a road link that carries a modest share of the traffic, as a planner's closure
    order = np.flatnonzero(road)[np.argsort(base.flow[road])]
    k = int(order[int(0.8 * order.size)])
    assert base.flow[k] > 0
    closed = np.zeros(net.n_links, dtype=bool)
    closed[k] = True
    shut = net.with_links(closed=closed)
    bush_flow = base.state.flow.copy()  # type: ignore[union-attr]
    in_bush = base.state.in_bush.copy()  # type: ignore[union-attr]
    cold = assign(shut, dem, gap=1e-6)
    warm = assign(shut, dem, gap=1e-6, warm_start=base)
    assert warm.converged
    assert warm.flow[k] == 0.0
    assert warm.unassigned == []
    # closing a link reroutes its flow all at once, so the gain is smaller than for a
    # capacity change, yet real
    assert warm.iterations < cold.iterations
    assert warm.objective == pytest.approx(cold.objective, rel=1e-5)
    assert _conserved(net, warm, dem.matrix) < 1e-6 * dem.total
    # the previous result is untouched: it can warm-start another scenario
    assert np.array_equal(base.state.flow, bush_flow)  # type: ignore[union-attr]
    assert np.array_equal(base.state.in_bush, in_bush)  # type: ignore[union-attr]
    again = assign(net, dem, gap=1e-6, warm_start=base)
    assert again.converged
