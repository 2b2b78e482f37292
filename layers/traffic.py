"""Observed traffic: speed and flow per site and matched edge, congestion per H3 cell, feed health.

Observations come per interval, approach (or lane) and vehicle class. A site's flow for an
interval is its ``total`` class if the source gives one, else the sum of SM + KR + KB; and
the site-wide approach ``all`` if given, else the sum over approaches. Its speed is the
count-weighted mean. Flows are in vehicles per hour (mixed traffic, not PCU).

"Usual" is the median over the same 15-minute time-of-day slot (WIB) on earlier days of the
same day type (weekday or weekend) within ``usual_days``. The congestion index of a site is
``1 - speed / reference speed`` (clipped to 0..1), the reference being the free-flow speed
of its matched edge when a twin is given, else its usual speed.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from layers.grid import cells_to_strings, latlng_to_cells, parent_cells, strings_to_cells
from layers.records import SIMULATED
from layers.sites import SiteRegistry
from layers.store import Store, wib

#: Length of a time-of-day slot for "usual" values, seconds.
SLOT_S = 900
#: Default age after which a feed counts as stale, per kind (seconds).
STALE_AFTER_S = {"traffic": 30 * 60, "complaints": 24 * 3600}


def _frame(data: Store | pd.DataFrame, since: dt.datetime | None) -> pd.DataFrame:
    return data.traffic(since=since) if isinstance(data, Store) else data


def site_intervals(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per site, source and interval: ``flow_veh_h``, ``speed_kmh``, ``count``.

    Parameters
    ----------
    frame
        Traffic observations (store columns).
    """
    cols = [
        "site_id",
        "source",
        "interval_start_ts",
        "interval_s",
        "count",
        "speed_kmh",
        "flow_veh_h",
    ]
    if frame.empty:
        return pd.DataFrame(columns=cols)
    key = ["site_id", "source", "interval_start_ts", "interval_s"]
    df = frame.copy()
    # Prefer the site-wide approach and the all-class total where the source gives them.
    has_all = df.groupby(key)["approach"].transform(lambda a: (a == "all").any())
    df = df[~has_all | (df["approach"] == "all")]
    has_total = df.groupby([*key, "approach"])["vehicle_class"].transform(
        lambda c: (c == "total").any()
    )
    df = df[
        (has_total & (df["vehicle_class"] == "total"))
        | (~has_total & (df["vehicle_class"] != "total"))
    ]
    df = df.assign(
        sw=df["speed_kmh"] * df["count"], sc=np.where(df["speed_kmh"].notna(), df["count"], 0)
    )
    g = df.groupby(key, as_index=False).agg(
        count=("count", "sum"), sw=("sw", "sum"), sc=("sc", "sum")
    )
    g["speed_kmh"] = np.where(g["sc"] > 0, g["sw"] / g["sc"].where(g["sc"] > 0, 1), np.nan)
    g["flow_veh_h"] = g["count"] * 3600.0 / g["interval_s"]
    return g.loc[:, cols]


