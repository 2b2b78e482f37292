"""A scenario as the planner builds it on the map, and the share link that reopens it.

The planner never writes a file: clicks and widgets add *changes* to a :class:`Plan`. A plan
is a small JSON-able structure (versioned), turned into the scenario engine's own format by
:func:`apps.views.scenario.plan_to_spec`, and into a compact share link by
:func:`encode_plan` (a query parameter ``sc`` holding URL-safe base64 of compressed JSON).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import zlib
from dataclasses import asdict, dataclass, field
from typing import Any

from apps.i18n import t
from twin.errors import InputError

PLAN_VERSION = 1
PERIODS = ("am_peak", "midday", "pm_peak")
DEPTHS = ("shallow", "medium", "deep")
CHANGE_KINDS = ("close", "lanes", "flood", "growth", "event")
#: Largest share link accepted (a link is typed or pasted by people; keep it bounded).
MAX_LINK_CHARS = 20_000
_NAME_RE = re.compile(r"[^0-9A-Za-z._-]+")


@dataclass
class Plan:
    """A what-if scenario under construction.

    Attributes
    ----------
    name
        A short name (also the file name when saved).
    period
        ``"am_peak"``, ``"midday"`` or ``"pm_peak"``.
    changes
        A list of change dicts; each has ``kind`` (one of :data:`CHANGE_KINDS`) and:
        ``close``: ``edges`` (edge ids), ``names``; ``lanes``: ``edges``, ``names``,
        ``delta`` (int lanes); ``flood``: ``kelurahan``, ``kecamatan`` (codes), ``cells``
        (H3), ``depth``; ``growth``: ``pct`` (percent); ``event``: ``kelurahan`` (code),
        ``place`` (name), ``attendees``.
    """

    name: str = "skenario"
    period: str = "am_peak"
    changes: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able dict with the format version."""
        return {"v": PLAN_VERSION, **asdict(self)}

    @property
    def closed_edges(self) -> list[int]:
        """Edge ids closed by the plan."""
        return sorted({int(e) for c in self.changes if c["kind"] == "close" for e in c["edges"]})

    @property
    def is_empty(self) -> bool:
        """True when the plan changes nothing."""
        return not self.changes


def safe_name(name: str) -> str:
    """A file-system-safe version of a scenario name.

    Examples
    --------
    >>> safe_name("Tutup Jl. Gatot Subroto / pagi")
    'Tutup_Jl._Gatot_Subroto_pagi'
    """
    s = _NAME_RE.sub("_", name.strip()).strip("_.")
    return s[:60] or "skenario"


def _int_list(value: Any, *, where: str) -> list[int]:
    if not isinstance(value, list) or not all(isinstance(x, int) for x in value):
        raise InputError(where, "expected a list of integer edge ids")
    return [int(x) for x in value]


