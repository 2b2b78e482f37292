"""Deterministic synthetic test networks (grid-like, with zone centroids) for tests and benchmarks.

Everything made here is SYNTHETIC: invented geometry, capacities and demand, labelled as such
in the network name and the demand's ``meta``. It exists to measure and verify the engine on
sizes between SiouxFalls and a city, not to describe any real place.
"""

from __future__ import annotations

import itertools

import numpy as np

from sim.assignment.problem import prepare
from sim.network import Demand, Network

__all__ = ["grid_problem"]


def grid_problem(
    *,
    n_intersections: int,
    n_zones: int,
    n_links: int,
    seed: int = 0,
    congestion: float = 1.0,
) -> tuple[Network, Demand]:
    """A road grid with centroid zones and a gravity-style demand.

    A square grid of arterial intersections is joined by two-way roads; roads are split by
    intermediate nodes (as an OSM-derived network has) until the node and link counts are
    reached. Each zone is a centroid node joined to one road node by a connector pair; zones
    are not passed through (``first_thru_node = n_zones``).

    Parameters
    ----------
    n_intersections : int
        Road nodes (grid intersections plus intermediate nodes), approximately.
    n_zones : int
        Centroids (nodes ``0 .. n_zones - 1``).
    n_links : int
        Target number of directed links, connectors included.
    seed : int
        Seed of the generator: the same arguments always give the same problem.
    congestion : float
        Scales the demand; 1 loads the used road links to a mean volume/capacity of 0.6 on
        free-flow routes (a congested peak hour).

    Returns
    -------
    tuple of Network and Demand
        The synthetic network and demand.

    Examples
    --------
    >>> net, dem = grid_problem(n_intersections=100, n_zones=20, n_links=400)
    >>> net.n_zones, net.first_thru_node, net.name.startswith("synthetic")
    (20, 20, True)
    """
    rng = np.random.default_rng(seed)
    m_und = max((n_links - 2 * n_zones) // 2, 4)
    g = max(round(float(1 + np.sqrt(max(1 + m_und - n_intersections, 1)))), 2)
    ids = np.arange(g * g).reshape(g, g)
    coarse = np.concatenate(
        [
            np.stack([ids[:, :-1].ravel(), ids[:, 1:].ravel()], axis=1),
            np.stack([ids[:-1, :].ravel(), ids[1:, :].ravel()], axis=1),
        ]
    )
    n_edges = coarse.shape[0]
    xy = np.stack([ids.ravel() % g, ids.ravel() // g], axis=1).astype(float)
    # split the roads: the extra nodes are spread at random over the roads
    n_split = max(n_intersections - g * g, 0)
    splits = np.bincount(rng.integers(0, n_edges, n_split), minlength=n_edges)
    spacing = 1.0  # km between arterial intersections
    cap_road = rng.choice([900.0, 1200.0, 1800.0, 2400.0], n_edges, p=[0.3, 0.35, 0.25, 0.1])
    speed_road = rng.choice([30.0, 40.0, 50.0, 60.0], n_edges, p=[0.3, 0.35, 0.25, 0.1])
    tails, heads, lengths, caps, speeds = [], [], [], [], []
    node_xy = [xy]
    next_node = g * g
    for e in range(n_edges):
        start, stop = int(coarse[e, 0]), int(coarse[e, 1])
        k = int(splits[e])
        chain = [start, *range(next_node, next_node + k), stop]
        if k:
            t = np.arange(1, k + 1)[:, None] / (k + 1)
            node_xy.append(xy[start] + t * (xy[stop] - xy[start]))
        next_node += k
        seg = spacing * rng.uniform(0.9, 1.2) / (k + 1)
        for u, v in itertools.pairwise(chain):
            tails += [u, v]
            heads += [v, u]
            lengths += [seg, seg]
            caps += [cap_road[e]] * 2
            speeds += [speed_road[e]] * 2
    n_int = next_node
    all_xy = np.concatenate(node_xy) * spacing
    tail = np.array(tails, dtype=np.int64) + n_zones
    head = np.array(heads, dtype=np.int64) + n_zones
    n_road = tail.shape[0]
    attach = rng.choice(n_int, n_zones, replace=n_zones > n_int)
    zones = np.arange(n_zones)
    tail = np.concatenate([tail, zones, attach + n_zones])
    head = np.concatenate([head, attach + n_zones, zones])
    length = np.concatenate([lengths, np.full(2 * n_zones, 0.1)])
    speed = np.concatenate([speeds, np.full(2 * n_zones, 30.0)])
    capacity = np.concatenate([caps, np.full(2 * n_zones, 1e5)])
    b = np.concatenate([np.full(n_road, 0.15), np.zeros(2 * n_zones)])
    L = tail.shape[0]
    net = Network(
        n_nodes=n_zones + n_int,
        n_zones=n_zones,
        first_thru_node=n_zones,
        init_node=tail,
        term_node=head,
        capacity=capacity,
        fft=60.0 * length / speed,  # minutes
        b=b,
        power=np.full(L, 4.0),
        length=length,
        toll=np.zeros(L),
        link_ids=np.arange(1, L + 1, dtype=np.int64),
        node_ids=np.arange(1, n_zones + n_int + 1, dtype=np.int64),
        name=f"synthetic grid {n_zones + n_int} nodes / {L} links / {n_zones} zones",
    )
    # gravity demand on the straight-line distance between the zones' road nodes
    zxy = all_xy[attach]
    dist = np.sqrt(((zxy[:, None, :] - zxy[None, :, :]) ** 2).sum(axis=2))
    mass = rng.uniform(0.5, 1.5, n_zones)
    m = np.outer(mass, mass) * np.exp(-dist / (0.3 * spacing * g))
    np.fill_diagonal(m, 0.0)
    # scale the demand so that, loaded all-or-nothing at free flow, the road links in use
    # average a volume/capacity ratio of 0.6 * congestion
    probe = prepare(net, Demand(m))
    y, _ = probe.all_or_nothing(probe.costs(np.zeros(L)))
    used = y[:n_road] > 0
    ratio = float(np.mean(y[:n_road][used] / capacity[:n_road][used])) if used.any() else 1.0
    m *= 0.6 * congestion / ratio
    demand = Demand(m, name=net.name, meta={"synthetic": True, "seed": seed})
    return net, demand
