"""Per-class road defaults: lanes, speed and capacity, and the PCU factors of the vehicle mix.

OSM tagging in Indonesian cities is sparse (few ways carry ``lanes`` or ``maxspeed``), so every
edge falls back on this table for what its tags do not say. The scenario engine reuses the
same constants, so they are plain typed values rather than configuration.

Sources
-------
Capacities
    Basic capacities *C0* of MKJI 1997 (Manual Kapasitas Jalan Indonesia, Direktorat Jenderal
    Bina Marga), chapter "Jalan Perkotaan": 1650 smp/h per lane for a 4-lane divided or one-way
    road, 1500 per lane for 4-lane undivided, 2900 for both directions of a 2-lane undivided road
    (1450 per lane), and 2300 per lane for a freeway (chapter "Jalan Bebas Hambatan"). PKJI 2023
    (Pedoman Kapasitas Jalan Indonesia, SE Dirjen Bina Marga No 21/SE/Db/2023) keeps the same
    structure, C = C0 x FCw x FCsp x FCsf x FCcs, with SMP renamed SKR. The per-class values
    below are C0 times typical correction factors for the class in a city of 1-3 million
    (FCcs = 1.00): medium side friction on arterials (FCsf ~0.95), narrow lanes and high side
    friction on collector and local streets (FCw x FCsf ~0.6-0.8). They are planning defaults,
    not measurements: calibrate against counts before quoting a capacity as fact.
Speeds
    Posted limits of Peraturan Menteri Perhubungan PM 111 Tahun 2015: toll roads 60-100 km/h,
    urban arterials at most 50 km/h, collectors 40 km/h, local and residential streets 30 km/h.
PCU equivalents (emp / EKR)
    MKJI 1997 urban roads at flows near capacity: light vehicle 1.0, heavy vehicle 1.2,
    motorcycle 0.25 (PKJI 2023 keeps 0.25 for motorcycles on urban roads at high flow).
Vehicle mix
    Motorcycles dominate Medan's traffic: over 80 % of Indonesia's registered motor vehicles
    are motorcycles (BPS, Statistik Transportasi Darat); on the road their share of counted
    vehicles is lower. The default mix (70 % motorcycles, 25 % light, 5 % heavy) is an
    order-of-magnitude assumption, not a count. Toll roads carry no motorcycles (PP 15/2005
    art. 38 reserves them for vehicles with four or more wheels; PP 44/2009 allows separate
    motorcycle lanes on some toll roads, which these defaults assume absent), so they use
    their own mix.

Examples
--------
>>> road_class("primary").capacity_pcu_h_per_lane
1570.0
>>> round(mean_pcu_per_vehicle("residential"), 3)
0.485
>>> round(pcu_to_veh(1000.0, highway="residential"))
2062
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Final


@dataclass(frozen=True)
class RoadClass:
    """Defaults for one OSM ``highway`` class.

    Attributes
    ----------
    highway
        The OSM ``highway`` value.
    rank
        Importance, larger is more important; picks the class of an edge whose ``highway``
        is a list after simplification.
    lanes_per_direction
        Lanes in each direction when the ``lanes`` tag is missing.
    speed_kmh
        Posted speed used when ``maxspeed`` is missing, and the free-flow speed cap.
    capacity_pcu_h_per_lane
        Capacity of one lane in passenger-car units (SMP/SKR) per hour.
    source
        Where the capacity comes from.
    """

    highway: str
    rank: int
    lanes_per_direction: float
    speed_kmh: float
    capacity_pcu_h_per_lane: float
    source: str


_MKJI_FREEWAY = "MKJI 1997 Jalan Bebas Hambatan C0 2300 smp/h/lane; PKJI 2023 JBH"
_MKJI_DIVIDED = "MKJI 1997 Jalan Perkotaan C0 1650 smp/h/lane (4/2D) x FCsf 0.95; PKJI 2023 JK"
_MKJI_UNDIVIDED = "MKJI 1997 Jalan Perkotaan C0 2900 smp/h (2/2UD) / 2 lanes x FCsf; PKJI 2023 JK"
_MKJI_LOCAL = "MKJI 1997 2/2UD C0 1450 smp/h/lane x FCw 0.56-0.87 x FCsf 0.8 (narrow lanes)"

#: The default table, by OSM ``highway`` value. Classes not listed here are not drivable.
ROAD_CLASSES: Final = MappingProxyType(
    {
        c.highway: c
        for c in (
            RoadClass("motorway", 100, 2, 80, 2300.0, _MKJI_FREEWAY),
            RoadClass("trunk", 90, 2, 60, 1570.0, _MKJI_DIVIDED),
            RoadClass("primary", 80, 2, 50, 1570.0, _MKJI_DIVIDED),
            RoadClass("secondary", 70, 1, 50, 1380.0, _MKJI_UNDIVIDED),
            RoadClass("tertiary", 60, 1, 40, 1250.0, _MKJI_UNDIVIDED),
            RoadClass("motorway_link", 55, 1, 40, 1800.0, _MKJI_FREEWAY + " x ramp 0.8"),
            RoadClass("trunk_link", 54, 1, 40, 1400.0, _MKJI_DIVIDED + " x link 0.9"),
            RoadClass("primary_link", 53, 1, 40, 1400.0, _MKJI_DIVIDED + " x link 0.9"),
            RoadClass("secondary_link", 52, 1, 40, 1250.0, _MKJI_UNDIVIDED + " x link 0.9"),
            RoadClass("tertiary_link", 51, 1, 30, 1100.0, _MKJI_UNDIVIDED + " x link 0.9"),
            RoadClass("unclassified", 40, 1, 30, 1000.0, _MKJI_LOCAL),
            RoadClass("residential", 30, 1, 30, 900.0, _MKJI_LOCAL),
            RoadClass("road", 25, 1, 30, 900.0, _MKJI_LOCAL),
            RoadClass("living_street", 20, 1, 20, 600.0, _MKJI_LOCAL + " x 0.65"),
            RoadClass("service", 10, 1, 20, 600.0, _MKJI_LOCAL + " x 0.65"),
        )
    }
)

#: Class used for a ``highway`` value missing from :data:`ROAD_CLASSES` but still kept.
FALLBACK_CLASS: Final = "unclassified"

#: PCU (SMP/SKR) equivalent of one vehicle of each type on urban roads near capacity.
PCU_FACTORS: Final = MappingProxyType({"motorcycle": 0.25, "light": 1.0, "heavy": 1.2})


@dataclass(frozen=True)
class VehicleMix:
    """Shares of vehicle types in the traffic stream (they sum to 1)."""

    motorcycle: float
    light: float
    heavy: float

    def mean_pcu(self) -> float:
        """Mean PCU per vehicle of this mix."""
        return (
            self.motorcycle * PCU_FACTORS["motorcycle"]
            + self.light * PCU_FACTORS["light"]
            + self.heavy * PCU_FACTORS["heavy"]
        )


#: Motorcycle-majority mix of Medan's surface streets (an assumption, see the module notes).
MEDAN_MIX: Final = VehicleMix(motorcycle=0.70, light=0.25, heavy=0.05)
#: Toll roads: no motorcycles allowed.
TOLL_MIX: Final = VehicleMix(motorcycle=0.0, light=0.80, heavy=0.20)

_TOLL_CLASSES = frozenset({"motorway", "motorway_link"})


def road_class(highway: str) -> RoadClass:
    """The defaults of a ``highway`` class (the fallback class for unknown values)."""
    return ROAD_CLASSES.get(highway, ROAD_CLASSES[FALLBACK_CLASS])


def is_drivable(highway: str) -> bool:
    """True for the ``highway`` classes the drive network keeps.

    Examples
    --------
    >>> is_drivable("residential"), is_drivable("footway")
    (True, False)
    """
    return highway in ROAD_CLASSES


def vehicle_mix(highway: str, *, toll: bool = False) -> VehicleMix:
    """The vehicle mix assumed on a road of this class (toll roads carry no motorcycles)."""
    return TOLL_MIX if toll or highway in _TOLL_CLASSES else MEDAN_MIX


def mean_pcu_per_vehicle(highway: str, *, toll: bool = False) -> float:
    """Mean PCU of one vehicle of the mix on a road of this class."""
    return vehicle_mix(highway, toll=toll).mean_pcu()


def pcu_to_veh(pcu_h: float, *, highway: str, toll: bool = False) -> float:
    """Convert a flow or capacity in PCU/h to mixed vehicles per hour."""
    return pcu_h / mean_pcu_per_vehicle(highway, toll=toll)


def veh_to_pcu(veh_h: float, *, highway: str, toll: bool = False) -> float:
    """Convert a flow in mixed vehicles per hour to PCU/h."""
    return veh_h * mean_pcu_per_vehicle(highway, toll=toll)


__all__ = [
    "FALLBACK_CLASS",
    "MEDAN_MIX",
    "PCU_FACTORS",
    "ROAD_CLASSES",
    "TOLL_MIX",
    "RoadClass",
    "VehicleMix",
    "is_drivable",
    "mean_pcu_per_vehicle",
    "pcu_to_veh",
    "road_class",
    "veh_to_pcu",
    "vehicle_mix",
]
