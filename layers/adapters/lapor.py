"""SP4N-LAPOR!-style complaint export (JSON).

SP4N-LAPOR! (the national complaint system, lapor.go.id) has no public open-data API; city
administrators receive exports of the reports disposed to them. This adapter reads the shape
those exports take in this project (documented here, with a hand-written sample in
``tests/fixtures/layers/lapor_sample.json``)::

    {"status": "success",
     "data": [
       {"tracking_id": "5123456",
        "judul": "Jalan berlubang di Jl. Sisingamangaraja",
        "isi": "Lubang besar dekat simpang Amplas ...",
        "kategori": "Infrastruktur > Jalan Rusak",
        "status": "Proses",
        "instansi_tujuan": "Dinas SDABMBK Kota Medan",
        "tanggal_lapor": "2026-11-20 08:15:00",
        "tanggal_update": "2026-11-22T10:00:00+07:00",
        "lokasi": {"lat": 3.55, "lng": 98.70, "alamat": "Jl. Sisingamangaraja"},
        "lampiran": ["https://.../foto.jpg"]}]}

Times without an offset are WIB. Status words are LAPOR!'s (``Belum Terverifikasi``,
``Terverifikasi``, ``Proses``/``Ditindaklanjuti``, ``Selesai``, ``Ditolak``/``Diarsipkan``).
A bare JSON array of reports is accepted too.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

from layers.adapters._common import get, json_raw, make_complaint, payload_raw
from layers.records import WIB, Batch, Complaint, RecordError


def _to_complaint(obj: Any, *, source: str, tz: dt.tzinfo) -> Complaint:
    if not isinstance(obj, dict):
        raise RecordError("schema", f"report: expected an object, got {type(obj).__name__}")
    loc = get(obj, "lokasi", "location")
    if loc is None:
        loc = {}
    if not isinstance(loc, dict):
        raise RecordError("schema", "lokasi: expected an object with lat, lng, alamat")
    title = get(obj, "judul", "title")
    body = get(obj, "isi", "content", "deskripsi")
    if title is not None and not isinstance(title, str):
        raise RecordError("bad_type", "judul: expected text")
    if body is not None and not isinstance(body, str):
        raise RecordError("bad_type", "isi: expected text")
    description = "\n".join(p for p in (title, body) if p)
    media = get(obj, "lampiran", "attachments")
    if isinstance(media, list):
        if not all(isinstance(m, str) for m in media):
            raise RecordError("bad_type", "lampiran: expected a list of URLs")
        media = media[0] if media else None
    return make_complaint(
        source=source,
        source_id=get(obj, "tracking_id", "id"),
        category_raw=get(obj, "kategori", "category"),
        description=description,
        status_raw=get(obj, "status"),
        requested_at=get(obj, "tanggal_lapor", "created_at"),
        updated_at=get(obj, "tanggal_update", "updated_at"),
        lat=get(loc, "lat", "latitude"),
        lon=get(loc, "lng", "lon", "longitude"),
        opd=get(obj, "instansi_tujuan", "instansi"),
        address=get(loc, "alamat", "address"),
        media_url=media,
        tz=tz,
    )


def parse_reports(
    data: bytes | str,
    *,
    origin: str,
    source: str = "lapor",
    tz: dt.tzinfo = WIB,
    batch_size: int = 50_000,
) -> Iterator[Batch]:
    """Read an SP4N-LAPOR!-style JSON export.

    Parameters
    ----------
    data
        The payload.
    origin
        File path or URL, for error messages and the quarantine.
    source
        Value of the records' ``source``.
    tz
        Time zone of times given without an offset.
    batch_size
        Records per yielded batch.

    Yields
    ------
    Batch
        Candidate complaints and rejections.
    """
    batch = Batch("complaints", source, origin, serialize=json_raw)
    try:
        doc = json.loads(data)
        items = doc.get("data") if isinstance(doc, dict) else doc
        if not isinstance(items, list):
            raise ValueError('expected {"data": [...]} or a JSON array of reports')
    except (ValueError, RecursionError) as e:
        batch.reject(0, payload_raw(data), "bad_payload", f"not a LAPOR! JSON export ({e})")
        yield batch
        return
    for i, item in enumerate(items, start=1):
        try:
            batch.add(_to_complaint(item, source=source, tz=tz), i, item)
        except RecordError as e:
            batch.reject(i, item, e.reason, e.detail)
        if len(batch) >= batch_size:
            yield batch
            batch = Batch("complaints", source, origin, serialize=json_raw)
    yield batch
