"""Open311 GeoReport v2: service requests and service lists, as JSON or XML.

Medan Rumah Kita style feeds publish GeoReport v2 (``GET /requests.json``). A request has
``service_request_id``, ``status`` (``open``/``closed``), ``service_code``,
``service_name``, ``description``, ``agency_responsible``, ``requested_datetime``,
``updated_datetime``, ``address``, ``lat``, ``long`` and ``media_url``. A ``closed``
request is ``resolved``, unless its ``status_notes`` say it was rejected (``ditolak``,
``rejected``, ``duplicate``, ``invalid``).

XML is parsed with the standard library parser, which does not fetch external entities; a
DOCTYPE is refused outright so no entity expansion can happen.
"""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from layers.adapters._common import get, json_raw, make_complaint, payload_raw
from layers.records import WIB, Batch, Complaint, RecordError

_REJECT_WORDS = ("ditolak", "rejected", "duplicate", "duplikat", "invalid", "tidak valid")


@dataclass(frozen=True)
class Service:
    """One Open311 service (a complaint type of the city)."""

    service_code: str
    service_name: str
    description: str = ""
    group: str = ""
    keywords: str = ""


def _xml_root(data: bytes | str) -> ET.Element:
    head = data[:2048] if isinstance(data, bytes) else data[:2048].encode("utf-8", "replace")
    if b"<!DOCTYPE" in head.upper() or b"<!ENTITY" in head.upper():
        raise ValueError("DOCTYPE/ENTITY declarations are not accepted")
    return ET.fromstring(data)


def _element_dict(el: ET.Element) -> dict[str, Any]:
    return {child.tag: (child.text or "") for child in el}


def _to_complaint(obj: Any, *, source: str, tz: dt.tzinfo, services: dict[str, str]) -> Complaint:
    if not isinstance(obj, dict):
        raise RecordError("schema", f"request: expected an object, got {type(obj).__name__}")
    status = get(obj, "status")
    notes = get(obj, "status_notes")
    if (
        isinstance(status, str)
        and status.strip().lower() == "closed"
        and isinstance(notes, str)
        and any(w in notes.lower() for w in _REJECT_WORDS)
    ):
        status = "rejected"
    code = get(obj, "service_code")
    name = get(obj, "service_name")
    if not name and isinstance(code, str) and code in services:
        name = services[code]
    return make_complaint(
        source=source,
        source_id=get(obj, "service_request_id", "token"),
        category_raw=name or code,
        description=get(obj, "description"),
        status_raw=status,
        requested_at=get(obj, "requested_datetime"),
        updated_at=get(obj, "updated_datetime"),
        lat=get(obj, "lat"),
        lon=get(obj, "long", "lon"),
        opd=get(obj, "agency_responsible"),
        service_code=code,
        service_name=name,
        address=get(obj, "address"),
        media_url=get(obj, "media_url"),
        tz=tz,
    )


def parse_requests(
    data: bytes | str,
    *,
    origin: str,
    fmt: str = "json",
    source: str = "open311",
    tz: dt.tzinfo = WIB,
    services: dict[str, str] | None = None,
    batch_size: int = 50_000,
) -> Iterator[Batch]:
    """Read GeoReport v2 service requests (``fmt`` ``"json"`` or ``"xml"``).

    Parameters
    ----------
    data
        The payload.
    origin
        File path or URL, for error messages and the quarantine.
    fmt
        ``"json"`` or ``"xml"``.
    source
        Value of the records' ``source`` (``"open311"``, or ``"mrk"`` for Medan Rumah Kita).
    tz
        Time zone of times given without an offset.
    services
        ``service_code`` to ``service_name``, from :func:`parse_services`, used when a
        request gives only its code.
    batch_size
        Records per yielded batch.

    Yields
    ------
    Batch
        Candidate complaints (not yet validated against the city) and rejections.
    """
    svc = services or {}
    items: list[Any]
    batch = Batch("complaints", source, origin, serialize=json_raw)
    try:
        if fmt == "xml":
            root = _xml_root(data)
            batch.serialize = lambda el: (
                ET.tostring(el, encoding="unicode") if isinstance(el, ET.Element) else str(el)
            )
            items = list(root) if root.tag != "request" else [root]
        else:
            doc = json.loads(data)
            found = (
                doc.get("service_requests", doc.get("requests")) if isinstance(doc, dict) else doc
            )
            if not isinstance(found, list):
                raise ValueError("expected a JSON array of service requests")
            items = found
    except (ValueError, ET.ParseError, RecursionError) as e:
        batch.reject(0, payload_raw(data), "bad_payload", f"not a GeoReport v2 {fmt} payload ({e})")
        yield batch
        return
    for i, item in enumerate(items, start=1):
        obj = _element_dict(item) if isinstance(item, ET.Element) else item
        try:
            batch.add(_to_complaint(obj, source=source, tz=tz, services=svc), i, item)
        except RecordError as e:
            batch.reject(i, item, e.reason, e.detail)
        if len(batch) >= batch_size:
            yield batch
            batch = Batch("complaints", source, origin, serialize=batch.serialize)
    yield batch


def parse_services(data: bytes | str, *, origin: str, fmt: str = "json") -> list[Service]:
    """Read a GeoReport v2 service list (``GET /services.json`` or ``.xml``).

    Raises
    ------
    twin.errors.InputError
        When the payload is not a service list.
    """
    from twin.errors import InputError

    try:
        if fmt == "xml":
            raw_items = [_element_dict(el) for el in _xml_root(data)]
        else:
            doc = json.loads(data)
            raw_items = doc if isinstance(doc, list) else doc.get("services", [])
    except (ValueError, ET.ParseError, AttributeError) as e:
        raise InputError(origin, f"not a GeoReport v2 service list ({e})") from None
    out = []
    for i, s in enumerate(raw_items, start=1):
        if not isinstance(s, dict) or not s.get("service_code"):
            raise InputError(origin, f"service #{i}: missing service_code")
        kw = s.get("keywords", "")
        out.append(
            Service(
                service_code=str(s["service_code"]),
                service_name=str(s.get("service_name") or ""),
                description=str(s.get("description") or ""),
                group=str(s.get("group") or ""),
                keywords=", ".join(kw) if isinstance(kw, list) else str(kw or ""),
            )
        )
    return out


def services_lookup(services: list[Service]) -> dict[str, str]:
    """``service_code`` to a text the category matcher reads (name, group, keywords)."""
    return {
        s.service_code: " ".join(p for p in (s.service_name, s.group, s.keywords) if p)
        for s in services
    }
