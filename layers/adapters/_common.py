"""Helpers shared by the adapters: building canonical records from loose fields."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterable, Iterator
from typing import Any

from layers.categories import normalize_category, route_opd
from layers.records import (
    VEHICLE_CLASSES,
    Batch,
    Complaint,
    RecordError,
    TrafficObservation,
    normalize_status,
    parse_float,
    parse_time,
    text,
)
from layers.sites import normalize_site_id

#: Largest payload kept whole in the quarantine when a file cannot be parsed at all.
MAX_RAW_PAYLOAD = 10 * 1024 * 1024


class RawText(str):
    """Text already in its raw form (a whole payload): serializers keep it as is."""

    __slots__ = ()


def json_raw(raw: object) -> str:
    """A JSON item back as compact text, non-ASCII kept."""
    if isinstance(raw, RawText):
        return str(raw)
    return json.dumps(raw, ensure_ascii=False, default=str)


class LineTap:
    """Wraps a text stream for :func:`csv.reader` and keeps the raw lines of each row.

    The quarantine keeps a rejected CSV record exactly as it was written (quotes, spacing,
    even a line the CSV parser could not read), not as re-serialized fields.
    """

    def __init__(self, stream: Iterable[str]) -> None:
        self._it = iter(stream)
        self._buf: list[str] = []

    def __iter__(self) -> LineTap:
        return self

    def __next__(self) -> str:
        line = next(self._it)
        self._buf.append(line)
        return line

    def take(self) -> str:
        """The raw text read since the last call, without its final line break."""
        raw = "".join(self._buf)
        self._buf.clear()
        return raw.rstrip("\r\n")


#: Largest CSV field read (the csv module's default, 128 KiB, would cut long complaints).
CSV_FIELD_LIMIT = 16 * 1024 * 1024


def csv_rows(
    reader: Any,  # a csv.reader: an iterator of rows with a ``line_num``
    tap: LineTap,
    batch: Batch,
) -> Iterator[tuple[int, str, list[str]]]:
    """``(line number, raw text, fields)`` of every readable CSV row.

    A line the csv module cannot read is quarantined in ``batch`` with its raw text and the
    reading goes on, so one bad line never stops a file.
    """
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except (csv.Error, UnicodeDecodeError) as e:
            batch.reject(reader.line_num, tap.take(), "bad_csv", f"unreadable CSV line ({e})")
            continue
        yield reader.line_num, tap.take(), row


def allow_long_csv_fields() -> None:
    """Raise the csv module's field size limit to :data:`CSV_FIELD_LIMIT` (never lower it)."""
    if csv.field_size_limit() < CSV_FIELD_LIMIT:
        csv.field_size_limit(CSV_FIELD_LIMIT)


def text_raw(raw: object) -> str:
    """A raw item that is already text (a CSV line)."""
    return raw if isinstance(raw, str) else repr(raw)


def payload_raw(data: bytes | str) -> str:
    """A whole unparseable payload as text (cut at :data:`MAX_RAW_PAYLOAD`)."""
    if isinstance(data, bytes):
        data = data[:MAX_RAW_PAYLOAD].decode("utf-8", errors="backslashreplace")
    return RawText(data[:MAX_RAW_PAYLOAD])


def make_complaint(
    *,
    source: str,
    source_id: object,
    category_raw: object,
    description: object,
    status_raw: object,
    requested_at: object,
    updated_at: object,
    lat: object,
    lon: object,
    opd: object = None,
    service_code: object = None,
    service_name: object = None,
    address: object = None,
    media_url: object = None,
    tz: dt.tzinfo,
) -> Complaint:
    """A :class:`Complaint` from loose fields, or :class:`RecordError` naming the bad field.

    The category is normalized from the raw category, else the service name, else the service
    code; an unknown one becomes ``"other"`` with the raw value kept. A missing status is
    ``open``; an unknown one is an error (its lifecycle would be a guess).
    """
    sid = text(source_id, field_name="source_id", required=True, limit=200).strip()
    code = text(service_code, field_name="service_code", limit=200)
    name = text(service_name, field_name="service_name", limit=500)
    cat_raw = text(category_raw, field_name="category", limit=500) or name or code
    st_raw = text(status_raw, field_name="status", limit=100)
    status = normalize_status(st_raw) if st_raw.strip() else "open"
    if status is None:
        raise RecordError("unknown_status", f"status: {st_raw!r} is not a known status")
    req = parse_time(requested_at, field_name="requested_at", tz=tz)
    upd = (
        parse_time(updated_at, field_name="updated_at", tz=tz)
        if updated_at not in (None, "")
        else req
    )
    la = parse_float(lat, field_name="lat")
    lo = parse_float(lon, field_name="lon")
    assert la is not None
    assert lo is not None
    category = normalize_category(cat_raw) if cat_raw else "other"
    agency = text(opd, field_name="opd", limit=300) or route_opd(category)
    return Complaint(
        source=source,
        source_id=sid,
        category=category,
        category_raw=cat_raw,
        description=text(description, field_name="description"),
        status=status,
        status_raw=st_raw,
        requested_at=req,
        updated_at=upd,
        lat=la,
        lon=lo,
        opd=agency,
        service_code=code,
        service_name=name,
        address=text(address, field_name="address", limit=1000),
        media_url=text(media_url, field_name="media_url", limit=2000),
    )


def make_observation(
    *,
    source: str,
    site_id: object,
    interval_start: object,
    interval_s: object,
    approach: object,
    vehicle_class: object,
    count: object,
    speed_kmh: object = None,
    occupancy: object = None,
    quality: object = None,
    source_id: object = None,
    updated_at: object = None,
    tz: dt.tzinfo,
) -> TrafficObservation:
    """A :class:`TrafficObservation` from loose fields, or :class:`RecordError`."""
    site = normalize_site_id(site_id)
    if site is None:
        raise RecordError("bad_site_id", f"site_id: {site_id!r} is not an ATCS site id")
    cls = text(vehicle_class, field_name="vehicle_class", required=True, limit=20).strip()
    cls = {"sm": "SM", "kr": "KR", "kb": "KB", "total": "total", "all": "total"}.get(
        cls.lower(), cls
    )
    if cls not in VEHICLE_CLASSES:
        raise RecordError(
            "bad_vehicle_class", f"vehicle_class: {cls!r} (expected one of {VEHICLE_CLASSES})"
        )
    secs = parse_float(interval_s, field_name="interval_s")
    assert secs is not None
    if secs != int(secs):
        raise RecordError("bad_number", f"interval_s: {secs} is not whole seconds")
    n = parse_float(count, field_name="count")
    assert n is not None
    return TrafficObservation(
        source=source,
        site_id=site,
        interval_start=parse_time(interval_start, field_name="interval_start", tz=tz),
        interval_s=int(secs),
        approach=text(approach, field_name="approach", limit=50).strip() or "all",
        vehicle_class=cls,
        count=n,
        speed_kmh=parse_float(speed_kmh, field_name="speed_kmh", required=False),
        occupancy=parse_float(occupancy, field_name="occupancy", required=False),
        quality=text(quality, field_name="quality", limit=50).strip() or "ok",
        source_id=text(source_id, field_name="source_id", limit=200).strip(),
        updated_at=(
            parse_time(updated_at, field_name="updated_at", tz=tz)
            if updated_at not in (None, "")
            else None
        ),
    )


def get(obj: dict[str, Any], *names: str) -> Any:
    """The first of ``names`` present in ``obj`` (``None`` if none is)."""
    for n in names:
        if n in obj:
            return obj[n]
    return None
