"""Assignment verified against answers each test computes independently (UXsim style)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from sim.assignment import assign, beckmann, link_travel_time, relative_gap
from sim.assignment.synthetic import grid_problem
from sim.network import Demand, Network
from sim.tntp import read_flows, read_network, read_trips
from twin.errors import InputError

ALGOS = ["bfw", "auto"]


def make_net(
    links: Sequence[tuple[int, int, float, float, float, float]],
    *,
    n_nodes: int,
    n_zones: int,
    ftn: int = 0,
    toll: Sequence[float] | None = None,
    length: Sequence[float] | None = None,
    **kw: object,
) -> Network:
    """Links as ``(tail, head, fft, b, capacity, power)``."""
    arr = np.array(links, dtype=float)
    L = len(links)
    return Network(
        n_nodes=n_nodes,
        n_zones=n_zones,
        first_thru_node=ftn,
        init_node=arr[:, 0].astype(np.int64),
        term_node=arr[:, 1].astype(np.int64),
        fft=arr[:, 2].copy(),
        b=arr[:, 3].copy(),
        capacity=arr[:, 4].copy(),
        power=arr[:, 5].copy(),
        length=np.asarray(length if length is not None else np.ones(L), dtype=float),
        toll=np.asarray(toll if toll is not None else np.zeros(L), dtype=float),
        link_ids=np.arange(1, L + 1, dtype=np.int64),
        node_ids=np.arange(1, n_nodes + 1, dtype=np.int64),
        **kw,  # type: ignore[arg-type]
    )


def od(n: int, pairs: dict[tuple[int, int], float]) -> Demand:
    m = np.zeros((n, n))
    for (o, d), q in pairs.items():
        m[o, d] = q
    return Demand(m)


def bpr(fft: float, b: float, cap: float, p: float, x: float) -> float:
    return fft * (1 + b * (x / cap) ** p)


def bisect(f, lo: float, hi: float) -> float:  # type: ignore[no-untyped-def]
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if f(mid) > 0:
            hi = mid
        else:
            lo = mid
    return 0.5 * (lo + hi)


def conservation(net: Network, flow: np.ndarray, demand: np.ndarray) -> np.ndarray:
    """Inflow - outflow + production - attraction at every node (0 when conserved)."""
    bal = np.zeros(net.n_nodes)
    np.add.at(bal, net.term_node, flow)
    np.subtract.at(bal, net.init_node, flow)
    z = net.n_zones
    m = demand.copy()
    np.fill_diagonal(m, 0)
    bal[:z] += m.sum(axis=1) - m.sum(axis=0)
    return bal


@pytest.fixture(scope="module")
def sioux(siouxfalls_dir: Path) -> tuple[Network, Demand]:
    net = read_network(siouxfalls_dir / "SiouxFalls_net.tntp")
    return net, read_trips(siouxfalls_dir / "SiouxFalls_trips.tntp", network=net)


@pytest.mark.parametrize("algorithm", ALGOS)
def test_two_parallel_routes(algorithm: str) -> None:
    # route A: one link; route B: two links in series via node 2
    links = [
        (0, 1, 10.0, 0.15, 400.0, 4.0),
        (0, 2, 4.0, 0.5, 300.0, 2.0),
        (2, 1, 5.0, 1.0, 500.0, 3.0),
    ]
    net = make_net(links, n_nodes=3, n_zones=2)
    q = 900.0
    res = assign(net, od(2, {(0, 1): q}), gap=1e-12, algorithm=algorithm)

    def diff(xa: float) -> float:  # cost(A) - cost(B), increasing in xa
        xb = q - xa
        return bpr(10, 0.15, 400, 4, xa) - bpr(4, 0.5, 300, 2, xb) - bpr(5, 1.0, 500, 3, xb)

    xa = bisect(diff, 0.0, q)
    assert res.flow[0] == pytest.approx(xa, rel=1e-6)
    assert res.flow[1] == pytest.approx(q - xa, rel=1e-6)
    assert res.flow[2] == pytest.approx(q - xa, rel=1e-6)
    assert res.cost[0] == pytest.approx(res.cost[1] + res.cost[2], rel=1e-8)
    assert res.relative_gap <= 1e-10
    assert res.converged


def braess_net(closed_middle: bool = False) -> Network:
    # s=0, t=1 (zones), A=2, B=3. T/100 links as BPR with a negligible free-flow time,
    # 45-minute links constant (b = 0), and the free A->B link (fft = 0, b = 0).
    tiny = 1e-12
    links = [
        (0, 2, tiny, 1.0, tiny * 100, 1.0),  # s->A: T/100
        (2, 1, 45.0, 0.0, 0.0, 1.0),  # A->t: 45
        (0, 3, 45.0, 0.0, 0.0, 1.0),  # s->B: 45
        (3, 1, tiny, 1.0, tiny * 100, 1.0),  # B->t: T/100
        (2, 3, 0.0, 0.0, 0.0, 1.0),  # A->B: 0
    ]
    closed = np.array([False, False, False, False, closed_middle])
    return make_net(links, n_nodes=4, n_zones=2, closed=closed)


@pytest.mark.parametrize("algorithm", ALGOS)
def test_braess_paradox(algorithm: str) -> None:
    demand = od(2, {(0, 1): 4000.0})
    res = assign(braess_net(), demand, gap=1e-10, algorithm=algorithm)
    # everyone drives s-A-B-t: 40 + 0 + 40 = 80 minutes
    assert res.flow == pytest.approx([4000, 0, 0, 4000, 4000], abs=1e-3)
    assert res.tstt / 4000 == pytest.approx(80.0, rel=1e-9)
    closed = assign(braess_net(closed_middle=True), demand, gap=1e-10, algorithm=algorithm)
    # without the shortcut: 2000 each way, 20 + 45 = 65 minutes, better for everybody
    assert closed.flow == pytest.approx([2000, 2000, 2000, 2000, 0], rel=1e-6)
    assert closed.tstt / 4000 == pytest.approx(65.0, rel=1e-9)
    assert closed.flow[4] == 0.0


@pytest.mark.parametrize("algorithm", ALGOS)
@pytest.mark.parametrize("ftn", [0, 3])
def test_zone_not_passed_through(algorithm: str, ftn: int) -> None:
    # zones 0, 1, 2; 0 -> 2 through zone 1 is short (2), through node 3 long (10)
    links = [
        (0, 1, 1.0, 0.0, 1.0, 1.0),
        (1, 2, 1.0, 0.0, 1.0, 1.0),
        (0, 3, 5.0, 0.15, 100.0, 4.0),
        (3, 2, 5.0, 0.15, 100.0, 4.0),
    ]
    net = make_net(links, n_nodes=4, n_zones=3, ftn=ftn)
    res = assign(net, od(3, {(0, 2): 50.0, (0, 1): 7.0}), gap=1e-10, algorithm=algorithm)
    if ftn == 3:  # zones 0..2 may not be passed through: the long way is the only way
        assert res.flow == pytest.approx([7.0, 0.0, 50.0, 50.0])
    else:
        assert res.flow == pytest.approx([57.0, 50.0, 0.0, 0.0])
    assert res.relative_gap <= 1e-10


@pytest.mark.parametrize("algorithm", ALGOS)
def test_unreachable_demand_is_reported(algorithm: str) -> None:
    links = [(0, 1, 1.0, 0.15, 10.0, 4.0), (1, 0, 1.0, 0.15, 10.0, 4.0), (2, 0, 1.0, 0.0, 1.0, 1.0)]
    net = make_net(links, n_nodes=3, n_zones=3)
    res = assign(
        net, od(3, {(0, 1): 5.0, (0, 2): 3.0, (1, 2): 2.0, (2, 1): 4.0}), algorithm=algorithm
    )
    assert sorted(res.unassigned) == [(0, 2, 3.0), (1, 2, 2.0)]
    assert res.unassigned_demand == 5.0
    assert res.assigned_demand == 9.0
    assert res.flow == pytest.approx([9.0, 0.0, 4.0])
    assert res.to_dict()["unassigned_pairs"] == 2


@pytest.mark.parametrize("algorithm", ALGOS)
def test_toll_and_distance_factors_change_routes(algorithm: str) -> None:
    # two parallel links; link 1 is tolled and short, link 2 free and long
    links = [(0, 1, 10.0, 0.15, 100.0, 4.0), (0, 1, 10.0, 0.15, 100.0, 4.0)]
    base = make_net(links, n_nodes=2, n_zones=2, toll=[3.0, 0.0], length=[1.0, 4.0])
    demand = od(2, {(0, 1): 200.0})
    q = 200.0
    plain = assign(base, demand, gap=1e-12, algorithm=algorithm)
    assert plain.flow == pytest.approx([100.0, 100.0], rel=1e-6)  # factors 0: symmetric

    def split(toll_factor: float, distance_factor: float) -> float:
        def diff(x1: float) -> float:
            g1 = bpr(10, 0.15, 100, 4, x1) + toll_factor * 3.0 + distance_factor * 1.0
            g2 = bpr(10, 0.15, 100, 4, q - x1) + distance_factor * 4.0
            return g1 - g2

        return bisect(diff, 0.0, q)

    for tf, df in [(1.0, 0.0), (0.0, 0.5), (1.0, 1.0), (10.0, 0.0)]:
        net = dataclasses.replace(base, toll_factor=tf, distance_factor=df)
        res = assign(net, demand, gap=1e-12, algorithm=algorithm)
        x1 = split(tf, df)
        assert res.flow[0] == pytest.approx(x1, rel=1e-6, abs=1e-6), (tf, df)
        g1, g2 = res.generalized_cost
        if x1 > 1e-9:
            assert g1 == pytest.approx(g2, rel=1e-8)
        else:  # a toll of 30 beats any congestion: nobody pays it
            assert g1 > g2
    # a toll moves flow off the tolled link; a distance weight moves it back
    assert split(1.0, 0.0) < 100.0 < split(0.0, 0.5)


@pytest.mark.parametrize("algorithm", ALGOS)
def test_conservation_and_reported_gap(algorithm: str, sioux: tuple[Network, Demand]) -> None:
    net, dem = sioux
    res = assign(net, dem, gap=1e-5, algorithm=algorithm)
    assert res.converged
    assert np.abs(conservation(net, res.flow, dem.matrix)).max() < 1e-6 * dem.total
    assert res.relative_gap == pytest.approx(relative_gap(net, dem, res.flow), rel=1e-9, abs=1e-15)
    assert res.relative_gap <= 1e-5
    assert res.history[-1][1] <= 1e-5
    assert res.cost == pytest.approx(link_travel_time(net, res.flow))
    assert res.objective == pytest.approx(beckmann(net, res.flow))
    assert res.average_excess_cost == pytest.approx((res.tstt - res.sptt) / dem.total)
    assert (res.flow >= 0).all()


def test_siouxfalls_best_known_solution(
    sioux: tuple[Network, Demand], siouxfalls_dir: Path
) -> None:
    net, dem = sioux
    best, _ = read_flows(siouxfalls_dir / "SiouxFalls_flow.tntp").aligned(net)
    res = assign(net, dem, gap=1e-9, algorithm="auto")
    assert res.relative_gap <= 1e-8
    l1 = np.abs(res.flow - best).sum() / best.sum()
    assert l1 <= 1e-4
    # SOURCES.md: the Beckmann integral of the best-known flows is 4,231,335.287
    assert beckmann(net, best) == pytest.approx(4_231_335.287, abs=1e-3)
    assert res.objective == pytest.approx(beckmann(net, best), rel=1e-8)


def test_bad_arguments(sioux: tuple[Network, Demand]) -> None:
    net, dem = sioux
    with pytest.raises(InputError, match="unknown algorithm 'magic'"):
        assign(net, dem, algorithm="magic")
    with pytest.raises(InputError, match="matrix has shape"):
        assign(net, Demand(np.ones((3, 3))))
    with pytest.raises(InputError, match="negative or not finite"):
        assign(net, Demand(-dem.matrix))
    bad = net.with_links(capacity=np.where(np.arange(76) == 5, 0.0, net.capacity))
    with pytest.raises(InputError, match=r"link 6 \(5\).*capacity > 0"):
        assign(bad, dem)


def test_no_demand_and_max_seconds(sioux: tuple[Network, Demand]) -> None:
    net, dem = sioux
    empty = assign(net, Demand(np.zeros((24, 24))))
    assert empty.flow.sum() == 0.0
    assert empty.relative_gap == 0.0
    capped = assign(net, dem, gap=0.0, max_iter=3, algorithm="bfw")
    assert capped.iterations == 3
    assert not capped.converged


def test_auto_is_algorithm_b_and_reports_progress(sioux: tuple[Network, Demand]) -> None:
    net, dem = sioux
    seen: list[tuple[int, float]] = []
    res = assign(net, dem, gap=1e-6, progress=lambda i, g: seen.append((i, g)))
    assert res.algorithm == "algb"
    assert seen
    assert seen[-1][1] == pytest.approx(res.relative_gap)
    # every exact evaluation was reported; in between, estimates
    assert {(i, g) for i, g, _ in res.history} <= set(seen)
    assert [i for i, _ in seen] == sorted({i for i, _ in seen})
    capped = assign(net, dem, gap=0.0, max_iter=2, algorithm="algb")
    assert not capped.converged
    assert capped.iterations == 2
    assert capped.relative_gap == pytest.approx(relative_gap(net, dem, capped.flow), rel=1e-9)


@pytest.mark.parametrize("algorithm", ALGOS)
def test_zones_are_not_passed_through_on_a_grid(algorithm: str) -> None:
    net, dem = grid_problem(n_intersections=150, n_zones=30, n_links=500, seed=3)
    assert net.first_thru_node == net.n_zones
    gap = 1e-5 if algorithm == "bfw" else 1e-9
    res = assign(net, dem, gap=gap, algorithm=algorithm)
    assert res.converged
    m = dem.matrix.copy()
    np.fill_diagonal(m, 0.0)
    zones = np.arange(net.n_zones)
    into = np.zeros(net.n_nodes)
    out = np.zeros(net.n_nodes)
    np.add.at(into, net.term_node, res.flow)
    np.add.at(out, net.init_node, res.flow)
    # a zone only sends its own trips and receives its own: nothing passes through it
    assert out[zones] == pytest.approx(m.sum(axis=1), rel=1e-9, abs=1e-6)
    assert into[zones] == pytest.approx(m.sum(axis=0), rel=1e-9, abs=1e-6)
    assert np.abs(conservation(net, res.flow, dem.matrix)).max() < 1e-6 * dem.total
    assert res.relative_gap <= gap
