"""Versioned snapshots: one GeoParquet file per table plus ``manifest.json``.

A snapshot lives at ``$TWIN_HOME/snapshots/<city>/<city>-<12 hex>/``; the hash covers the
inputs' SHA-256, the build settings and :data:`BUILD_VERSION`, so the same inputs give the
same folder and a build can reuse it. Writing goes to a temporary sibling folder that is
renamed into place only when complete, so a failed or interrupted build never leaves a half
snapshot where readers look.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from twin.errors import ConfigError, InputError
from twin.model import Twin
from twin.profile import load_profile
from twin.settings import Settings, get_settings

#: Bump when the build logic changes what a snapshot holds: old snapshots are then rebuilt.
BUILD_VERSION = "3"
MANIFEST = "manifest.json"
#: Tables of a snapshot; True for GeoParquet (with geometry), False for plain Parquet.
TABLES: Mapping[str, bool] = {
    "nodes": True,
    "edges": True,
    "kota": True,
    "kecamatan": True,
    "kelurahan": True,
    "h3_cells": False,
    "edge_cells": False,
    "atcs_sites": True,
}


def snapshot_hash(*, inputs: Mapping[str, Any], settings: Mapping[str, Any]) -> str:
    """12 hex digits over the input hashes, the build settings and :data:`BUILD_VERSION`.

    Examples
    --------
    >>> snapshot_hash(inputs={"roads": "ab"}, settings={"res": 9})
    '33acbc47658e'
    """
    blob = json.dumps(
        {"build_version": BUILD_VERSION, "inputs": inputs, "settings": settings},
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:12]


def city_root(*, city: str, settings: Settings | None = None) -> Path:
    """The folder holding a city's snapshots."""
    return (settings or get_settings()).snapshot_root / city


def is_snapshot(path: str | Path) -> bool:
    """True when ``path`` is a complete snapshot folder."""
    return (Path(path) / MANIFEST).is_file()


def write_snapshot(
    *,
    dest: str | Path,
    tables: Mapping[str, pd.DataFrame],
    manifest: Mapping[str, Any],
    replace: bool = False,
) -> Path:
    """Write the tables and manifest to ``dest`` atomically.

    Parameters
    ----------
    dest
        The final snapshot folder.
    tables
        One frame per name of :data:`TABLES`.
    manifest
        JSON-serialisable manifest; written last.
    replace
        Replace an existing snapshot at ``dest`` (``--force``); otherwise an existing one
        (written meanwhile by a concurrent build) is kept and the new copy discarded.

    Returns
    -------
    pathlib.Path
        ``dest``.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale(dest.parent)
    tmp = dest.parent / f".tmp-{dest.name}-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        for name, is_geo in TABLES.items():
            frame = tables[name]
            target = tmp / f"{name}.parquet"
            if is_geo:
                gpd.GeoDataFrame(frame).to_parquet(target, index=False)
            else:
                pd.DataFrame(frame).to_parquet(target, index=False)
        (tmp / MANIFEST).write_text(
            json.dumps(manifest, indent=2, ensure_ascii=False, default=str) + "\n",
            encoding="utf-8",
        )
        if dest.exists() and replace:
            old = dest.parent / f".old-{dest.name}-{uuid.uuid4().hex[:8]}"
            os.rename(dest, old)
            os.rename(tmp, dest)
            shutil.rmtree(old, ignore_errors=True)
        elif dest.exists():
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            os.rename(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return dest


def _remove_stale(folder: Path, *, older_than_s: float = 3600.0) -> None:
    """Remove temporary folders that a killed build left behind.

    Fresh ones stay: they may be another build's work in progress.
    """
    now = time.time()
    for p in list(folder.glob(".tmp-*")) + list(folder.glob(".old-*")):
        try:
            if now - p.stat().st_mtime > older_than_s:
                shutil.rmtree(p, ignore_errors=True)
        except OSError:
            continue


def read_manifest(path: str | Path) -> dict[str, Any]:
    """The parsed ``manifest.json`` of a snapshot folder.

    Raises
    ------
    InputError
        ``path`` is not a snapshot folder or its manifest is unreadable.
    """
    file = Path(path) / MANIFEST
    if not file.is_file():
        raise InputError(path, "not a twin snapshot (no manifest.json)")
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise InputError(file, f"unreadable manifest ({e})") from None
    if not isinstance(data, dict):
        raise InputError(file, "manifest is not a JSON object")
    return data


def load_snapshot(path: str | Path) -> Twin:
    """Load a snapshot folder into a :class:`~twin.model.Twin`.

    ``nodes`` is indexed by node id and ``edges`` by edge id (unnamed indexes, so the
    ``node_id``/``edge_id`` columns stay unambiguous in merges).

    Raises
    ------
    InputError
        Not a snapshot, or a table is missing or unreadable.
    """
    path = Path(path)
    manifest = read_manifest(path)
    frames: dict[str, Any] = {}
    for name, is_geo in TABLES.items():
        file = path / f"{name}.parquet"
        if not file.is_file():
            raise InputError(path, f"snapshot is incomplete: {name}.parquet is missing")
        try:
            frames[name] = gpd.read_parquet(file) if is_geo else pd.read_parquet(file)
        except Exception as e:  # pyarrow raises several types for damaged files
            raise InputError(file, f"unreadable table ({type(e).__name__}: {e})") from None
    frames["nodes"].index = pd.Index(frames["nodes"]["node_id"].to_numpy())
    frames["edges"].index = pd.Index(frames["edges"]["edge_id"].to_numpy())
    city = str(manifest.get("city", "medan"))
    try:
        profile = load_profile(city)
    except ConfigError:
        profile = load_profile(str(manifest.get("profile_path", city)))
    return Twin(
        snapshot_id=str(manifest.get("snapshot_id", path.name)),
        path=path,
        profile=profile,
        manifest=manifest,
        **frames,
    )


def list_snapshots(*, city: str = "medan", settings: Settings | None = None) -> list[Path]:
    """A city's complete snapshots, oldest first (by manifest ``created_at``)."""
    root = city_root(city=city, settings=settings)
    if not root.is_dir():
        return []
    found = []
    for p in root.glob(f"{city}-*"):
        if is_snapshot(p):
            try:
                created = str(read_manifest(p).get("created_at", ""))
            except InputError:
                continue
            found.append((created, p.stat().st_mtime, p))
    return [p for *_, p in sorted(found)]


def latest_snapshot(*, city: str = "medan", settings: Settings | None = None) -> Path:
    """The most recently built snapshot of a city.

    Raises
    ------
    ConfigError
        No snapshot has been built yet.
    """
    snaps = list_snapshots(city=city, settings=settings)
    if not snaps:
        root = city_root(city=city, settings=settings)
        raise ConfigError(f"no snapshot of {city} under {root}: run `twin build --city {city}`")
    return snaps[-1]


__all__ = [
    "BUILD_VERSION",
    "MANIFEST",
    "TABLES",
    "city_root",
    "is_snapshot",
    "latest_snapshot",
    "list_snapshots",
    "load_snapshot",
    "read_manifest",
    "snapshot_hash",
    "write_snapshot",
]
