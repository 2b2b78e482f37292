"""medan-twin core: the city model (road graph, admin boundaries, H3 index, snapshots).

``twin`` imports none of the project's other packages; ``layers``, ``sim`` and ``apps``
build on it.
"""

from twin.errors import ConfigError, InputError, TwinError
from twin.model import OUTSIDE, Twin
from twin.profile import CityProfile, load_profile
from twin.provenance import OSM_ATTRIBUTION, Provenance
from twin.settings import Settings, get_settings

__all__ = [
    "OSM_ATTRIBUTION",
    "OUTSIDE",
    "CityProfile",
    "ConfigError",
    "InputError",
    "Provenance",
    "Settings",
    "Twin",
    "TwinError",
    "get_settings",
    "load_profile",
]
