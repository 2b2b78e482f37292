"""What the command-center wall shows, read from the live feed store (``layers.store``).

One call, :func:`live_state`, reads the store read-only and returns every figure of the wall:
latest ATCS readings against the usual speed of the same hour, congestion per H3 cell, open
complaints by category, SLA breaches by OPD (``layers.aggregate``), complaint hotspots
(``layers.hotspots``, Getis-Ord Gi*), feed health and alerts. Times are UTC Unix seconds in
the store and shown in WIB.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import h3
import pandas as pd

from apps import theme
from apps.i18n import STRINGS, t
from twin.errors import ConfigError
from twin.model import Twin

#: A feed whose last record is older than this is shown as stale.
STALE_AFTER = {"traffic": dt.timedelta(minutes=20), "complaints": dt.timedelta(hours=3)}
#: A site whose speed is below this share of its usual speed raises an alert.
SLOW_RATIO = 0.6
#: Window of complaints the hotspots are computed on, and the "recent" window for alerts.
HOTSPOT_WINDOW = dt.timedelta(days=7)
NEW_WINDOW = dt.timedelta(hours=1)
#: Resolution of the wall's H3 layers (res 8 cells are about 0.7 km²).
WALL_RES = 8


@dataclass
class LiveState:
    """Everything the wall shows at one moment (see module docstring)."""

    now: dt.datetime
    store: Path
    readings: pd.DataFrame
    congestion: pd.DataFrame
    complaints: pd.DataFrame
    open_by_category: pd.DataFrame
    sla_by_opd: pd.DataFrame
    hotspots: pd.DataFrame
    feeds: pd.DataFrame
    alerts: list[dict[str, Any]]
    mean_speed_now: float | None
    mean_speed_usual: float | None
    n_records: int
    n_simulated: int
    hotspot_method: dict[str, Any] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        """True when the store holds no record at all."""
        return self.n_records == 0


def _site_speeds(traffic: pd.DataFrame) -> pd.DataFrame:
    """One speed per (site, interval): the ``total`` row or the count-weighted class mean."""
    if traffic.empty:
        return pd.DataFrame(columns=["site_id", "interval_start_ts", "speed_kmh", "count"])
    df = traffic[traffic["speed_kmh"].notna()].copy()
    total = df[df["vehicle_class"] == "total"]
    rest = df[
        ~df.set_index(["site_id", "interval_start_ts"]).index.isin(
            total.set_index(["site_id", "interval_start_ts"]).index
        )
    ]
    rest = rest.assign(w=rest["count"].clip(lower=0) + 1e-9)
    agg = (
        rest.assign(ws=rest["w"] * rest["speed_kmh"])
        .groupby(["site_id", "interval_start_ts"], as_index=False)
        .agg(ws=("ws", "sum"), w=("w", "sum"), count=("count", "sum"))
    )
    agg["speed_kmh"] = agg["ws"] / agg["w"]
    tot = total.groupby(["site_id", "interval_start_ts"], as_index=False).agg(
        speed_kmh=("speed_kmh", "mean"), count=("count", "sum")
    )
    return pd.concat(
        [tot, agg[["site_id", "interval_start_ts", "speed_kmh", "count"]]], ignore_index=True
    )


def site_readings(traffic: pd.DataFrame, twin: Twin, *, now: dt.datetime) -> pd.DataFrame:
    """Latest speed per ATCS site against its usual speed at the same hour (WIB).

    The usual speed is the median of the site's earlier intervals in the same hour of the
    day; with fewer than three of those, the median of all its earlier intervals.

    Returns
    -------
    pandas.DataFrame
        ``site_id, name, lon, lat, h3, time_ts, speed_kmh, usual_kmh, ratio, count,
        free_kmh`` (one row per site with a reading).
    """
    sp = _site_speeds(traffic)
    cols = [
        "site_id",
        "name",
        "lon",
        "lat",
        "h3",
        "time_ts",
        "speed_kmh",
        "usual_kmh",
        "ratio",
        "count",
        "free_kmh",
    ]
    if sp.empty:
        return pd.DataFrame(columns=cols)
    hour = (
        pd.to_datetime(sp["interval_start_ts"], unit="s", utc=True).dt.tz_convert(theme.WIB).dt.hour
    )
    sp = sp.assign(hour=hour.to_numpy())
    last_ts = sp.groupby("site_id")["interval_start_ts"].transform("max")
    latest = sp[sp["interval_start_ts"] == last_ts].drop_duplicates("site_id")
    hist = sp[sp["interval_start_ts"] < last_ts]
    same_hour = hist.merge(latest[["site_id", "hour"]], on=["site_id", "hour"])
    n_same = same_hour.groupby("site_id").size()
    usual_same = same_hour.groupby("site_id")["speed_kmh"].median()
    usual_all = hist.groupby("site_id")["speed_kmh"].median()
    usual = usual_same.where(n_same.reindex(usual_same.index, fill_value=0) >= 3)
    usual = usual.reindex(usual_all.index).fillna(usual_all)
    sites = twin.atcs_sites.set_index("site_id")
    free = twin.edges.set_index("edge_id")["free_speed_kmh"]
    out = latest.set_index("site_id").join(
        sites[["name", "lon", "lat", "h3", "edge_id"]], how="inner"
    )
    out["usual_kmh"] = usual.reindex(out.index)
    out["ratio"] = out["speed_kmh"] / out["usual_kmh"]
    out["free_kmh"] = free.reindex(out["edge_id"].to_numpy()).to_numpy()
    out["time_ts"] = out["interval_start_ts"]
    return out.reset_index()[cols]


def congestion_cells(readings: pd.DataFrame, *, res: int = WALL_RES) -> pd.DataFrame:
    """Congestion index per H3 cell: ``1 - speed / free-flow speed`` of its sites (0..1)."""
    if readings.empty:
        return pd.DataFrame(columns=["cell", "value", "n_sites", "speed_kmh"])
    r = readings.dropna(subset=["speed_kmh", "free_kmh"])
    idx = (1.0 - r["speed_kmh"] / r["free_kmh"]).clip(0.0, 1.0)
    cells = [h3.cell_to_parent(c, res) if h3.get_resolution(c) > res else c for c in r["h3"]]
    df = pd.DataFrame(
        {"cell": cells, "value": idx.to_numpy(), "speed_kmh": r["speed_kmh"].to_numpy()}
    )
    return df.groupby("cell", as_index=False).agg(
        value=("value", "mean"), n_sites=("value", "size"), speed_kmh=("speed_kmh", "mean")
    )


def feed_health(store: Any, *, now: dt.datetime) -> pd.DataFrame:
    """Last record per (kind, source) and whether the feed is stale."""
    q: pd.DataFrame = store.query(
        "SELECT 'complaints' AS kind, source, MAX(ingested_ts) AS last_ts, COUNT(*) AS n "
        "FROM complaints GROUP BY source "
        "UNION ALL SELECT 'traffic', source, MAX(interval_start_ts + interval_s), COUNT(*) "
        "FROM traffic GROUP BY source"
    )
    if q.empty:
        return pd.DataFrame(columns=["kind", "source", "last_ts", "n", "stale", "simulated"])
    now_ts = now.timestamp()
    limit = q["kind"].map({k: v.total_seconds() for k, v in STALE_AFTER.items()})
    q["stale"] = (now_ts - q["last_ts"].astype(float)) > limit
    q["simulated"] = q["source"].str.contains("simul", case=False)
    return q


def _hotspots(
    complaints: pd.DataFrame, twin: Twin, *, until: dt.datetime, permutations: int
) -> pd.DataFrame:
    from layers.aggregate import complaint_counts
    from layers.hotspots import complaint_hotspots

    domain = twin.h3_cells.loc[twin.h3_cells["res"] == WALL_RES, "cell"].astype(str).tolist()
    counts = complaint_counts(
        complaints, level="h3", res=WALL_RES, since=until - HOTSPOT_WINDOW, until=until
    )
    return complaint_hotspots(counts, domain=domain, permutations=permutations)


def live_state(
    twin: Twin,
    store_path: str | Path,
    *,
    now: dt.datetime | None = None,
    permutations: int = 0,
) -> LiveState:
    """Read the store and compute the wall's figures.

    Parameters
    ----------
    twin
        The loaded twin (sites, cells, names).
    store_path
        The SQLite feed store; opened read-only.
    now
        The moment to show (default: now); feeds are stale relative to it.
    permutations
        Permutations of the hotspot test; 0 (default) uses the analytic z-test, which keeps
        a refresh well under a second (the permutation test JIT-compiles for ~15 s first).

    Raises
    ------
    twin.errors.ConfigError
        When there is no store at ``store_path``.
    """
    from layers.aggregate import OPEN_STATUSES, complaint_ageing, sla_summary
    from layers.store import Store

    now = now or dt.datetime.now(dt.UTC)
    path = Path(store_path)
    if not path.is_file():
        raise ConfigError(f"{path}: no feed store here yet")
    with Store(path, readonly=True) as store:
        complaints = store.complaints()
        traffic = store.traffic(since=now - dt.timedelta(days=8))
        feeds = feed_health(store, now=now)
        counts = store.counts()
    readings = site_readings(traffic, twin, now=now)
    cong = congestion_cells(readings)
    if not complaints.empty:
        aged = complaint_ageing(complaints, now=now)
        open_c = aged[aged["status"].isin(OPEN_STATUSES)]
        by_cat = open_c.groupby("category", as_index=False).size().rename(columns={"size": "count"})
        by_cat = by_cat.sort_values("count", ascending=False)
        sla = sla_summary(complaints, by="opd", now=now)
        hot = _hotspots(complaints, twin, until=now, permutations=permutations)
        before = _hotspots(complaints, twin, until=now - NEW_WINDOW, permutations=permutations)
        method = dict(hot.attrs.get("method", {}))
        was_hot = set(before.loc[before["spot"] == "hot", "cell"])
        hot["new"] = (hot["spot"] == "hot") & ~hot["cell"].isin(was_hot)
    else:
        aged = complaints
        by_cat = pd.DataFrame(columns=["category", "count"])
        sla = pd.DataFrame(columns=["opd", "open_breached", "open"])
        hot = pd.DataFrame(columns=["cell", "count", "z", "spot", "new"])
        method = {}
    alerts = _alerts(readings, hot, twin, now=now)
    valid = readings.dropna(subset=["speed_kmh"])
    fresh = valid[valid["time_ts"] >= now.timestamp() - STALE_AFTER["traffic"].total_seconds()]
    use = fresh if not fresh.empty else valid
    n_sim = int(feeds.loc[feeds["simulated"], "n"].sum()) if not feeds.empty else 0
    return LiveState(
        now=now,
        store=path,
        readings=readings,
        congestion=cong,
        complaints=aged,
        open_by_category=by_cat,
        sla_by_opd=sla,
        hotspots=hot,
        feeds=feeds,
        alerts=alerts,
        mean_speed_now=float(use["speed_kmh"].mean()) if not use.empty else None,
        mean_speed_usual=float(use["usual_kmh"].mean()) if use["usual_kmh"].notna().any() else None,
        n_records=int(counts.get("complaints", 0) + counts.get("traffic", 0)),
        n_simulated=n_sim,
        hotspot_method=method,
    )


def _alerts(
    readings: pd.DataFrame, hot: pd.DataFrame, twin: Twin, *, now: dt.datetime
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if "new" in hot.columns:
        cells = twin.h3_cells[twin.h3_cells["res"] == WALL_RES].set_index("cell")
        kel = dict(zip(twin.kelurahan["code"], twin.kelurahan["name"], strict=False))
        for row in theme.rows(hot[hot["new"]].sort_values("count", ascending=False)):
            code = cells["kel_code"].get(row.cell, "")
            out.append(
                {
                    "kind": "hotspot",
                    "cell": row.cell,
                    "place": kel.get(code, row.cell),
                    "n": int(row.count),
                }
            )
    recent = now.timestamp() - STALE_AFTER["traffic"].total_seconds()
    slow = readings[(readings["ratio"] < SLOW_RATIO) & (readings["time_ts"] >= recent)]
    for row in theme.rows(slow.sort_values("ratio")):
        out.append(
            {
                "kind": "slow",
                "site_id": row.site_id,
                "site": row.name,
                "now": float(row.speed_kmh),
                "usual": float(row.usual_kmh),
                "pct": 100.0 * float(row.ratio),
            }
        )
    return out


def alert_text(a: dict[str, Any], *, lang: str = "id") -> str:
    """One alert as a line of text."""
    if a["kind"] == "hotspot":
        return t("wall.alert_hotspot", lang, place=a["place"], n=a["n"])
    kmh = t("unit.kmh", lang)
    return t(
        "wall.alert_slow",
        lang,
        site=a["site"],
        now=theme.fmt_num(a["now"], unit=kmh),
        usual=theme.fmt_num(a["usual"], unit=kmh),
        pct=a["pct"],
    )


def recent_complaints(state: LiveState, *, n: int = 12, lang: str = "id") -> pd.DataFrame:
    """The latest complaints as a table of plain text (descriptions are untrusted)."""
    c = state.complaints
    if c.empty:
        return pd.DataFrame(columns=[t("col.time", lang), t("col.category", lang)])
    top = c.sort_values("requested_ts", ascending=False).head(n)
    return pd.DataFrame(
        {
            t("col.time", lang): [theme.fmt_wib(float(x)) for x in top["requested_ts"]],
            t("col.category", lang): [category_label(x, lang) for x in top["category"]],
            t("col.description", lang): top["description"].astype(str).str.slice(0, 140).to_numpy(),
            t("col.status", lang): [status_label(str(x), lang) for x in top["status"]],
            t("col.opd", lang): top["opd"].to_numpy(),
            t("col.source", lang): top["source"].to_numpy(),
        }
    )


def status_label(status: str, lang: str = "id") -> str:
    """A normalized complaint status in the UI language."""
    key = f"status.{status}"
    return t(key, lang) if key in STRINGS else status


def category_label(code: str, lang: str = "id") -> str:
    """The label of a complaint category in the UI language (the code when unknown)."""
    try:
        from layers.categories import category

        c = category(code)
    except Exception:
        return code
    return c.name_id if lang == "id" else c.name_en


def complaint_cells_frame(
    state: LiveState, *, hotspots: bool = False, lang: str = "id"
) -> tuple[pd.DataFrame, theme.Scale]:
    """H3 rows for the map: complaint counts per cell, or the Gi* hot spots only."""
    from apps import deck

    h = state.hotspots
    if hotspots:
        df = h[h["spot"] == "hot"][["cell", "count", "z"]].rename(columns={"z": "value"})
        scale = theme.Scale(
            "cividis",
            1.0,
            max(3.0, float(df["value"].max()) if len(df) else 3.0),
            t("layer.hotspots", lang),
            "z",
        )
        fmt = (
            t("tip.cell", lang)
            + " {cell}\n"
            + t("legend.hotspot", lang)
            + ": z = {value:.1f} · {count} "
            + t("unit.count", lang)
        )
    else:
        df = h[h["count"] > 0][["cell", "count"]].assign(value=lambda d: d["count"].astype(float))
        scale = theme.Scale(
            "viridis",
            0.0,
            max(1.0, float(df["value"].quantile(0.98)) if len(df) else 1.0),
            t("legend.complaints", lang),
            t("unit.count", lang),
        )
        fmt = t("tip.cell", lang) + " {cell}\n{count} " + t("unit.count", lang)
    return deck.h3_frame(df, scale=scale, tip_fmt=fmt), scale


def congestion_frame(state: LiveState, *, lang: str = "id") -> tuple[pd.DataFrame, theme.Scale]:
    """H3 rows for the map: observed congestion index per cell (viridis, bright = congested)."""
    from apps import deck

    # Observed indices rarely pass 0.5 (half the free-flow speed): the scale ends there so the
    # differences between cells stay visible; larger values take the brightest colour.
    scale = theme.Scale("viridis", 0.0, 0.5, t("legend.congestion", lang), "1 - v/v₀")
    fmt = (
        t("tip.cell", lang)
        + " {cell}\n"
        + t("legend.congestion", lang)
        + " {value:.2f} · "
        + t("tip.speed", lang)
        + " {speed_kmh:.0f} "
        + t("unit.kmh", lang)
    )
    return deck.h3_frame(state.congestion, scale=scale, tip_fmt=fmt, alpha=200), scale


def hour_period(now: dt.datetime) -> str:
    """The modelled period closest to a moment (by WIB hour)."""
    h = now.astimezone(theme.WIB).hour
    if 5 <= h < 10:
        return "am_peak"
    if 15 <= h < 20:
        return "pm_peak"
    return "midday"


def feeds_table(state: LiveState, *, lang: str = "id") -> pd.DataFrame:
    """Feed health as a table: feed, last record (WIB), state (live / STALE), records."""
    f = state.feeds
    rows = []
    for r in theme.rows(f):
        kind = t("prov.simulated", lang) if r.simulated else t("prov.real", lang)
        rows.append(
            {
                t("col.feed", lang): f"{r.kind}: {r.source} ({kind})",
                t("col.last", lang): theme.fmt_wib(float(r.last_ts)),
                t("col.state", lang): t("wall.feed_stale", lang)
                if r.stale
                else t("wall.feed_ok", lang),
                t("col.count", lang): int(r.n),
            }
        )
    return pd.DataFrame(rows)


def sites_frame(state: LiveState, *, lang: str = "id") -> pd.DataFrame:
    """ATCS sites with their latest reading, coloured by speed against usual (cividis)."""
    r = state.readings
    if r.empty:
        return pd.DataFrame(columns=["site_id", "lon", "lat", "tip", "color"])
    scale = theme.Scale("cividis", 0.3, 1.1, "speed / usual")
    cols = scale.colours(r["ratio"].to_numpy(dtype=float))
    kmh = t("unit.kmh", lang)
    tips = [
        f"{t('tip.camera', lang)} {row.site_id}\n{row.name}\n{t('tip.speed', lang)}: "
        f"{theme.fmt_num(row.speed_kmh, unit=kmh)} "
        f"({t('wall.speed_usual', lang, v=theme.fmt_num(row.usual_kmh, unit=kmh))})"
        f"\n{theme.fmt_wib(float(row.time_ts))}"
        for row in theme.rows(r)
    ]
    return pd.DataFrame(
        {
            "site_id": r["site_id"].to_numpy(),
            "lon": r["lon"].to_numpy(dtype=float),
            "lat": r["lat"].to_numpy(dtype=float),
            "tip": tips,
            "color": [[int(c[0]), int(c[1]), int(c[2]), 235] for c in cols],
        }
    )


def recent_complaints_html(state: LiveState, *, n: int = 8, lang: str = "id") -> str:
    """The latest complaints as escaped HTML lines (descriptions are untrusted text)."""
    c = state.complaints
    if c.empty:
        return f'<div class="wall-list">{html.escape(t("wall.no_data", lang))}</div>'
    top = c.sort_values("requested_ts", ascending=False).head(n)
    items = []
    for r in theme.rows(top):
        when = theme.fmt_wib(float(r.requested_ts))[11:16]
        cat = category_label(str(r.category), lang)
        head = f"{when} · {cat} · {status_label(str(r.status), lang)} · {r.opd}"
        items.append(
            '<div class="wall-list" style="margin-bottom:0.4vw;border-bottom:1px solid #30363d">'
            f'<b>{html.escape(head)}</b><br><span class="complaint-text">'
            f"{html.escape(str(r.description)[:160])}</span></div>"
        )
    return "".join(items)
