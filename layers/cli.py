"""``twin feed`` sub-commands: ingest files, run the poller, simulate a live feed, show stats.

Each handler is a thin wrapper over plain functions of :mod:`layers` that the tests call too.
Every command takes ``--store PATH``; without it the store is ``TWIN_STORE``, else the file
beside the city's snapshots (:meth:`twin.settings.Settings.store_path`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import signal
import sys
from pathlib import Path
from types import FrameType
from typing import Any

from layers.adapters import FORMATS, load_mapping, parse_services, services_lookup
from layers.context import CityContext
from layers.ingest import IngestReport, ingest_batches, ingest_file
from layers.store import Store, resolve_store_path
from twin.errors import InputError
from twin.settings import get_settings

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``twin feed ...`` to the ``twin`` CLI."""
    feed = subparsers.add_parser(
        "feed",
        help="live layers: ingest, poll and simulate ATCS traffic and citizen complaints",
        description="Live layers of the twin: ATCS traffic observations and citizen complaints.",
    )
    sub = feed.add_subparsers(dest="feed_command", required=True, metavar="SUBCOMMAND")

    p = sub.add_parser("ingest", help="ingest complaint or traffic files into the store")
    p.add_argument("--kind", required=True, choices=sorted(FORMATS))
    p.add_argument(
        "--format",
        dest="fmt",
        required=True,
        choices=sorted({f for v in FORMATS.values() for f in v}),
    )
    p.add_argument("files", nargs="+", type=Path, metavar="FILE", help="files, or folders of files")
    p.add_argument("--source", help="records' source field (e.g. mrk for Medan Rumah Kita)")
    p.add_argument("--mapping", type=Path, help="TOML column mapping for --format csv")
    p.add_argument("--services", type=Path, help="Open311 services list (JSON or XML)")
    p.add_argument("--batch-size", type=int, default=20_000, help="records per transaction")
    _common(p)
    p.set_defaults(func=_cmd_ingest)

    p = sub.add_parser("run", help="poll the feeds of a TOML configuration until SIGTERM")
    p.add_argument("--config", required=True, type=Path, help="poller configuration (TOML)")
    p.add_argument("--cycles", type=int, default=None, help="stop after this many cycles")
    _common(p)
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser(
        "simulate", help="write a SIMULATED live feed (ATCS counts and complaints) to the store"
    )
    p.add_argument("--minutes", type=float, required=True, help="length of the window ending now")
    p.add_argument("--rate", type=float, default=0.5, help="complaints per minute (default 0.5)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--interval", type=int, default=300, help="traffic interval, s (default 300)")
    p.add_argument("--no-traffic", action="store_true", help="complaints only")
    p.add_argument("--no-complaints", action="store_true", help="traffic only")
    _common(p)
    p.set_defaults(func=_cmd_simulate)

    p = sub.add_parser("stats", help="counts in the store, quarantine reasons, feed health")
    _common(p)
    p.set_defaults(func=_cmd_stats)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--store", type=Path, help="SQLite store (default: TWIN_STORE, then TWIN_HOME)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")


def _print_report(rep: IngestReport, *, as_json: bool, extra: dict[str, Any] | None = None) -> None:
    d = rep.to_dict() | (extra or {})
    if as_json:
        print(json.dumps(d, ensure_ascii=False, indent=2))
        return
    print(f"accepted   {rep.accepted}")
    print(f"duplicates {rep.duplicates}")
    print(f"rejected   {rep.rejected}")
    for reason, n in sorted(rep.reasons.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"  {reason:<22} {n}")
    for k, v in (extra or {}).items():
        print(f"{k} {v}")


