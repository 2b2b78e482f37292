"""City profiles: the per-town facts and inputs that make the twin portable to another kota."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from twin.errors import ConfigError
from twin.provenance import Provenance
from twin.settings import PROJECT_DATA_DIR

PROFILES_DIR = PROJECT_DATA_DIR / "cities"


@dataclass(frozen=True)
class InputSpec:
    """One input of a city: where it lives under the data folder and its provenance."""

    name: str
    path: str
    source: str
    licence: str
    attribution: str
    synthetic: bool
    notes: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def provenance(self, layer: str, *, created_at: str, sha256: str | None) -> Provenance:
        """The provenance of a layer built from this input."""
        return Provenance(
            layer,
            self.source,
            self.licence,
            self.attribution,
            self.synthetic,
            created_at,
            sha256,
            self.notes,
        )


@dataclass(frozen=True)
class Fact:
    """A fact about the city with its source, shown in the presentation.

    ``unit`` is in Bahasa Indonesia; ``unit_en`` is its English form where the two differ.
    """

    key: str
    value: float | int | str
    label_id: str
    label_en: str
    source: str
    unit: str = ""
    unit_en: str = ""

    def unit_in(self, lang: str) -> str:
        """The unit in ``lang`` ("id" or "en")."""
        return self.unit_en if lang == "en" and self.unit_en else self.unit


@dataclass(frozen=True)
class CityProfile:
    """Everything town-specific: name, codes, CRS, time zone, H3 resolutions, facts, inputs."""

    slug: str
    name: str
    province: str
    kemendagri_code: str
    crs: str
    timezone: str
    center: tuple[float, float]
    h3_resolution: int
    h3_rollups: tuple[int, ...]
    admin: dict[str, Any]
    online: dict[str, Any]
    inputs: dict[str, InputSpec]
    facts: tuple[Fact, ...]
    path: Path

    def fact(self, key: str) -> Fact:
        """The fact named ``key``."""
        for f in self.facts:
            if f.key == key:
                return f
        raise KeyError(key)

    @property
    def h3_resolutions(self) -> tuple[int, ...]:
        """Main resolution followed by its roll-ups, finest first."""
        return (self.h3_resolution, *self.h3_rollups)


def available_profiles() -> list[str]:
    """Slugs of the profiles shipped in ``data/cities``."""
    return sorted(p.stem for p in PROFILES_DIR.glob("*.toml"))


def load_profile(city: str | Path = "medan") -> CityProfile:
    """Load a city profile by slug (``"medan"``) or by path to a TOML file.

    Examples
    --------
    >>> p = load_profile("medan")
    >>> p.kemendagri_code, p.crs, p.h3_resolutions
    ('12.71', 'EPSG:32647', (9, 8, 7))
    >>> p.fact("population_2020").value
    2435252
    """
    path = Path(city) if str(city).endswith(".toml") else PROFILES_DIR / f"{city}.toml"
    if not path.is_file():
        known = ", ".join(available_profiles()) or "none"
        raise ConfigError(f"{path}: no such city profile (known: {known})")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: not valid TOML ({e})") from None
    try:
        c = raw["city"]
        inputs = {
            name: InputSpec(
                name=name,
                path=spec["path"],
                source=spec["source"],
                licence=spec["licence"],
                attribution=spec["attribution"],
                synthetic=bool(spec["synthetic"]),
                notes=spec.get("notes", ""),
                extra={k: v for k, v in spec.items() if k not in InputSpec.__dataclass_fields__},
            )
            for name, spec in raw.get("inputs", {}).items()
        }
        facts = tuple(
            Fact(
                key=f["key"],
                value=f["value"],
                label_id=f["label_id"],
                label_en=f["label_en"],
                source=f["source"],
                unit=f.get("unit", ""),
                unit_en=f.get("unit_en", ""),
            )
            for f in raw.get("facts", [])
        )
        return CityProfile(
            slug=c["slug"],
            name=c["name"],
            province=c.get("province", ""),
            kemendagri_code=c["kemendagri_code"],
            crs=c["crs"],
            timezone=c["timezone"],
            center=(float(c["center"][0]), float(c["center"][1])),
            h3_resolution=int(raw["h3"]["resolution"]),
            h3_rollups=tuple(int(r) for r in raw["h3"].get("rollups", [])),
            admin=dict(raw.get("admin", {})),
            online=dict(raw.get("online", {})),
            inputs=inputs,
            facts=facts,
            path=path,
        )
    except KeyError as e:
        raise ConfigError(f"{path}: missing required key {e}") from None
