"""``twin build`` and ``twin info``: the twin package's sub-commands of the ``twin`` CLI."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from twin.settings import get_settings

__all__ = ["info_dict", "register"]


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``build`` and ``info`` to the ``twin`` command."""
    default_city = get_settings().city
    p = subparsers.add_parser(
        "build",
        help="build (or reuse) the city's twin snapshot",
        description="Build the road graph, admin boundaries, H3 index and ATCS join into a "
        "versioned snapshot. Inputs: the files given here, else TWIN_DATA_DIR + the city "
        "profile, else an OpenStreetMap download.",
    )
    p.add_argument("--city", default=default_city, help="city profile (default: %(default)s)")
    p.add_argument("--osm-file", type=Path, help="OSM XML extract (.osm or .osm.bz2)")
    p.add_argument("--boundaries", type=Path, help="folder of kota/kecamatan/kelurahan GeoJSON")
    p.add_argument("--atcs-file", type=Path, help="ATCS camera site CSV")
    p.add_argument(
        "--out", type=Path, help="folder to hold the snapshot (default: $TWIN_HOME/snapshots/CITY)"
    )
    p.add_argument("--force", action="store_true", help="rebuild even if the inputs are unchanged")
    p.set_defaults(func=_build)

    q = subparsers.add_parser("info", help="summary of the latest (or a given) snapshot")
    q.add_argument("--city", default=default_city, help="city profile (default: %(default)s)")
    q.add_argument("--snapshot", type=Path, help="a snapshot folder (default: the latest)")
    q.add_argument("--json", action="store_true", help="print JSON")
    q.set_defaults(func=_info)


def _progress(line: str) -> None:
    print(f"  {line}", file=sys.stderr, flush=True)


def _build(args: argparse.Namespace) -> int:
    from twin.build import build_twin
    from twin.snapshot import read_manifest

    print(f"twin build: {args.city}", file=sys.stderr)
    path = build_twin(
        city=args.city,
        osm_file=args.osm_file,
        boundaries=args.boundaries,
        atcs_file=args.atcs_file,
        out=args.out,
        force=args.force,
        progress=_progress,
    )
    _print_summary(info_dict(path, read_manifest(path)))
    return 0


def info_dict(path: Path, manifest: dict[str, Any]) -> dict[str, Any]:
    """The ``twin info --json`` document of a snapshot: its summary plus identity and checks."""
    summary = dict(manifest.get("summary", {}))
    roads_synth = any(
        p.get("synthetic") for p in summary.get("provenance", []) if p.get("layer") == "roads"
    )
    return {
        "snapshot_id": manifest.get("snapshot_id", path.name),
        "path": str(path),
        "city": manifest.get("city"),
        "created_at": manifest.get("created_at"),
        "build_seconds": manifest.get("build_seconds"),
        **summary,
        "roads_synthetic": roads_synth,
        "connectivity": manifest.get("connectivity", {}),
    }


def _info(args: argparse.Namespace) -> int:
    from twin.snapshot import latest_snapshot, read_manifest

    path = args.snapshot or latest_snapshot(city=args.city)
    data = info_dict(Path(path), read_manifest(path))
    if args.json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        _print_summary(data)
    return 0


def _print_summary(d: dict[str, Any]) -> None:
    warn = "  [SYNTHETIC road network: not real streets]" if d.get("roads_synthetic") else ""
    print(f"snapshot  {d['snapshot_id']}  ({d['path']}){warn}")
    print(f"built     {d.get('created_at')} in {d.get('build_seconds')} s")
    print(
        f"graph     {d['nodes']} nodes, {d['edges']} edges, {d.get('length_km')} km, "
        f"strongly connected share {d['strongly_connected_share']:.4f}"
    )
    by_class = ", ".join(f"{k} {v}" for k, v in d["length_km_by_class"].items())
    print(f"km/class  {by_class}")
    print(
        f"admin     {d['kecamatan']} kecamatan, {d['kelurahan']} kelurahan, {d.get('area_km2')} km²"
    )
    print("h3        " + ", ".join(f"res {r}: {n} cells" for r, n in d["h3"].items()))
    print(f"atcs      {d['atcs_sites_matched']} of {d.get('atcs_sites')} sites matched")
    for p in d["provenance"]:
        label = "SYNTHETIC" if p["synthetic"] else "real"
        print(f"  {p['layer']:<11} {label:<9} {p['source']}  [{p['licence']}]")
