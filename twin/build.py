"""Build a city's twin from its inputs into a versioned snapshot: ``twin build`` in code.

Input precedence, per input: files given explicitly > ``TWIN_DATA_DIR`` + the city profile >
online download (:mod:`twin.online`). Steps: boundaries, roads (parse, drive filter,
simplify, largest SCC), admin assignment, H3 index, ATCS join, snapshot. The snapshot id
hashes the inputs and settings, so building again from the same inputs returns the existing
snapshot unless ``force``.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import platform
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import pandas as pd
import shapely

from twin import atcs, h3index, road_defaults, roads
from twin import boundaries as admin
from twin.errors import InputError
from twin.model import EDGE_COLUMNS, NODE_COLUMNS, OUTSIDE
from twin.profile import CityProfile, load_profile
from twin.provenance import OSM_ATTRIBUTION, Provenance, sha256_file, utc_now_iso
from twin.settings import Settings, get_settings
from twin.snapshot import BUILD_VERSION, is_snapshot, snapshot_hash, write_snapshot

#: A progress callback receives one human-readable line per step.
ProgressFn = Callable[[str], None]

_PACKAGES = (
    "medan-twin",
    "osmnx",
    "networkx",
    "geopandas",
    "shapely",
    "pyproj",
    "h3",
    "pandas",
    "numpy",
    "pyarrow",
    "pyogrio",
)


def _quiet(_: str) -> None:
    pass


@dataclass
class Inputs:
    """The resolved inputs of a build and where each came from."""

    osm_file: Path | None
    roads_mode: str  # "file", "data_dir" or "online"
    boundary_files: dict[str, Path] | None
    boundaries_mode: str
    atcs_file: Path | None
    atcs_mode: str  # "file", "data_dir" or "none"
    online_graph: nx.MultiDiGraph | None = None
    hashes: dict[str, Any] = field(default_factory=dict)


def resolve_inputs(
    *,
    profile: CityProfile,
    settings: Settings,
    osm_file: str | Path | None = None,
    boundaries_dir: str | Path | None = None,
    atcs_file: str | Path | None = None,
) -> Inputs:
    """Pick each input by precedence: explicit file > data folder + profile > online.

    Raises
    ------
    InputError
        An explicitly given file or folder does not exist.
    """
    data = settings.data_dir
    spec_roads = profile.inputs.get("roads")
    spec_bnd = profile.inputs.get("boundaries")
    spec_atcs = profile.inputs.get("atcs")
    osm: Path | None
    if osm_file is not None:
        osm = Path(osm_file).expanduser().resolve()
        if not osm.is_file():
            raise InputError(osm, "OSM file not found")
        roads_mode = "file"
    elif data is not None and spec_roads is not None and (data / spec_roads.path).is_file():
        osm, roads_mode = data / spec_roads.path, "data_dir"
    else:
        osm, roads_mode = None, "online"
    files: dict[str, Path] | None
    if boundaries_dir is not None:
        files = admin.boundary_files(Path(boundaries_dir).expanduser().resolve(), profile=profile)
        bnd_mode = "file"
    elif data is not None and spec_bnd is not None and (data / spec_bnd.path).is_dir():
        files, bnd_mode = admin.boundary_files(data / spec_bnd.path, profile=profile), "data_dir"
    else:
        files, bnd_mode = None, "online"
    site_file: Path | None
    if atcs_file is not None:
        site_file, atcs_mode = Path(atcs_file).expanduser().resolve(), "file"
        if not site_file.is_file():
            raise InputError(site_file, "ATCS site file not found")
    elif data is not None and spec_atcs is not None and (data / spec_atcs.path).is_file():
        site_file, atcs_mode = data / spec_atcs.path, "data_dir"
    else:
        site_file, atcs_mode = None, "none"
    return Inputs(osm, roads_mode, files, bnd_mode, site_file, atcs_mode)


def build_settings(profile: CityProfile) -> dict[str, Any]:
    """Everything besides the inputs that changes a snapshot's content (hashed into its id)."""
    defaults = json.dumps(
        {
            k: [v.rank, v.lanes_per_direction, v.speed_kmh, v.capacity_pcu_h_per_lane]
            for k, v in road_defaults.ROAD_CLASSES.items()
        }
        | {
            "pcu": dict(road_defaults.PCU_FACTORS),
            "mix": [road_defaults.MEDAN_MIX.mean_pcu(), road_defaults.TOLL_MIX.mean_pcu()],
        },
        sort_keys=True,
    )
    return {
        "city": profile.slug,
        "profile_sha256": sha256_file(profile.path),
        "crs": profile.crs,
        "h3_resolutions": list(profile.h3_resolutions),
        "split_step_m": h3index.SPLIT_STEP_M,
        "gap_tolerance_m": admin.GAP_TOLERANCE_M,
        "keep_node_tags": list(roads.KEEP_NODE_TAGS),
        "road_defaults_sha256": hashlib.sha256(defaults.encode()).hexdigest(),
    }


