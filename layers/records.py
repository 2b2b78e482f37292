"""Canonical records of the live layers: one traffic observation, one complaint, one rejection.

Every adapter turns its format into these records, so validation, the store, aggregation and
the app only ever see one shape. Times are timezone-aware :class:`datetime.datetime` in
memory and Unix seconds (UTC) in the store; the app shows them in WIB (Asia/Jakarta).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

#: Vehicle classes of the Indonesian counting practice (MKJI/PKJI): sepeda motor,
#: kendaraan ringan, kendaraan berat, plus the all-class total.
VEHICLE_CLASSES = ("SM", "KR", "KB", "total")

#: Normalized complaint statuses, in lifecycle order.
STATUSES = ("open", "in_progress", "resolved", "rejected")

#: Values of the ``source`` field of a complaint.
COMPLAINT_SOURCES = ("mrk", "lapor", "open311", "csv", "simulated")

#: Label written in every simulated record's ``source`` field.
SIMULATED = "simulated"

#: Western Indonesia Time, the display time zone of Medan.
WIB = ZoneInfo("Asia/Jakarta")

# Raw status words seen in Open311, SP4N-LAPOR! and Medan Rumah Kita style feeds, lower-cased.
_STATUS_WORDS: dict[str, str] = {
    "open": "open",
    "new": "open",
    "submitted": "open",
    "baru": "open",
    "belum terverifikasi": "open",
    "belum ditindaklanjuti": "open",
    "menunggu": "open",
    "terverifikasi": "open",
    "diterima": "open",
    "in_progress": "in_progress",
    "in progress": "in_progress",
    "acknowledged": "in_progress",
    "assigned": "in_progress",
    "proses": "in_progress",
    "diproses": "in_progress",
    "sedang diproses": "in_progress",
    "ditindaklanjuti": "in_progress",
    "didisposisikan": "in_progress",
    "closed": "resolved",
    "resolved": "resolved",
    "done": "resolved",
    "selesai": "resolved",
    "tuntas": "resolved",
    "rejected": "rejected",
    "invalid": "rejected",
    "duplicate": "rejected",
    "ditolak": "rejected",
    "diarsipkan": "rejected",
    "tidak valid": "rejected",
}

_SPACES = re.compile(r"[\s_\-]+")


@functools.lru_cache(maxsize=1024)
def normalize_status(raw: str | None) -> str | None:
    """Map a raw status word to one of :data:`STATUSES`, or ``None`` if it is unknown.

    Examples
    --------
    >>> normalize_status("Selesai"), normalize_status("closed"), normalize_status("Diproses")
    ('resolved', 'resolved', 'in_progress')
    >>> normalize_status("belum_terverifikasi"), normalize_status("??") is None
    ('open', True)
    """
    if raw is None:
        return None
    key = _SPACES.sub(" ", raw.strip().lower())
    if key in _STATUS_WORDS:
        return _STATUS_WORDS[key]
    return _STATUS_WORDS.get(key.replace(" ", "_"))


@dataclass(frozen=True, slots=True)
class TrafficObservation:
    """One count (and mean speed) at an ATCS site, for one interval, approach and class.

    Parameters
    ----------
    source
        Feed name, e.g. ``"atcs"``, ``"pems"`` or ``"simulated"``.
    site_id
        ``"ATCS-<n>"``, a site of the registry (:mod:`layers.sites`).
    interval_start
        Start of the counting interval, timezone-aware.
    interval_s
        Length of the interval in seconds.
    approach
        Approach or lane label (``"N"``, ``"L1"``...; ``"all"`` for the whole site).
    vehicle_class
        One of :data:`VEHICLE_CLASSES`.
    count
        Vehicles counted in the interval.
    speed_kmh
        Mean speed (km/h), where measured.
    occupancy
        Detector occupancy as a share 0..1, where known.
    quality
        Quality flag of the source (``"ok"`` unless it says otherwise).
    source_id
        Identifier in the source; built from site, interval, approach and class when absent.
    updated_at
        When the source last changed the record (defaults to the end of the interval).
    """

    source: str
    site_id: str
    interval_start: dt.datetime
    interval_s: int
    approach: str
    vehicle_class: str
    count: float
    speed_kmh: float | None = None
    occupancy: float | None = None
    quality: str = "ok"
    source_id: str = ""
    updated_at: dt.datetime | None = None

    @property
    def key_id(self) -> str:
        """``source_id`` or, when the source gives none, a stable id from the record's axes."""
        if self.source_id:
            return self.source_id
        start = int(self.interval_start.timestamp())
        return f"{self.site_id}|{start}|{self.interval_s}|{self.approach}|{self.vehicle_class}"

    @property
    def updated(self) -> dt.datetime:
        """``updated_at`` or the end of the interval."""
        if self.updated_at is not None:
            return self.updated_at
        return self.interval_start + dt.timedelta(seconds=self.interval_s)


