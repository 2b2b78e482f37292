"""Adapters: each feed format read into canonical records (:mod:`layers.records`).

:func:`read_file` and :func:`read_payload` pick the adapter from ``kind`` and ``fmt``:

============  ==========  ===================================================
kind          fmt         reads
============  ==========  ===================================================
complaints    open311     GeoReport v2 requests, JSON or XML
complaints    lapor       SP4N-LAPOR!-style JSON export
complaints    csv         any CSV, through a :class:`ColumnMapping`
traffic       atcs        ATCS counts per site, CSV or JSON
traffic       pems        PeMS-style 5-minute detector CSV
traffic       datex2      DATEX II MeasuredDataPublication (XML)
============  ==========  ===================================================
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path

from layers.adapters.atcs import parse_atcs_csv, parse_atcs_json
from layers.adapters.csv_mapping import ColumnMapping, load_mapping, parse_csv
from layers.adapters.datex2 import parse_datex2
from layers.adapters.lapor import parse_reports
from layers.adapters.open311 import Service, parse_requests, parse_services, services_lookup
from layers.adapters.pems import parse_pems
from layers.records import WIB, Batch
from twin.errors import InputError

#: Formats accepted per kind.
FORMATS: dict[str, tuple[str, ...]] = {
    "complaints": ("open311", "lapor", "csv"),
    "traffic": ("atcs", "pems", "datex2"),
}

__all__ = [
    "FORMATS",
    "ColumnMapping",
    "Service",
    "load_mapping",
    "parse_atcs_csv",
    "parse_atcs_json",
    "parse_csv",
    "parse_datex2",
    "parse_pems",
    "parse_reports",
    "parse_requests",
    "parse_services",
    "read_file",
    "read_payload",
    "services_lookup",
]


def _check(kind: str, fmt: str) -> None:
    if kind not in FORMATS:
        raise InputError("--kind", f"unknown kind {kind!r} (expected complaints or traffic)")
    if fmt not in FORMATS[kind]:
        raise InputError("--format", f"{fmt!r} is not a {kind} format ({', '.join(FORMATS[kind])})")


def _looks_xml(data: bytes | str, origin: str) -> bool:
    if origin.lower().endswith(".xml"):
        return True
    if isinstance(data, bytes):
        return data[:200].lstrip().startswith(b"<")
    return data[:200].lstrip().startswith("<")


def _looks_json(data: bytes | str, origin: str) -> bool:
    if origin.lower().endswith(".json"):
        return True
    head = data[:200].lstrip()
    return head[:1] in ((b"[", b"{") if isinstance(head, bytes) else ("[", "{"))


def read_payload(
    data: bytes | str,
    *,
    kind: str,
    fmt: str,
    origin: str,
    source: str | None = None,
    tz: dt.tzinfo = WIB,
    mapping: ColumnMapping | None = None,
    services: dict[str, str] | None = None,
    batch_size: int = 50_000,
) -> Iterator[Batch]:
    """Parse one payload already in memory (a fetched HTTP body, a file's bytes).

    Parameters
    ----------
    data
        The payload.
    kind, fmt
        See the module table.
    origin
        File path or URL (named in errors and the quarantine).
    source
        Records' ``source`` (default: the format name; ``mrk`` for Medan Rumah Kita).
    tz
        Time zone of times without an offset.
    mapping
        Column mapping for ``fmt="csv"``.
    services
        Open311 service names by code (:func:`services_lookup`).
    batch_size
        Records per yielded batch.
    """
    _check(kind, fmt)
    src = source or (mapping.source if fmt == "csv" and mapping else fmt)
    if fmt == "open311":
        sub = "xml" if _looks_xml(data, origin) else "json"
        yield from parse_requests(
            data,
            origin=origin,
            fmt=sub,
            source=src,
            tz=tz,
            services=services,
            batch_size=batch_size,
        )
    elif fmt == "lapor":
        yield from parse_reports(data, origin=origin, source=src, tz=tz, batch_size=batch_size)
    elif fmt == "datex2":
        yield from parse_datex2(data, origin=origin, source=src, tz=tz, batch_size=batch_size)
    elif fmt == "atcs" and _looks_json(data, origin):
        yield from parse_atcs_json(data, origin=origin, source=src, tz=tz, batch_size=batch_size)
    else:
        text = data.decode("utf-8", errors="surrogateescape") if isinstance(data, bytes) else data
        stream = io.StringIO(text, newline="")
        if fmt == "csv":
            yield from parse_csv(
                stream, origin=origin, mapping=mapping, source=src, tz=tz, batch_size=batch_size
            )
        elif fmt == "atcs":
            yield from parse_atcs_csv(
                stream, origin=origin, source=src, tz=tz, batch_size=batch_size
            )
        else:
            yield from parse_pems(stream, origin=origin, source=src, tz=tz, batch_size=batch_size)


def read_file(
    path: str | Path,
    *,
    kind: str,
    fmt: str,
    source: str | None = None,
    tz: dt.tzinfo = WIB,
    mapping: ColumnMapping | None = None,
    services: dict[str, str] | None = None,
    batch_size: int = 50_000,
) -> Iterator[Batch]:
    """Parse a file, streaming the CSV formats (memory stays flat on large files).

    Raises
    ------
    twin.errors.InputError
        When the file cannot be opened, or a CSV header lacks a required column.
    """
    _check(kind, fmt)
    p = Path(path)
    if not p.is_file():
        raise InputError(p, "no such file")
    origin = str(p)
    src = source or (mapping.source if fmt == "csv" and mapping else fmt)
    streamed = fmt in ("csv", "pems") or (fmt == "atcs" and p.suffix.lower() != ".json")
    try:
        if streamed:
            with open(p, encoding="utf-8", errors="surrogateescape", newline="") as f:
                if fmt == "csv":
                    yield from parse_csv(
                        f,
                        origin=origin,
                        mapping=mapping,
                        source=src,
                        tz=tz,
                        batch_size=batch_size,
                    )
                elif fmt == "pems":
                    yield from parse_pems(
                        f, origin=origin, source=src, tz=tz, batch_size=batch_size
                    )
                else:
                    yield from parse_atcs_csv(
                        f, origin=origin, source=src, tz=tz, batch_size=batch_size
                    )
        else:
            yield from read_payload(
                p.read_bytes(),
                kind=kind,
                fmt=fmt,
                origin=origin,
                source=src,
                tz=tz,
                mapping=mapping,
                services=services,
                batch_size=batch_size,
            )
    except OSError as e:
        raise InputError(p, f"cannot read ({e.strerror or e})") from None
