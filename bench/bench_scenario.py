"""Benchmark: the Medan baseline to relative gap 1e-4, then a one-closure scenario warm-started.

Targets (issue "what-if scenarios"): baseline <= 20 s, one-closure scenario <= 2 s, on the
offline Medan twin with the default zones (H3 res 8). Prints the figures; asserts nothing.

Two kinds of closure are timed: a sample of single road links (``--links`` of them, drawn
with a fixed seed among the main roads that carry at least 500 PCU/h in the baseline, each
closed in its own scenario: one direction of one OSM way segment, as a click in the planner
closes it), and a whole street within a kecamatan (``--street``, both directions: 22 links
of an arterial by default, a far larger change).

Run (builds the twin first if the home has none)::

    TWIN_DATA_DIR=../shared/data TWIN_HOME=/tmp/bench-home .venv/bin/python bench/bench_scenario.py

``--gap``, ``--street`` and ``--kecamatan`` change the set-up.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from sim.assignment import warm_up
from sim.baseline import BaselineSettings, build_baseline
from sim.scenario import compare, run_scenario
from twin.errors import ConfigError
from twin.settings import get_settings
from twin.snapshot import latest_snapshot, load_snapshot


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--gap", type=float, default=1e-4)
    parser.add_argument("--street", default="Jalan Gatot Subroto")
    parser.add_argument("--kecamatan", default="Medan Sunggal")
    parser.add_argument("--links", type=int, default=10, help="single-link closures to time")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    st = get_settings()
    try:
        snap = latest_snapshot(city=st.city, settings=st)
    except ConfigError:
        from twin.build import build_twin

        print("building the twin first ...")
        snap = build_twin(city=st.city, settings=st)
    twin = load_snapshot(snap)

    # numba: compile (or load from its cache) the kernels of a cold and of a warm-started
    # solve on a tiny grid, so neither timing below includes it
    t0 = time.perf_counter()
    warm_up()
    jit = time.perf_counter() - t0

    t0 = time.perf_counter()
    base = build_baseline(twin, settings=BaselineSettings(gap=args.gap))
    total = time.perf_counter() - t0
    net = base.network
    zones = base.tn.zones
    print(f"twin            {twin.snapshot_id} (SYNTHETIC offline road network)")
    print(f"graph           {len(twin.nodes):,} nodes, {len(twin.edges):,} links (edges)")
    print(f"network         {net.n_nodes:,} nodes, {net.n_links:,} links (with connectors)")
    print(
        f"zones           {zones.n_zones} "
        f"({zones.n_internal} H3 res-8 + {zones.n_gateways} gateways)"
    )
    print(f"demand          {base.demand.total:,.0f} PCU/h (AM peak)")
    print(f"numba warm-up   {jit:.1f} s")
    print(
        f"baseline        {base.result.seconds:.2f} s assignment, {total:.2f} s with zones and "
        f"demand; gap {base.result.relative_gap:.2e}, {base.result.iterations} iterations, "
        f"algorithm {base.result.algorithm}  (target <= 20 s)"
    )

    links = base.links
    main_roads = links[
        (links["edge_id"] >= 0)
        & links["highway"].isin(["trunk", "primary", "secondary", "tertiary"])
        & (links["kec_code"] != "outside")
        & (links["flow"] >= 500.0)
    ]
    rng = np.random.default_rng(args.seed)
    picked = main_roads.iloc[rng.choice(len(main_roads), size=args.links, replace=False)]
    seconds = []
    for _, row in picked.iterrows():
        one = {
            "name": f"bench: close edge {int(row['edge_id'])}",
            "changes": [{"type": "close", "where": {"edge_ids": [int(row["edge_id"])]}}],
        }
        r = run_scenario(one, twin=twin, baseline=base, gap=args.gap)
        seconds.append(r.result.seconds)
        print(
            f"one link        edge {int(row['edge_id']):>6} {row['highway']:<9} "
            f"{row['flow']:6,.0f} PCU/h  {r.result.seconds:.2f} s assignment "
            f"({r.seconds:.2f} s with apply); gap {r.result.relative_gap:.2e}, "
            f"{r.result.iterations} iterations, warm start "
            f"{'used' if r.result.warm_started else 'NOT used'}"
        )
    if seconds:
        sec = np.array(seconds)
        print(
            f"one link, all   {len(sec)} closures: median {np.median(sec):.2f} s, mean "
            f"{sec.mean():.2f} s, max {sec.max():.2f} s; {int((sec <= 2.0).sum())} of "
            f"{len(sec)} within 2 s  (target <= 2 s)"
        )

    scenario = {
        "name": f"bench: close {args.street} in {args.kecamatan}",
        "changes": [
            {"type": "close", "where": {"street": args.street, "kecamatan": args.kecamatan}}
        ],
    }
    run = run_scenario(scenario, twin=twin, baseline=base, gap=args.gap)
    n_closed = (
        int(run.applied.network.closed.sum()) if run.applied.network.closed is not None else 0
    )
    print(
        f"whole street    {run.result.seconds:.2f} s assignment, {run.seconds:.2f} s with "
        f"apply ({n_closed} links closed); warm start "
        f"{'used' if run.result.warm_started else 'NOT used'}; gap "
        f"{run.result.relative_gap:.2e}, {run.result.iterations} iterations"
    )
    t0 = time.perf_counter()
    comp = compare(run, twin)
    print(f"comparison      {time.perf_counter() - t0:.2f} s (incl. per-zone travel times)")
    d = comp.kpis["delta"]
    print(
        f"closure effect  dVHT {d['vht']:+,.1f} PCU-h/h, dVKT {d['vkt']:+,.0f} PCU-km/h, "
        f"d congested km {d['congested_km']:+.2f}, unassigned {comp.unassigned_demand:.1f}"
    )


if __name__ == "__main__":
    main()
