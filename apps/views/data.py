"""Where the app's data comes from: the twin snapshot and what the pages say about its origin."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from apps.i18n import t
from twin.errors import ConfigError
from twin.model import Twin
from twin.provenance import OSM_ATTRIBUTION, Provenance
from twin.settings import Settings, get_settings


def load_twin(
    *, city: str | None = None, snapshot: str | Path | None = None, settings: Settings | None = None
) -> Twin:
    """The twin to show: ``snapshot`` (an id or a folder) or the city's latest snapshot.

    Raises
    ------
    twin.errors.ConfigError
        When no snapshot exists yet (the message says which command builds one).
    """
    from twin import snapshot as snap

    s = settings or get_settings()
    slug = city or s.city
    if snapshot:
        path = Path(snapshot)
        if not path.is_dir():
            path = snap.city_root(city=slug, settings=s) / str(snapshot)
        if not path.is_dir():
            raise ConfigError(f"snapshot {snapshot}: not found under {path.parent}")
        return snap.load_snapshot(path)
    return snap.load_snapshot(snap.latest_snapshot(city=slug, settings=s))


def attributions(twin: Twin) -> list[str]:
    """Attribution lines for the layers on the map (OSM credit only where OSM data is shown)."""
    out: list[str] = []
    for p in twin.provenance:
        a = p.attribution.strip()
        if a and a not in out:
            out.append(a)
    osm_used = any(
        "openstreetmap" in (p.source + p.licence).lower() and not p.synthetic
        for p in twin.provenance
    )
    if osm_used and OSM_ATTRIBUTION not in out:
        out.insert(0, OSM_ATTRIBUTION)
    return out


def provenance_table(provs: list[Provenance], *, lang: str = "id") -> pd.DataFrame:
    """One row per layer: layer, kind (real / synthetic / simulated), source, licence, ..."""
    rows = []
    for p in provs:
        simulated = "simulat" in (p.source + p.notes).lower()
        kind = (
            t("prov.simulated", lang)
            if simulated
            else t("prov.synthetic", lang)
            if p.synthetic
            else t("prov.real", lang)
        )
        rows.append(
            {
                t("prov.layer", lang): p.layer,
                t("prov.kind", lang): kind,
                t("prov.source", lang): p.source,
                t("prov.licence", lang): p.licence,
                t("prov.attribution", lang): p.attribution,
                t("prov.created", lang): p.created_at,
                t("prov.notes", lang): p.notes,
            }
        )
    return pd.DataFrame(rows)
