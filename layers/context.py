"""What validation needs to know about the city: boundary, kelurahan, H3 resolution, sites.

A :class:`CityContext` is built from a loaded twin (:meth:`CityContext.from_twin`) or, where
no snapshot exists yet (unit tests, a first run), straight from the admin GeoJSON and the
ATCS camera list (:meth:`CityContext.from_admin_dir`). Both give the same answers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import shapely

from layers.grid import cells_to_strings, latlng_to_cells
from layers.sites import SiteRegistry
from twin.errors import ConfigError, InputError
from twin.profile import CityProfile, load_profile

if TYPE_CHECKING:
    from twin.model import Twin
    from twin.settings import Settings

#: Default tolerance around the city boundary, metres (GPS error, addresses on border roads).
DEFAULT_BUFFER_M = 300.0
#: Clock skew tolerated before a timestamp counts as "in the future".
DEFAULT_FUTURE_SKEW = dt.timedelta(minutes=10)


@dataclass
class CityContext:
    """The city facts used to validate and place records.

    Attributes
    ----------
    slug
        City profile slug (``"medan"``).
    boundary
        City polygon, EPSG:4326.
    buffer_m
        Tolerance around the boundary, metres.
    kelurahan
        GeoDataFrame with ``code``, ``parent_code`` (kecamatan) and ``geometry`` (EPSG:4326).
    h3_resolution
        Resolution of the ``h3`` column computed at ingest.
    sites
        The ATCS site registry.
    timezone
        The city's time zone (naive times in feeds are read in it).
    future_skew
        Clock skew tolerated for "not in the future".
    twin
        The twin it was built from, if any.
    """

    slug: str
    boundary: shapely.Geometry
    buffer_m: float
    kelurahan: gpd.GeoDataFrame
    h3_resolution: int
    sites: SiteRegistry
    timezone: dt.tzinfo
    crs: str
    future_skew: dt.timedelta = DEFAULT_FUTURE_SKEW
    twin: Twin | None = None
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_twin(cls, twin: Twin, *, buffer_m: float = DEFAULT_BUFFER_M) -> CityContext:
        """The context of a loaded twin (boundary, kelurahan and matched sites)."""
        kel = twin.kelurahan.loc[:, ["code", "parent_code", "geometry"]].to_crs(4326)
        return cls(
            slug=twin.profile.slug,
            boundary=shapely.union_all(twin.kota.to_crs(4326).geometry.values),
            buffer_m=buffer_m,
            kelurahan=kel.reset_index(drop=True),
            h3_resolution=twin.profile.h3_resolution,
            sites=SiteRegistry.from_twin(twin),
            timezone=ZoneInfo(twin.profile.timezone),
            crs=twin.profile.crs,
            twin=twin,
        )

    @classmethod
    def from_admin_dir(
        cls,
        admin_dir: str | Path,
        *,
        atcs_csv: str | Path | None = None,
        profile: CityProfile | None = None,
        buffer_m: float = DEFAULT_BUFFER_M,
    ) -> CityContext:
        """A context read from the admin GeoJSON folder and the ATCS camera list.

        Parameters
        ----------
        admin_dir
            Folder with ``medan_kota.geojson`` and ``medan_kelurahan.geojson`` (file names
            from the profile's ``[inputs.boundaries]``).
        atcs_csv
            The camera list; default: the profile's ``atcs`` input beside ``admin_dir``.
        profile
            City profile (default: Medan).
        buffer_m
            Tolerance around the boundary, metres.
        """
        prof = profile or load_profile("medan")
        d = Path(admin_dir)
        spec = prof.inputs["boundaries"].extra
        kota_f, kel_f = d / spec.get("kota", "kota.geojson"), d / spec.get("kelurahan", "")
        for f in (kota_f, kel_f):
            if not f.is_file():
                raise InputError(f, "admin boundary file not found")
        kota = gpd.read_file(kota_f).to_crs(4326)
        kel = gpd.read_file(kel_f).to_crs(4326)
        code_f = prof.admin.get("code_field", "kode")
        kel = gpd.GeoDataFrame(
            {"code": kel[code_f].astype(str), "parent_code": kel["kode_kec"].astype(str)},
            geometry=kel.geometry.values,
            crs=4326,
        )
        if atcs_csv is None:
            # admin_dir is <data>/<city>/admin; the profile path is relative to <data>.
            atcs_csv = d.parent.parent / prof.inputs["atcs"].path
        return cls(
            slug=prof.slug,
            boundary=shapely.union_all(kota.geometry.values),
            buffer_m=buffer_m,
            kelurahan=kel,
            h3_resolution=prof.h3_resolution,
            sites=SiteRegistry.from_csv(atcs_csv),
            timezone=ZoneInfo(prof.timezone),
            crs=prof.crs,
        )

    @classmethod
    def load(cls, settings: Settings, *, city: str | None = None) -> CityContext:
        """The context for the CLI: the latest snapshot if one exists, else the data folder."""
        slug = city or settings.city
        twin = _latest_twin(settings, slug)
        if twin is not None:
            return cls.from_twin(twin)
        if settings.data_dir is None:
            raise ConfigError(
                "no twin snapshot found and TWIN_DATA_DIR is not set: run `twin build` "
                "or set TWIN_DATA_DIR to the offline data folder"
            )
        prof = load_profile(slug)
        return cls.from_admin_dir(
            settings.data_dir / prof.inputs["boundaries"].path,
            atcs_csv=settings.data_dir / prof.inputs["atcs"].path,
            profile=prof,
        )

    # -- spatial answers ----------------------------------------------------------------

    @property
    def buffered(self) -> shapely.Geometry:
        """The boundary grown by :attr:`buffer_m` (prepared for fast point tests)."""
        if "buffered" not in self._cache:
            g = gpd.GeoSeries([self.boundary], crs=4326).to_crs(self.crs)
            b = g.buffer(self.buffer_m).to_crs(4326).iloc[0]
            shapely.prepare(b)
            self._cache["buffered"] = b
        geom: shapely.Geometry = self._cache["buffered"]
        return geom

    def inside(self, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        """Boolean mask: points inside the buffered boundary."""
        lat = np.asarray(lat, dtype=float)
        lon = np.asarray(lon, dtype=float)
        ok = np.isfinite(lat) & np.isfinite(lon)
        out = np.zeros(len(lat), dtype=bool)
        if ok.any():
            out[ok] = shapely.contains_xy(self.buffered, lon[ok], lat[ok])
        return out

    def locate(self, lat: np.ndarray, lon: np.ndarray) -> pd.DataFrame:
        """H3 cell, kelurahan and kecamatan of points already known to be inside.

        A point whose fine H3 cell (res 10, then 11) lies wholly in one kelurahan and touches
        no other takes that kelurahan without a point-in-polygon test; the others are tested
        exactly. Points in the buffer ring or in a sliver gap between kelurahan get the
        nearest one.
        """
        lat = np.asarray(lat, dtype=float)
        lon = np.asarray(lon, dtype=float)
        cells = latlng_to_cells(lat, lon, self.h3_resolution)
        kel_idx = np.full(len(lat), -1, dtype=np.int64)
        todo = np.arange(len(lat))
        # Res 10 then 11 cells (edges of ~66 m and ~25 m) settle most points; kelurahan in
        # the centre are too small for res 9 cells to lie wholly inside them.
        for res in (10, 11):
            if len(todo) == 0:
                break
            fine = latlng_to_cells(lat[todo], lon[todo], res)
            uniq, inverse = np.unique(fine, return_inverse=True)
            kel_idx[todo] = self._cell_kelurahan(uniq, res)[inverse]
            todo = todo[kel_idx[todo] < 0]
        if len(todo):
            kel_idx[todo] = self._point_kelurahan(lat[todo], lon[todo])
        codes = self.kelurahan["code"].to_numpy(dtype=object)
        parents = self.kelurahan["parent_code"].to_numpy(dtype=object)
        return pd.DataFrame(
            {
                "h3": cells_to_strings(cells),
                "kel_code": codes[kel_idx],
                "kec_code": parents[kel_idx],
            }
        )

    def _point_kelurahan(self, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        tree = self._tree()
        out = np.full(len(lat), -1, dtype=np.int64)
        pts = shapely.points(lon, lat)
        src, dst = tree.query(pts, predicate="within")
        # A point on a shared border may fall in two kelurahan: keep the first.
        out[src[::-1]] = dst[::-1]
        miss = np.flatnonzero(out < 0)
        if len(miss):
            s2, d2 = tree.query_nearest(pts[miss], all_matches=False)
            out[miss[s2]] = d2
        return out

    def _cell_kelurahan(self, cells: np.ndarray, res: int) -> np.ndarray:
        """Kelurahan index of each cell lying in exactly one kelurahan, else -1 (cached)."""
        known: dict[int, int] = self._cache.setdefault(f"cell_kel_{res}", {})
        new = [int(c) for c in cells.tolist() if int(c) not in known]
        if new:
            rings = [[(x, y) for y, x in h3.cell_to_boundary(h3.int_to_str(c))] for c in new]
            polys = shapely.polygons(rings)
            tree = self._tree()
            hit = np.zeros(len(new), dtype=np.int64)
            src, _ = tree.query(polys, predicate="intersects")
            np.add.at(hit, src, 1)
            inside = np.full(len(new), -1, dtype=np.int64)
            s_in, d_in = tree.query(polys, predicate="within")
            inside[s_in] = d_in
            for c, n_hit, k in zip(new, hit.tolist(), inside.tolist(), strict=True):
                known[c] = k if n_hit == 1 else -1
        return np.array([known[int(c)] for c in cells.tolist()], dtype=np.int64)

    def _tree(self) -> shapely.STRtree:
        if "tree" not in self._cache:
            self._cache["tree"] = shapely.STRtree(self.kelurahan.geometry.values)
        tree: shapely.STRtree = self._cache["tree"]
        return tree


def _latest_twin(settings: Settings, city: str) -> Twin | None:
    """The newest snapshot of ``city`` under TWIN_HOME, or None if none was built."""
    from twin.snapshot import list_snapshots, load_snapshot

    snaps = list_snapshots(city=city, settings=settings)
    return load_snapshot(snaps[-1]) if snaps else None