def site_speed_flow(
    data: Store | pd.DataFrame,
    *,
    at: dt.datetime | None = None,
    usual_days: int = 28,
    tz: str = "Asia/Jakarta",
) -> pd.DataFrame:
    """Latest and usual observed flow and speed per ATCS site (join on ``site_id``).

    Parameters
    ----------
    data
        The store, or traffic observations (store columns).
    at
        Take the latest interval starting before this time (default: now).
    usual_days
        How many earlier days make up the "usual" value.
    tz
        Local time zone for time-of-day slots and day types.

    Returns
    -------
    pandas.DataFrame
        One row per site: ``site_id``, ``source``, ``simulated`` (bool),
        ``latest_start_ts``, ``latest_start_wib``, ``latest_flow_veh_h``,
        ``latest_speed_kmh``, ``usual_flow_veh_h``, ``usual_speed_kmh``, ``usual_n``
        (intervals in the usual value) and ``flow_ratio`` (latest / usual).
    """
    t_at = at or dt.datetime.now(dt.UTC)
    since = t_at - dt.timedelta(days=usual_days + 1)
    iv = site_intervals(_frame(data, since))
    cols = [
        "site_id",
        "source",
        "simulated",
        "latest_start_ts",
        "latest_start_wib",
        "latest_flow_veh_h",
        "latest_speed_kmh",
        "usual_flow_veh_h",
        "usual_speed_kmh",
        "usual_n",
        "flow_ratio",
    ]
    iv = iv[
        (iv["interval_start_ts"] < t_at.timestamp())
        & (iv["interval_start_ts"] >= since.timestamp())
    ]
    if iv.empty:
        return pd.DataFrame(columns=cols)
    local = pd.to_datetime(iv["interval_start_ts"], unit="s", utc=True).dt.tz_convert(tz)
    iv = iv.assign(
        slot=(local.dt.hour * 3600 + local.dt.minute * 60) // SLOT_S,
        weekend=local.dt.day_of_week >= 5,
        day=local.dt.normalize(),
    )
    latest = iv.sort_values("interval_start_ts").groupby("site_id").tail(1).set_index("site_id")
    rows = []
    for site, last in latest.iterrows():
        hist = iv[
            (iv["site_id"] == site)
            & (iv["slot"] == last["slot"])
            & (iv["weekend"] == last["weekend"])
            & (iv["day"] < last["day"])
        ]
        rows.append(
            {
                "site_id": site,
                "source": last["source"],
                "simulated": last["source"] == SIMULATED,
                "latest_start_ts": int(last["interval_start_ts"]),
                "latest_start_wib": wib(int(last["interval_start_ts"])),
                "latest_flow_veh_h": float(last["flow_veh_h"]),
                "latest_speed_kmh": float(last["speed_kmh"]),
                "usual_flow_veh_h": float(hist["flow_veh_h"].median()) if len(hist) else np.nan,
                "usual_speed_kmh": float(hist["speed_kmh"].median()) if len(hist) else np.nan,
                "usual_n": len(hist),
            }
        )
    out = pd.DataFrame(rows)
    out["flow_ratio"] = out["latest_flow_veh_h"] / out["usual_flow_veh_h"]
    return out.loc[:, cols].sort_values("site_id").reset_index(drop=True)


