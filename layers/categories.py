"""Complaint categories typical for Kota Medan, their routing to an OPD and their SLA.

The categories follow what residents report most through Medan Rumah Kita and
SP4N-LAPOR!: damaged roads, flooding and drainage, waste, street lights, illegal parking,
congestion, traffic signals, fallen trees, street vendors and public order, clean water.

The OPD (Organisasi Perangkat Daerah, city agency) routing and the SLA days are **defaults
chosen for this project**, following the agencies' public remits in Kota Medan (Dinas
SDABMBK for roads and drainage, Dinas Lingkungan Hidup for waste, Dinas Perhubungan for
traffic and parking, Dinas Perkim-PR for street lights and parks, Satpol PP for public order,
PDAM Tirtanadi for piped water). They are not an official service charter: a deployment
overrides them with ``sla_days`` arguments (or a TOML file, see :func:`load_sla_overrides`).
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from twin.errors import ConfigError


@dataclass(frozen=True)
class Category:
    """One complaint category.

    Parameters
    ----------
    code
        Stable code used in the store and the app (snake case, Indonesian).
    name_id, name_en
        Labels in Bahasa Indonesia and English.
    opd
        Default responsible agency.
    sla_days
        Days within which a complaint should be resolved before it counts as a breach.
    keywords
        Lower-case words or service codes that map a raw category to this one.
    """

    code: str
    name_id: str
    name_en: str
    opd: str
    sla_days: float
    keywords: tuple[str, ...]


#: Name of the category that keeps every unknown raw value.
OTHER = "other"

CATEGORIES: tuple[Category, ...] = (
    Category(
        "jalan_rusak",
        "Jalan rusak / berlubang",
        "Damaged road / potholes",
        "Dinas SDABMBK",
        14,
        ("jalan rusak", "jalan berlubang", "lubang", "pothole", "road damage", "aspal", "jalan"),
    ),
    Category(
        "banjir_drainase",
        "Banjir dan drainase",
        "Flooding and drainage",
        "Dinas SDABMBK",
        7,
        ("banjir", "genangan", "drainase", "parit", "selokan", "flood", "drainage", "gorong"),
    ),
    Category(
        "sampah",
        "Sampah",
        "Waste collection",
        "Dinas Lingkungan Hidup",
        3,
        ("sampah", "tps", "waste", "garbage", "trash", "kebersihan"),
    ),
    Category(
        "lampu_jalan",
        "Lampu penerangan jalan (PJU) mati",
        "Street light out",
        "Dinas Perkim-PR",
        7,
        ("lampu jalan", "pju", "penerangan", "street light", "streetlight", "lampu"),
    ),
    Category(
        "parkir_liar",
        "Parkir liar",
        "Illegal parking",
        "Dinas Perhubungan",
        2,
        ("parkir liar", "parkir", "parking", "juru parkir", "jukir"),
    ),
    Category(
        "kemacetan",
        "Kemacetan lalu lintas",
        "Traffic congestion",
        "Dinas Perhubungan",
        2,
        ("macet", "kemacetan", "congestion", "traffic jam", "lalu lintas"),
    ),
    Category(
        "lampu_lalu_lintas",
        "Lampu lalu lintas rusak",
        "Traffic signal fault",
        "Dinas Perhubungan",
        2,
        ("lampu lalu lintas", "traffic light", "traffic signal", "apill", "lampu merah"),
    ),
    Category(
        "pohon_tumbang",
        "Pohon tumbang / rawan tumbang",
        "Fallen or dangerous tree",
        "Dinas Perkim-PR",
        2,
        ("pohon", "tree", "dahan", "ranting"),
    ),
    Category(
        "ketertiban",
        "Ketertiban umum / PKL",
        "Public order / street vendors",
        "Satpol PP",
        7,
        ("pkl", "pedagang kaki lima", "ketertiban", "satpol", "reklame", "street vendor"),
    ),
    Category(
        "air_bersih",
        "Air bersih (PDAM)",
        "Piped water supply",
        "PDAM Tirtanadi",
        3,
        ("air bersih", "pdam", "air mati", "water supply", "pipa bocor", "tirtanadi"),
    ),
    Category(
        OTHER,
        "Lainnya",
        "Other",
        "Diskominfo (triage)",
        14,
        (),
    ),
)

_BY_CODE = {c.code: c for c in CATEGORIES}
_NON_WORD = re.compile(r"[^0-9a-z]+")
# Longest keywords first, so "lampu lalu lintas" wins over "lampu" and "lalu lintas".
_KEYWORDS = sorted(
    ((k, c.code) for c in CATEGORIES for k in c.keywords), key=lambda kc: -len(kc[0])
)


def category(code: str) -> Category:
    """The category with this code (``KeyError`` if unknown).

    Examples
    --------
    >>> category("sampah").opd
    'Dinas Lingkungan Hidup'
    """
    return _BY_CODE[code]


def category_codes() -> tuple[str, ...]:
    """All category codes, ``"other"`` last."""
    return tuple(c.code for c in CATEGORIES)


@functools.lru_cache(maxsize=4096)
def normalize_category(raw: str) -> str:
    """The category code for a raw category, service code or service name.

    A code is matched exactly; otherwise the longest keyword found in the text decides.
    Anything else is ``"other"`` (the raw value is kept by the caller).

    Examples
    --------
    >>> normalize_category("Jalan Berlubang"), normalize_category("banjir_drainase")
    ('jalan_rusak', 'banjir_drainase')
    >>> normalize_category("Lampu lalu lintas mati"), normalize_category("Kucing hilang")
    ('lampu_lalu_lintas', 'other')
    """
    key = raw.strip().lower()
    if key in _BY_CODE:
        return key
    words = " " + _NON_WORD.sub(" ", key).strip() + " "
    for kw, code in _KEYWORDS:
        if f" {kw} " in words:
            return code
    return OTHER


def route_opd(code: str) -> str:
    """The default OPD for a category code (the triage desk for unknown codes)."""
    return _BY_CODE.get(code, _BY_CODE[OTHER]).opd


def sla_days(overrides: dict[str, float] | None = None) -> dict[str, float]:
    """SLA days per category code: the defaults, updated with ``overrides``.

    Examples
    --------
    >>> sla_days({"sampah": 1})["sampah"], sla_days()["jalan_rusak"]
    (1, 14)
    """
    days = {c.code: c.sla_days for c in CATEGORIES}
    for k, v in (overrides or {}).items():
        if k not in days:
            raise ConfigError(f"SLA override for unknown category {k!r}")
        days[k] = v
    return days


def load_sla_overrides(path: str | Path) -> dict[str, float]:
    """Read ``[sla_days]`` from a TOML file, e.g. ``sampah = 2``."""
    p = Path(path)
    try:
        raw = tomllib.loads(p.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise ConfigError(f"{p}: cannot read SLA file ({e})") from None
    table = raw.get("sla_days", {})
    if not isinstance(table, dict) or not all(
        isinstance(v, int | float) and v > 0 for v in table.values()
    ):
        raise ConfigError(f"{p}: [sla_days] must map category codes to positive numbers")
    sla_days(table)
    return {str(k): float(v) for k, v in table.items()}
