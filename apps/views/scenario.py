"""The planner's bridge to the scenario engine (``sim.scenario``): plan in, tables out.

Nothing here models traffic: :func:`plan_to_spec` writes the engine's declarative format,
:func:`run_plan` hands it to the engine, and the rest reshapes the engine's results into the
tables and figures the page shows (KPI deltas, per-kecamatan bars, most affected links).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import h3
import numpy as np
import pandas as pd
import shapely

from apps import theme
from apps.i18n import t
from apps.views.plan import Plan, plan_from_dict, safe_name
from twin.errors import InputError
from twin.model import Twin
from twin.settings import Settings, get_settings

Progress = Callable[[float, str], None]

#: KPI keys of the engine and their units (shown with every number).
KPI_UNITS = {
    "vht": "unit.h",
    "vkt": "unit.km",
    "mean_speed_kmh": "unit.kmh",
    "congested_km": "unit.km",
}
KPI_LABELS = {
    "vht": "kpi.vht",
    "vkt": "kpi.vkt",
    "mean_speed_kmh": "kpi.mean_speed",
    "congested_km": "kpi.congested_km",
}
#: How many zones the winners and losers tables list.
ZONE_TOP = 10
#: Zones whose mean trip changed by less than this (min) are left out of winners and losers.
ZONE_NOISE_MIN = 0.005
#: Compare-picker keys of saved plans (not yet run) start with this.
SAVED_PREFIX = "saved:"
#: The zone map's colour scale never gets narrower than this (min/trip, three seconds), so
#: noise-level changes stay pale.
MIN_ZONE_LIMIT = 0.05

#: For these KPIs a rise is bad (shown orange); for mean speed a rise is good.
KPI_HIGHER_IS_WORSE = {"vht": True, "vkt": True, "mean_speed_kmh": False, "congested_km": True}


@dataclass
class Baseline:
    """The modelled baseline of one period.

    Attributes
    ----------
    period
        Period name.
    links
        Per-edge results indexed by ``edge_id``: ``flow`` (PCU/h), ``vc``, ``speed_kmh``.
    kpis
        ``vht``, ``vkt``, ``mean_speed_kmh``, ``congested_km``.
    cells
        Per-H3-cell results (``cell``, ``vc`` or congestion measure) or ``None``.
    raw
        The engine's own baseline object (used to warm-start scenarios).
    """

    period: str
    links: pd.DataFrame
    kpis: dict[str, float]
    cells: pd.DataFrame | None = None
    raw: Any = None


@dataclass
class ScenarioResult:
    """A finished scenario run, reshaped for display.

    ``links`` is indexed by ``edge_id`` with ``flow_base``, ``flow_scen``, ``d_flow``,
    ``vc_base``, ``vc_scen``, ``d_vc``, ``speed_base``, ``speed_scen``, ``d_speed``,
    ``d_vht`` (hours). ``zones`` is the engine's per-zone table (``zone``, ``label``,
    ``kec_code``, ``kind``, ``base_min``, ``scen_min``, ``delta_min``, ``routable_share``);
    ``winners`` and ``losers`` are its rows that got faster or slower, most first.
    """

    plan: Plan
    baseline: dict[str, float]
    scenario: dict[str, float]
    delta: dict[str, float]
    links: pd.DataFrame
    closed: list[int]
    unassigned_demand: float = 0.0
    relative_gap: float = float("nan")
    seconds: float = 0.0
    by_kecamatan: pd.DataFrame | None = None
    zones: pd.DataFrame | None = None
    winners: pd.DataFrame | None = None
    losers: pd.DataFrame | None = None
    raw: Any = None
    extra: dict[str, Any] = field(default_factory=dict)


def engine_available() -> bool:
    """Whether the scenario engine is installed and importable."""
    try:
        import sim.baseline
        import sim.scenario.run  # noqa: F401
    except ImportError:
        return False
    return True


def _link_view(links: pd.DataFrame) -> pd.DataFrame:
    """The engine's link table reduced to twin edges, indexed by ``edge_id``."""
    lk = links[links["edge_id"] >= 0]
    return lk.drop_duplicates("edge_id").set_index("edge_id")


