"""The twin in memory: the tables a snapshot holds and the columns each one guarantees.

This is the contract between ``twin/`` and everything downstream (``layers/``, ``sim/``,
``apps/``). A snapshot on disk holds one GeoParquet file per table below plus
``manifest.json``; :func:`twin.snapshot.load_snapshot` returns a :class:`Twin`.

Geometries are stored in WGS84 (EPSG:4326) so maps and feeds use them directly; lengths and
areas are computed in the profile's projected CRS (UTM 47N for Medan) and stored as columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from twin.profile import CityProfile
from twin.provenance import Provenance

#: Value of the admin columns for nodes/edges beyond the city boundary (gateway roads).
OUTSIDE = "outside"

#: Columns of ``Twin.nodes`` (index: ``node_id``, the OSM node id).
NODE_COLUMNS = (
    "node_id",  # int64, OSM node id (negative for synthetic data)
    "x",  # float, projected easting (m)
    "y",  # float, projected northing (m)
    "lon",
    "lat",
    "street_count",  # int, from osmnx
    "highway",  # str | None, e.g. "traffic_signals"
    "ref",  # str | None, e.g. "ATCS-12"
    "kel_code",  # str, kelurahan code or OUTSIDE
    "kec_code",  # str, kecamatan code or OUTSIDE
    "h3",  # str, H3 cell at the profile's main resolution
    "geometry",  # Point, EPSG:4326
)

#: Columns of ``Twin.edges`` (one row per directed edge of the road graph).
EDGE_COLUMNS = (
    "edge_id",  # int, 0..E-1, stable within a snapshot
    "u",  # int, OSM node id of the tail
    "v",  # int, OSM node id of the head
    "key",  # int, multigraph key
    "osmid",  # str, OSM way id(s), ";"-joined when simplification merged several
    "name",  # str, street name ("" when unnamed; lists joined with "; ")
    "highway",  # str, the highest-ranked highway class of the edge
    "lanes",  # float, lanes in this direction (parsed or default)
    "lanes_source",  # str, "osm" or "default"
    "maxspeed_kmh",  # float, parsed or default
    "maxspeed_source",  # str, "osm" or "default"
    "free_speed_kmh",  # float, speed used for free-flow time
    "oneway",  # bool
    "toll",  # bool
    "length_m",  # float, metres (projected)
    "fft_s",  # float, free-flow travel time, seconds
    "capacity_pcu_h",  # float, passenger-car units per hour, this direction
    "capacity_veh_h",  # float, mixed vehicles per hour (capacity / mean PCU of the mix)
    "kel_code",  # str, kelurahan of the edge midpoint or OUTSIDE
    "kec_code",  # str, kecamatan of the edge midpoint or OUTSIDE
    "geometry",  # LineString, EPSG:4326
)

#: Columns of the admin tables ``kota``, ``kecamatan``, ``kelurahan``.
ADMIN_COLUMNS = ("code", "name", "parent_code", "area_km2", "geometry")

#: Columns of ``Twin.h3_cells``: one row per (cell, resolution) covering the city.
H3_CELL_COLUMNS = (
    "cell",  # str, H3 index
    "res",  # int
    "kel_code",  # str, dominant kelurahan by area (OUTSIDE if none)
    "kec_code",  # str
    "share_in_city",  # float 0..1, share of the cell's area inside the city polygon
)

#: Columns of ``Twin.edge_cells``: each edge's length split over the res-9 cells it crosses.
EDGE_CELL_COLUMNS = ("edge_id", "cell", "length_m")

#: Columns of ``Twin.atcs_sites``: the real ATCS camera sites joined to the graph.
ATCS_COLUMNS = (
    "site_id",  # str, "ATCS-<atcs_id>"
    "atcs_id",  # int
    "name",
    "alias",
    "kind",  # "simpang" (intersection) | "ruas" (segment)
    "lon",
    "lat",
    "node_id",  # nearest graph node
    "node_dist_m",
    "edge_id",  # nearest graph edge
    "edge_dist_m",
    "kel_code",
    "kec_code",
    "h3",
    "geometry",
)


@dataclass
class Twin:
    """A loaded snapshot of a city's twin.

    Attributes
    ----------
    snapshot_id
        ``"<city>-<12 hex>"``; the hash covers the inputs and build settings.
    path
        The snapshot folder on disk.
    profile
        The city profile it was built from.
    manifest
        The parsed ``manifest.json``.
    nodes, edges, kota, kecamatan, kelurahan, h3_cells, edge_cells, atcs_sites
        The tables documented by the ``*_COLUMNS`` constants of this module.
    """

    snapshot_id: str
    path: Path
    profile: CityProfile
    manifest: dict[str, Any]
    nodes: gpd.GeoDataFrame
    edges: gpd.GeoDataFrame
    kota: gpd.GeoDataFrame
    kecamatan: gpd.GeoDataFrame
    kelurahan: gpd.GeoDataFrame
    h3_cells: pd.DataFrame
    edge_cells: pd.DataFrame
    atcs_sites: gpd.GeoDataFrame
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def provenance(self) -> list[Provenance]:
        """Provenance of every layer, from the manifest."""
        return [Provenance.from_dict(p) for p in self.manifest.get("provenance", [])]

    @property
    def roads_synthetic(self) -> bool:
        """True when the road layer is synthetic (then the UI must say so everywhere)."""
        return any(p.synthetic for p in self.provenance if p.layer == "roads")

    @property
    def crs(self) -> str:
        """The projected CRS used for lengths and areas."""
        return self.profile.crs