@dataclass(slots=True)
class Complaint:
    """One state of one citizen complaint (a later update of it is another record).

    Parameters
    ----------
    source
        One of :data:`COMPLAINT_SOURCES` (or a feed name configured for the poller).
    source_id
        The complaint's id in its source (tracking number, ``service_request_id``).
    category
        Normalized category code (:mod:`layers.categories`), ``"other"`` when unknown.
    category_raw
        The category, service code or name exactly as the source gave it.
    description
        Citizen's text: untrusted, stored exactly as given and never rendered as markup.
    status
        One of :data:`STATUSES`.
    status_raw
        Status word exactly as the source gave it.
    requested_at, updated_at
        When the complaint was filed and when this state was recorded (timezone-aware).
    lat, lon
        WGS84 position.
    opd
        Responsible agency (Organisasi Perangkat Daerah) as given, else routed by category.
    service_code, service_name, address, media_url
        As given by the source ("" when absent).
    h3, kel_code, kec_code
        Computed at ingest by :mod:`layers.validate` ("" before).
    """

    source: str
    source_id: str
    category: str
    category_raw: str
    description: str
    status: str
    status_raw: str
    requested_at: dt.datetime
    updated_at: dt.datetime
    lat: float
    lon: float
    opd: str = ""
    service_code: str = ""
    service_name: str = ""
    address: str = ""
    media_url: str = ""
    h3: str = ""
    kel_code: str = ""
    kec_code: str = ""


@dataclass(frozen=True, slots=True)
class Rejected:
    """A record that failed parsing or validation, kept whole with the reason.

    Parameters
    ----------
    kind
        ``"complaints"`` or ``"traffic"``.
    source
        Source or format name.
    origin
        Where it came from: ``"<file>:<line>"`` or ``"<file>#<index>"`` or a URL.
    reason
        A short reason code, counted in reports (e.g. ``"outside_city"``, ``"bad_time"``).
    detail
        The problem in words, naming the field.
    raw
        The record exactly as read (a CSV line, a JSON object, an XML element).
    """

    kind: str
    source: str
    origin: str
    reason: str
    detail: str
    raw: str


def _repr_raw(raw: object) -> str:
    return raw if isinstance(raw, str) else repr(raw)


@dataclass
class Batch:
    """A slice of one payload read by an adapter: candidate records and rejections.

    Candidates keep their position and the raw item they came from, so that validation can
    quarantine any of them whole; the raw item is serialized only when it is rejected.

    Parameters
    ----------
    kind
        ``"complaints"`` or ``"traffic"``.
    source
        Format or feed name (used in the quarantine).
    origin
        The file path or URL read.
    line_based
        True when positions are line numbers (``file:line``), else item indexes (``file#i``).
    serialize
        Turns a raw item back into text for the quarantine.
    """

    kind: str
    source: str
    origin: str
    line_based: bool = False
    serialize: Callable[[object], str] = _repr_raw
    records: list[Any] = field(default_factory=list)
    positions: list[int] = field(default_factory=list)
    raws: list[object] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)

    def where(self, pos: int) -> str:
        """``file:line`` or ``file#index`` of a position."""
        return f"{self.origin}:{pos}" if self.line_based else f"{self.origin}#{pos}"

    def add(self, record: object, pos: int, raw: object) -> None:
        """Append a candidate record."""
        self.records.append(record)
        self.positions.append(pos)
        self.raws.append(raw)

    def reject(self, pos: int, raw: object, reason: str, detail: str) -> None:
        """Quarantine one raw item."""
        try:
            text = self.serialize(raw)
        except Exception:  # a raw item that cannot be re-serialized is still kept
            text = repr(raw)
        self.rejected.append(
            Rejected(self.kind, self.source, self.where(pos), reason, detail, text)
        )

    def __len__(self) -> int:
        return len(self.records) + len(self.rejected)


