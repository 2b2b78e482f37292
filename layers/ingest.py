"""Ingest: read a file or payload, validate it against the city, write it to the store.

Each batch is validated and written in its own transaction, so a large file streams through
in flat memory, and a process killed mid-file keeps every batch it committed; running it
again inserts the rest and ignores what is already there.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from layers.adapters import ColumnMapping, read_file, read_payload
from layers.context import CityContext
from layers.records import Batch
from layers.store import Store
from layers.validate import validate_complaints, validate_observations


@dataclass
class IngestReport:
    """Counts of one ingest run.

    Attributes
    ----------
    accepted
        New records written.
    duplicates
        Valid records already in the store (same source, id and update time).
    rejected
        Records quarantined.
    reasons
        Rejections counted by reason code.
    files
        Inputs read.
    """

    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    files: list[str] = field(default_factory=list)

    def add(self, other: IngestReport) -> None:
        """Add another report's counts to this one."""
        self.accepted += other.accepted
        self.duplicates += other.duplicates
        self.rejected += other.rejected
        self.reasons.update(other.reasons)
        self.files.extend(other.files)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for ``--json``."""
        return {
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "reasons": dict(sorted(self.reasons.items())),
            "files": list(self.files),
        }


def ingest_batches(
    batches: Iterable[Batch],
    store: Store,
    ctx: CityContext,
    *,
    now: dt.datetime | None = None,
) -> IngestReport:
    """Validate and write batches; returns the counts.

    Parameters
    ----------
    batches
        From :func:`layers.adapters.read_file`, :func:`~layers.adapters.read_payload` or
        :mod:`layers.simulate`.
    store
        An open writable store.
    ctx
        The city.
    now
        The current time for "not in the future" (default: the clock).
    """
    rep = IngestReport()
    for batch in batches:
        if batch.kind == "complaints":
            validate_complaints(batch, ctx, now=now)
        else:
            validate_observations(batch, ctx, now=now)
        new, dup, rej = store.write_batch(batch)
        rep.accepted += new
        rep.duplicates += dup
        rep.rejected += len(batch.rejected)
        rep.reasons.update(r.reason for r in batch.rejected)
        del rej
    return rep


def ingest_file(
    path: str | Path,
    store: Store,
    ctx: CityContext,
    *,
    kind: str,
    fmt: str,
    source: str | None = None,
    mapping: ColumnMapping | None = None,
    services: dict[str, str] | None = None,
    batch_size: int = 20_000,
    now: dt.datetime | None = None,
) -> IngestReport:
    """Ingest one file (see :func:`layers.adapters.read_file` for ``kind``/``fmt``).

    Examples
    --------
    >>> import os, pathlib, tempfile
    >>> from layers.context import CityContext
    >>> data = pathlib.Path(os.environ.get("TWIN_DATA_DIR", "../shared/data"))
    >>> ctx = CityContext.from_admin_dir(data / "medan/admin")
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (tmp / "c.csv").write_text(
    ...     "source_id,category,description,status,requested_at,lat,lon\\n"
    ...     "A1,sampah,<b>bau</b>,open,2026-11-01T08:00:00+07:00,3.59,98.67\\n"
    ...     "A2,sampah,jauh,open,2026-11-01T08:00:00+07:00,-6.2,106.8\\n")
    >>> with Store(tmp / "s.sqlite") as s:
    ...     r = ingest_file(tmp / "c.csv", s, ctx, kind="complaints", fmt="csv")
    >>> r.accepted, r.rejected, dict(r.reasons)
    (1, 1, {'outside_city': 1})
    """
    started = dt.datetime.now(dt.UTC)
    batches = read_file(
        path,
        kind=kind,
        fmt=fmt,
        source=source,
        tz=ctx.timezone,
        mapping=mapping,
        services=services,
        batch_size=batch_size,
    )
    rep = ingest_batches(batches, store, ctx, now=now)
    rep.files.append(str(path))
    store.log_ingest(
        kind=kind,
        fmt=fmt,
        origin=str(path),
        started=started,
        accepted=rep.accepted,
        duplicates=rep.duplicates,
        rejected=rep.rejected,
    )
    return rep


def ingest_payload(
    data: bytes | str,
    store: Store,
    ctx: CityContext,
    *,
    kind: str,
    fmt: str,
    origin: str,
    source: str | None = None,
    mapping: ColumnMapping | None = None,
    now: dt.datetime | None = None,
) -> IngestReport:
    """Ingest one payload already in memory (the poller's HTTP bodies)."""
    started = dt.datetime.now(dt.UTC)
    batches: Iterator[Batch] = read_payload(
        data, kind=kind, fmt=fmt, origin=origin, source=source, tz=ctx.timezone, mapping=mapping
    )
    rep = ingest_batches(batches, store, ctx, now=now)
    rep.files.append(origin)
    store.log_ingest(
        kind=kind,
        fmt=fmt,
        origin=origin,
        started=started,
        accepted=rep.accepted,
        duplicates=rep.duplicates,
        rejected=rep.rejected,
    )
    return rep
