"""Complaints from any CSV, through a column mapping.

Spreadsheets exported by an OPD or by the Medan Rumah Kita back office name their columns
in their own way (``No Tiket``, ``Kategori``, ``Tgl Lapor``...). A :class:`ColumnMapping`
says which column holds each canonical field; it is read from a TOML file::

    [columns]
    source_id = "No Tiket"
    category = "Kategori"
    description = "Isi Laporan"
    status = "Status"
    requested_at = "Tgl Lapor"
    updated_at = "Tgl Update"
    lat = "Latitude"
    lon = "Longitude"

    [options]
    delimiter = ";"
    source = "mrk"

Without a mapping the columns must carry the canonical names themselves.
"""

from __future__ import annotations

import csv
import datetime as dt
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from layers.adapters._common import (
    LineTap,
    allow_long_csv_fields,
    csv_rows,
    make_complaint,
    text_raw,
)
from layers.records import WIB, Batch, RecordError
from twin.errors import ConfigError, InputError

#: Canonical fields a CSV can map; the first four (and lat/lon) are required.
FIELDS = (
    "source_id",
    "category",
    "description",
    "status",
    "requested_at",
    "updated_at",
    "lat",
    "lon",
    "opd",
    "address",
    "media_url",
    "service_code",
    "service_name",
)
REQUIRED = ("source_id", "requested_at", "lat", "lon")


@dataclass(frozen=True)
class ColumnMapping:
    """Which CSV column holds each canonical field, and how the file is written.

    Parameters
    ----------
    columns
        Canonical field name to CSV header (missing fields map to themselves).
    delimiter
        Field separator.
    source
        Value of the records' ``source``.
    """

    columns: dict[str, str] = field(default_factory=dict)
    delimiter: str = ","
    source: str = "csv"

    def header_for(self, name: str) -> str:
        """The CSV header that holds canonical field ``name``."""
        return self.columns.get(name, name)


def load_mapping(path: str | Path) -> ColumnMapping:
    """Read a :class:`ColumnMapping` from a TOML file (``[columns]``, ``[options]``)."""
    p = Path(path)
    try:
        raw = tomllib.loads(p.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise ConfigError(f"{p}: cannot read the column mapping ({e})") from None
    cols = raw.get("columns", {})
    opts = raw.get("options", {})
    if not isinstance(cols, dict) or not all(isinstance(v, str) for v in cols.values()):
        raise ConfigError(f"{p}: [columns] must map field names to CSV headers")
    if unknown := set(cols) - set(FIELDS):
        raise ConfigError(f"{p}: unknown fields in [columns]: {sorted(unknown)}")
    delim = opts.get("delimiter", ",")
    if not isinstance(delim, str) or len(delim) != 1:
        raise ConfigError(f"{p}: options.delimiter must be one character")
    return ColumnMapping(columns=dict(cols), delimiter=delim, source=str(opts.get("source", "csv")))


def parse_csv(
    stream: TextIO,
    *,
    origin: str,
    mapping: ColumnMapping | None = None,
    source: str | None = None,
    tz: dt.tzinfo = WIB,
    batch_size: int = 50_000,
) -> Iterator[Batch]:
    """Read complaints from a CSV text stream with a header row.

    Parameters
    ----------
    stream
        Open text stream (``newline=""``).
    origin
        File path or URL, for messages and the quarantine (positions are line numbers).
    mapping
        The column mapping (default: canonical names, comma-separated).
    source
        Records' ``source`` (default: the mapping's).
    tz
        Time zone of times without an offset.
    batch_size
        Records per yielded batch.

    Raises
    ------
    twin.errors.InputError
        When the header lacks a required column: no row of such a file can be read.
    """
    m = mapping or ColumnMapping()
    src = source or m.source
    allow_long_csv_fields()
    tap = LineTap(stream)
    reader = csv.reader(tap, delimiter=m.delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return
    except (csv.Error, UnicodeDecodeError) as e:
        raise InputError(origin, f"cannot read the CSV header ({e})", line=1) from None
    header = [h.strip().lstrip("\ufeff") for h in header]
    pos = {h: i for i, h in enumerate(header)}
    idx = {f: pos.get(m.header_for(f), -1) for f in FIELDS}
    if missing := [m.header_for(f) for f in REQUIRED if idx[f] < 0]:
        raise InputError(origin, f"missing columns {missing} (header: {header})", line=1)
    width = len(header)
    i_id, i_cat, i_desc, i_st = idx["source_id"], idx["category"], idx["description"], idx["status"]
    i_req, i_upd, i_lat, i_lon = idx["requested_at"], idx["updated_at"], idx["lat"], idx["lon"]
    i_opd, i_addr, i_media = idx["opd"], idx["address"], idx["media_url"]
    i_code, i_name = idx["service_code"], idx["service_name"]
    tap.take()
    batch = Batch("complaints", src, origin, line_based=True, serialize=text_raw)
    for line, raw, row in csv_rows(reader, tap, batch):
        if len(row) != width:
            if not row:
                continue
            batch.reject(line, raw, "schema", f"{len(row)} fields, header has {width}")
        else:
            try:
                rec = make_complaint(
                    source=src,
                    source_id=row[i_id],
                    category_raw=row[i_cat] if i_cat >= 0 else None,
                    description=row[i_desc] if i_desc >= 0 else None,
                    status_raw=row[i_st] if i_st >= 0 else None,
                    requested_at=row[i_req],
                    updated_at=row[i_upd] if i_upd >= 0 else None,
                    lat=row[i_lat],
                    lon=row[i_lon],
                    opd=row[i_opd] if i_opd >= 0 else None,
                    service_code=row[i_code] if i_code >= 0 else None,
                    service_name=row[i_name] if i_name >= 0 else None,
                    address=row[i_addr] if i_addr >= 0 else None,
                    media_url=row[i_media] if i_media >= 0 else None,
                    tz=tz,
                )
                batch.add(rec, line, raw)
            except RecordError as e:
                batch.reject(line, raw, e.reason, e.detail)
        if len(batch) >= batch_size:
            yield batch
            batch = Batch("complaints", src, origin, line_based=True, serialize=text_raw)
    yield batch
