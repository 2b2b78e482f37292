"""Parse the OSM tag values osmnx leaves on edges: lanes, maxspeed, oneway, highway, names.

After simplification osmnx stores a tag as a list when the merged ways disagree, and real
tagging mixes units ("50", "50 km/h", "30 mph"), keywords ("none", "walk", "RU:urban") and
several values in one string ("40;50"). Each parser returns ``None`` for "no usable value" so
the caller can fall back on :mod:`twin.road_defaults`.

Examples
--------
>>> parse_maxspeed("30 mph")
48.28
>>> parse_maxspeed(["50", "60 km/h"])
55.0
>>> parse_lanes("2;3"), parse_lanes(None)
(2.0, None)
>>> parse_oneway("-1"), parse_highway(["residential", "primary"])
(True, 'primary')
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

from twin.road_defaults import ROAD_CLASSES

MPH_TO_KMH = 1.609344
KNOTS_TO_KMH = 1.852

_NUMBER = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*([a-z/. ]*)\s*$")
_TRUE = frozenset({"yes", "true", "1", "-1", "reverse", "reversible"})
_FALSE = frozenset({"no", "false", "0", ""})


def _values(value: Any) -> list[str]:
    """Flatten a tag value (scalar, list, ``"a;b"``, ``None``/NaN) to stripped strings."""
    if value is None:
        return []
    if isinstance(value, float) and math.isnan(value):
        return []
    if isinstance(value, str):
        return [p.strip() for p in value.split(";") if p.strip()]
    if isinstance(value, Iterable):
        return [v for item in value for v in _values(item)]
    return [str(value).strip()]


def _speed_kmh(text: str) -> float | None:
    m = _NUMBER.match(text.lower())
    if m is None:
        return None
    number = float(m.group(1).replace(",", "."))
    unit = m.group(2).replace(" ", "")
    if unit in ("", "km/h", "kmh", "kph", "kmph", "km/j"):
        speed = number
    elif unit == "mph":
        speed = number * MPH_TO_KMH
    elif unit == "knots":
        speed = number * KNOTS_TO_KMH
    else:
        return None
    return speed if speed > 0 else None


def parse_maxspeed(value: Any) -> float | None:
    """A ``maxspeed`` value in km/h, or ``None`` when there is no usable number.

    Parameters
    ----------
    value
        A string (``"50"``, ``"50 km/h"``, ``"30 mph"``, ``"40;50"``, ``"none"``,
        ``"signals"``), a list of such strings (osmnx after simplification), or missing.

    Returns
    -------
    float | None
        The mean of the parsed values, rounded to 0.01 km/h; keywords such as ``"none"``
        (no limit), ``"walk"`` or zone codes (``"ID:urban"``) are not numbers and are skipped.
    """
    speeds = [s for s in (_speed_kmh(v) for v in _values(value)) if s is not None]
    if not speeds:
        return None
    return round(sum(speeds) / len(speeds), 2)


def parse_lanes(value: Any) -> float | None:
    """A ``lanes`` value (total, both directions), or ``None``.

    A list or ``"2;3"`` gives the smallest value: the narrowest part of a merged edge is its
    bottleneck. Values below 1 or above 20 are treated as tagging errors.
    """
    lanes: list[float] = []
    for v in _values(value):
        try:
            n = float(v.replace(",", "."))
        except ValueError:
            continue
        if 1 <= n <= 20:
            lanes.append(n)
    return min(lanes) if lanes else None


def parse_oneway(value: Any) -> bool:
    """``oneway`` as a bool: ``yes``/``true``/``1``/``-1``/``reverse``, or osmnx's bool.

    A list (merged ways) counts as one-way if any part is one-way; missing means two-way.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, list):
        return any(parse_oneway(v) for v in value)
    return any(v.lower() in _TRUE for v in _values(value))


def parse_bool_tag(value: Any) -> bool:
    """A yes/no tag such as ``toll``: true only for an explicit yes/true/1."""
    if isinstance(value, bool):
        return value
    return any(v.lower() in ("yes", "true", "1") for v in _values(value))


def parse_highway(value: Any) -> str | None:
    """The highest-ranked drivable class of a ``highway`` value (or list), else the first.

    Returns ``None`` when the value is missing.
    """
    values = _values(value)
    if not values:
        return None
    known = [v for v in values if v in ROAD_CLASSES]
    if not known:
        return values[0]
    return max(known, key=lambda v: ROAD_CLASSES[v].rank)


def join_names(value: Any) -> str:
    """A street name; lists (merged ways) sorted, deduplicated and joined with ``"; "``.

    osmnx builds these lists from sets, so their order varies between runs; sorting keeps
    snapshots reproducible.

    Examples
    --------
    >>> join_names(["Jalan B", "Jalan A", "Jalan B"])
    'Jalan A; Jalan B'
    """
    items = value if isinstance(value, list) else [value]
    names = {
        str(item).strip()
        for item in items
        if item is not None and not (isinstance(item, float) and math.isnan(item))
    }
    return "; ".join(sorted(n for n in names if n))


def join_osmids(value: Any) -> str:
    """OSM way id(s) as a string, sorted and ``";"``-joined when simplification merged several.

    Examples
    --------
    >>> join_osmids([7, -19])
    '-19;7'
    """
    items = value if isinstance(value, list) else [value]
    return ";".join(str(v) for v in sorted({int(v) for v in items}))


def lanes_per_direction(total: float, *, oneway: bool) -> float:
    """Lanes in one direction from a ``lanes`` tag that counts both directions.

    Examples
    --------
    >>> lanes_per_direction(4, oneway=False), lanes_per_direction(3, oneway=True)
    (2.0, 3.0)
    >>> lanes_per_direction(1, oneway=False)
    1.0
    """
    return float(total) if oneway else max(1.0, float(total) / 2.0)


__all__ = [
    "KNOTS_TO_KMH",
    "MPH_TO_KMH",
    "join_names",
    "join_osmids",
    "lanes_per_direction",
    "parse_bool_tag",
    "parse_highway",
    "parse_lanes",
    "parse_maxspeed",
    "parse_oneway",
]
