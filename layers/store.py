"""The feed store: SQLite in WAL mode, one writer process and many readers at once.

Tables (schema version :data:`SCHEMA_VERSION`, kept in ``meta``):

``complaints``
    One row per *state* of a complaint, keyed on ``(source, source_id, updated_ts)``: a
    later update of the same complaint is a new row, so its lifecycle is kept; the current
    state is the row with the latest ``updated_ts`` (view ``complaints_latest``).
``traffic``
    One row per observation, keyed on ``(source, source_id, updated_ts)``.
``quarantine``
    Every rejected record whole (``raw``), with kind, source, origin (``file:line``),
    reason code and detail; unique on (kind, source, origin, reason, hash of raw).
``ingest_log``
    One row per ingested file or fetched payload, with its counts.
``feed_state``
    The poller's incremental cursor per feed.

Times are stored as Unix seconds UTC (``*_ts`` columns); :func:`wib` formats them in WIB for
display. Inserts are ``INSERT OR IGNORE`` in one transaction per batch, so re-ingesting a
file changes nothing, and a process killed mid-file loses at most its open transaction,
which the next run inserts again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import os
import sqlite3
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import pandas as pd

from layers.records import SIMULATED, WIB, Batch, Complaint, Rejected, TrafficObservation
from twin.errors import ConfigError
from twin.provenance import Provenance
from twin.settings import Settings

#: Version of the table layout below; a store of another version is refused, not guessed.
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS complaints (
    source TEXT NOT NULL,
    source_id TEXT NOT NULL,
    updated_ts INTEGER NOT NULL,
    requested_ts INTEGER NOT NULL,
    category TEXT NOT NULL,
    category_raw TEXT NOT NULL,
    service_code TEXT NOT NULL,
    service_name TEXT NOT NULL,
    description TEXT NOT NULL,
    status TEXT NOT NULL,
    status_raw TEXT NOT NULL,
    opd TEXT NOT NULL,
    lat REAL NOT NULL,
    lon REAL NOT NULL,
    address TEXT NOT NULL,
    media_url TEXT NOT NULL,
    h3 TEXT NOT NULL,
    kel_code TEXT NOT NULL,
    kec_code TEXT NOT NULL,
    ingested_ts INTEGER NOT NULL,
    PRIMARY KEY (source, source_id, updated_ts)
);
CREATE INDEX IF NOT EXISTS complaints_source_updated ON complaints (source, updated_ts);
CREATE VIEW IF NOT EXISTS complaints_latest AS
    SELECT * FROM complaints AS c
    WHERE c.updated_ts = (SELECT MAX(d.updated_ts) FROM complaints AS d
                          WHERE d.source = c.source AND d.source_id = c.source_id);
CREATE TABLE IF NOT EXISTS traffic (
    source TEXT NOT NULL,
    source_id TEXT NOT NULL,
    updated_ts INTEGER NOT NULL,
    site_id TEXT NOT NULL,
    interval_start_ts INTEGER NOT NULL,
    interval_s INTEGER NOT NULL,
    approach TEXT NOT NULL,
    vehicle_class TEXT NOT NULL,
    count REAL NOT NULL,
    speed_kmh REAL,
    occupancy REAL,
    quality TEXT NOT NULL,
    ingested_ts INTEGER NOT NULL,
    PRIMARY KEY (source, source_id, updated_ts)
);
CREATE INDEX IF NOT EXISTS traffic_site_time ON traffic (site_id, interval_start_ts);
CREATE INDEX IF NOT EXISTS traffic_time ON traffic (interval_start_ts);
CREATE INDEX IF NOT EXISTS traffic_source_updated ON traffic (source, updated_ts);
CREATE TABLE IF NOT EXISTS quarantine (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    source TEXT NOT NULL,
    origin TEXT NOT NULL,
    reason TEXT NOT NULL,
    detail TEXT NOT NULL,
    raw TEXT NOT NULL,
    raw_sha1 TEXT NOT NULL,
    ingested_ts INTEGER NOT NULL,
    UNIQUE (kind, source, origin, reason, raw_sha1)
);
CREATE TABLE IF NOT EXISTS ingest_log (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    format TEXT NOT NULL,
    origin TEXT NOT NULL,
    started_ts INTEGER NOT NULL,
    finished_ts INTEGER NOT NULL,
    accepted INTEGER NOT NULL,
    duplicates INTEGER NOT NULL,
    rejected INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS feed_state (
    feed TEXT PRIMARY KEY, cursor TEXT NOT NULL, updated_ts INTEGER NOT NULL
);
"""


