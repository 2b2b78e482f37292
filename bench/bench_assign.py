"""Benchmark: this engine against AequilibraE on the same machine, in the same run.

Problems: TNTP SiouxFalls and two SYNTHETIC grid networks made deterministically by
``sim.assignment.synthetic.grid_problem`` (about 1,000 nodes / 3,000 links / 400 zones and
13,000 nodes / 28,000 links / 900 zones). Each (solver, problem, gap) runs in a fresh process
so its peak memory (max RSS) is its own. Every gap in the table is recomputed by
``sim.assignment.relative_gap`` from the solver's link flows, so both solvers are compared on
the same definition ((TSTT - SPTT) / TSTT), whatever they report themselves.

AequilibraE is an optional extra (``pip install -e .[bench]``); without it only this engine
runs. Usage::

    python bench/bench_assign.py                     # everything
    python bench/bench_assign.py --problems sf,grid1k --gaps 1e-4,1e-6
    python bench/bench_assign.py --no-aequilibrae
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
PROBLEMS = {
    "sf": "SiouxFalls (TNTP, real test network)",
    "grid1k": "synthetic grid ~1,000 nodes / 3,000 links / 400 zones",
    "grid13k": "synthetic grid ~13,000 nodes / 28,000 links / 900 zones",
}
#: Most AequilibraE iterations per problem, so the benchmark ends in reasonable time.
AE_MAX_ITER = {"sf": 20_000, "grid1k": 3_000, "grid13k": 150}


def _problem(name: str) -> tuple[Any, Any]:
    from sim.assignment.synthetic import grid_problem
    from sim.tntp import read_network, read_trips

    if name == "sf":
        data = Path(os.environ.get("TWIN_DATA_DIR", REPO.parent / "shared" / "data"))
        folder = data / "tntp" / "SiouxFalls"
        net = read_network(folder / "SiouxFalls_net.tntp")
        return net, read_trips(folder / "SiouxFalls_trips.tntp", network=net)
    if name == "grid1k":
        return grid_problem(n_intersections=600, n_zones=400, n_links=3000)
    if name == "grid13k":
        return grid_problem(n_intersections=12_100, n_zones=900, n_links=28_000)
    raise SystemExit(f"unknown problem {name!r}; choose from {', '.join(PROBLEMS)}")


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _run_engine(name: str, gap: float, algorithm: str) -> dict[str, Any]:
    from sim.assignment import assign, relative_gap, warm_up

    net, dem = _problem(name)
    base = _peak_mib()
    # load the compiled kernels (numba's cache) on a tiny problem first
    warm_up(algorithm=algorithm)
    t = time.perf_counter()
    c = time.process_time()
    res = assign(net, dem, gap=gap, algorithm=algorithm, max_seconds=600)
    seconds = time.perf_counter() - t
    return {
        "seconds": seconds,
        "cpu": time.process_time() - c,
        "iterations": res.iterations,
        "gap": relative_gap(net, dem, res.flow),
        "reported_gap": res.relative_gap,
        "peak_mib": _peak_mib(),
        "problem_mib": base,
        "objective": res.objective,
    }


def _run_closure(name: str, gap: float, algorithm: str) -> dict[str, Any]:
    """Warm start after closing the busiest road link, against a cold start of the same."""
    from sim.assignment import assign, relative_gap, warm_up

    net, dem = _problem(name)
    warm_up(algorithm=algorithm)
    base = assign(net, dem, gap=gap, algorithm=algorithm)
    road = net.b > 0
    k = int(np.flatnonzero(road)[np.argmax(base.flow[road])])
    closed = np.zeros(net.n_links, dtype=bool)
    closed[k] = True
    shut = net.with_links(closed=closed)
    t = time.perf_counter()
    c = time.process_time()
    warm = assign(shut, dem, gap=gap, algorithm=algorithm, warm_start=base)
    seconds = time.perf_counter() - t
    cpu = time.process_time() - c
    t = time.perf_counter()
    cold = assign(shut, dem, gap=gap, algorithm=algorithm)
    cold_seconds = time.perf_counter() - t
    return {
        "seconds": seconds,
        "cpu": cpu,
        "iterations": warm.iterations,
        "gap": relative_gap(shut, dem, warm.flow),
        "peak_mib": _peak_mib(),
        "cold_seconds": cold_seconds,
        "cold_iterations": cold.iterations,
    }


def _run_aequilibrae(name: str, gap: float, cores: int) -> dict[str, Any]:
    import pandas as pd
    from aequilibrae.matrix import AequilibraeMatrix
    from aequilibrae.paths import Graph, TrafficAssignment, TrafficClass

    from sim.assignment import relative_gap

    net, dem = _problem(name)
    base = _peak_mib()
    t = time.perf_counter()
    # AequilibraE node ids are 1-based; zones are the first n_zones nodes as in our networks
    links = pd.DataFrame(
        {
            "link_id": np.arange(1, net.n_links + 1),
            "a_node": net.init_node + 1,
            "b_node": net.term_node + 1,
            "direction": 1,
            "free_flow_time": net.fft,
            "capacity": np.where(net.capacity > 0, net.capacity, 1.0),
            "b": net.b,
            "power": net.power,
        }
    )
    graph = Graph()
    graph.network = links
    graph.network_ok = True
    graph.status = "OK"
    centroids = np.arange(1, net.n_zones + 1, dtype=np.int64)
    graph.prepare_graph(centroids, remove_dead_ends=False)
    graph.set_graph("free_flow_time")
    graph.set_skimming(["free_flow_time"])
    graph.set_blocked_centroid_flows(net.first_thru_node > 0)
    matrix = AequilibraeMatrix()
    matrix.create_empty(zones=net.n_zones, matrix_names=["demand"], memory_only=True)
    matrix.index[:] = centroids
    m = dem.matrix.copy()
    np.fill_diagonal(m, 0.0)
    matrix.matrix["demand"][:, :] = m
    matrix.computational_view(["demand"])
    cls = TrafficClass("car", graph, matrix)
    ta = TrafficAssignment()
    ta.set_classes([cls])
    ta.set_vdf("BPR")
    ta.set_vdf_parameters({"alpha": "b", "beta": "power"})
    ta.set_capacity_field("capacity")
    ta.set_time_field("free_flow_time")
    ta.set_algorithm("bfw")
    ta.set_cores(cores)
    ta.max_iter = AE_MAX_ITER[name]
    ta.rgap_target = gap
    setup = time.perf_counter() - t
    t = time.perf_counter()
    c = time.process_time()
    ta.execute()
    seconds = time.perf_counter() - t
    cpu = time.process_time() - c
    res = ta.results()
    flow = np.zeros(net.n_links)
    flow[res.index.values - 1] = res["PCE_AB"].values
    report = pd.DataFrame(ta.assignment.convergence_report)
    return {
        "seconds": seconds,
        "cpu": cpu,
        "setup_seconds": setup,
        "iterations": int(report["iteration"].max()),
        "gap": relative_gap(net, dem, flow),
        "reported_gap": float(report["rgap"].iloc[-1]),
        "peak_mib": _peak_mib(),
        "problem_mib": base,
    }


def _compile_seconds() -> dict[str, float]:
    """First call in a process with an empty numba cache (compile) and with the cache."""
    from sim.assignment import assign

    net, dem = _problem("sf")
    out = {}
    for algorithm in ("algb", "bfw"):
        t = time.perf_counter()
        assign(net, dem, gap=1e-4, algorithm=algorithm)
        first = time.perf_counter() - t
        t = time.perf_counter()
        assign(net, dem, gap=1e-4, algorithm=algorithm)
        out[algorithm] = first - (time.perf_counter() - t)
    return out


def _child(queue: Any, fn: str, args: tuple[Any, ...], env: dict[str, str]) -> None:
    os.environ.update(env)
    if fn == "_run_aequilibrae":
        # its progress bars (on stderr) would flood the table
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
    try:
        result = globals()[fn](*args)
    except Exception as e:  # a failing solver is a row in the table, not a crash
        result = {"error": f"{type(e).__name__}: {e}"}
    queue.put(result)


def _in_child(fn: str, *args: Any, env: dict[str, str] | None = None) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(queue, fn, args, env or {}))
    proc.start()
    result: dict[str, Any] = queue.get()
    proc.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--problems", default=",".join(PROBLEMS))
    parser.add_argument("--gaps", default="1e-4,1e-6")
    parser.add_argument("--algorithm", default="algb", help="this engine's algorithm")
    parser.add_argument("--no-aequilibrae", action="store_true")
    parser.add_argument("--ae-cores", type=int, default=1, help="AequilibraE threads")
    parser.add_argument(
        "--no-closure", dest="closure", action="store_false", help="skip the warm-start rows"
    )
    args = parser.parse_args()
    gaps = [float(g) for g in args.gaps.split(",")]
    names = args.problems.split(",")
    use_ae = not args.no_aequilibrae
    if use_ae:
        try:
            import aequilibrae  # noqa: F401
        except ImportError:
            print("aequilibrae not installed (pip install -e .[bench]): engine only")
            use_ae = False

    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as empty:
        cold = _in_child("_compile_seconds", env={"NUMBA_CACHE_DIR": empty})
    warm = _in_child("_compile_seconds")
    for algorithm in ("algb", "bfw"):
        print(
            f"numba first call ({algorithm}): compile {cold.get(algorithm, float('nan')):.1f} s "
            f"with an empty cache, {warm.get(algorithm, float('nan')):.2f} s from the cache"
        )
    header = (
        f"{'problem':<9} {'gap':>7} {'solver':<16} {'seconds':>9} {'cpu s':>8} {'iters':>6} "
        f"{'rel. gap':>10} {'peak MiB':>9} {'ratio':>7}"
    )
    print()
    print(header)
    print("-" * len(header))
    for name in names:
        ae_missed: float | None = None
        for gap in gaps:
            ours = _in_child("_run_engine", name, gap, args.algorithm)
            rows = [(f"engine {args.algorithm}", ours)]
            if use_ae and ae_missed is None:
                ae = _in_child("_run_aequilibrae", name, gap, args.ae_cores)
                rows.append((f"aequilibrae bfw/{args.ae_cores}", ae))
                if "gap" in ae and ae["gap"] > gap * 1.01:
                    ae_missed = gap
            elif use_ae:
                print(f"{name:<9} {gap:>7.0e} aequilibrae: skipped (missed {ae_missed:.0e})")
            if args.closure:
                warm = _in_child("_run_closure", name, gap, args.algorithm)
                rows.append(("engine warm 1cl", warm))
            for label, r in rows:
                if "error" in r:
                    print(f"{name:<9} {gap:>7.0e} {label:<16} {r['error']}")
                    continue
                ratio = ""
                if label.startswith("aeq") and "seconds" in ours:
                    ratio = f"{r['seconds'] / ours['seconds']:.1f}x"
                    if r["gap"] > gap * 1.01:
                        ratio += "*"
                if label.startswith("engine warm"):
                    ratio = f"{r['cold_seconds'] / r['seconds']:.1f}x"
                print(
                    f"{name:<9} {gap:>7.0e} {label:<16} {r['seconds']:>9.3f} {r['cpu']:>8.3f} "
                    f"{r['iterations']:>6} {r['gap']:>10.2e} {r['peak_mib']:>9.0f} {ratio:>7}"
                )
                if label.startswith("engine warm"):
                    print(
                        f"{'':<9} {'':>7} {'  cold, same':<16} {r['cold_seconds']:>9.3f} "
                        f"{'':>8} {r['cold_iterations']:>6}"
                    )
    print()
    print("ratio = AequilibraE seconds / engine seconds; * = AequilibraE stopped at its iteration")
    print("cap above the target gap (so the true ratio is larger). 'engine warm 1cl' re-solves")
    print("after closing the busiest road link from the solved state; its ratio is cold/warm.")
    print("Gaps are recomputed from each solver's flows by sim.assignment.relative_gap. Seconds")
    print("(wall) exclude building the problem; cpu s is this process's CPU time (less")
    print("sensitive to other load on a shared machine); peak MiB is the process max RSS.")
    for name in names:
        print(f"  {name}: {PROBLEMS[name]}")


if __name__ == "__main__":
    main()