def _cmd_ingest(args: argparse.Namespace) -> int:
    if args.fmt not in FORMATS[args.kind]:
        raise InputError("--format", f"{args.fmt!r} is not a {args.kind} format")
    if args.batch_size < 1:
        raise InputError("--batch-size", "must be at least 1")
    files = _expand(args.files)
    settings = get_settings()
    mapping = load_mapping(args.mapping) if args.mapping else None
    services = None
    if args.services:
        sfmt = "xml" if args.services.suffix.lower() == ".xml" else "json"
        services = services_lookup(
            parse_services(args.services.read_bytes(), origin=str(args.services), fmt=sfmt)
        )
    ctx = CityContext.load(settings)
    total = IngestReport()
    with Store(resolve_store_path(args.store, settings)) as store:
        for f in files:
            total.add(
                ingest_file(
                    f,
                    store,
                    ctx,
                    kind=args.kind,
                    fmt=args.fmt,
                    source=args.source,
                    mapping=mapping,
                    services=services,
                    batch_size=args.batch_size,
                )
            )
    _print_report(total, as_json=args.json)
    return 0


def _expand(paths: list[Path]) -> list[Path]:
    """Files as given, and the visible files of folders (sorted by name)."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out += sorted(f for f in p.iterdir() if f.is_file() and not f.name.startswith("."))
        elif p.is_file():
            out.append(p)
        else:
            raise InputError(p, "no such file or folder")
    return out


def _cmd_run(args: argparse.Namespace) -> int:
    from layers.poller import Poller, load_config

    config = load_config(args.config)
    settings = get_settings()
    ctx = CityContext.load(settings)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stderr
    )
    with Store(resolve_store_path(args.store, settings)) as store:
        poller = Poller(config, store, ctx)

        def stop(signum: int, frame: FrameType | None) -> None:
            poller.stop.set()

        old = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
        try:
            totals = poller.run(max_cycles=args.cycles)
        finally:
            for s, h in old.items():
                signal.signal(s, h)
    print("poller stopped", file=sys.stderr)
    _print_report(totals, as_json=args.json)
    return 0


def _cmd_simulate(args: argparse.Namespace) -> int:
    from layers.simulate import as_batch, complaint_density, simulate_complaints, simulate_traffic

    if not args.minutes > 0:
        raise InputError("--minutes", f"must be > 0, got {args.minutes}")
    if not args.rate >= 0:
        raise InputError("--rate", f"must be >= 0, got {args.rate}")
    if not 10 <= args.interval <= 86400:
        raise InputError("--interval", "must be 10..86400 seconds")
    settings = get_settings()
    ctx = CityContext.load(settings)
    twin = ctx.twin
    end = dt.datetime.now(dt.UTC).replace(microsecond=0)
    start = end - dt.timedelta(minutes=args.minutes)
    batches = []
    if not args.no_traffic:
        obs = simulate_traffic(
            ctx, start=start, end=end, interval_s=args.interval, seed=args.seed, twin=twin
        )
        batches.append(as_batch(obs, kind="traffic"))
    if not args.no_complaints:
        dens = complaint_density(ctx, twin=twin)
        cs = simulate_complaints(
            ctx, start=start, end=end, rate_per_min=args.rate, seed=args.seed, density=dens
        )
        batches.append(as_batch(cs, kind="complaints"))
    with Store(resolve_store_path(args.store, settings)) as store:
        rep = ingest_batches(batches, store, ctx, now=end)
    _print_report(rep, as_json=args.json, extra={"source": "simulated"})
    return 0


def _cmd_stats(args: argparse.Namespace) -> int:
    from layers.traffic import feed_health

    settings = get_settings()
    with Store(resolve_store_path(args.store, settings), readonly=True) as store:
        st = store.stats()
        health = feed_health(store)
    st["feeds"] = health.to_dict("records")
    if args.json:
        print(json.dumps(st, ensure_ascii=False, indent=2, default=str))
        return 0
    print(f"store       {st['store']} (schema {st['schema_version']}, {st['journal_mode']})")
    for k, v in st["counts"].items():
        print(f"{k:<11} {v}")
    for title in (
        "complaints_by_source",
        "complaints_by_status",
        "traffic_by_source",
        "quarantine_by_reason",
    ):
        if st[title]:
            print(title.replace("_", " ") + ":")
            for k, v in sorted(st[title].items()):
                print(f"  {k:<22} {v}")
    for f in st["feeds"]:
        flag = "STALE" if f["stale"] else "ok"
        sim = " (SIMULATED)" if f["simulated"] else ""
        print(f"feed {f['kind']}:{f['source']}{sim}  last {f['last_updated_wib']}  {flag}")
    return 0
