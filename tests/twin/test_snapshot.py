"""Snapshots: atomic writes, reuse, force, load, latest, damaged folders."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pandas as pd
import pytest

from twin.build import build_twin
from twin.errors import ConfigError, InputError
from twin.model import Twin
from twin.settings import Settings
from twin.snapshot import (
    MANIFEST,
    TABLES,
    latest_snapshot,
    list_snapshots,
    load_snapshot,
    read_manifest,
    snapshot_hash,
    write_snapshot,
)
from twin.testing import assert_twin_valid


def test_tiny_snapshot_is_valid(tiny_twin: Twin, tiny_snapshot: Path) -> None:
    assert_twin_valid(tiny_twin)
    assert tiny_snapshot.parent.name == "medan"
    assert tiny_snapshot.name == tiny_twin.snapshot_id
    assert tiny_twin.snapshot_id.startswith("medan-")
    assert len(tiny_twin.snapshot_id) == 18
    assert sorted(p.name for p in tiny_snapshot.iterdir()) == sorted(
        [MANIFEST] + [f"{t}.parquet" for t in TABLES]
    )
    # nodes and edges are indexed by their ids (unnamed, so merges on the columns work)
    assert tiny_twin.nodes.loc[20, "ref"] == "ATCS-1"
    assert tiny_twin.edges.index.tolist() == tiny_twin.edges["edge_id"].tolist()
    merged = tiny_twin.edges.merge(
        tiny_twin.nodes[["node_id", "kel_code"]], left_on="u", right_on="node_id"
    )
    assert len(merged) == len(tiny_twin.edges)


def test_manifest_contents(tiny_snapshot: Path, tiny_osm: Path) -> None:
    m = read_manifest(tiny_snapshot)
    assert m["snapshot_id"] == tiny_snapshot.name
    assert m["inputs"]["roads"]["mode"] == "file"
    assert m["inputs"]["roads"]["path"] == str(tiny_osm.resolve())
    assert len(m["inputs"]["roads"]["sha256"]) == 64
    assert set(m["inputs"]["boundaries"]) >= {"mode", "kota", "kecamatan", "kelurahan"}
    assert {"osmnx", "geopandas", "h3", "shapely", "python"} <= set(m["packages"])
    assert m["counts"]["kelurahan"] == 4
    assert m["counts"]["nodes"] == 11
    layers = {p["layer"]: p for p in m["provenance"]}
    assert set(layers) == {"roads", "kota", "kecamatan", "kelurahan", "h3", "atcs_sites"}
    roads = layers["roads"]
    assert roads["source"] == "user-supplied OSM extract (tiny.osm)"
    assert (roads["licence"], roads["attribution"]) == ("ODbL-1.0", "© OpenStreetMap contributors")
    assert roads["synthetic"] is False
    for p in m["provenance"]:
        assert p["created_at"] == m["created_at"]


def test_rebuild_reuses_unless_forced(
    tiny_snapshot: Path,
    offline_settings: Settings,
    tiny_osm: Path,
    tiny_admin: Path,
    tiny_atcs: Path,
) -> None:
    created = read_manifest(tiny_snapshot)["created_at"]
    lines: list[str] = []
    again = build_twin(
        osm_file=tiny_osm,
        boundaries=tiny_admin,
        atcs_file=tiny_atcs,
        settings=offline_settings,
        progress=lines.append,
    )
    assert again == tiny_snapshot
    assert read_manifest(again)["created_at"] == created
    assert any("reusing" in line for line in lines)
    time.sleep(1.1)  # created_at has one-second resolution
    forced = build_twin(
        osm_file=tiny_osm,
        boundaries=tiny_admin,
        atcs_file=tiny_atcs,
        settings=offline_settings,
        force=True,
    )
    assert forced == tiny_snapshot
    assert read_manifest(forced)["created_at"] != created
    assert [p.name for p in tiny_snapshot.parent.iterdir()] == [tiny_snapshot.name]


def test_other_inputs_give_another_snapshot(
    tiny_snapshot: Path, offline_settings: Settings, tiny_osm: Path, tiny_admin: Path
) -> None:
    without_atcs = build_twin(osm_file=tiny_osm, boundaries=tiny_admin, settings=offline_settings)
    assert without_atcs != tiny_snapshot
    assert len(list_snapshots(city="medan", settings=offline_settings)) == 2
    assert latest_snapshot(city="medan", settings=offline_settings) == without_atcs
    twin = load_snapshot(without_atcs)
    assert len(twin.atcs_sites) == 0
    assert "atcs_sites" not in {p.layer for p in twin.provenance}


def test_out_folder(
    offline_settings: Settings, tiny_osm: Path, tiny_admin: Path, tmp_path: Path
) -> None:
    path = build_twin(
        osm_file=tiny_osm,
        boundaries=tiny_admin,
        out=tmp_path / "elsewhere",
        settings=offline_settings,
    )
    assert path.parent == tmp_path / "elsewhere"
    assert list_snapshots(city="medan", settings=offline_settings) == []


def test_snapshot_hash_depends_on_everything() -> None:
    base = snapshot_hash(inputs={"roads": "a"}, settings={"res": 9})
    assert snapshot_hash(inputs={"roads": "a"}, settings={"res": 9}) == base
    assert snapshot_hash(inputs={"roads": "b"}, settings={"res": 9}) != base
    assert snapshot_hash(inputs={"roads": "a"}, settings={"res": 8}) != base


def test_failed_write_leaves_nothing(tmp_path: Path) -> None:
    tables = {name: pd.DataFrame({"a": [1]}) for name in TABLES}
    tables["edges"] = pd.DataFrame({"a": [object()]})  # pyarrow cannot store this
    dest = tmp_path / "medan" / "medan-000000000000"
    with pytest.raises(Exception):  # noqa: B017, PT011  (any writer error)
        write_snapshot(dest=dest, tables=tables, manifest={"snapshot_id": dest.name})
    assert not dest.exists()
    assert list(dest.parent.iterdir()) == []


def test_concurrent_writer_keeps_the_first(tiny_snapshot: Path, tmp_path: Path) -> None:
    twin = load_snapshot(tiny_snapshot)
    tables = {name: getattr(twin, name) for name in TABLES}
    dest = tmp_path / "s" / "medan-aaaaaaaaaaaa"
    write_snapshot(dest=dest, tables=tables, manifest={"n": 1})
    write_snapshot(dest=dest, tables=tables, manifest={"n": 2})
    assert read_manifest(dest) == {"n": 1}
    write_snapshot(dest=dest, tables=tables, manifest={"n": 3}, replace=True)
    assert read_manifest(dest) == {"n": 3}
    assert [p.name for p in dest.parent.iterdir()] == [dest.name]


def test_damaged_snapshots(tiny_snapshot: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a twin snapshot"):
        load_snapshot(tmp_path)
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / MANIFEST).write_text("{", encoding="utf-8")
    with pytest.raises(InputError, match="unreadable manifest"):
        load_snapshot(broken)
    (broken / MANIFEST).write_text(json.dumps({"city": "medan"}), encoding="utf-8")
    with pytest.raises(InputError, match=r"incomplete: nodes\.parquet is missing"):
        load_snapshot(broken)


def test_latest_without_any(offline_settings: Settings) -> None:
    with pytest.raises(ConfigError, match="run `twin build --city medan`"):
        latest_snapshot(city="medan", settings=offline_settings)


def test_stale_temporary_folders_are_cleaned(tiny_snapshot: Path, tmp_path: Path) -> None:
    import os

    twin = load_snapshot(tiny_snapshot)
    tables = {name: getattr(twin, name) for name in TABLES}
    root = tmp_path / "s"
    stale, fresh = root / ".tmp-medan-killed-1234", root / ".tmp-medan-running-5678"
    stale.mkdir(parents=True)
    fresh.mkdir()
    old = time.time() - 7200
    os.utime(stale, (old, old))
    write_snapshot(dest=root / "medan-bbbbbbbbbbbb", tables=tables, manifest={})
    assert not stale.exists()
    assert fresh.exists()


@pytest.mark.slow
def test_builds_are_reproducible_across_processes(
    tmp_path: Path, tiny_osm: Path, tiny_admin: Path, tiny_atcs: Path
) -> None:
    # osmnx merges tag values through sets, whose order follows PYTHONHASHSEED
    import os
    import subprocess
    import sys

    code = (
        "import sys; from twin.build import build_twin; "
        "print(build_twin(osm_file=sys.argv[1], boundaries=sys.argv[2], atcs_file=sys.argv[3]))"
    )
    paths = []
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed, TWIN_HOME=str(tmp_path / seed))
        env.pop("TWIN_DATA_DIR", None)
        out = subprocess.run(
            [sys.executable, "-c", code, str(tiny_osm), str(tiny_admin), str(tiny_atcs)],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        paths.append(Path(out.strip()))
    assert paths[0].name == paths[1].name
    for table in TABLES:
        a = pd.read_parquet(paths[0] / f"{table}.parquet")
        b = pd.read_parquet(paths[1] / f"{table}.parquet")
        pd.testing.assert_frame_equal(a, b, obj=table)
