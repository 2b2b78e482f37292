"""The online path: download the drive network and admin boundaries with osmnx.

Used only when neither files on the command line nor ``TWIN_DATA_DIR`` provide an input.
It stays thin on purpose: it turns downloads into the same inputs the offline path reads (a
folder of boundary GeoJSON, an unsimplified osmnx graph) and leaves every check to
:mod:`twin.boundaries` and :mod:`twin.roads`. Indonesia tags kota at ``admin_level=5``,
kecamatan at 6 and kelurahan/desa at 7 (the profile's ``[admin]`` table says so).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import osmnx as ox
import pandas as pd
import shapely

from twin.errors import InputError
from twin.profile import CityProfile

#: OSM tags that may carry the Kemendagri code of an admin area, most specific first.
CODE_TAGS = ("ref:id:kemendagri", "ref:kemendagri", "kemendagri:code", "ref")
SOURCE = "OpenStreetMap via the Overpass API (osmnx)"
_HINT = "no internet? give --osm-file and --boundaries, or set TWIN_DATA_DIR"


def _fail(what: str, e: BaseException) -> InputError:
    text = str(e).strip().splitlines()[0][:160] if str(e).strip() else type(e).__name__
    return InputError(SOURCE, f"downloading {what} failed ({text}); {_HINT}")


def _code(row: pd.Series) -> str | None:
    for tag in CODE_TAGS:
        value = row.get(tag)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def use_cache(folder: str | Path) -> None:
    """Keep osmnx's HTTP cache under ``folder`` (osmnx defaults to ``./cache`` in the cwd)."""
    ox.settings.cache_folder = str(folder)


def download_boundaries(*, profile: CityProfile, dest: str | Path) -> dict[str, Path]:
    """Download the city's admin areas and write one GeoJSON per tier into ``dest``.

    Areas without a Kemendagri code tag get a provisional code that keeps the hierarchy:
    ``<parent code>.osm<relation id>``, the parent found by location.

    Returns
    -------
    dict
        ``{tier: path}`` for :func:`twin.boundaries.load_boundaries`.
    """
    levels = {
        "kota": str(profile.admin.get("kota_admin_level", 5)),
        "kecamatan": str(profile.admin.get("kecamatan_admin_level", 6)),
        "kelurahan": str(profile.admin.get("kelurahan_admin_level", 7)),
    }
    tags: dict[str, Any] = {"boundary": "administrative", "admin_level": list(levels.values())}
    try:
        gdf = ox.features_from_place(str(profile.online["place"]), tags=tags)
    except Exception as e:  # network, Overpass and geocoder errors alike
        raise _fail("admin boundaries", e) from None
    gdf = gdf[gdf.geom_type.isin(["Polygon", "MultiPolygon"])].reset_index()
    code_field = str(profile.admin.get("code_field", "kode"))
    name_field = str(profile.admin.get("name_field", "nama"))
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    parents: gpd.GeoDataFrame | None = None
    files: dict[str, Path] = {}
    for tier in ("kota", "kecamatan", "kelurahan"):
        sub = gdf[gdf.get("admin_level", pd.Series(dtype=object)).astype(str) == levels[tier]]
        if tier == "kota":
            sub = sub.assign(_code=profile.kemendagri_code).head(1)
        else:
            codes = [_code(r) for _, r in sub.iterrows()]
            assert parents is not None
            parent = _containing(sub.geometry, parents)
            codes = [
                c or f"{p}.osm{osm_id}"
                for c, p, osm_id in zip(codes, parent, sub["id"], strict=True)
            ]
            sub = sub.assign(_code=codes)
        if sub.empty:
            raise InputError(SOURCE, f"no {tier} (admin_level={levels[tier]}) in the download")
        out = gpd.GeoDataFrame(
            {code_field: sub["_code"].to_numpy(), name_field: sub.get("name", sub["_code"])},
            geometry=sub.geometry.to_numpy(),
            crs="EPSG:4326",
        )
        files[tier] = dest / f"{profile.slug}_{tier}.geojson"
        out.to_file(files[tier], driver="GeoJSON")
        parents = out.rename(columns={code_field: "code"})
    return files


def _containing(geoms: gpd.GeoSeries, parents: gpd.GeoDataFrame) -> list[str]:
    """Code of the parent area containing each geometry's representative point."""
    pts = shapely.point_on_surface(geoms.to_numpy())
    tree = shapely.STRtree(parents.geometry.to_numpy())
    pi, ti = tree.query(pts, predicate="within")
    found = dict(zip(pi.tolist(), parents["code"].to_numpy()[ti].tolist(), strict=True))
    first = str(parents["code"].iloc[0])
    return [str(found.get(i, first)) for i in range(len(pts))]


def download_roads(*, polygon: shapely.Geometry, profile: CityProfile) -> nx.MultiDiGraph:
    """Download the unsimplified drive network inside the city polygon (EPSG:4326)."""
    try:
        return ox.graph_from_polygon(
            polygon,
            network_type=str(profile.online.get("network_type", "drive")),
            simplify=False,
            retain_all=True,
            truncate_by_edge=True,
        )
    except Exception as e:  # network, Overpass and osmnx errors alike
        raise _fail("the road network", e) from None


__all__ = ["CODE_TAGS", "SOURCE", "download_boundaries", "download_roads", "use_cache"]