def _graph_digest(G: nx.MultiDiGraph) -> str:
    h = hashlib.sha256()
    for n, d in sorted(G.nodes(data=True), key=lambda t: t[0]):
        h.update(f"{n},{d.get('x')},{d.get('y')};".encode())
    for u, v, k, d in sorted(G.edges(keys=True, data=True), key=lambda t: t[:3]):
        h.update(f"{u},{v},{k},{d.get('osmid')},{d.get('highway')};".encode())
    return h.hexdigest()


def _file_entry(path: Path) -> dict[str, Any]:
    return {"path": str(path), "sha256": sha256_file(path), "bytes": path.stat().st_size}


def _roads_provenance(inputs: Inputs, profile: CityProfile, created: str) -> Provenance:
    spec = profile.inputs.get("roads")
    sha = inputs.hashes.get("roads", {}).get("sha256")
    if inputs.roads_mode == "data_dir" and spec is not None:
        return spec.provenance("roads", created_at=created, sha256=sha)
    if inputs.roads_mode == "file":
        assert inputs.osm_file is not None
        source = f"user-supplied OSM extract ({inputs.osm_file.name})"
        if roads.is_synthetic_osm(inputs.osm_file):
            return Provenance(
                "roads",
                source,
                "synthetic (no OSM licence applies)",
                "Synthetic road network; NOT OpenStreetMap data",
                True,
                created,
                sha,
                f"the file labels itself '{roads.SYNTHETIC_MARKER}': invented street geometry",
            )
        return Provenance("roads", source, "ODbL-1.0", OSM_ATTRIBUTION, False, created, sha)
    return Provenance(
        "roads",
        f"{profile.online.get('place', profile.name)}: OpenStreetMap drive network via osmnx",
        "ODbL-1.0",
        OSM_ATTRIBUTION,
        False,
        created,
        sha,
    )


def _boundary_provenance(inputs: Inputs, profile: CityProfile, created: str) -> list[Provenance]:
    spec = profile.inputs.get("boundaries")
    out = []
    for tier in admin.TIERS:
        sha = inputs.hashes.get("boundaries", {}).get(tier, {}).get("sha256")
        if inputs.boundaries_mode == "data_dir" and spec is not None:
            p = spec.provenance(tier, created_at=created, sha256=sha)
        elif inputs.boundaries_mode == "file":
            where = inputs.boundary_files or {}
            src = where.get(tier, where.get("kelurahan"))
            note = "" if tier in where else "dissolved from the tier below"
            p = Provenance(
                tier,
                f"user-supplied boundaries ({src})",
                "as supplied (not stated)",
                "",
                False,
                created,
                sha,
                note,
            )
        else:
            p = Provenance(
                tier,
                "OpenStreetMap admin boundaries via osmnx",
                "ODbL-1.0",
                OSM_ATTRIBUTION,
                False,
                created,
                sha,
            )
        out.append(p)
    return out


