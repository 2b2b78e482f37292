"""What scenarios rely on, checked on small networks: closures, added capacity, Braess.

At user equilibrium, more capacity never costs more on a series-parallel network with one
origin-destination pair (Milchtaich 2006); elsewhere it can (Braess 1968), which the last test
shows explicitly.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from sim.assignment import assign
from sim.network import Demand, Network

GAP = 1e-8


def _network(
    links: list[tuple[int, int, float, float, float, float]], n_nodes: int, n_zones: int
) -> Network:
    """Links as (tail, head, fft, b, capacity, power)."""
    a = np.array(links, dtype=float)
    L = len(links)
    return Network(
        n_nodes=n_nodes,
        n_zones=n_zones,
        first_thru_node=n_zones,
        init_node=a[:, 0].astype(np.int64),
        term_node=a[:, 1].astype(np.int64),
        capacity=a[:, 4].copy(),
        fft=a[:, 2].copy(),
        b=a[:, 3].copy(),
        power=a[:, 5].copy(),
        length=np.ones(L),
        toll=np.zeros(L),
        link_ids=np.arange(L, dtype=np.int64),
        node_ids=np.arange(n_nodes, dtype=np.int64),
    )


def _series_parallel(rng: np.random.Generator) -> Network:
    """Zone 0 -> bundles of parallel links in series -> zone 1 (nodes 2.. are junctions)."""
    stages = int(rng.integers(2, 5))
    junctions = list(range(2, 2 + stages - 1))
    chain = [0, *junctions, 1]
    links = []
    for u, v in itertools.pairwise(chain):
        for _ in range(int(rng.integers(2, 4))):
            links.append((u, v, float(rng.uniform(1, 10)), 0.15, float(rng.uniform(200, 800)), 4.0))
    return _network(links, n_nodes=2 + len(junctions), n_zones=2)


@pytest.mark.parametrize("seed", range(6))
def test_more_capacity_never_costs_more_without_braess(seed: int) -> None:
    rng = np.random.default_rng(seed)
    net = _series_parallel(rng)
    demand = Demand(np.array([[0.0, float(rng.uniform(800, 2500))], [0.0, 0.0]]))
    base = assign(net, demand, gap=GAP)
    vc = base.flow / net.capacity
    k = int(np.argmax(vc))
    assert vc[k] > 0.9  # a congested link
    cap = net.capacity.copy()
    cap[k] *= 1.5
    more = assign(net.with_links(capacity=cap), demand, gap=GAP)
    assert more.total_travel_time <= base.total_travel_time * (1 + 2 * GAP) + 1e-9


@pytest.mark.parametrize("seed", range(4))
def test_closing_a_loaded_link(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    net = _series_parallel(rng)
    demand = Demand(np.array([[0.0, 1500.0], [0.0, 0.0]]))
    base = assign(net, demand, gap=GAP)
    # close the busiest link of a bundle that keeps an alternative
    order = np.argsort(-base.flow)
    k = next(
        int(i)
        for i in order
        if ((net.init_node == net.init_node[i]) & (net.term_node == net.term_node[i])).sum() > 1
    )
    assert base.flow[k] > 0
    closed = np.zeros(net.n_links, dtype=bool)
    closed[k] = True
    after = assign(net.with_links(closed=closed), demand, gap=GAP)
    assert after.flow[k] == 0.0
    assert (after.flow >= 0).all()
    assert after.total_travel_time > base.total_travel_time
    assert after.unassigned_demand == 0.0


def test_closing_the_only_route_reports_unassigned_demand() -> None:
    net = _network([(0, 2, 1, 0.15, 100, 4), (2, 1, 1, 0.15, 100, 4)], n_nodes=3, n_zones=2)
    demand = Demand(np.array([[0.0, 50.0], [0.0, 0.0]]))
    res = assign(net.with_links(closed=np.array([False, True])), demand, gap=GAP)
    assert res.unassigned_demand == pytest.approx(50.0)
    assert res.unassigned == [(0, 1, 50.0)]
    assert (res.flow == 0).all()


def test_braess_paradox_added_link_raises_system_cost() -> None:
    """Braess (1968): O->A->D and O->B->D, each a congestible and a fixed half; a free link
    A->B draws everyone onto both congestible halves and every trip gets slower."""
    o, d, a, b = 0, 1, 2, 3
    links = [
        (o, a, 1.0, 1.0, 100.0, 1.0),  # 1 + x/100
        (a, d, 45.0, 0.0, 1.0, 1.0),  # 45
        (o, b, 45.0, 0.0, 1.0, 1.0),  # 45
        (b, d, 1.0, 1.0, 100.0, 1.0),  # 1 + x/100
    ]
    demand = Demand(np.array([[0.0, 4000.0], [0.0, 0.0]]))
    before = assign(_network(links, 4, 2), demand, gap=GAP)
    after = assign(_network([*links, (a, b, 0.0, 0.0, 1.0, 1.0)], 4, 2), demand, gap=GAP)
    assert before.total_travel_time / 4000 == pytest.approx(66.0, rel=1e-6)
    assert after.total_travel_time / 4000 == pytest.approx(82.0, rel=1e-6)
    assert after.flow[4] == pytest.approx(4000.0, rel=1e-6)
