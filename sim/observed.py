"""Observed versus modelled traffic at the ATCS sites: a plain join, no model logic.

The observed side comes from ``layers`` (``layers.traffic.edge_speed_flow``: one row per site
with its matched ``edge_id``, flows in mixed vehicles per hour and speeds in km/h); the
modelled side is a link table of :mod:`sim.baseline` (flows in PCU/h). ``sim`` does not import
``layers``: the caller passes the observed frame in.

Modelled PCU flows are converted to vehicles with the mean PCU of the road's vehicle mix
(:func:`twin.road_defaults.mean_pcu_per_vehicle`). The GEH statistic compares flows as traffic
engineers do (GEH < 5 is a good match for an hourly count).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from twin.errors import InputError
from twin.road_defaults import mean_pcu_per_vehicle

#: Columns the observed frame must have.
OBSERVED_COLUMNS = ("site_id", "edge_id")


def geh(modelled: npt.ArrayLike, observed: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """The GEH statistic ``sqrt(2 (M - C)^2 / (M + C))`` of hourly flows.

    Examples
    --------
    >>> geh([1000.0, 100.0], [1000.0, 200.0]).round(2).tolist()
    [0.0, 8.16]
    """
    m = np.asarray(modelled, dtype=float)
    c = np.asarray(observed, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(np.sqrt(2.0 * (m - c) ** 2 / (m + c)))


def observed_vs_modelled(
    observed: pd.DataFrame,
    links: pd.DataFrame,
    *,
    flow_column: str = "latest_flow_veh_h",
    speed_column: str = "latest_speed_kmh",
) -> pd.DataFrame:
    """Join observed site figures to the modelled links they are matched to.

    Parameters
    ----------
    observed
        One row per site with ``site_id``, ``edge_id`` and the observed flow (veh/h) and
        speed (km/h) columns; a ``simulated`` column, if present, is carried through.
    links
        A link table of :func:`sim.baseline.link_table` (baseline or scenario).
    flow_column, speed_column
        Which observed columns to compare (e.g. the ``usual_*`` ones).

    Returns
    -------
    pandas.DataFrame
        ``site_id``, ``edge_id``, ``name``, ``highway``, ``observed_flow_veh_h``,
        ``modelled_flow_veh_h``, ``observed_speed_kmh``, ``modelled_speed_kmh``,
        ``speed_diff_kmh``, ``flow_ratio``, ``geh``, ``modelled_vc`` and ``simulated``
        (whether the observation itself is simulated).

    Examples
    --------
    >>> obs = pd.DataFrame({"site_id": ["ATCS-1"], "edge_id": [7],
    ...                     "latest_flow_veh_h": [2000.0], "latest_speed_kmh": [22.0]})
    >>> links = pd.DataFrame({"edge_id": [7], "name": ["Jalan A"], "highway": ["primary"],
    ...                       "flow": [970.0], "speed_kmh": [25.0], "vc": [0.6]})
    >>> row = observed_vs_modelled(obs, links).iloc[0]
    >>> float(row.modelled_flow_veh_h), float(row.speed_diff_kmh)
    (2000.0, 3.0)
    """
    missing = [c for c in (*OBSERVED_COLUMNS, flow_column, speed_column) if c not in observed]
    if missing:
        raise InputError("observed", f"missing column(s) {', '.join(missing)}")
    obs = observed[observed["edge_id"].notna()].copy()
    obs["edge_id"] = obs["edge_id"].astype(np.int64)
    model = links[links["edge_id"] >= 0][["edge_id", "name", "highway", "flow", "speed_kmh", "vc"]]
    out = obs.merge(model, on="edge_id", how="inner")
    pcu = np.array([mean_pcu_per_vehicle(str(h)) for h in out["highway"]], dtype=float)
    out["modelled_flow_veh_h"] = out["flow"].to_numpy(float) / pcu
    out["observed_flow_veh_h"] = out[flow_column].astype(float)
    out["observed_speed_kmh"] = out[speed_column].astype(float)
    out["modelled_speed_kmh"] = out["speed_kmh"].astype(float)
    out["speed_diff_kmh"] = out["modelled_speed_kmh"] - out["observed_speed_kmh"]
    with np.errstate(invalid="ignore", divide="ignore"):
        out["flow_ratio"] = out["modelled_flow_veh_h"] / out["observed_flow_veh_h"]
    out["geh"] = geh(out["modelled_flow_veh_h"], out["observed_flow_veh_h"])
    out["modelled_vc"] = out["vc"].astype(float)
    if "simulated" not in out:
        out["simulated"] = False
    cols = [
        "site_id",
        "edge_id",
        "name",
        "highway",
        "observed_flow_veh_h",
        "modelled_flow_veh_h",
        "observed_speed_kmh",
        "modelled_speed_kmh",
        "speed_diff_kmh",
        "flow_ratio",
        "geh",
        "modelled_vc",
        "simulated",
    ]
    return out[cols].sort_values("site_id").reset_index(drop=True)