def _provenance(inputs: Inputs, profile: CityProfile, created: str) -> list[Provenance]:
    """Provenance of every layer of the snapshot, all stamped with the same time."""
    roads_p = _roads_provenance(inputs, profile, created)
    layers = [roads_p, *_boundary_provenance(inputs, profile, created)]
    layers.append(
        Provenance(
            "h3",
            "H3 index (h3-py) of the boundaries and roads of this snapshot",
            "derived (Apache-2.0 library)",
            "",
            # the cell sets come from real boundaries, but edge_cells from the road layer
            roads_p.synthetic,
            created,
            notes="cells from the boundaries; edge lengths per cell from the road layer",
        )
    )
    if inputs.atcs_file is None:
        return layers
    spec = profile.inputs.get("atcs")
    note = "real camera positions" + (
        "; joined to a SYNTHETIC road graph" if roads_p.synthetic else ""
    )
    sha = inputs.hashes["atcs"]["sha256"]
    if inputs.atcs_mode == "data_dir" and spec is not None:
        site = Provenance(
            "atcs_sites", spec.source, spec.licence, spec.attribution, False, created, sha, note
        )
    else:
        site = Provenance(
            "atcs_sites",
            f"user-supplied ATCS site list ({inputs.atcs_file.name})",
            "as supplied (not stated)",
            "",
            False,
            created,
            sha,
            note,
        )
    layers.append(site)
    return layers


def _package_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return out


def summarize(
    *,
    nodes: pd.DataFrame,
    edges: pd.DataFrame,
    bnd: admin.Boundaries,
    h3_cells: pd.DataFrame,
    sites: pd.DataFrame,
    report: roads.ConnectivityReport,
    provenance: list[Provenance],
) -> dict[str, Any]:
    """The figures ``twin info`` prints (stored in the manifest as ``summary``)."""
    by_class = (edges.groupby("highway")["length_m"].sum() / 1000.0).round(1)
    order = sorted(by_class.index, key=lambda h: -road_defaults.road_class(h).rank)
    return {
        "nodes": len(nodes),
        "edges": len(edges),
        "length_km": round(float(edges["length_m"].sum()) / 1000.0, 1),
        "length_km_by_class": {h: float(by_class[h]) for h in order},
        "kecamatan": len(bnd.kecamatan),
        "kelurahan": len(bnd.kelurahan),
        "area_km2": round(float(bnd.kota["area_km2"].sum()), 3),
        "strongly_connected_share": report.strongly_connected_share,
        "h3": {
            str(r): int(n)
            for r, n in h3_cells.groupby("res").size().sort_index(ascending=False).items()
        },
        "atcs_sites": len(sites),
        "atcs_sites_matched": atcs.matched_count(sites) if len(sites) else 0,
        "edges_outside_city": int((edges["kel_code"] == OUTSIDE).sum()),
        "provenance": [
            {"layer": p.layer, "source": p.source, "licence": p.licence, "synthetic": p.synthetic}
            for p in provenance
        ],
    }