def _str_list(value: Any, *, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        raise InputError(where, "expected a list of strings")
    return list(value)


def plan_from_dict(d: Any, *, source: str = "scenario") -> Plan:
    """Validate a plan dict (from a link or a saved file); errors name the field.

    Raises
    ------
    twin.errors.InputError
        When a field is missing, unknown or of the wrong type.

    Examples
    --------
    >>> p = plan_from_dict({"v": 1, "name": "a", "period": "pm_peak",
    ...                     "changes": [{"kind": "close", "edges": [3], "names": ["x"]}]})
    >>> p.closed_edges
    [3]
    >>> plan_from_dict({"v": 1, "period": "night"})
    Traceback (most recent call last):
    ...
    twin.errors.InputError: scenario: period: 'night' is not one of am_peak, midday, pm_peak
    """
    if not isinstance(d, dict):
        raise InputError(source, "not a scenario object")
    unknown = set(d) - {"v", "name", "period", "changes"}
    if unknown:
        raise InputError(source, f"unknown key(s): {', '.join(sorted(unknown))}")
    if d.get("v", PLAN_VERSION) != PLAN_VERSION:
        raise InputError(source, f"v: unsupported version {d.get('v')!r}")
    name = d.get("name", "skenario")
    if not isinstance(name, str):
        raise InputError(source, "name: expected text")
    period = d.get("period", "am_peak")
    if period not in PERIODS:
        raise InputError(source, f"period: {period!r} is not one of {', '.join(PERIODS)}")
    raw_changes = d.get("changes", [])
    if not isinstance(raw_changes, list):
        raise InputError(source, "changes: expected a list")
    changes: list[dict[str, Any]] = []
    for i, c in enumerate(raw_changes):
        where = f"{source}: changes[{i}]"
        if not isinstance(c, dict) or c.get("kind") not in CHANGE_KINDS:
            raise InputError(where, f"kind must be one of {', '.join(CHANGE_KINDS)}")
        kind = c["kind"]
        if kind in ("close", "lanes"):
            edges = _int_list(c.get("edges"), where=f"{where}.edges")
            if not edges:
                raise InputError(f"{where}.edges", "empty selection")
            out: dict[str, Any] = {
                "kind": kind,
                "edges": edges,
                "names": _str_list(c.get("names", []), where=f"{where}.names"),
            }
            if kind == "lanes":
                delta = c.get("delta")
                if not isinstance(delta, int) or delta == 0 or abs(delta) > 4:
                    raise InputError(f"{where}.delta", "expected a whole number of lanes, ±1..4")
                out["delta"] = delta
        elif kind == "flood":
            out = {
                "kind": kind,
                "kelurahan": _str_list(c.get("kelurahan", []), where=f"{where}.kelurahan"),
                "kecamatan": _str_list(c.get("kecamatan", []), where=f"{where}.kecamatan"),
                "cells": _str_list(c.get("cells", []), where=f"{where}.cells"),
                "depth": c.get("depth", "medium"),
            }
            if out["depth"] not in DEPTHS:
                raise InputError(f"{where}.depth", f"expected one of {', '.join(DEPTHS)}")
            if not (out["kelurahan"] or out["kecamatan"] or out["cells"]):
                raise InputError(where, "a flood needs kelurahan, kecamatan or H3 cells")
        elif kind == "growth":
            pct = c.get("pct")
            if not isinstance(pct, int | float) or not -50 <= pct <= 200:
                raise InputError(f"{where}.pct", "expected a percentage between -50 and 200")
            out = {"kind": kind, "pct": float(pct)}
        else:
            people = c.get("attendees")
            if not isinstance(people, int) or not 0 < people <= 500_000:
                raise InputError(f"{where}.attendees", "expected 1..500000 people")
            kel = c.get("kelurahan")
            if not isinstance(kel, str) or not kel:
                raise InputError(f"{where}.kelurahan", "expected a kelurahan code")
            out = {
                "kind": kind,
                "kelurahan": kel,
                "place": str(c.get("place", kel)),
                "attendees": people,
            }
        changes.append(out)
    return Plan(name=name, period=period, changes=changes)


def encode_plan(plan: Plan) -> str:
    """The ``sc`` query-parameter value of a plan (URL-safe, compressed).

    Examples
    --------
    >>> p = Plan(name="x", changes=[{"kind": "growth", "pct": 10.0}])
    >>> decode_plan(encode_plan(p)) == p
    True
    """
    raw = json.dumps(plan.to_dict(), separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode().rstrip("=")


def decode_plan(token: str) -> Plan:
    """Inverse of :func:`encode_plan`; a damaged link raises :class:`InputError`."""
    if len(token) > MAX_LINK_CHARS:
        raise InputError("share link", "too long")
    try:
        raw = zlib.decompress(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        d = json.loads(raw)
    except (binascii.Error, zlib.error, ValueError):
        raise InputError("share link", "damaged or incomplete (sc parameter)") from None
    return plan_from_dict(d, source="share link")


def share_url(plan: Plan, *, base: str = "http://localhost:8501", lang: str = "id") -> str:
    """A link that opens the planner (the app's default page, at ``/``) with ``plan`` loaded."""
    return f"{base.rstrip('/')}/?lang={lang}&sc={encode_plan(plan)}"


def describe_change(
    c: dict[str, Any], *, lang: str = "id", names: dict[str, str] | None = None
) -> str:
    """One line describing a change, in the UI language."""
    names = names or {}

    def few(items: list[str]) -> str:
        shown = [names.get(x, x) or "—" for x in items[:3]]
        return ", ".join(shown) + (f" (+{len(items) - 3})" if len(items) > 3 else "")

    kind = c["kind"]
    if kind == "close":
        return t("change.close", lang, n=len(c["edges"]), names=few(_uniq(c["names"])))
    if kind == "lanes":
        return t(
            "change.lanes", lang, d=c["delta"], n=len(c["edges"]), names=few(_uniq(c["names"]))
        )
    if kind == "flood":
        areas = c["kecamatan"] + c["kelurahan"] + c["cells"]
        return t("change.flood", lang, depth=t(f"depth.{c['depth']}", lang), areas=few(areas))
    if kind == "growth":
        return t("change.growth", lang, pct=c["pct"])
    return t("change.event", lang, place=c["place"], people=f"{c['attendees']:,}")


def _uniq(items: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for x in items:
        seen.setdefault(x or "—", None)
    return list(seen)
