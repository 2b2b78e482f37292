"""A real `twin feed ingest` process killed with SIGKILL mid-file, then run again."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

N_ROWS = 120_000


def _write(path: Path) -> tuple[int, int]:
    """A large CSV: every 20th row malformed; returns (valid, malformed)."""
    bad = 0
    with open(path, "w", encoding="utf-8") as f:
        f.write("source_id,category,description,status,requested_at,lat,lon\n")
        for i in range(N_ROWS):
            lat = 3.56 + (i % 500) * 0.0001
            lon = 98.65 + (i % 300) * 0.0001
            if i % 20 == 19:
                bad += 1
                f.write(f"K{i},sampah,rusak,open,2026-11-01T08:00:00+07:00,x{lat},{lon}\n")
            else:
                f.write(
                    f"K{i},sampah,<b>baris {i}</b>,open,2026-11-01T08:00:00+07:00,"
                    f"{lat:.6f},{lon:.6f}\n"
                )
    return N_ROWS - bad, bad


def _count(store: Path, table: str) -> int:
    if not store.exists():
        return 0
    try:
        con = sqlite3.connect(f"file:{store}?mode=ro", uri=True, timeout=5)
        try:
            return int(con.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
        finally:
            con.close()
    except sqlite3.OperationalError:
        return 0  # schema not created yet


def _ingest_cmd(src: Path, store: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "apps.cli",
        "feed",
        "ingest",
        "--kind",
        "complaints",
        "--format",
        "csv",
        str(src),
        "--store",
        str(store),
        "--batch-size",
        "2000",
        "--json",
    ]


@pytest.mark.slow
def test_sigkill_mid_ingest_then_rerun_loses_and_duplicates_nothing(
    tmp_path: Path, data_dir: Path
) -> None:
    src = tmp_path / "big.csv"
    valid, bad = _write(src)
    store = tmp_path / "feeds.sqlite"
    env = os.environ | {"TWIN_DATA_DIR": str(data_dir), "TWIN_HOME": str(tmp_path / "home")}
    env.pop("TWIN_STORE", None)
    proc = subprocess.Popen(_ingest_cmd(src, store), env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    seen = 0
    while time.monotonic() < deadline and proc.poll() is None:
        seen = _count(store, "complaints")
        if seen >= 10_000:
            break
        time.sleep(0.02)
    assert proc.poll() is None, "the ingest finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    partial = _count(store, "complaints")
    assert 10_000 <= partial < valid, "killed mid-file"

    done = subprocess.run(
        _ingest_cmd(src, store), env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    con = sqlite3.connect(store)
    n, distinct = con.execute(
        "SELECT COUNT(*), COUNT(DISTINCT source_id) FROM complaints"
    ).fetchone()
    assert n == distinct == valid
    ids = {r[0] for r in con.execute("SELECT source_id FROM complaints")}
    assert ids == {f"K{i}" for i in range(N_ROWS) if i % 20 != 19}
    q, qd = con.execute("SELECT COUNT(*), COUNT(DISTINCT origin) FROM quarantine").fetchone()
    assert q == qd == bad
    con.close()
    assert '"duplicates": ' + str(partial) in done.stdout