def build_twin(
    *,
    city: str = "medan",
    osm_file: str | Path | None = None,
    boundaries: str | Path | None = None,
    atcs_file: str | Path | None = None,
    out: str | Path | None = None,
    force: bool = False,
    progress: ProgressFn | None = None,
    settings: Settings | None = None,
) -> Path:
    """Build (or reuse) the snapshot of a city and return its folder.

    Parameters
    ----------
    city
        City profile slug (``data/cities/<city>.toml``) or path to a profile TOML.
    osm_file
        OSM XML extract (``.osm``/``.osm.bz2``); default: the data folder, then online.
    boundaries
        Folder of kota/kecamatan/kelurahan GeoJSON; default: the data folder, then online.
    atcs_file
        ATCS site CSV; default: the data folder (none online).
    out
        Folder to hold the snapshot folder; default ``$TWIN_HOME/snapshots/<city>``.
    force
        Rebuild even when a snapshot of the same inputs and settings exists.
    progress
        Called with one line per step.
    settings
        Paths (default: :func:`twin.settings.get_settings`, from the environment).

    Returns
    -------
    pathlib.Path
        ``<out>/<city>-<12 hex>``.

    Raises
    ------
    twin.errors.InputError
        A missing, corrupt or wrong-place input; nothing is written then.
    """
    say = progress or _quiet
    t0 = time.perf_counter()
    settings = settings or get_settings()
    profile = load_profile(city)
    inputs = resolve_inputs(
        profile=profile,
        settings=settings,
        osm_file=osm_file,
        boundaries_dir=boundaries,
        atcs_file=atcs_file,
    )
    root = Path(out).expanduser().resolve() if out else settings.snapshot_root / profile.slug
    say(
        f"inputs: roads from {inputs.roads_mode} ({inputs.osm_file or 'OpenStreetMap'}), "
        f"boundaries from {inputs.boundaries_mode}, ATCS {inputs.atcs_file or 'none'}"
    )

    online_dir: tempfile.TemporaryDirectory[str] | None = None
    try:
        if inputs.boundary_files is None:
            from twin import online

            online.use_cache(settings.cache_dir / "osmnx")
            online_dir = tempfile.TemporaryDirectory(prefix="twin-online-")
            say("boundaries: downloading admin levels from OpenStreetMap")
            inputs.boundary_files = online.download_boundaries(
                profile=profile, dest=online_dir.name
            )
        say("boundaries: reading and validating")
        bnd = admin.load_boundaries(files=inputs.boundary_files, profile=profile)
        city_poly = bnd.city_polygon()
        say(
            f"boundaries: {len(bnd.kecamatan)} kecamatan, {len(bnd.kelurahan)} kelurahan, "
            f"{bnd.kota['area_km2'].sum():.1f} km²"
        )

        inputs.hashes["boundaries"] = {t: _file_entry(p) for t, p in inputs.boundary_files.items()}
        if inputs.osm_file is not None:
            inputs.hashes["roads"] = _file_entry(inputs.osm_file)
        else:
            from twin import online

            online.use_cache(settings.cache_dir / "osmnx")
            say("roads: downloading the drive network from OpenStreetMap")
            inputs.online_graph = online.download_roads(polygon=city_poly, profile=profile)
            inputs.hashes["roads"] = {"online": True, "sha256": _graph_digest(inputs.online_graph)}
        if inputs.atcs_file is not None:
            inputs.hashes["atcs"] = _file_entry(inputs.atcs_file)
        hashes = {
            "roads": inputs.hashes["roads"]["sha256"],
            "boundaries": {t: e["sha256"] for t, e in inputs.hashes["boundaries"].items()},
            "atcs": inputs.hashes.get("atcs", {}).get("sha256"),
        }
        bsettings = build_settings(profile)
        sid = f"{profile.slug}-{snapshot_hash(inputs=hashes, settings=bsettings)}"
        dest = root / sid
        if is_snapshot(dest) and not force:
            say(f"snapshot: {sid} already built from the same inputs; reusing {dest}")
            return dest

        source: str | Path = inputs.osm_file or "OpenStreetMap download"
        if inputs.osm_file is not None:
            say(f"roads: parsing {inputs.osm_file.name} with osmnx")
            raw = roads.read_osm_graph(inputs.osm_file)
        else:
            assert inputs.online_graph is not None
            raw = inputs.online_graph
        roads.check_place(raw, city=city_poly, path=source, city_name=profile.name)
        say(
            f"roads: {raw.number_of_nodes()} OSM nodes, {raw.number_of_edges()} edges; "
            "drive filter, simplify, largest strongly connected component"
        )
        G, report = roads.prepare_graph(raw, source=source, copy=False)
        del raw
        say(
            f"roads: kept {report.nodes_kept} nodes / {report.edges_kept} edges "
            f"({report.strongly_connected_share:.2%} of nodes); dropped {report.nodes_dropped} "
            f"nodes, {report.edges_dropped} edges, {report.length_km_dropped} km "
            f"in {report.components - 1} smaller components"
        )
        net = roads.road_tables(G, crs=profile.crs, report=report)
        nodes, edges = net.nodes, net.edges

        say("admin: assigning nodes and edges to kelurahan/kecamatan")
        nodes["kel_code"], nodes["kec_code"] = admin.locate_points(
            nodes.geometry, boundaries=bnd, crs=profile.crs
        )
        mids = gpd.GeoSeries(
            shapely.line_interpolate_point(edges.geometry.to_numpy(), 0.5, normalized=True),
            crs="EPSG:4326",
        )
        edges["kel_code"], edges["kec_code"] = admin.locate_points(
            mids, boundaries=bnd, crs=profile.crs
        )

        res = profile.h3_resolution
        say(f"h3: city cells at resolutions {profile.h3_resolutions}, splitting edge lengths")
        nodes["h3"] = h3index.cells_for_points(nodes["lon"], nodes["lat"], res=res)
        h3_cells = h3index.city_cell_table(
            city=city_poly,
            kelurahan=bnd.kelurahan,
            resolutions=profile.h3_resolutions,
            crs=profile.crs,
        )
        edge_cells = h3index.split_edges(edges.geometry, edges["edge_id"], res=res, crs=profile.crs)

        if inputs.atcs_file is not None:
            say(f"atcs: joining {inputs.atcs_file.name} to the graph")
            sites = atcs.join_sites(
                atcs.read_atcs_csv(inputs.atcs_file),
                nodes=nodes,
                edges=edges,
                boundaries=bnd,
                crs=profile.crs,
                res=res,
            )
        else:
            say("atcs: no ATCS site list for this city")
            sites = atcs.empty_sites()

        created = utc_now_iso()
        provenance = _provenance(inputs, profile, created)
        nodes = nodes[list(NODE_COLUMNS)]
        edges = edges[list(EDGE_COLUMNS)]
        summary = summarize(
            nodes=nodes,
            edges=edges,
            bnd=bnd,
            h3_cells=h3_cells,
            sites=sites,
            report=report,
            provenance=provenance,
        )
        manifest = {
            "snapshot_id": sid,
            "city": profile.slug,
            "city_name": profile.name,
            "profile_path": str(profile.path),
            "build_version": BUILD_VERSION,
            "created_at": created,
            "build_seconds": round(time.perf_counter() - t0, 2),
            "crs": profile.crs,
            "storage_crs": "EPSG:4326",
            "inputs": {
                "roads": {"mode": inputs.roads_mode, **inputs.hashes["roads"]},
                "boundaries": {"mode": inputs.boundaries_mode, **inputs.hashes["boundaries"]},
                "atcs": inputs.hashes.get("atcs"),
            },
            "settings": bsettings,
            "provenance": [p.to_dict() for p in provenance],
            "packages": _package_versions(),
            "connectivity": report.to_dict(),
            "counts": {
                "nodes": len(nodes),
                "edges": len(edges),
                "kota": len(bnd.kota),
                "kecamatan": len(bnd.kecamatan),
                "kelurahan": len(bnd.kelurahan),
                "h3_cells": len(h3_cells),
                "edge_cells": len(edge_cells),
                "atcs_sites": len(sites),
            },
            "summary": summary,
        }
        say(f"snapshot: writing {sid}")
        path = write_snapshot(
            dest=dest,
            tables={
                "nodes": nodes,
                "edges": edges,
                "kota": bnd.kota,
                "kecamatan": bnd.kecamatan,
                "kelurahan": bnd.kelurahan,
                "h3_cells": h3_cells,
                "edge_cells": edge_cells,
                "atcs_sites": sites,
            },
            manifest=manifest,
            replace=force,
        )
        say(f"done in {time.perf_counter() - t0:.1f} s: {path}")
        return path
    finally:
        if online_dir is not None:
            online_dir.cleanup()


__all__ = ["Inputs", "ProgressFn", "build_settings", "build_twin", "resolve_inputs", "summarize"]
