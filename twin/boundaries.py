"""Administrative boundaries: read and validate the kota > kecamatan > kelurahan hierarchy.

Each tier is a GeoJSON file in WGS84 with a code field (Kemendagri codes such as ``12.71``,
``12.71.05``, ``12.71.05.1001``) and a name field; the field names come from the city
profile (``[admin] code_field`` / ``name_field``). A missing kota or kecamatan file is
dissolved from the tier below, so a folder of kelurahan alone is enough.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import shapely

from twin.errors import InputError
from twin.model import ADMIN_COLUMNS, OUTSIDE
from twin.profile import CityProfile

#: Tier names, coarsest first.
TIERS = ("kota", "kecamatan", "kelurahan")
#: The CRS every boundary file must be in (GeoJSON, RFC 7946).
BOUNDARY_CRS = "EPSG:4326"
#: Points inside the city but in a sliver gap between kelurahan take the nearest kelurahan
#: within this distance (metres); the shared boundaries have gaps of a few tens of metres.
GAP_TOLERANCE_M = 100.0


@dataclass(frozen=True)
class Boundaries:
    """The three admin tiers, each with :data:`twin.model.ADMIN_COLUMNS`, in EPSG:4326."""

    kota: gpd.GeoDataFrame
    kecamatan: gpd.GeoDataFrame
    kelurahan: gpd.GeoDataFrame
    files: dict[str, Path]

    def city_polygon(self) -> shapely.Geometry:
        """The city as one (multi)polygon in EPSG:4326."""
        return shapely.union_all(self.kota.geometry.to_numpy())


def boundary_files(folder: str | Path, *, profile: CityProfile) -> dict[str, Path]:
    """The GeoJSON file of each tier in ``folder`` (profile names first, then ``*<tier>*``).

    Raises
    ------
    InputError
        If the folder does not exist or holds no kelurahan file.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(folder, "boundary folder not found")
    spec = profile.inputs.get("boundaries")
    found: dict[str, Path] = {}
    for tier in TIERS:
        name = spec.extra.get(tier) if spec is not None else None
        if isinstance(name, str) and (folder / name).is_file():
            found[tier] = folder / name
            continue
        matches = sorted(folder.glob(f"*{tier}*.geojson")) + sorted(folder.glob(f"*{tier}*.json"))
        if matches:
            found[tier] = matches[0]
    if "kelurahan" not in found:
        raise InputError(folder, "no kelurahan GeoJSON file (expected *kelurahan*.geojson)")
    return found