def wib(ts: int | float | None) -> str:
    """A stored time (Unix seconds UTC) as ``YYYY-MM-DD HH:MM WIB`` for display.

    Examples
    --------
    >>> wib(0)
    '1970-01-01 07:00 WIB'
    """
    if ts is None:
        return ""
    return dt.datetime.fromtimestamp(ts, WIB).strftime("%Y-%m-%d %H:%M WIB")


def resolve_store_path(path: str | Path | None, settings: Settings) -> Path:
    """``--store PATH`` if given, else ``TWIN_STORE``, else the file beside the twin."""
    return Path(path).expanduser().resolve() if path else settings.store_path()


def _safe(s: str) -> str:
    # Lone surrogates (bytes that were not UTF-8) cannot be stored as TEXT: keep them visible.
    if s.isascii():
        return s
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return s.encode("utf-8", "backslashreplace").decode("utf-8")
    return s


def _ts(t: dt.datetime) -> int:
    return int(t.timestamp())


class Store:
    """A connection to the feed store.

    Parameters
    ----------
    path
        The SQLite file (created with its folder when opened for writing).
    readonly
        Open for reading only (the app, stats); any number of readers may run alongside
        the writer.
    lock_timeout
        Seconds to wait for another writer process to finish before giving up.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "s.sqlite"
    >>> with Store(p) as s:
    ...     s.counts()["complaints"]
    0
    """

    def __init__(
        self, path: str | Path, *, readonly: bool = False, lock_timeout: float = 30.0
    ) -> None:
        self.path = Path(path)
        self.readonly = readonly
        self._lock_fd: int | None = None
        if readonly:
            if not self.path.is_file():
                raise ConfigError(f"{self.path}: no feed store here yet (ingest something first)")
            self.conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=30)
        else:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise ConfigError(f"{self.path}: cannot create the store folder ({e})") from None
            self._lock(lock_timeout)
            self.conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            self.conn.execute("PRAGMA journal_mode=WAL")
            # NORMAL is durable across process crashes in WAL mode (only a power cut can
            # lose the last transactions), and much faster than FULL.
            self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA busy_timeout=30000")
        self._init_schema()

    def _lock(self, timeout: float) -> None:
        lock_path = self.path.with_name(self.path.name + ".writer.lock")
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise ConfigError(
                        f"{self.path}: another process is writing to this store"
                    ) from None
                time.sleep(0.1)
        self._lock_fd = fd

    def _init_schema(self) -> None:
        if self.readonly:
            row = self.conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        else:
            self.conn.executescript("BEGIN IMMEDIATE;" + _SCHEMA + "COMMIT;")
            self.conn.execute(
                "INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
            )
            row = self.conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        if row is None or int(row[0]) != SCHEMA_VERSION:
            found = row[0] if row else "none"
            raise ConfigError(
                f"{self.path}: store schema version {found}, this program needs {SCHEMA_VERSION}"
            )

    def close(self) -> None:
        """Close the connection and release the writer lock."""
        self.conn.close()
        if self._lock_fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            os.close(self._lock_fd)
            self._lock_fd = None

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- writing --------------------------------------------------------------------------

    def write_batch(self, batch: Batch, *, now: dt.datetime | None = None) -> tuple[int, int, int]:
        """Insert a validated batch in one transaction.

        Returns
        -------
        tuple of int
            ``(accepted, duplicates, rejected)``: new records, records already stored
            (same source, id and update time), and rejections of the batch.
        """
        ingested = _ts(now or dt.datetime.now(dt.UTC))
        if batch.kind == "complaints":
            sql = "INSERT OR IGNORE INTO complaints VALUES (" + ",".join("?" * 20) + ")"
            rows: list[tuple[Any, ...]] = [_complaint_row(r, ingested) for r in batch.records]
        else:
            sql = "INSERT OR IGNORE INTO traffic VALUES (" + ",".join("?" * 13) + ")"
            rows = [_traffic_row(r, ingested) for r in batch.records]
        qrows = [_quarantine_row(r, ingested) for r in batch.rejected]
        cur = self.conn.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            new = 0
            if rows:
                cur.executemany(sql, rows)
                new = cur.rowcount
            if qrows:
                cur.executemany(
                    "INSERT OR IGNORE INTO quarantine "
                    "(kind, source, origin, reason, detail, raw, raw_sha1, ingested_ts) "
                    "VALUES (?,?,?,?,?,?,?,?)",
                    qrows,
                )
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        return new, len(rows) - new, len(qrows)

    def log_ingest(
        self,
        *,
        kind: str,
        fmt: str,
        origin: str,
        started: dt.datetime,
        accepted: int,
        duplicates: int,
        rejected: int,
    ) -> None:
        """Record one ingested file or payload in ``ingest_log``."""
        self.conn.execute(
            "INSERT INTO ingest_log (kind, format, origin, started_ts, finished_ts, accepted,"
            " duplicates, rejected) VALUES (?,?,?,?,?,?,?,?)",
            (
                kind,
                fmt,
                _safe(origin),
                _ts(started),
                int(time.time()),
                accepted,
                duplicates,
                rejected,
            ),
        )

    def get_cursor(self, feed: str) -> str | None:
        """The poller's last cursor for ``feed`` (an ISO time), if any."""
        row = self.conn.execute("SELECT cursor FROM feed_state WHERE feed=?", (feed,)).fetchone()
        return str(row[0]) if row else None

    def set_cursor(self, feed: str, cursor: str) -> None:
        """Remember the poller's cursor for ``feed``."""
        self.conn.execute(
            "INSERT INTO feed_state VALUES (?,?,?) ON CONFLICT(feed) DO UPDATE SET "
            "cursor=excluded.cursor, updated_ts=excluded.updated_ts",
            (feed, cursor, int(time.time())),
        )

    # -- reading --------------------------------------------------------------------------

    def query(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> pd.DataFrame:
        """Run a read query and return a DataFrame."""
        cur = self.conn.execute(sql, params)
        cols = [d[0] for d in cur.description]
        return pd.DataFrame(cur.fetchall(), columns=cols)

    def counts(self) -> dict[str, int]:
        """Row counts of the data tables."""
        out = {}
        for t in ("complaints", "traffic", "quarantine", "ingest_log"):
            out[t] = int(self.conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0])
        return out

    def complaints(
        self,
        *,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        latest: bool = True,
    ) -> pd.DataFrame:
        """Complaints as a DataFrame (store columns), the current state of each by default.

        Parameters
        ----------
        since, until
            Keep complaints *requested* in ``[since, until)``.
        latest
            One row per complaint (its latest state) rather than every state.
        """
        where: list[str] = []
        params: list[Any] = []
        if since is not None:
            where.append("requested_ts >= ?")
            params.append(_ts(since))
        if until is not None:
            where.append("requested_ts < ?")
            params.append(_ts(until))
        sql = "SELECT * FROM complaints"
        if where:
            sql += " WHERE " + " AND ".join(where)
        df = self.query(sql, tuple(params))
        if latest and not df.empty:
            df = df.sort_values("updated_ts").drop_duplicates(["source", "source_id"], keep="last")
        return df.reset_index(drop=True)

    def traffic(
        self,
        *,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        site_id: str | None = None,
    ) -> pd.DataFrame:
        """Traffic observations with ``interval_start`` in ``[since, until)``."""
        where: list[str] = []
        params: list[Any] = []
        if since is not None:
            where.append("interval_start_ts >= ?")
            params.append(_ts(since))
        if until is not None:
            where.append("interval_start_ts < ?")
            params.append(_ts(until))
        if site_id is not None:
            where.append("site_id = ?")
            params.append(site_id)
        sql = "SELECT * FROM traffic"
        if where:
            sql += " WHERE " + " AND ".join(where)
        return self.query(sql, tuple(params))

    def quarantine(self, *, limit: int | None = None) -> pd.DataFrame:
        """Quarantined records, newest first."""
        sql = "SELECT * FROM quarantine ORDER BY id DESC"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return self.query(sql)

    def stats(self) -> dict[str, Any]:
        """Counts for ``twin feed stats``: per table, per source, per status and reason."""
        q = self.conn.execute
        return {
            "store": str(self.path),
            "schema_version": SCHEMA_VERSION,
            "journal_mode": q("PRAGMA journal_mode").fetchone()[0],
            "counts": self.counts(),
            "complaints_by_source": dict(
                q("SELECT source, COUNT(*) FROM complaints GROUP BY source").fetchall()
            ),
            "complaints_by_status": dict(
                q(
                    "SELECT status, COUNT(*) FROM (SELECT status FROM complaints_latest) "
                    "GROUP BY status"
                ).fetchall()
            ),
            "traffic_by_source": dict(
                q("SELECT source, COUNT(*) FROM traffic GROUP BY source").fetchall()
            ),
            "quarantine_by_reason": dict(
                q("SELECT reason, COUNT(*) FROM quarantine GROUP BY reason").fetchall()
            ),
            "last_updated": {
                f"{k}:{s}": wib(t)
                for k, s, t in q(
                    "SELECT 'complaints', source, MAX(updated_ts) FROM complaints GROUP BY source "
                    "UNION ALL SELECT 'traffic', source, MAX(updated_ts) FROM traffic "
                    "GROUP BY source"
                ).fetchall()
            },
        }