def baseline(twin: Twin, period: str, *, progress: Progress | None = None) -> Baseline:
    """The modelled baseline of ``period`` (the engine caches it on disk)."""
    from sim.baseline import BaselineSettings, load_baseline

    def report(stage: str, frac: float) -> None:
        if progress is not None:
            progress(max(frac, 0.0), stage)

    raw = load_baseline(twin, settings=BaselineSettings(period=period), progress=report)
    lk = _link_view(raw.links)
    cells = raw.aggregate(twin, level="h3_8")
    return Baseline(
        period=period,
        links=lk[["flow", "vc", "speed_kmh", "length_km", "vht"]].copy(),
        kpis={k: float(v) for k, v in raw.kpis.items()},
        cells=cells,
        raw=raw,
    )


def baseline_kpis(twin: Twin, period: str) -> dict[str, float] | None:
    """The KPIs of ``period``'s cached baseline (``None`` if it is not solved yet), without
    loading its flows."""
    from sim.baseline import BaselineSettings, cached_baseline_kpis

    return cached_baseline_kpis(twin, settings=BaselineSettings(period=period))


def baseline_ready(twin: Twin, period: str) -> bool:
    """Whether the engine's disk cache already holds this baseline (loading it is quick)."""
    from sim.baseline import BaselineSettings, cache_dir
    from sim.demand import load_demand_config, load_population_table

    key = BaselineSettings(period=period).key(load_demand_config(), load_population_table())
    return (cache_dir(twin, key) / "baseline.pkl").is_file()


def cells_frame(base: Baseline, *, lang: str = "id") -> tuple[pd.DataFrame, theme.Scale]:
    """H3 rows (res 8) of the modelled congestion: share of road length with V/C > 0.9."""
    from apps import deck

    c = base.cells if base.cells is not None else pd.DataFrame(columns=["h3_8", "congested_km"])
    df = pd.DataFrame(
        {
            "cell": c.iloc[:, 0].astype(str).to_numpy(),
            "value": np.where(c["road_km"] > 0, 100.0 * c["congested_km"] / c["road_km"], 0.0),
            "speed": c["mean_speed_kmh"].to_numpy(dtype=float),
            "congested_km": c["congested_km"].to_numpy(dtype=float),
        }
    )
    df = df[df["value"] > 0]
    scale = theme.Scale("viridis", 0.0, 50.0, t("legend.congestion", lang) + " (V/C > 0.9)", "% km")
    fmt = (
        t("tip.cell", lang)
        + " {cell}\n{value:.0f} % km V/C > 0.9 · {congested_km:.1f} km\n"
        + t("tip.speed", lang)
        + " {speed:.0f} "
        + t("unit.kmh", lang)
    )
    return deck.h3_frame(df, scale=scale, tip_fmt=fmt, alpha=150), scale


