"""DATEX II measured data (``MeasuredDataPublication``, v2.x XML): flow and speed per site.

Each ``siteMeasurements`` element gives one observation: the site from
``measurementSiteReference/@id`` (a Medan publication uses ``ATCS-<n>`` or the bare id), the
time from ``measurementTimeDefault``, the flow from a ``TrafficFlow`` value
(``vehicleFlowRate``, vehicles per hour) and the mean speed from a ``TrafficSpeed`` value
(``averageVehicleSpeed/speed``, km/h). The interval is the ``period`` (seconds) given in a
value, else ``interval_s``. The count stored is ``flow × interval / 3600``, class ``total``,
approach ``all``. Namespaces and versions are ignored: elements are matched by local name.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Iterator

from layers.adapters._common import make_observation, payload_raw
from layers.records import WIB, Batch, RecordError, TrafficObservation, parse_float

_XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _find(el: ET.Element, name: str) -> ET.Element | None:
    for sub in el.iter():
        if _local(sub.tag) == name:
            return sub
    return None


def _text(el: ET.Element, name: str) -> str | None:
    sub = _find(el, name)
    return sub.text.strip() if sub is not None and sub.text else None


def _serialize(raw: object) -> str:
    return ET.tostring(raw, encoding="unicode") if isinstance(raw, ET.Element) else str(raw)


def _observation(
    sm: ET.Element, *, source: str, tz: dt.tzinfo, interval_s: int
) -> TrafficObservation:
    ref = _find(sm, "measurementSiteReference")
    site = ref.get("id") if ref is not None else None
    if not site:
        raise RecordError("missing_field", "measurementSiteReference/@id: missing")
    flow = speed = None
    period: float | None = None
    for basic in sm.iter():
        if _local(basic.tag) != "basicData":
            continue
        kind = basic.get(_XSI_TYPE, "").rsplit(":", 1)[-1]
        if kind == "TrafficFlow":
            flow = parse_float(_text(basic, "vehicleFlowRate"), field_name="vehicleFlowRate")
        elif kind == "TrafficSpeed":
            speed = parse_float(_text(basic, "speed"), field_name="speed", required=False)
        p = _text(basic, "period")
        if p is not None:
            period = parse_float(p, field_name="period")
    if flow is None:
        raise RecordError("missing_field", "TrafficFlow/vehicleFlowRate: missing")
    secs = period if period is not None else float(interval_s)
    if secs <= 0:
        raise RecordError("implausible_interval", f"period: {secs:g} s")
    return make_observation(
        source=source,
        site_id=site,
        interval_start=_text(sm, "measurementTimeDefault"),
        interval_s=secs,
        approach="all",
        vehicle_class="total",
        count=round(flow * secs / 3600.0, 3),
        speed_kmh=speed,
        tz=tz,
    )


def parse_datex2(
    data: bytes | str,
    *,
    origin: str,
    source: str = "datex2",
    tz: dt.tzinfo = WIB,
    interval_s: int = 300,
    batch_size: int = 50_000,
) -> Iterator[Batch]:
    """Read a DATEX II ``MeasuredDataPublication``.

    Parameters
    ----------
    data
        The XML payload (a DOCTYPE is refused: no entity expansion).
    origin
        File path or URL (quarantine positions count ``siteMeasurements`` from 1).
    source
        Records' ``source``.
    tz
        Time zone of times without an offset.
    interval_s
        Interval when a value gives no ``period``.
    batch_size
        Records per yielded batch.
    """
    batch = Batch("traffic", source, origin, serialize=_serialize)
    head = data[:2048] if isinstance(data, bytes) else data[:2048].encode("utf-8", "replace")
    try:
        if b"<!DOCTYPE" in head.upper() or b"<!ENTITY" in head.upper():
            raise ValueError("DOCTYPE/ENTITY declarations are not accepted")
        root = ET.fromstring(data)
    except (ValueError, ET.ParseError, RecursionError) as e:
        batch.reject(0, payload_raw(data), "bad_payload", f"not DATEX II XML ({e})")
        yield batch
        return
    pos = 0
    for sm in root.iter():
        if _local(sm.tag) != "siteMeasurements":
            continue
        pos += 1
        try:
            batch.add(_observation(sm, source=source, tz=tz, interval_s=interval_s), pos, sm)
        except RecordError as e:
            batch.reject(pos, sm, e.reason, e.detail)
        if len(batch) >= batch_size:
            yield batch
            batch = Batch("traffic", source, origin, serialize=_serialize)
    if pos == 0 and not batch.rejected:
        batch.reject(0, payload_raw(data), "bad_payload", "no siteMeasurements element")
    yield batch
