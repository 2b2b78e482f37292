"""``twin`` sub-commands of the simulation package.

One function per command group registers its sub-commands (``_register_assign`` now; the
scenario commands can add their own ``_register_...`` here), and each handler is a thin
wrapper over plain functions that the tests call too.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from dataclasses import replace
from pathlib import Path

from sim.assignment import ALGORITHMS, AssignmentResult, assign
from sim.network import Network
from sim.tntp import read_network, read_trips
from twin.errors import InputError
from twin.provenance import utc_now_iso

__all__ = ["register", "write_flows_csv"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the simulation commands to the ``twin`` CLI."""
    _register_assign(subparsers)


def _register_assign(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "assign",
        help="static user-equilibrium assignment of a TNTP network and trips file",
        description=(
            "Assign a TNTP trips file to a TNTP network at user equilibrium and report "
            "the convergence figures (the flows are simulated results)."
        ),
    )
    p.add_argument("--net", required=True, type=Path, help="TNTP network file (*_net.tntp)")
    p.add_argument("--trips", required=True, type=Path, help="TNTP trips file (*_trips.tntp)")
    p.add_argument("--gap", type=float, default=1e-6, help="target relative gap (default 1e-6)")
    p.add_argument("--max-iter", type=int, default=10_000, help="most iterations")
    p.add_argument(
        "--algorithm",
        default="auto",
        choices=ALGORITHMS,
        help="assignment algorithm (default: auto, the fastest)",
    )
    p.add_argument(
        "--toll-factor", type=float, default=None, help="weight of toll in the generalized cost"
    )
    p.add_argument(
        "--distance-factor",
        type=float,
        default=None,
        help="weight of length in the generalized cost",
    )
    p.add_argument("--max-seconds", type=float, default=None, help="stop after this long")
    p.add_argument("--out", type=Path, default=None, help="write link flows to this CSV file")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=_cmd_assign)


def _check_factor(name: str, value: float | None) -> None:
    if value is not None and not (math.isfinite(value) and value >= 0):
        raise InputError(name, f"must be a finite number >= 0, got {value}")


def _cmd_assign(args: argparse.Namespace) -> int:
    _check_factor("--toll-factor", args.toll_factor)
    _check_factor("--distance-factor", args.distance_factor)
    if args.max_seconds is not None and not args.max_seconds > 0:
        raise InputError("--max-seconds", f"must be > 0, got {args.max_seconds}")
    if args.out is not None and not args.out.parent.resolve().is_dir():
        raise InputError(args.out, "its folder does not exist")
    network = read_network(args.net)
    changes: dict[str, float] = {}
    if args.toll_factor is not None:
        changes["toll_factor"] = args.toll_factor
    if args.distance_factor is not None:
        changes["distance_factor"] = args.distance_factor
    if changes:
        network = replace(network, **changes)  # type: ignore[arg-type]
    demand = read_trips(args.trips, network=network)
    result = assign(
        network,
        demand,
        gap=args.gap,
        max_iter=args.max_iter,
        algorithm=args.algorithm,
        max_seconds=args.max_seconds,
    )
    if args.out is not None:
        write_flows_csv(args.out, network, result)
    summary = result.to_dict()
    summary.update(
        network=str(args.net),
        trips=str(args.trips),
        toll_factor=network.toll_factor,
        distance_factor=network.distance_factor,
        provenance={
            "kind": "simulated",
            "source": f"assignment of {args.trips} on {args.net}",
            "created_at": utc_now_iso(),
        },
    )
    if args.json:
        json.dump(summary, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        _print_summary(summary, args.out)
    return 0


def _print_summary(summary: dict[str, object], out: Path | None) -> None:
    print(f"assignment of {summary['trips']} on {summary['network']} (simulated)")
    for key in (
        "algorithm",
        "iterations",
        "seconds",
        "converged",
        "relative_gap",
        "average_excess_cost",
        "objective",
        "tstt",
        "assigned_demand",
        "unassigned_demand",
    ):
        value = summary[key]
        text = f"{value:.10g}" if isinstance(value, float) else str(value)
        print(f"  {key:<20} {text}")
    if summary["unassigned_pairs"]:
        print(f"  {summary['unassigned_pairs']} OD pairs cannot be routed (see --json)")
    if out is not None:
        print(f"  flows written to {out}")


def write_flows_csv(path: str | Path, network: Network, result: AssignmentResult) -> None:
    """Write ``init_node,term_node,flow,cost`` per link (node ids as in the source).

    Parameters
    ----------
    path : str or pathlib.Path
        The CSV file to write.
    network : Network
        The network assigned (for the node ids).
    result : AssignmentResult
        The assignment result (``cost`` is the link travel time at the flow).
    """
    ids = network.node_ids
    try:
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["init_node", "term_node", "flow", "cost"])
            for a, b, x, c in zip(
                ids[network.init_node],
                ids[network.term_node],
                result.flow,
                result.cost,
                strict=True,
            ):
                w.writerow([int(a), int(b), repr(float(x)), repr(float(c))])
    except OSError as e:
        raise InputError(path, f"cannot be written ({e.strerror})") from None