def run_plan(
    twin: Twin,
    plan: Plan,
    *,
    baseline: Baseline | None = None,
    progress: Progress | None = None,
    zone_times: bool = False,
    defer_zones: bool = False,
) -> ScenarioResult:
    """Run a plan with the engine, warm-started from ``baseline``, and reshape the result.

    With ``zone_times`` the per-zone change in mean travel time (who wins, who loses) is
    computed too: one shortest-path tree per zone, a third of a second more on the Medan twin
    (so only the pages that show it ask for it). With ``defer_zones`` it is instead left for
    :func:`add_zone_times`, which a page calls after drawing the rest of the result.

    Raises
    ------
    twin.errors.InputError
        When the plan is empty or the engine rejects it (the message names the field).
    """
    from sim.scenario import compare, run_scenario

    if plan.is_empty:
        raise InputError("scenario", "no changes: select roads or add a change first")

    def report(stage: str, frac: float) -> None:
        if progress is not None:
            progress(max(frac, 0.0), stage)

    t0 = time.perf_counter()
    raw_base = baseline.raw if baseline is not None and baseline.period == plan.period else None
    run = run_scenario(plan_to_spec(plan, twin), twin=twin, baseline=raw_base, progress=report)
    # The engine's own comparison (the same as `twin scenario run`).
    cmp = compare(run, twin, zone_times=zone_times and not defer_zones)
    lk = cmp.links[cmp.links["edge_id"] >= 0].drop_duplicates("edge_id").set_index("edge_id")
    vht_base = lk["base_flow"] * lk["base_time_min"].fillna(0.0) / 60.0
    vht_scen = lk["scen_flow"] * lk["scen_time_min"].fillna(0.0) / 60.0
    links = pd.DataFrame(
        {
            "flow_base": lk["base_flow"],
            "flow_scen": lk["scen_flow"],
            "vc_base": lk["base_vc"],
            "vc_scen": lk["scen_vc"],
            "speed_base": lk["base_speed_kmh"],
            "speed_scen": lk["scen_speed_kmh"],
            "d_flow": lk["d_flow"],
            "d_vc": lk["d_vc"],
            "d_speed": lk["d_speed_kmh"],
            "d_vht": vht_scen - vht_base,
        }
    )
    kec = cmp.kecamatan
    by_kec = pd.DataFrame(
        {
            "kec_code": kec.iloc[:, 0].astype(str).to_numpy(),
            "d_vht": kec["d_vht"].to_numpy(dtype=float),
            "d_vkt": kec["d_vkt"].to_numpy(dtype=float),
            "d_congested_km": kec["d_congested_km"].to_numpy(dtype=float),
        }
    )
    keys = ("vht", "vkt", "mean_speed_kmh", "congested_km")
    return ScenarioResult(
        plan=Plan(name=plan.name, period=plan.period, changes=[dict(c) for c in plan.changes]),
        baseline={k: float(cmp.kpis["baseline"][k]) for k in keys},
        scenario={k: float(cmp.kpis["scenario"][k]) for k in keys},
        delta={k: float(cmp.kpis["delta"][k]) for k in keys},
        links=links,
        closed=[int(x) for x in run.applied.closed_edges],
        unassigned_demand=float(cmp.unassigned_demand),
        relative_gap=float(cmp.relative_gap),
        seconds=_elapsed(t0),
        by_kecamatan=by_kec,
        zones=cmp.zones if zone_times else None,
        winners=cmp.winners(ZONE_TOP) if zone_times else None,
        losers=cmp.losers(ZONE_TOP) if zone_times else None,
        raw=None,
        extra={
            "notes": list(cmp.notes),
            "scenario_sha": cmp.scenario_sha,
            "cut_off": list(cmp.cut_off),
            "warm_started": cmp.warm_started,
            # the run without its bushes (150 MB on the Medan twin, only warm starts need them)
            **(
                {"zone_run": replace(run, result=replace(run.result, state=None))}
                if defer_zones
                else {}
            ),
        },
    )


def add_zone_times(result: ScenarioResult) -> ScenarioResult:
    """Fill in the per-zone travel times of a result run with ``defer_zones`` (in place)."""
    from sim.scenario import zone_changes
    from sim.scenario.compare import losers, winners

    run = result.extra.pop("zone_run", None)
    if run is not None:
        result.zones = zone_changes(run)
        result.winners = winners(result.zones, ZONE_TOP)
        result.losers = losers(result.zones, ZONE_TOP)
    return result


# --- plan -> engine format ----------------------------------------------------------------------


def _period_window(period: str) -> tuple[str, str]:
    try:
        from sim.demand import load_demand_config

        spec = load_demand_config().period(period)
        return str(spec.start), str(spec.end)
    except Exception:  # the engine's config is optional for building a file
        return {"am_peak": ("07:00", "08:00"), "midday": ("12:00", "13:00")}.get(
            period, ("17:00", "18:00")
        )


