"""The SQLite store: idempotent upserts, quarantine, UTC storage, WAL readers, schema version."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from layers.adapters import load_mapping
from layers.context import CityContext
from layers.ingest import ingest_file
from layers.store import SCHEMA_VERSION, Store, resolve_store_path, wib
from twin.errors import ConfigError
from twin.settings import get_settings


def test_reingest_changes_nothing(samples: Path, ctx: CityContext, store: Store) -> None:
    f = samples / "open311_requests.json"
    first = ingest_file(f, store, ctx, kind="complaints", fmt="open311")
    before = store.counts()
    again = ingest_file(f, store, ctx, kind="complaints", fmt="open311")
    after = store.counts()
    assert (first.accepted, first.duplicates, first.rejected) == (4, 0, 3)
    assert (again.accepted, again.duplicates, again.rejected) == (0, 4, 3)
    assert {k: after[k] for k in ("complaints", "quarantine")} == {
        k: before[k] for k in ("complaints", "quarantine")
    }
    assert after["ingest_log"] == 2


def test_an_update_is_a_new_state_and_latest_wins(
    tmp_path: Path, ctx: CityContext, store: Store
) -> None:
    head = "source_id,category,status,requested_at,updated_at,lat,lon\n"
    f = tmp_path / "a.csv"
    f.write_text(head + "K1,sampah,open,2026-11-01T08:00:00+07:00,,3.59,98.67\n")
    ingest_file(f, store, ctx, kind="complaints", fmt="csv")
    f.write_text(
        head + "K1,sampah,Selesai,2026-11-01T08:00:00+07:00,2026-11-02T09:00:00+07:00,3.59,98.67\n"
    )
    ingest_file(f, store, ctx, kind="complaints", fmt="csv")
    assert len(store.complaints(latest=False)) == 2
    latest = store.complaints()
    assert latest["status"].tolist() == ["resolved"]
    assert latest["status_raw"].tolist() == ["Selesai"]


def test_times_are_utc_in_storage_and_wib_for_display(
    samples: Path, ctx: CityContext, store: Store
) -> None:
    ingest_file(samples / "open311_requests.json", store, ctx, kind="complaints", fmt="open311")
    row = store.query("SELECT requested_ts FROM complaints WHERE source_id='MRK-2026-000101'")
    ts = int(row["requested_ts"][0])
    assert dt.datetime.fromtimestamp(ts, dt.UTC) == dt.datetime(2026, 11, 20, 1, 15, tzinfo=dt.UTC)
    assert wib(ts) == "2026-11-20 08:15 WIB"


def test_quarantine_keeps_the_record_whole(samples: Path, ctx: CityContext, store: Store) -> None:
    m = load_mapping(samples / "mrk_mapping.toml")
    ingest_file(samples / "complaints_mrk.csv", store, ctx, kind="complaints", fmt="csv", mapping=m)
    q = store.quarantine().set_index("reason")
    # Exactly as written in the file: semicolons, decimal commas, empty fields.
    assert (
        q.loc["bad_number", "raw"]
        == "T-0004;Sampah;Koordinat rusak;Baru;2026-11-26 17:45;;tiga;98,6760;;"
    )
    assert q.loc["bad_number", "origin"].endswith("complaints_mrk.csv:5")
    assert "lat" in q.loc["bad_number", "detail"]
    assert q.loc["schema", "raw"] == "T-0005;Sampah;Terlalu sedikit kolom"


def test_xss_description_stored_byte_for_byte(
    samples: Path, ctx: CityContext, store: Store
) -> None:
    ingest_file(samples / "open311_requests.json", store, ctx, kind="complaints", fmt="open311")
    d = store.query("SELECT description FROM complaints WHERE source_id='MRK-2026-000102'")
    assert d["description"][0] == "<img src=x onerror=alert(1)>"


def test_readers_see_committed_data_while_a_writer_holds_the_store(
    samples: Path, ctx: CityContext, tmp_path: Path
) -> None:
    path = tmp_path / "s.sqlite"
    with Store(path) as w:
        assert w.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        ingest_file(samples / "atcs_counts.csv", w, ctx, kind="traffic", fmt="atcs")
        # The writer keeps an open write transaction while two readers read.
        w.conn.execute("BEGIN IMMEDIATE")
        w.conn.execute("DELETE FROM traffic")
        with Store(path, readonly=True) as r1, Store(path, readonly=True) as r2:
            assert r1.counts()["traffic"] == r2.counts()["traffic"] == 5
            with pytest.raises(sqlite3.OperationalError):
                r1.conn.execute("DELETE FROM traffic")
        w.conn.execute("ROLLBACK")
        # A second writer process is refused rather than interleaved.
        with pytest.raises(ConfigError, match="another process is writing"):
            Store(path, lock_timeout=0.2)
    with Store(path) as again:  # the lock is released on close
        assert again.counts()["traffic"] == 5


def test_schema_version_mismatch_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    with Store(path) as s:
        s.conn.execute("UPDATE meta SET value='999' WHERE key='schema_version'")
    with pytest.raises(ConfigError, match=f"version 999, this program needs {SCHEMA_VERSION}"):
        Store(path)
    with pytest.raises(ConfigError, match="no feed store"):
        Store(tmp_path / "none.sqlite", readonly=True)


def test_store_location_setting(
    tmp_path: Path, twin_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert (
        resolve_store_path(None, get_settings()) == twin_home.resolve() / "store" / "medan.sqlite"
    )
    monkeypatch.setenv("TWIN_STORE", str(tmp_path / "env.sqlite"))
    assert resolve_store_path(None, get_settings()) == (tmp_path / "env.sqlite").resolve()
    assert (
        resolve_store_path(tmp_path / "cli.sqlite", get_settings())
        == (tmp_path / "cli.sqlite").resolve()
    )