class RecordError(ValueError):
    """Raised inside adapters for one bad record; turned into a :class:`Rejected`."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def parse_time(value: object, *, field_name: str, tz: dt.tzinfo = WIB) -> dt.datetime:
    """Parse an ISO-8601 time (or Unix seconds); naive times are taken as city local time.

    Examples
    --------
    >>> parse_time("2026-11-28T08:00:00+07:00", field_name="t").isoformat()
    '2026-11-28T08:00:00+07:00'
    >>> parse_time("2026-11-28 08:00", field_name="t").utcoffset()
    datetime.timedelta(seconds=25200)
    >>> parse_time(0, field_name="t").year
    1970
    """
    if isinstance(value, dt.datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=tz)
    if isinstance(value, bool) or value is None or value == "":
        raise RecordError("missing_field", f"{field_name}: missing time")
    if isinstance(value, int | float):
        try:
            return dt.datetime.fromtimestamp(float(value), dt.UTC)
        except (OverflowError, OSError, ValueError):
            raise RecordError("bad_time", f"{field_name}: {value!r} is not a time") from None
    if not isinstance(value, str):
        raise RecordError("bad_time", f"{field_name}: {value!r} is not a time")
    text = value.strip()
    try:
        t = dt.datetime.fromisoformat(text)
    except ValueError:
        raise RecordError("bad_time", f"{field_name}: {value!r} is not an ISO-8601 time") from None
    if not 2 <= t.year <= 9998:
        # Offsets applied to years 1 or 9999 overflow datetime arithmetic downstream.
        raise RecordError("bad_time", f"{field_name}: {value!r} is out of range")
    if t.tzinfo is None:
        t = t.replace(tzinfo=tz)
    return t


def parse_float(value: object, *, field_name: str, required: bool = True) -> float | None:
    """Parse a number given as a number or a string; ``None`` for an empty optional value.

    Examples
    --------
    >>> parse_float("3,59", field_name="lat"), parse_float("", field_name="x", required=False)
    (3.59, None)
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise RecordError("missing_field", f"{field_name}: missing")
        return None
    if isinstance(value, bool):
        raise RecordError("bad_number", f"{field_name}: {value!r} is not a number")
    if isinstance(value, int | float):
        x = float(value)
    elif isinstance(value, str):
        # Indonesian spreadsheets write decimals with a comma.
        try:
            x = float(value.strip().replace(",", "."))
        except ValueError:
            raise RecordError("bad_number", f"{field_name}: {value!r} is not a number") from None
    else:
        raise RecordError("bad_number", f"{field_name}: {value!r} is not a number")
    if x != x or x in (float("inf"), float("-inf")):
        raise RecordError("bad_number", f"{field_name}: {value!r} is not a finite number")
    return x


def text(value: object, *, field_name: str, required: bool = False, limit: int = 100_000) -> str:
    """A string field as given (numbers are stringified); too long or missing is an error."""
    if type(value) is str and len(value) <= limit and value.isascii() and "\x00" not in value:
        if required and not value.strip():
            raise RecordError("missing_field", f"{field_name}: empty")
        return value
    if value is None:
        if required:
            raise RecordError("missing_field", f"{field_name}: missing")
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise RecordError("bad_type", f"{field_name}: expected text, got {type(value).__name__}")
    s = value if isinstance(value, str) else str(value)
    if required and not s.strip():
        raise RecordError("missing_field", f"{field_name}: empty")
    if len(s) > limit:
        raise RecordError("too_long", f"{field_name}: {len(s)} characters (limit {limit})")
    if "\x00" in s:
        raise RecordError("bad_text", f"{field_name}: contains a NUL character")
    if not s.isascii():
        try:
            s.encode("utf-8")
        except UnicodeEncodeError:
            raise RecordError("bad_text", f"{field_name}: not valid Unicode text") from None
    return s


def to_wib(t: dt.datetime) -> dt.datetime:
    """The same instant in WIB, for display."""
    return t.astimezone(WIB)