def plan_to_spec(plan: Plan, twin: Twin) -> dict[str, Any]:
    """The engine's declarative scenario dict for a plan (see ``sim.scenario.schema``).

    A flood over kelurahan, kecamatan and H3 cells becomes one flood change per kind of area
    (the engine intersects the keys of one selection; the planner means their union). An event
    is placed at a point inside its kelurahan and lasts the simulated period.
    """
    changes: list[dict[str, Any]] = []
    kel_points: dict[str, list[float]] | None = None
    for c in plan.changes:
        kind = c["kind"]
        if kind == "close":
            changes.append({"type": "close", "where": {"edge_ids": list(c["edges"])}})
        elif kind == "lanes":
            changes.append(
                {
                    "type": "modify",
                    "where": {"edge_ids": list(c["edges"])},
                    "lanes_delta": c["delta"],
                }
            )
        elif kind == "flood":
            if c["kelurahan"]:
                changes.append(
                    {
                        "type": "flood",
                        "where": {"kelurahan": list(c["kelurahan"])},
                        "depth": c["depth"],
                    }
                )
            for kec in c["kecamatan"]:
                changes.append({"type": "flood", "where": {"kecamatan": kec}, "depth": c["depth"]})
            if c["cells"]:
                changes.append(
                    {"type": "flood", "where": {"h3": list(c["cells"])}, "depth": c["depth"]}
                )
        elif kind == "growth":
            changes.append({"type": "growth", "factor": round(1.0 + c["pct"] / 100.0, 4)})
        elif kind == "event":
            if kel_points is None:
                kel = twin.kelurahan
                pts = shapely.point_on_surface(np.asarray(kel.geometry.values))
                kel_points = dict(
                    zip(kel["code"], shapely.get_coordinates(pts).tolist(), strict=True)
                )
            if c["kelurahan"] not in kel_points:
                raise InputError("scenario", f"event: unknown kelurahan {c['kelurahan']!r}")
            start, end = _period_window(plan.period)
            lon, lat = kel_points[c["kelurahan"]]
            changes.append(
                {
                    "type": "event",
                    "label": str(c["place"]),
                    "at": [round(lon, 6), round(lat, 6)],
                    "attendees": int(c["attendees"]),
                    "start": start,
                    "end": end,
                    "direction": "arrive" if plan.period == "am_peak" else "depart",
                }
            )
    return {
        "name": plan.name,
        "description": "built in the planner (apps)",
        "period": plan.period,
        "changes": changes,
    }


# --- save / load ----------------------------------------------------------------------------------


def plans_dir(settings: Settings | None = None) -> Path:
    """Where the planner saves plans: ``$TWIN_HOME/scenarios/app``."""
    return (settings or get_settings()).home / "scenarios" / "app"


def save_plan(plan: Plan, *, twin: Twin | None = None, settings: Settings | None = None) -> Path:
    """Save a plan as JSON (and, with ``twin``, the engine's TOML beside it for the CLI)."""
    folder = plans_dir(settings)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{safe_name(plan.name)}.json"
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(plan.to_dict(), indent=2, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)
        if twin is not None:
            toml = path.with_suffix(".toml")
            toml.write_text(spec_to_toml(plan_to_spec(plan, twin)), encoding="utf-8")
    except OSError as e:
        raise InputError(folder, f"cannot save the scenario ({e.strerror})") from None
    return path


def saved_plans(settings: Settings | None = None) -> list[str]:
    """Names of the saved plans, newest first."""
    folder = plans_dir(settings)
    if not folder.is_dir():
        return []
    files = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    return [p.stem for p in files]


def load_plan(name: str, *, settings: Settings | None = None) -> Plan:
    """Load a saved plan by name; a damaged file raises :class:`InputError` naming it."""
    path = plans_dir(settings) / f"{safe_name(name)}.json"
    try:
        d = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(path, "no such saved scenario") from None
    except (OSError, ValueError) as e:
        raise InputError(path, f"not a readable scenario ({e})") from None
    return plan_from_dict(d, source=str(path))


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(type(v))


def spec_to_toml(spec: dict[str, Any]) -> str:
    """The engine's scenario dict as TOML (``twin scenario run FILE`` reads it).

    Examples
    --------
    >>> print(spec_to_toml({"name": "x", "period": "am_peak",
    ...                     "changes": [{"type": "growth", "factor": 1.1}]}))
    name = "x"
    period = "am_peak"
    <BLANKLINE>
    [[changes]]
    type = "growth"
    factor = 1.1
    <BLANKLINE>
    """
    lines = [f"{k} = {_toml_value(v)}" for k, v in spec.items() if k != "changes"]
    for c in spec.get("changes", []):
        lines.append("")
        lines.append("[[changes]]")
        lines.extend(f"{k} = {_toml_value(v)}" for k, v in c.items())
    return "\n".join(lines) + "\n"


# --- tables for the page -----------------------------------------------------------------------


def kpi_table(result: ScenarioResult, *, lang: str = "id") -> pd.DataFrame:
    """KPIs of baseline, scenario and their difference, each with its unit."""
    rows = []
    for key, label in KPI_LABELS.items():
        unit = t(KPI_UNITS[key], lang)
        dec = 1 if key == "mean_speed_kmh" else 0
        rows.append(
            {
                t("col.value", lang): f"{t(label, lang)} ({unit})",
                t("col.baseline", lang): theme.fmt_num(result.baseline.get(key), decimals=dec),
                t("col.scenario", lang): theme.fmt_num(result.scenario.get(key), decimals=dec),
                t("col.delta", lang): theme.fmt_delta(result.delta.get(key), decimals=dec),
            }
        )
    rows.append(
        {
            t("col.value", lang): f"{t('kpi.unassigned', lang)} ({t('unit.pcu_h', lang)})",
            t("col.baseline", lang): "—",
            t("col.scenario", lang): theme.fmt_num(result.unassigned_demand),
            t("col.delta", lang): "",
        }
    )
    return pd.DataFrame(rows)


