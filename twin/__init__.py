"""medan-twin core: the city model (road graph, admin boundaries, H3 index, snapshots).

``twin`` imports none of the project's other packages; ``layers``, ``sim`` and ``apps``
build on it. The face below is the public API; the modules hold the details
(:mod:`twin.road_defaults` for the capacity table, :mod:`twin.osm_tags` for tag parsing).
"""

import importlib
from typing import Any

from twin.boundaries import Boundaries, load_boundaries, locate_points
from twin.errors import ConfigError, InputError, TwinError
from twin.h3index import cell_lookup, cells_for_points, dominant_kelurahan, split_edges
from twin.model import OUTSIDE, Twin
from twin.osm_tags import parse_highway, parse_lanes, parse_maxspeed, parse_oneway
from twin.profile import CityProfile, load_profile
from twin.provenance import OSM_ATTRIBUTION, Provenance
from twin.road_defaults import (
    MEDAN_MIX,
    PCU_FACTORS,
    ROAD_CLASSES,
    RoadClass,
    VehicleMix,
    mean_pcu_per_vehicle,
    pcu_to_veh,
    road_class,
    veh_to_pcu,
)
from twin.settings import Settings, get_settings
from twin.snapshot import BUILD_VERSION, latest_snapshot, list_snapshots, load_snapshot

# osmnx takes ~0.6 s to import; only building needs it, so these names load on first use.
_LAZY = {
    "build_twin": "twin.build",
    "load_road_graph": "twin.roads",
    "ConnectivityReport": "twin.roads",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'twin' has no attribute {name!r}")


__all__ = [
    "BUILD_VERSION",
    "MEDAN_MIX",
    "OSM_ATTRIBUTION",
    "OUTSIDE",
    "PCU_FACTORS",
    "ROAD_CLASSES",
    "Boundaries",
    "CityProfile",
    "ConfigError",
    "ConnectivityReport",
    "InputError",
    "Provenance",
    "RoadClass",
    "Settings",
    "Twin",
    "TwinError",
    "VehicleMix",
    "build_twin",
    "cell_lookup",
    "cells_for_points",
    "dominant_kelurahan",
    "get_settings",
    "latest_snapshot",
    "list_snapshots",
    "load_boundaries",
    "load_profile",
    "load_road_graph",
    "load_snapshot",
    "locate_points",
    "mean_pcu_per_vehicle",
    "parse_highway",
    "parse_lanes",
    "parse_maxspeed",
    "parse_oneway",
    "pcu_to_veh",
    "road_class",
    "split_edges",
    "veh_to_pcu",
]