def read_admin_file(
    path: str | Path, *, tier: str, code_field: str = "kode", name_field: str = "nama"
) -> gpd.GeoDataFrame:
    """Read one tier's GeoJSON and check its CRS, geometry and codes.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``code``, ``name``, ``geometry`` (EPSG:4326), valid polygons.

    Raises
    ------
    InputError
        Unreadable file, a CRS other than WGS84 (declared, or betrayed by coordinates outside
        lon/lat range), no polygons, missing/empty/duplicate codes.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(path, f"{tier} boundary file not found")
    try:
        gdf = gpd.read_file(path)
    except Exception as e:  # pyogrio raises several types for broken files
        raise InputError(path, f"not a readable GeoJSON file ({_short(e)})") from None
    if len(gdf) == 0:
        raise InputError(path, f"no {tier} features")
    if gdf.crs is not None and not gdf.crs.equals(BOUNDARY_CRS):
        raise InputError(
            path, f"CRS is {gdf.crs.to_string()}, expected WGS84 lon/lat ({BOUNDARY_CRS})"
        )
    minx, miny, maxx, maxy = gdf.total_bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise InputError(
            path,
            "coordinates are not WGS84 lon/lat (bounds "
            f"{minx:.0f},{miny:.0f},{maxx:.0f},{maxy:.0f}); reproject to {BOUNDARY_CRS}",
        )
    gdf = gdf.set_crs(BOUNDARY_CRS, allow_override=True)
    kinds = set(gdf.geom_type.dropna())
    if not kinds <= {"Polygon", "MultiPolygon"}:
        raise InputError(path, f"expected polygons, found {', '.join(sorted(kinds))}")
    if code_field not in gdf.columns:
        raise InputError(path, f"no code field '{code_field}' (the {tier} codes are missing)")
    codes = gdf[code_field]
    empty = codes.isna() | (codes.astype(str).str.strip() == "")
    if empty.any():
        raise InputError(path, f"{int(empty.sum())} {tier} feature(s) without a '{code_field}'")
    codes = codes.astype(str).str.strip()
    dup = codes[codes.duplicated()]
    if len(dup):
        raise InputError(path, f"duplicate {tier} code(s): {', '.join(sorted(set(dup))[:5])}")
    names = (
        gdf[name_field].fillna("").astype(str).str.strip() if name_field in gdf.columns else codes
    )
    geom = shapely.make_valid(gdf.geometry.to_numpy())
    return gpd.GeoDataFrame(
        {"code": codes.to_numpy(), "name": names.to_numpy()},
        geometry=gpd.GeoSeries(geom, crs=BOUNDARY_CRS),
    )


def load_boundaries(
    folder: str | Path | None = None,
    *,
    profile: CityProfile,
    files: dict[str, Path] | None = None,
) -> Boundaries:
    """Read, validate and link the admin tiers of a city.

    Parameters
    ----------
    folder
        A folder of GeoJSON files (see :func:`boundary_files`); or give ``files``.
    profile
        The city profile (code/name fields, the city's code, projected CRS for areas).
    files
        Explicit ``{tier: path}``; ``kelurahan`` is required.

    Returns
    -------
    Boundaries
        Every tier with ``code``, ``name``, ``parent_code``, ``area_km2`` (in the profile
        CRS) and ``geometry``, sorted by code.

    Raises
    ------
    InputError
        Any file problem (see :func:`read_admin_file`), or a broken hierarchy: a kelurahan
        whose code does not extend a kecamatan code, a kecamatan outside the city code.
    """
    if files is None:
        if folder is None:
            raise InputError("boundaries", "no boundary folder or files given")
        files = boundary_files(folder, profile=profile)
    code_field = str(profile.admin.get("code_field", "kode"))
    name_field = str(profile.admin.get("name_field", "nama"))
    tables = {
        tier: read_admin_file(path, tier=tier, code_field=code_field, name_field=name_field)
        for tier, path in files.items()
    }
    kel = tables["kelurahan"]
    kel_path = files["kelurahan"]
    kel["parent_code"] = kel["code"].map(_parent_code)
    if "kecamatan" in tables:
        kec = tables["kecamatan"]
        orphans = sorted(set(kel["parent_code"]) - set(kec["code"]))
        if orphans:
            raise InputError(
                kel_path,
                f"kelurahan code(s) under no kecamatan of {files['kecamatan'].name}: "
                + ", ".join(orphans[:5]),
            )
    else:
        kec = _dissolve(kel, by="parent_code")
    kec["parent_code"] = kec["code"].map(_parent_code)
    if "kota" in tables:
        kota = tables["kota"]
    else:
        kota = _dissolve(kec, by="parent_code")
        kota["name"] = profile.name
    kota["parent_code"] = kota["code"].map(_parent_code)
    city_code = profile.kemendagri_code
    if city_code not in set(kota["code"]):
        where = files.get("kota", kel_path)
        raise InputError(where, f"no kota with code {city_code} ({profile.name})")
    kota = kota[kota["code"] == city_code]
    bad_kec = sorted(set(kec["parent_code"]) - {city_code})
    if bad_kec:
        raise InputError(
            files.get("kecamatan", kel_path),
            f"kecamatan code(s) outside kota {city_code}: "
            + ", ".join(sorted(kec.loc[kec["parent_code"].isin(bad_kec), "code"])[:5]),
        )
    out: dict[str, gpd.GeoDataFrame] = {}
    for tier, gdf in (("kota", kota), ("kecamatan", kec), ("kelurahan", kel)):
        gdf = gdf.sort_values("code").reset_index(drop=True)
        gdf["area_km2"] = gdf.geometry.to_crs(profile.crs).area.to_numpy() / 1e6
        out[tier] = gpd.GeoDataFrame(gdf[list(ADMIN_COLUMNS)], geometry="geometry")
    return Boundaries(
        kota=out["kota"], kecamatan=out["kecamatan"], kelurahan=out["kelurahan"], files=files
    )


def _parent_code(code: str) -> str:
    """``12.71.05.1001`` -> ``12.71.05``; a code without a dot has no parent (``""``)."""
    return code.rsplit(".", 1)[0] if "." in code else ""


def _dissolve(gdf: gpd.GeoDataFrame, *, by: str) -> gpd.GeoDataFrame:
    groups = gdf.groupby(by, sort=True)
    geoms = [shapely.union_all(g.geometry.to_numpy()) for _, g in groups]
    codes = [str(k) for k, _ in groups]
    return gpd.GeoDataFrame({"code": codes, "name": codes}, geometry=geoms, crs=gdf.crs)


def _short(e: BaseException) -> str:
    text = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    return text[:160]


def locate_points(
    points: gpd.GeoSeries, *, boundaries: Boundaries, crs: str
) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.object_]]:
    """The kelurahan and kecamatan code of each point (:data:`~twin.model.OUTSIDE` beyond the city).

    A point inside two overlapping kelurahan takes the lowest code; a point inside the city
    polygon but in a sliver gap between kelurahan takes the nearest one within
    :data:`GAP_TOLERANCE_M`.

    Parameters
    ----------
    points
        Points in any CRS.
    boundaries
        The admin tiers.
    crs
        The projected CRS for the nearest-kelurahan distance.

    Returns
    -------
    tuple of numpy.ndarray
        ``(kel_codes, kec_codes)``, object arrays of ``str`` aligned with ``points``.
    """
    n = len(points)
    kel_codes = np.full(n, OUTSIDE, dtype=object)
    if n == 0:
        return kel_codes, kel_codes.copy()
    pts = gpd.GeoSeries(points.to_numpy(), crs=points.crs).to_crs(crs).reset_index(drop=True)
    kel = boundaries.kelurahan.to_crs(crs)
    tree = shapely.STRtree(kel.geometry.to_numpy())
    pi, ki = tree.query(pts.to_numpy(), predicate="intersects")
    if len(pi):
        # sorted codes + first-per-point = lowest code wins in overlaps
        order = np.lexsort((ki, pi))
        pi, ki = pi[order], ki[order]
        first = np.unique(pi, return_index=True)[1]
        kel_codes[pi[first]] = kel["code"].to_numpy()[ki[first]]
    missing = np.flatnonzero(kel_codes == OUTSIDE)
    if len(missing):
        city = shapely.union_all(boundaries.kota.to_crs(crs).geometry.to_numpy())
        inside = shapely.intersects(city, pts.to_numpy()[missing])
        gap = missing[inside]
        if len(gap):
            idx, dist = tree.query_nearest(
                pts.to_numpy()[gap], return_distance=True, all_matches=False
            )
            ok = dist <= GAP_TOLERANCE_M
            kel_codes[gap[idx[0][ok]]] = kel["code"].to_numpy()[idx[1][ok]]
    kec_codes = np.array([c if c == OUTSIDE else _parent_code(c) for c in kel_codes], dtype=object)
    return kel_codes, kec_codes


__all__ = [
    "BOUNDARY_CRS",
    "GAP_TOLERANCE_M",
    "TIERS",
    "Boundaries",
    "boundary_files",
    "load_boundaries",
    "locate_points",
    "read_admin_file",
]