def feed_provenance(store: Store) -> list[Provenance]:
    """Provenance of every feed in the store, one per (kind, source), for legends and exports.

    Simulated feeds are marked ``synthetic`` with the simulator named; other feeds carry
    their source name and the licence "as published by the source" (the store cannot know
    more; the poller configuration names the publisher).
    """
    rows = store.conn.execute(
        "SELECT 'complaints', source, MAX(ingested_ts) FROM complaints GROUP BY source "
        "UNION ALL SELECT 'traffic', source, MAX(ingested_ts) FROM traffic GROUP BY source"
    ).fetchall()
    out = []
    for kind, source, ts in rows:
        sim = source == SIMULATED
        out.append(
            Provenance(
                layer=kind,
                source=(
                    "layers.simulate (documented time-of-day profile / category mix)"
                    if sim
                    else f"feed '{source}' ingested into {store.path.name}"
                ),
                licence="project-generated (simulated)" if sim else "as published by the source",
                attribution="SIMULATED data, not observed" if sim else f"Source: {source}",
                synthetic=sim,
                created_at=dt.datetime.fromtimestamp(int(ts), dt.UTC).isoformat(),
                notes="Every record of this layer is simulated." if sim else "",
            )
        )
    return out


def _complaint_row(r: Complaint, ingested: int) -> tuple[Any, ...]:
    return (
        r.source,
        r.source_id,
        _ts(r.updated_at),
        _ts(r.requested_at),
        r.category,
        r.category_raw,
        r.service_code,
        r.service_name,
        r.description,
        r.status,
        r.status_raw,
        r.opd,
        r.lat,
        r.lon,
        r.address,
        r.media_url,
        r.h3,
        r.kel_code,
        r.kec_code,
        ingested,
    )


def _traffic_row(r: TrafficObservation, ingested: int) -> tuple[Any, ...]:
    return (
        r.source,
        r.key_id,
        _ts(r.updated),
        r.site_id,
        _ts(r.interval_start),
        r.interval_s,
        r.approach,
        r.vehicle_class,
        r.count,
        r.speed_kmh,
        r.occupancy,
        r.quality,
        ingested,
    )


def _quarantine_row(r: Rejected, ingested: int) -> tuple[Any, ...]:
    raw = _safe(r.raw)
    sha = hashlib.sha1(raw.encode("utf-8"), usedforsecurity=False).hexdigest()
    return (r.kind, r.source, _safe(r.origin), r.reason, _safe(r.detail), raw, sha, ingested)
