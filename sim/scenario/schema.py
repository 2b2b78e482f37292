"""The declarative scenario format (TOML, or a plain dict) and its validation.

A scenario names one simulated period and lists the changes it makes to the baseline::

    name = "Jl. Gatot Subroto closed in Medan Sunggal"
    description = "Road works on the western trunk road, one hour of AM peak."
    period = "am_peak"                      # am_peak | midday | pm_peak (data/medan/demand.toml)

    [[changes]]
    type = "close"
    where = { street = "Jalan Gatot Subroto", kecamatan = "Medan Sunggal" }

Change types (``type``) and their fields:

``close``
    ``where``: the roads to close (closed by mask: link indices stay valid).
``modify``
    ``where`` and at least one of ``capacity_factor`` (> 0), ``lanes`` (new lanes per
    direction), ``lanes_delta`` (lanes added, may be negative), ``speed_kmh`` (new free speed)
    or ``speed_factor`` (> 0).
``flood``
    ``where`` (usually ``kelurahan`` or ``polygon``) and ``depth``: ``"shallow"``,
    ``"medium"`` or ``"deep"`` (see :data:`sim.scenario.apply.FLOOD_FACTORS`).
``growth``
    ``factor`` (> 0) on the trips from and to the selected zones; without ``where`` the whole
    city grows.
``event``
    ``label``, ``at = [lon, lat]``, ``attendees``, ``start``/``end`` (``"HH:MM"``),
    ``direction`` (``"depart"``: people leave the venue; ``"arrive"``), optional
    ``occupancy`` (persons per vehicle, default 1.6) and ``motorised_share`` (default 0.9).
``new_link``
    ``from``/``to`` = ``[lon, lat]`` (snapped to the nearest graph nodes), ``highway``,
    optional ``lanes``, ``speed_kmh``, ``oneway`` (default false), ``name``.

A selection (``where``) is a table of any of: ``edge_ids`` (list of int), ``street`` (name;
optionally with ``kecamatan`` to stay within one), ``kecamatan`` (name or code),
``kelurahan`` (list of names or codes), ``polygon`` (list of ``[lon, lat]``), ``h3`` (list of
cells), ``highway`` (list of classes, a filter). Several keys intersect.

Unknown keys are rejected, and every error names the file and the field.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal, NoReturn

from twin.errors import InputError

DEPTHS = ("shallow", "medium", "deep")
DIRECTIONS = ("depart", "arrive")
CHANGE_TYPES = ("close", "modify", "flood", "growth", "event", "new_link")
_TOP_KEYS = {"name", "description", "period", "changes"}
_WHERE_KEYS = {"edge_ids", "street", "kecamatan", "kelurahan", "polygon", "h3", "highway"}
_TIME = re.compile(r"^([01]?\d|2[0-4]):[0-5]\d$")


class ScenarioError(InputError):
    """A scenario file or dict that does not follow the format."""


@dataclass(frozen=True)
class Selection:
    """Which roads (or zones) a change applies to; all given keys must match."""

    edge_ids: tuple[int, ...] | None = None
    street: str | None = None
    kecamatan: str | None = None
    kelurahan: tuple[str, ...] | None = None
    polygon: tuple[tuple[float, float], ...] | None = None
    h3: tuple[str, ...] | None = None
    highway: tuple[str, ...] | None = None

    def describe(self) -> str:
        """A short human description, e.g. ``street 'Jalan X' in Medan Kota``."""
        parts = []
        if self.street:
            parts.append(f"street {self.street!r}")
        if self.kecamatan:
            parts.append(f"in {self.kecamatan}")
        if self.kelurahan:
            parts.append(f"kelurahan {', '.join(self.kelurahan)}")
        if self.edge_ids:
            parts.append(f"{len(self.edge_ids)} edge id(s)")
        if self.polygon:
            parts.append(f"polygon of {len(self.polygon)} points")
        if self.h3:
            parts.append(f"{len(self.h3)} H3 cell(s)")
        if self.highway:
            parts.append(f"class {', '.join(self.highway)}")
        return " ".join(parts)


@dataclass(frozen=True)
class Close:
    """Close the selected roads."""

    where: Selection
    type: Literal["close"] = "close"


@dataclass(frozen=True)
class Modify:
    """Change capacity, lanes or free speed of the selected roads."""

    where: Selection
    capacity_factor: float | None = None
    lanes: float | None = None
    lanes_delta: float | None = None
    speed_kmh: float | None = None
    speed_factor: float | None = None
    type: Literal["modify"] = "modify"


@dataclass(frozen=True)
class Flood:
    """Flood the selected roads to a depth class."""

    where: Selection
    depth: str
    type: Literal["flood"] = "flood"


@dataclass(frozen=True)
class Growth:
    """Scale the trips from and to some zones (all when ``where`` is None)."""

    factor: float
    where: Selection | None = None
    type: Literal["growth"] = "growth"


@dataclass(frozen=True)
class Event:
    """An event that sends (or draws) attendees over a time window."""

    label: str
    at: tuple[float, float]
    attendees: int
    start: str
    end: str
    direction: str = "depart"
    occupancy: float = 1.6
    motorised_share: float = 0.9
    type: Literal["event"] = "event"


@dataclass(frozen=True)
class NewLink:
    """A new road between two points, snapped to the nearest graph nodes."""

    start: tuple[float, float]
    end: tuple[float, float]
    highway: str
    lanes: float | None = None
    speed_kmh: float | None = None
    oneway: bool = False
    name: str = "new link"
    type: Literal["new_link"] = "new_link"


Change = Close | Modify | Flood | Growth | Event | NewLink


@dataclass(frozen=True)
class Scenario:
    """A what-if scenario: a period and the changes made to the baseline."""

    name: str
    changes: tuple[Change, ...]
    period: str = "am_peak"
    description: str = ""
    source: str = "<dict>"
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """The canonical plain-dict form (what :func:`parse_scenario` reads back)."""
        changes = []
        for c in self.changes:
            d = {k: v for k, v in asdict(c).items() if v is not None}
            if isinstance(c, NewLink):
                d["from"] = list(d.pop("start"))
                d["to"] = list(d.pop("end"))
            if isinstance(c, Event):
                d["at"] = list(d["at"])
            if "where" in d:
                d["where"] = _selection_dict(d["where"])
            changes.append(d)
        return {
            "name": self.name,
            "description": self.description,
            "period": self.period,
            "changes": changes,
        }

    @property
    def sha(self) -> str:
        """12 hex digits of the SHA-256 of the canonical form: the scenario's identity."""
        text = json.dumps(self.to_dict(), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    @property
    def slug(self) -> str:
        """A file-name-safe form of the name."""
        return re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")[:60] or "scenario"


def _selection_dict(d: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        if v is None:
            continue
        out[k] = (
            [list(p) for p in v] if k == "polygon" else (list(v) if isinstance(v, tuple) else v)
        )
    return out


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario TOML file.

    Raises
    ------
    ScenarioError
        Naming the file and the field at fault.
    """
    p = Path(path)
    if not p.is_file():
        raise ScenarioError(p, "no such scenario file")
    try:
        raw = tomllib.loads(p.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise ScenarioError(p, f"not valid TOML ({e})") from None
    except UnicodeDecodeError:
        raise ScenarioError(p, "not a UTF-8 text file") from None
    return parse_scenario(raw, source=str(p))


def parse_scenario(data: dict[str, Any] | Scenario, *, source: str = "<dict>") -> Scenario:
    """Validate a scenario given as a plain dict (from TOML, JSON or the app).

    Examples
    --------
    >>> s = parse_scenario({"name": "t", "changes": [{"type": "close",
    ...                     "where": {"edge_ids": [1, 2]}}]})
    >>> s.changes[0].where.edge_ids, s.period
    ((1, 2), 'am_peak')
    >>> try:
    ...     parse_scenario({"name": "t", "changes": [], "colour": "red"})
    ... except ScenarioError as e:
    ...     print(e)
    <dict>: unknown field 'colour' (known: changes, description, name, period)
    """
    if isinstance(data, Scenario):
        return data
    v = _V(source)
    if not isinstance(data, dict):
        v.fail("", f"a scenario must be a table, not {type(data).__name__}")
    v.keys("", data, _TOP_KEYS)
    name = v.string("name", data.get("name"), required=True)
    description = v.string("description", data.get("description", "")) or ""
    period = v.string("period", data.get("period", "am_peak")) or "am_peak"
    raw_changes = data.get("changes")
    if not isinstance(raw_changes, list) or not raw_changes:
        v.fail("changes", "a scenario needs a non-empty list of changes ([[changes]] tables)")
    changes = tuple(_change(v, f"changes[{i}]", c) for i, c in enumerate(raw_changes))
    return Scenario(
        name=str(name), changes=changes, period=period, description=description, source=source
    )


def _change(v: _V, at: str, c: Any) -> Change:
    if not isinstance(c, dict):
        v.fail(at, "each change must be a table")
    kind = c.get("type")
    if kind not in CHANGE_TYPES:
        v.fail(f"{at}.type", f"unknown change type {kind!r} (known: {', '.join(CHANGE_TYPES)})")
    if kind == "close":
        v.keys(at, c, {"type", "where"})
        return Close(where=_required_where(v, f"{at}.where", c.get("where")))
    if kind == "modify":
        fields = {"capacity_factor", "lanes", "lanes_delta", "speed_kmh", "speed_factor"}
        v.keys(at, c, {"type", "where"} | fields)
        if not fields & set(c):
            v.fail(at, f"a modify change needs one of {', '.join(sorted(fields))}")
        return Modify(
            where=_required_where(v, f"{at}.where", c.get("where")),
            capacity_factor=v.number(f"{at}.capacity_factor", c.get("capacity_factor"), lo=0),
            lanes=v.number(f"{at}.lanes", c.get("lanes"), lo=0, hi=12),
            lanes_delta=v.number(f"{at}.lanes_delta", c.get("lanes_delta"), lo=-12, hi=12),
            speed_kmh=v.number(f"{at}.speed_kmh", c.get("speed_kmh"), lo=0, hi=200),
            speed_factor=v.number(f"{at}.speed_factor", c.get("speed_factor"), lo=0, hi=10),
        )
    if kind == "flood":
        v.keys(at, c, {"type", "where", "depth"})
        depth = v.string(f"{at}.depth", c.get("depth"), required=True) or ""
        if depth not in DEPTHS:
            v.fail(f"{at}.depth", f"unknown depth class {depth!r} (known: {', '.join(DEPTHS)})")
        return Flood(where=_required_where(v, f"{at}.where", c.get("where")), depth=depth)
    if kind == "growth":
        v.keys(at, c, {"type", "where", "factor"})
        factor = v.number(f"{at}.factor", c.get("factor"), lo=0, hi=10, required=True)
        assert factor is not None
        return Growth(factor=factor, where=_where(v, f"{at}.where", c.get("where")))
    if kind == "event":
        v.keys(
            at,
            c,
            {
                "type",
                "label",
                "at",
                "attendees",
                "start",
                "end",
                "direction",
                "occupancy",
                "motorised_share",
            },
        )
        attendees = v.number(f"{at}.attendees", c.get("attendees"), lo=1, hi=1e6, required=True)
        direction = v.string(f"{at}.direction", c.get("direction", "depart")) or "depart"
        if direction not in DIRECTIONS:
            v.fail(f"{at}.direction", f"must be one of {', '.join(DIRECTIONS)}, not {direction!r}")
        return Event(
            label=v.string(f"{at}.label", c.get("label", "event")) or "event",
            at=v.point(f"{at}.at", c.get("at")),
            attendees=int(attendees or 0),
            start=v.time(f"{at}.start", c.get("start")),
            end=v.time(f"{at}.end", c.get("end")),
            direction=direction,
            occupancy=v.number(f"{at}.occupancy", c.get("occupancy", 1.6), lo=1, hi=60) or 1.6,
            motorised_share=v.number(
                f"{at}.motorised_share", c.get("motorised_share", 0.9), lo=0, hi=1
            )
            or 0.0,
        )
    # new_link
    v.keys(at, c, {"type", "from", "to", "highway", "lanes", "speed_kmh", "oneway", "name"})
    highway = v.string(f"{at}.highway", c.get("highway"), required=True)
    oneway = c.get("oneway", False)
    if not isinstance(oneway, bool):
        v.fail(f"{at}.oneway", f"must be true or false, not {oneway!r}")
    return NewLink(
        start=v.point(f"{at}.from", c.get("from")),
        end=v.point(f"{at}.to", c.get("to")),
        highway=str(highway),
        lanes=v.number(f"{at}.lanes", c.get("lanes"), lo=0.5, hi=12),
        speed_kmh=v.number(f"{at}.speed_kmh", c.get("speed_kmh"), lo=1, hi=200),
        oneway=oneway,
        name=v.string(f"{at}.name", c.get("name", "new link")) or "new link",
    )


def _required_where(v: _V, at: str, w: Any) -> Selection:
    sel = _where(v, at, w, required=True)
    if sel is None:  # pragma: no cover - _where raised already
        v.fail(at, "missing")
    return sel


def _where(v: _V, at: str, w: Any, *, required: bool = False) -> Selection | None:
    if w is None:
        if required:
            v.fail(at, "missing: say which roads (edge_ids, street, kelurahan, polygon, h3...)")
        return None
    if not isinstance(w, dict):
        v.fail(at, 'must be a table such as { street = "Jalan ..." }')
    v.keys(at, w, _WHERE_KEYS)
    if not set(w) - {"highway"}:
        v.fail(at, "needs at least one of edge_ids, street, kecamatan, kelurahan, polygon, h3")
    edge_ids = None
    if "edge_ids" in w:
        ids = w["edge_ids"]
        if (
            not isinstance(ids, list)
            or not ids
            or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids)
        ):
            v.fail(f"{at}.edge_ids", "must be a non-empty list of integers")
        edge_ids = tuple(int(i) for i in ids)
    polygon = None
    if "polygon" in w:
        pts = w["polygon"]
        if not isinstance(pts, list) or len(pts) < 3:
            v.fail(f"{at}.polygon", "must be a list of at least 3 [lon, lat] points")
        polygon = tuple(v.point(f"{at}.polygon[{i}]", p) for i, p in enumerate(pts))
    return Selection(
        edge_ids=edge_ids,
        street=v.string(f"{at}.street", w.get("street")),
        kecamatan=v.string(f"{at}.kecamatan", w.get("kecamatan")),
        kelurahan=v.strings(f"{at}.kelurahan", w.get("kelurahan")),
        polygon=polygon,
        h3=v.strings(f"{at}.h3", w.get("h3")),
        highway=v.strings(f"{at}.highway", w.get("highway")),
    )


class _V:
    """Field validators that raise :class:`ScenarioError` naming the source and the field."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, at: str, problem: str) -> NoReturn:
        raise ScenarioError(self.source, f"{at}: {problem}" if at else problem)

    def keys(self, at: str, d: dict[str, Any], known: set[str]) -> None:
        for k in d:
            if k not in known:
                where = f"{at}.{k}" if at else k
                self.fail("", f"unknown field {where!r} (known: {', '.join(sorted(known))})")

    def string(self, at: str, value: Any, *, required: bool = False) -> str | None:
        if value is None:
            if required:
                self.fail(at, "missing")
            return None
        if not isinstance(value, str) or (required and not value.strip()):
            self.fail(at, f"must be a non-empty string, not {value!r}")
        return str(value).strip()

    def strings(self, at: str, value: Any) -> tuple[str, ...] | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value or not all(isinstance(s, str) for s in value):
            self.fail(at, "must be a non-empty list of strings")
        return tuple(s.strip() for s in value)

    def number(
        self,
        at: str,
        value: Any,
        *,
        lo: float = float("-inf"),
        hi: float = float("inf"),
        required: bool = False,
    ) -> float | None:
        if value is None:
            if required:
                self.fail(at, "missing")
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(at, f"must be a number, not {value!r}")
        x = float(value)
        if not (lo <= x <= hi) or (lo == 0 and x == 0 and not at.endswith("lanes_delta")):
            bound = f"> {lo:g}" if lo == 0 else f"in [{lo:g}, {hi:g}]"
            self.fail(at, f"must be {bound}, not {value!r}")
        return x

    def point(self, at: str, value: Any) -> tuple[float, float]:
        if (
            not isinstance(value, list | tuple)
            or len(value) != 2
            or not all(isinstance(c, int | float) and not isinstance(c, bool) for c in value)
        ):
            self.fail(at, f"must be [lon, lat], not {value!r}")
        lon, lat = float(value[0]), float(value[1])
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            self.fail(at, f"[{lon}, {lat}] is not a lon/lat pair")
        return lon, lat

    def time(self, at: str, value: Any) -> str:
        if not isinstance(value, str) or not _TIME.match(value):
            self.fail(at, f'must be a time "HH:MM", not {value!r}')
        return str(value)
