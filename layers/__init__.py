"""Live layers of the twin: ATCS traffic observations and citizen complaints, stored and on H3.

Flow: an adapter (:mod:`layers.adapters`) reads a file or payload into canonical records
(:mod:`layers.records`); :mod:`layers.validate` checks them against the city
(:class:`CityContext`); :class:`Store` keeps them (SQLite, WAL) with a quarantine for the
rejected; :mod:`layers.aggregate`, :mod:`layers.hotspots` and :mod:`layers.traffic` put them
on the grid for the app. :mod:`layers.simulate` makes a labelled simulated feed and
:mod:`layers.poller` fetches real ones.
"""

from layers.aggregate import (
    complaint_ageing,
    complaint_counts,
    complaints_over_time,
    in_window,
    sla_summary,
)
from layers.categories import (
    CATEGORIES,
    Category,
    category,
    category_codes,
    normalize_category,
    route_opd,
    sla_days,
)
from layers.context import CityContext
from layers.grid import latlng_to_cell_strings, latlng_to_cells
from layers.hotspots import complaint_hotspots, study_cells
from layers.ingest import IngestReport, ingest_batches, ingest_file, ingest_payload
from layers.records import (
    SIMULATED,
    STATUSES,
    VEHICLE_CLASSES,
    WIB,
    Batch,
    Complaint,
    Rejected,
    TrafficObservation,
    normalize_status,
)
from layers.sites import SiteRegistry, normalize_site_id
from layers.store import Store, feed_provenance, resolve_store_path, wib
from layers.traffic import (
    congestion_by_cell,
    congestion_index,
    edge_speed_flow,
    feed_health,
    site_intervals,
    site_speed_flow,
)

__all__ = [
    "CATEGORIES",
    "SIMULATED",
    "STATUSES",
    "VEHICLE_CLASSES",
    "WIB",
    "Batch",
    "Category",
    "CityContext",
    "Complaint",
    "IngestReport",
    "Rejected",
    "SiteRegistry",
    "Store",
    "TrafficObservation",
    "category",
    "category_codes",
    "complaint_ageing",
    "complaint_counts",
    "complaint_hotspots",
    "complaints_over_time",
    "congestion_by_cell",
    "congestion_index",
    "edge_speed_flow",
    "feed_health",
    "feed_provenance",
    "in_window",
    "ingest_batches",
    "ingest_file",
    "ingest_payload",
    "latlng_to_cell_strings",
    "latlng_to_cells",
    "normalize_category",
    "normalize_site_id",
    "normalize_status",
    "resolve_store_path",
    "route_opd",
    "site_intervals",
    "site_speed_flow",
    "sla_days",
    "sla_summary",
    "study_cells",
    "wib",
]
