"""ATCS counts per site, as CSV or JSON.

The ATCS of Dishub Kota Medan counts vehicles per camera site. This project reads counts in
two shapes (hand-written samples in ``tests/fixtures/layers/``):

CSV, one row per site, interval, approach and class::

    site_id,interval_start,interval_s,approach,vehicle_class,count,speed_kmh,occupancy,quality
    ATCS-1,2026-11-27T07:00:00+07:00,300,U,SM,412,21.5,,ok

``interval_min`` may replace ``interval_s``; ``source_id`` and ``updated_at`` are optional.

JSON, either a list (or ``{"observations": [...]}``) of such flat objects, or per-site
objects holding their counts::

    {"site_id": "ATCS-1", "interval_start": "2026-11-27T07:00:00+07:00", "interval_s": 300,
     "counts": [{"approach": "U", "class": "SM", "count": 412, "speed_kmh": 21.5}]}

Vehicle classes are SM (sepeda motor), KR (kendaraan ringan), KB (kendaraan berat) and
``total``. Times without an offset are WIB.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterator
from typing import Any, TextIO

from layers.adapters._common import (
    LineTap,
    allow_long_csv_fields,
    csv_rows,
    get,
    json_raw,
    make_observation,
    payload_raw,
    text_raw,
)
from layers.records import WIB, Batch, RecordError, TrafficObservation
from twin.errors import InputError

_CSV_REQUIRED = ("site_id", "interval_start", "vehicle_class", "count")


def _interval(obj: dict[str, Any]) -> object:
    secs = get(obj, "interval_s")
    if secs not in (None, ""):
        return secs
    mins = get(obj, "interval_min", "interval_minutes")
    if mins in (None, ""):
        raise RecordError("missing_field", "interval_s: missing (or interval_min)")
    if isinstance(mins, bool) or not isinstance(mins, int | float | str):
        raise RecordError("bad_number", f"interval_min: {mins!r} is not a number")
    try:
        return float(str(mins).replace(",", ".")) * 60
    except ValueError:
        raise RecordError("bad_number", f"interval_min: {mins!r} is not a number") from None


def _flat(obj: dict[str, Any], *, source: str, tz: dt.tzinfo) -> TrafficObservation:
    return make_observation(
        source=source,
        site_id=get(obj, "site_id", "site"),
        interval_start=get(obj, "interval_start", "start"),
        interval_s=_interval(obj),
        approach=get(obj, "approach", "lane"),
        vehicle_class=get(obj, "vehicle_class", "class"),
        count=get(obj, "count", "volume"),
        speed_kmh=get(obj, "speed_kmh", "speed"),
        occupancy=get(obj, "occupancy"),
        quality=get(obj, "quality"),
        source_id=get(obj, "source_id"),
        updated_at=get(obj, "updated_at"),
        tz=tz,
    )


def parse_atcs_csv(
    stream: TextIO,
    *,
    origin: str,
    source: str = "atcs",
    tz: dt.tzinfo = WIB,
    batch_size: int = 50_000,
) -> Iterator[Batch]:
    """Read ATCS counts from a CSV stream with a header (see the module doc).

    Raises
    ------
    twin.errors.InputError
        When a required column is missing from the header.
    """
    allow_long_csv_fields()
    tap = LineTap(stream)
    reader = csv.reader(tap)
    try:
        header = [h.strip().lstrip("\ufeff") for h in next(reader)]
    except StopIteration:
        return
    except (csv.Error, UnicodeDecodeError) as e:
        raise InputError(origin, f"cannot read the CSV header ({e})", line=1) from None
    if missing := [c for c in _CSV_REQUIRED if c not in header]:
        raise InputError(origin, f"missing columns {missing} (header: {header})", line=1)
    if "interval_s" not in header and "interval_min" not in header:
        raise InputError(origin, "missing column interval_s (or interval_min)", line=1)
    tap.take()
    batch = Batch("traffic", source, origin, line_based=True, serialize=text_raw)
    for line, raw, row in csv_rows(reader, tap, batch):
        if not row:
            continue
        if len(row) != len(header):
            batch.reject(line, raw, "schema", f"{len(row)} fields, header has {len(header)}")
        else:
            try:
                batch.add(
                    _flat(dict(zip(header, row, strict=True)), source=source, tz=tz), line, raw
                )
            except RecordError as e:
                batch.reject(line, raw, e.reason, e.detail)
        if len(batch) >= batch_size:
            yield batch
            batch = Batch("traffic", source, origin, line_based=True, serialize=text_raw)
    yield batch


def parse_atcs_json(
    data: bytes | str,
    *,
    origin: str,
    source: str = "atcs",
    tz: dt.tzinfo = WIB,
    batch_size: int = 50_000,
) -> Iterator[Batch]:
    """Read ATCS counts from JSON: flat records or per-site objects with ``counts``.

    Positions in the quarantine count observations from 1 (a site object with three counts
    holds three positions).
    """
    batch = Batch("traffic", source, origin, serialize=json_raw)
    try:
        doc = json.loads(data)
        items = doc.get("observations", doc.get("sites")) if isinstance(doc, dict) else doc
        if isinstance(doc, dict) and items is None and "site_id" in doc:
            items = [doc]
        if not isinstance(items, list):
            raise ValueError("expected a JSON array of observations or site objects")
    except (ValueError, RecursionError) as e:
        batch.reject(0, payload_raw(data), "bad_payload", f"not an ATCS JSON payload ({e})")
        yield batch
        return
    n = 0
    for i, item in enumerate(items, start=1):
        counts = item.get("counts") if isinstance(item, dict) else None
        if isinstance(item, dict) and "counts" in item:
            if not isinstance(counts, list):
                n += 1
                batch.reject(n, item, "schema", f"item {i}: counts must be a list")
                continue
            head = {k: v for k, v in item.items() if k != "counts"}
            subs = [{**head, **c} if isinstance(c, dict) else c for c in counts]
        else:
            subs = [item]
        for sub in subs:
            n += 1
            try:
                if not isinstance(sub, dict):
                    raise RecordError("schema", f"expected an object, got {type(sub).__name__}")
                batch.add(_flat(sub, source=source, tz=tz), n, sub)
            except RecordError as e:
                batch.reject(n, sub, e.reason, e.detail)
        if len(batch) >= batch_size:
            yield batch
            batch = Batch("traffic", source, origin, serialize=json_raw)
    yield batch