def kecamatan_table(result: ScenarioResult, twin: Twin, *, lang: str = "id") -> pd.DataFrame:
    """Change in vehicle-hours per kecamatan, largest first, with a PuOr bar colour."""
    if result.by_kecamatan is not None and "d_vht" in result.by_kecamatan:
        by = result.by_kecamatan[["kec_code", "d_vht"]].copy()
    else:
        kec = twin.edges[["edge_id", "kec_code"]].set_index("edge_id")["kec_code"]
        df = result.links[["d_vht"]].join(kec, how="left")
        by = pd.DataFrame(df.groupby("kec_code", as_index=False)["d_vht"].sum())
    names = dict(zip(twin.kecamatan["code"], twin.kecamatan["name"], strict=True))
    by = by[by["kec_code"].isin(names)]
    by[t("col.kecamatan", lang)] = by["kec_code"].map(names)
    by[t("col.d_vht", lang)] = by["d_vht"].round(1)
    by = by.sort_values("d_vht", key=np.abs, ascending=False)
    # PuOr: orange where vehicle-hours rise (worse), purple where they fall
    by["colour"] = np.where(
        by["d_vht"] > 0, theme.rgb_hex(theme.PUOR[-3]), theme.rgb_hex(theme.PUOR[2])
    )
    return by[[t("col.kecamatan", lang), t("col.d_vht", lang), "colour"]].reset_index(drop=True)


def top_links_table(
    result: ScenarioResult, twin: Twin, *, n: int = 15, lang: str = "id"
) -> pd.DataFrame:
    """The ``n`` links whose flow changed most (absolute), with names and kecamatan."""
    lk = result.links
    top = lk.reindex(lk["d_flow"].abs().sort_values(ascending=False).index[:n])
    e = twin.edges.set_index("edge_id", drop=False)
    names = dict(zip(twin.kecamatan["code"], twin.kecamatan["name"], strict=True))
    sub = e.loc[top.index.intersection(e.index)]
    return pd.DataFrame(
        {
            t("col.edge_id", lang): sub["edge_id"].astype(int).to_numpy(),
            t("col.name", lang): [n or t("tip.unnamed", lang) for n in sub["name"].fillna("")],
            t("col.highway", lang): sub["highway"].to_numpy(),
            t("col.kecamatan", lang): [names.get(k, k) for k in sub["kec_code"]],
            t("col.flow_base", lang): top.loc[sub.index, "flow_base"].round(0).to_numpy(),
            t("col.flow_scen", lang): top.loc[sub.index, "flow_scen"].round(0).to_numpy(),
            t("col.d_flow", lang): top.loc[sub.index, "d_flow"].round(0).to_numpy(),
            t("col.d_vc", lang): top.loc[sub.index, "d_vc"].round(2).to_numpy(),
        }
    )


# --- who wins, who loses: per-zone travel times -------------------------------------------------


def zone_change_frame(
    result: ScenarioResult, *, lang: str = "id"
) -> tuple[pd.DataFrame, theme.Scale] | None:
    """H3 rows of the internal zones coloured by the change in mean travel time (min/trip).

    The scale is diverging PuOr and symmetric (purple faster, orange slower), clipped at the
    95th percentile of the absolute changes. Zones that are not H3 cells (gateways on the city
    edge, kelurahan zones) are left off the map; they still appear in the tables. ``None``
    when the result has no zone times.
    """
    from apps import deck

    z = result.zones
    if z is None or z.empty:
        return None
    z = z.dropna(subset=["delta_min"])
    z = z[[h3.is_valid_cell(str(c)) for c in z["zone"]]]
    if z.empty:
        return None
    mag = np.abs(z["delta_min"].to_numpy(dtype=float))
    limit = max(float(np.percentile(mag, 95)), MIN_ZONE_LIMIT)
    unit = t("unit.min_trip", lang)
    scale = theme.diverging_scale(limit, label=t("legend.delta_time", lang), unit=unit)
    df = pd.DataFrame(
        {
            "cell": z["zone"].astype(str).to_numpy(),
            "value": z["delta_min"].to_numpy(dtype=float),
            "label": z["label"].astype(str).to_numpy(),
            "base": z["base_min"].to_numpy(dtype=float),
            "scen": z["scen_min"].to_numpy(dtype=float),
        }
    )
    # the label is a kelurahan name from the boundary file: plain text in the tooltip
    fmt = t("tip.zone", lang) + ": {label}\n{base:.1f} → {scen:.1f} " + unit + " (Δ {value:+.2f})"
    return deck.h3_frame(df, scale=scale, tip_fmt=fmt, alpha=170), scale