def edge_speed_flow(
    site_flows: pd.DataFrame,
    sites: SiteRegistry,
    *,
    edges: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Observed flow and speed on the graph edges the sites are matched to.

    Parameters
    ----------
    site_flows
        From :func:`site_speed_flow`.
    sites
        The registry (matched to a twin: ``edge_id`` and ``edge_dist_m`` set).
    edges
        The twin's edges, for ``free_speed_kmh`` and the ``congestion_index``.

    Returns
    -------
    pandas.DataFrame
        ``edge_id``, ``site_id``, ``edge_dist_m``, the flow and speed columns, and
        ``free_speed_kmh`` and ``congestion_index`` when ``edges`` is given.
    """
    t = sites.table.loc[:, ["site_id", "edge_id", "edge_dist_m", "lat", "lon"]]
    out = site_flows.merge(t, on="site_id", how="inner")
    out = out[out["edge_id"].notna()].copy()
    if edges is not None and len(out):
        free = pd.Series(edges["free_speed_kmh"].to_numpy(), index=edges["edge_id"].to_numpy())
        out["free_speed_kmh"] = out["edge_id"].astype(int).map(free).to_numpy()
        out["congestion_index"] = congestion_index(out["latest_speed_kmh"], out["free_speed_kmh"])
    return out.reset_index(drop=True)


def congestion_index(speed: pd.Series, reference: pd.Series) -> np.ndarray:
    """``1 - speed / reference`` clipped to 0..1 (NaN where either is missing).

    Examples
    --------
    >>> congestion_index(pd.Series([20.0, 60.0]), pd.Series([40.0, 50.0])).tolist()
    [0.5, 0.0]
    """
    s = np.asarray(speed, dtype=float)
    r = np.asarray(reference, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ci = 1.0 - s / r
    ci[~(r > 0)] = np.nan
    out: np.ndarray = np.clip(ci, 0.0, 1.0)
    return out


def congestion_by_cell(
    site_flows: pd.DataFrame,
    sites: SiteRegistry,
    *,
    res: int = 9,
    edges: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Congestion index per H3 cell from the sites it holds (flow-weighted mean).

    Returns
    -------
    pandas.DataFrame
        ``cell``, ``congestion_index``, ``n_sites``, ``flow_veh_h`` (sum),
        ``speed_kmh`` (flow-weighted mean), ``simulated`` (any site simulated).
    """
    t = sites.table.loc[:, ["site_id", "lat", "lon", "edge_id"]]
    df = site_flows.merge(t, on="site_id", how="inner")
    cols = ["cell", "congestion_index", "n_sites", "flow_veh_h", "speed_kmh", "simulated"]
    if df.empty:
        return pd.DataFrame(columns=cols)
    if edges is not None:
        free = pd.Series(edges["free_speed_kmh"].to_numpy(), index=edges["edge_id"].to_numpy())
        ref = df["edge_id"].map(lambda e: free.get(int(e), np.nan) if pd.notna(e) else np.nan)
    else:
        ref = df["usual_speed_kmh"]
    df["ci"] = congestion_index(df["latest_speed_kmh"], ref)
    cells = latlng_to_cells(df["lat"].to_numpy(float), df["lon"].to_numpy(float), res)
    df["cell"] = cells_to_strings(cells)
    w = df["latest_flow_veh_h"].clip(lower=1.0)
    df = df.assign(
        w=w,
        wci=w * df["ci"].fillna(0),
        wsp=w * df["latest_speed_kmh"].fillna(0),
        wok=w * df["ci"].notna(),
    )
    g = df.groupby("cell").agg(
        wci=("wci", "sum"),
        wok=("wok", "sum"),
        wsp=("wsp", "sum"),
        w=("w", "sum"),
        n_sites=("site_id", "size"),
        flow_veh_h=("latest_flow_veh_h", "sum"),
        simulated=("simulated", "any"),
    )
    g["congestion_index"] = g["wci"] / g["wok"].where(g["wok"] > 0)
    g["speed_kmh"] = g["wsp"] / g["w"]
    return g.reset_index().loc[:, cols]


def rollup_cells(cells: pd.Series, res: int) -> pd.Series:
    """Parent cells (hex) of hex cells at the coarser resolution ``res``."""
    return pd.Series(
        cells_to_strings(parent_cells(strings_to_cells(cells.tolist()), res)), index=cells.index
    )


def feed_health(
    store: Store,
    *,
    now: dt.datetime | None = None,
    stale_after_s: dict[str, int] | None = None,
) -> pd.DataFrame:
    """Last record per feed (kind and source) and whether the feed is stale.

    Returns
    -------
    pandas.DataFrame
        ``kind``, ``source``, ``records``, ``last_updated_ts``, ``last_updated_wib``,
        ``last_ingested_wib``, ``age_min``, ``stale`` (bool), ``simulated`` (bool).
    """
    t_now = (now or dt.datetime.now(dt.UTC)).timestamp()
    limits = STALE_AFTER_S | (stale_after_s or {})
    df = store.query(
        "SELECT 'complaints' AS kind, source, COUNT(*) AS records,"
        " MAX(updated_ts) AS last_updated_ts, MAX(ingested_ts) AS last_ingested_ts"
        " FROM complaints GROUP BY source "
        "UNION ALL SELECT 'traffic', source, COUNT(*), MAX(updated_ts), MAX(ingested_ts) "
        "FROM traffic GROUP BY source"
    )
    if df.empty:
        return pd.DataFrame(
            columns=[
                "kind",
                "source",
                "records",
                "last_updated_ts",
                "last_updated_wib",
                "last_ingested_wib",
                "age_min",
                "stale",
                "simulated",
            ]
        )
    df["last_updated_wib"] = df["last_updated_ts"].map(wib)
    df["last_ingested_wib"] = df["last_ingested_ts"].map(wib)
    df["age_min"] = (t_now - df["last_updated_ts"]) / 60.0
    df["stale"] = df["age_min"] * 60 > df["kind"].map(limits)
    df["simulated"] = df["source"] == SIMULATED
    return (
        df.drop(columns="last_ingested_ts").sort_values(["kind", "source"]).reset_index(drop=True)
    )
