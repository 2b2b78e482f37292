"""``twin scenario ...``: run, list and diff what-if scenarios on the latest Medan twin.

``twin scenario run FILE [--json] [--out DIR]``
    Solve a scenario (a TOML file, or the name of one in the scenarios folders) against the
    cached baseline of its period, print the KPIs and save the results.
``twin scenario list``
    The scenarios of ``data/scenarios`` and ``$TWIN_HOME/scenarios`` (sub-folders included).
``twin scenario diff A B``
    Run two scenarios and show B minus A.
``twin scenario baseline [--period P]``
    Solve (or load from the cache) the baseline of a period and print its KPIs; the run
    script uses it so the app's first scenario is warm-started at once.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from sim.baseline import Baseline, BaselineSettings, load_baseline, result_label
from sim.demand import DEFAULT_PERIOD
from sim.scenario.compare import KPI_KEYS, Comparison, compare, save_results
from sim.scenario.run import run_scenario
from sim.scenario.schema import Scenario, load_scenario
from twin.errors import InputError, TwinError
from twin.model import Twin
from twin.settings import PROJECT_DATA_DIR, Settings, get_settings

#: Example scenarios shipped with the project.
SHIPPED_SCENARIOS = PROJECT_DATA_DIR / "scenarios"


def scenario_folders(settings: Settings | None = None) -> list[Path]:
    """The folders searched for scenarios: ``data/scenarios`` then ``$TWIN_HOME/scenarios``."""
    st = settings or get_settings()
    return [SHIPPED_SCENARIOS, st.home / "scenarios"]


def find_scenario(ref: str, settings: Settings | None = None) -> Path:
    """A scenario file given by path, file name or stem (searched in the scenario folders)."""
    p = Path(ref)
    if p.is_file():
        return p
    for folder in scenario_folders(settings):
        for cand in (folder / ref, folder / f"{ref}.toml"):
            if cand.is_file():
                return cand
        nested = sorted(folder.rglob(f"{Path(ref).stem}.toml"))
        if nested:
            return nested[0]
    known = sorted(f.stem for d in scenario_folders(settings) for f in d.rglob("*.toml"))
    raise InputError(ref, f"no such scenario file (known: {', '.join(known) or 'none'})")


def list_scenarios(settings: Settings | None = None) -> list[dict[str, Any]]:
    """Every scenario file of the scenario folders, with its name, period and validity."""
    rows = []
    for folder in scenario_folders(settings):
        # sub-folders too: the app saves the planner's plans under scenarios/app
        for f in sorted(folder.rglob("*.toml")):
            row: dict[str, Any] = {"file": str(f), "stem": f.stem}
            try:
                sc = load_scenario(f)
                row.update(
                    name=sc.name,
                    period=sc.period,
                    changes=[c.type for c in sc.changes],
                    sha=sc.sha,
                    valid=True,
                )
            except TwinError as e:
                row.update(valid=False, error=str(e))
            rows.append(row)
    return rows


def _load_twin(args: argparse.Namespace) -> Twin:
    from twin.snapshot import latest_snapshot, load_snapshot

    st = get_settings()
    path = Path(args.snapshot) if args.snapshot else latest_snapshot(city=st.city, settings=st)
    return load_snapshot(path)


def _progress(quiet: bool) -> Any:
    if quiet:
        return None
    last = [""]

    def cb(stage: str, frac: float) -> None:
        head = stage.split(":")[0]
        if head != last[0]:
            print(f"  {head} ...", file=sys.stderr, flush=True)
            last[0] = head

    return cb


def _run_one(
    ref: str, twin: Twin, args: argparse.Namespace, baselines: dict[str, Baseline]
) -> tuple[Scenario, Comparison, Path]:
    sc = load_scenario(find_scenario(ref))
    settings = BaselineSettings(
        period=sc.period,
        gap=args.gap,
        zone_kind="kelurahan" if args.resolution == 0 else "h3",
        zone_resolution=args.resolution or 8,
    )
    base = baselines.get(sc.period)
    if base is None:
        base = load_baseline(twin, settings=settings, progress=_progress(args.json))
        baselines[sc.period] = base
    run = run_scenario(sc, twin=twin, baseline=base, progress=_progress(args.json))
    comp = compare(run, twin)
    folder = save_results(run, comp, out_dir=getattr(args, "out", None))
    return sc, comp, folder


def _fmt(x: float) -> str:
    return f"{x:,.1f}"


def _print_comparison(comp: Comparison, folder: Path) -> None:
    label = result_label(comp.synthetic_roads).upper()
    print(f"{comp.scenario_name}  [{comp.period}, snapshot {comp.snapshot_id}]")
    print(f"  {label}")
    for note in comp.notes:
        print(f"  - {note}")
    print(f"{'':16}{'baseline':>14}{'scenario':>14}{'delta':>12}")
    for k in KPI_KEYS:
        b, s, d = (comp.kpis[p][k] for p in ("baseline", "scenario", "delta"))
        print(f"{k:16}{_fmt(b):>14}{_fmt(s):>14}{_fmt(d):>12}")
    print(f"unassigned demand: {comp.unassigned_demand:,.1f} PCU/h")
    for z in comp.cut_off[:10]:
        lost = z["unrouted_from_pcu_h"] + z["unrouted_to_pcu_h"]
        print(f"  cut off: {z['name']} ({lost:,.1f} PCU/h)")
    print(
        f"relative gap {comp.relative_gap:.1e}, {comp.seconds:.1f} s"
        f"{' (warm start)' if comp.warm_started else ''}"
    )
    print("most affected links (change in PCU/h):")
    for r in comp.most_affected.head(8).to_dict("records"):
        name = str(r["name"]) or "(unnamed)"
        print(f"  {name} [{r['highway']}, edge {r['edge_id']}]: {float(r['d_flow']):+,.0f}")
    if not comp.zones.empty:
        print("zones losing most time (min per trip):")
        for r in comp.losers(5).to_dict("records"):
            print(f"  {r['label']}: {float(r['delta_min']):+.2f}")
        print("zones gaining most time (min per trip):")
        for r in comp.winners(5).to_dict("records"):
            print(f"  {r['label']}: {float(r['delta_min']):+.2f}")
    print(f"results: {folder}")


def _cmd_run(args: argparse.Namespace) -> int:
    twin = _load_twin(args)
    _, comp, folder = _run_one(args.file, twin, args, {})
    if args.json:
        out = comp.to_dict()
        out["results_dir"] = str(folder)
        print(json.dumps(out, indent=2, default=float))
    else:
        _print_comparison(comp, folder)
    return 0


def _cmd_list(args: argparse.Namespace) -> int:
    rows = list_scenarios()
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    for r in rows:
        if r["valid"]:
            print(f"{r['stem']:40} {r['period']:8} {', '.join(r['changes']):30} {r['name']}")
        else:
            print(f"{r['stem']:40} INVALID  {r['error']}")
    return 0


def _cmd_diff(args: argparse.Namespace) -> int:
    twin = _load_twin(args)
    baselines: dict[str, Baseline] = {}
    args.out = None
    _, a, _ = _run_one(args.a, twin, args, baselines)
    _, b, _ = _run_one(args.b, twin, args, baselines)
    rows = {
        k: {
            "a": a.kpis["scenario"][k],
            "b": b.kpis["scenario"][k],
            "b_minus_a": b.kpis["scenario"][k] - a.kpis["scenario"][k],
        }
        for k in KPI_KEYS
    }
    unassigned = {"a": a.unassigned_demand, "b": b.unassigned_demand}
    if args.json:
        print(
            json.dumps(
                {
                    "a": a.scenario_name,
                    "b": b.scenario_name,
                    "kpis": rows,
                    "unassigned_demand": unassigned,
                    "label": result_label(a.synthetic_roads),
                },
                indent=2,
            )
        )
        return 0
    print(f"A: {a.scenario_name} [{a.period}]\nB: {b.scenario_name} [{b.period}]")
    print(f"  {result_label(a.synthetic_roads).upper()}")
    print(f"{'':16}{'A':>14}{'B':>14}{'B - A':>12}")
    for k, r in rows.items():
        print(f"{k:16}{_fmt(r['a']):>14}{_fmt(r['b']):>14}{_fmt(r['b_minus_a']):>12}")
    print(f"unassigned demand: A {unassigned['a']:,.1f}, B {unassigned['b']:,.1f} PCU/h")
    return 0


def _cmd_baseline(args: argparse.Namespace) -> int:
    twin = _load_twin(args)
    settings = BaselineSettings(
        period=args.period,
        gap=args.gap,
        zone_kind="kelurahan" if args.resolution == 0 else "h3",
        zone_resolution=args.resolution or 8,
    )
    base = load_baseline(twin, settings=settings, progress=_progress(args.json))
    res = base.result
    out = {
        "snapshot_id": base.snapshot_id,
        "period": args.period,
        "from_cache": base.from_cache,
        "zones": int(base.tn.network.n_zones),
        "relative_gap": float(res.relative_gap),
        "iterations": int(res.iterations),
        "seconds": float(res.seconds),
        "unassigned_demand": float(res.unassigned_demand),
        "kpis": {k: float(v) for k, v in base.kpis.items()},
        "label": result_label(base.synthetic_roads),
    }
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    print(f"baseline {args.period} [snapshot {base.snapshot_id}]  {out['label'].upper()}")
    print(
        f"  {out['zones']} zones, relative gap {res.relative_gap:.1e}, "
        f"{res.iterations} iterations, {res.seconds:.1f} s"
        f"{' (from cache)' if base.from_cache else ''}"
    )
    units = {
        "vht": "PCU-h/h",
        "vkt": "PCU-km/h",
        "mean_speed_kmh": "km/h",
        "congested_km": "km",
        "delay_h": "PCU-h/h",
        "assigned_demand": "PCU/h",
        "unassigned_demand": "PCU/h",
    }
    for k, unit in units.items():
        if k in out["kpis"]:
            print(f"  {k:18}{_fmt(out['kpis'][k]):>14} {unit}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``twin scenario run|list|diff``."""
    p = subparsers.add_parser(
        "scenario",
        help="what-if congestion scenarios on the twin",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = p.add_subparsers(dest="scenario_command", required=True, metavar="ACTION")

    def common(q: argparse.ArgumentParser) -> None:
        q.add_argument("--json", action="store_true", help="print JSON")
        q.add_argument("--snapshot", help="snapshot folder (default: the city's latest)")
        q.add_argument(
            "--gap", type=float, default=1e-4, help="relative gap to solve to (default 1e-4)"
        )
        q.add_argument(
            "--resolution",
            type=int,
            default=8,
            help="H3 resolution of the zones (default 8; 0 for kelurahan zones)",
        )

    run = sub.add_parser("run", help="run a scenario file and compare it with the baseline")
    run.add_argument("file", help="scenario TOML file, or the name of one in the folders")
    run.add_argument(
        "--out", help="folder for the results (default: beside the scenario file, <name>.results/)"
    )
    common(run)
    run.set_defaults(func=_cmd_run)

    ls = sub.add_parser("list", help="list the scenarios of data/scenarios and TWIN_HOME")
    ls.add_argument("--json", action="store_true", help="print JSON")
    ls.set_defaults(func=_cmd_list)

    diff = sub.add_parser("diff", help="run two scenarios and show B minus A")
    diff.add_argument("a")
    diff.add_argument("b")
    common(diff)
    diff.set_defaults(func=_cmd_diff)

    base = sub.add_parser("baseline", help="solve or load the baseline of a period")
    base.add_argument(
        "--period",
        default=DEFAULT_PERIOD,
        help=f"period to solve: am_peak, midday or pm_peak (default {DEFAULT_PERIOD})",
    )
    common(base)
    base.set_defaults(func=_cmd_baseline)