def _zone_rows(zones: pd.DataFrame | None, twin: Twin, *, lang: str) -> pd.DataFrame:
    # the change comes second so it stays in sight in a narrow column
    cols = [
        t("col.zone", lang),
        t("col.d_time", lang),
        t("col.kecamatan", lang),
        t("col.time_base", lang),
        t("col.time_scen", lang),
    ]
    if zones is None or zones.empty:
        return pd.DataFrame(columns=cols)
    # below half a hundredth of a minute (under a second) a change is the solver's noise
    zones = zones[zones["delta_min"].astype(float).abs() >= ZONE_NOISE_MIN]
    names = dict(zip(twin.kecamatan["code"], twin.kecamatan["name"], strict=True))
    gate = t("zone.gateway", lang)
    labels = [
        f"{gate} {lab.removeprefix('gateway ')}"
        if kind == "gateway" and lab.startswith("gateway ")
        else lab
        for lab, kind in zip(zones["label"].astype(str), zones["kind"].astype(str), strict=True)
    ]
    return pd.DataFrame(
        {
            cols[0]: labels,
            cols[1]: zones["delta_min"].astype(float).round(2).to_numpy(),
            cols[2]: [names.get(str(k), "—") for k in zones["kec_code"]],
            cols[3]: zones["base_min"].astype(float).round(1).to_numpy(),
            cols[4]: zones["scen_min"].astype(float).round(1).to_numpy(),
        }
    )


def winners_table(result: ScenarioResult, twin: Twin, *, lang: str = "id") -> pd.DataFrame:
    """The zones whose usual trips got faster, most first, with units in the headers."""
    return _zone_rows(result.winners, twin, lang=lang)


def losers_table(result: ScenarioResult, twin: Twin, *, lang: str = "id") -> pd.DataFrame:
    """The zones whose usual trips got slower, most first, with units in the headers."""
    return _zone_rows(result.losers, twin, lang=lang)


# --- compare: session results and saved plans --------------------------------------------------


def compare_options(results: list[str], saved: list[str]) -> list[str]:
    """Picker keys for comparison: the session's results, then saved plans not yet run.

    A saved plan is keyed ``SAVED_PREFIX + name``; once run, its result is stored under that
    same key, so it is not listed twice.

    Examples
    --------
    >>> compare_options(["a", "saved:b"], ["b", "c"])
    ['a', 'saved:b', 'saved:c']
    """
    out = list(dict.fromkeys(results))
    out += [k for k in (SAVED_PREFIX + s for s in saved) if k not in out]
    return out


def compare_label(key: str, *, lang: str = "id") -> str:
    """How a picker key is shown: saved plans carry a "saved" tag."""
    if key.startswith(SAVED_PREFIX):
        return f"{key.removeprefix(SAVED_PREFIX)} ({t('planner.compare_saved_tag', lang)})"
    return key


def run_saved(
    twin: Twin,
    key: str,
    *,
    baseline: Baseline | None = None,
    settings: Settings | None = None,
    progress: Progress | None = None,
) -> ScenarioResult:
    """Load the saved plan behind a picker key and run it, warm-started from ``baseline``
    when it is of the plan's period.

    Raises
    ------
    twin.errors.InputError
        When the file is missing or damaged, or the engine rejects the plan.
    """
    plan = load_plan(key.removeprefix(SAVED_PREFIX), settings=settings)
    return run_plan(twin, plan, baseline=baseline, progress=progress, zone_times=True)


def _elapsed(t0: float) -> float:
    return round(time.perf_counter() - t0, 2)
