"""Compare a scenario with its baseline: KPIs, per-link, per-H3 and per-kecamatan differences,
the most affected links, zones cut off, and who wins or loses travel time.

:func:`compare` returns a :class:`Comparison`; :meth:`Comparison.to_dict` is the JSON the CLI
prints (keys ``baseline``, ``scenario``, ``delta`` with ``vht``, ``vkt``, ``mean_speed_kmh``,
``congested_km``; ``unassigned_demand``, ``relative_gap``, ``seconds`` ...) and
:func:`save_results` writes everything beside the scenario file (``<stem>.results/``), or
under ``Settings.results_dir`` for a scenario without a writable file.

All figures are *simulated* (PCU per hour of the period, on a synthetic offline network).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.baseline import aggregate, result_label, zone_mean_times, zone_time_skim
from sim.scenario.run import ScenarioRun
from twin.model import Twin
from twin.settings import Settings, get_settings

#: The KPIs compared, in report order.
KPI_KEYS = ("vht", "vkt", "mean_speed_kmh", "congested_km", "delay_h")


@dataclass
class Comparison:
    """Baseline versus scenario.

    Attributes
    ----------
    kpis
        ``{"baseline": {...}, "scenario": {...}, "delta": {...}}`` over :data:`KPI_KEYS`.
    links
        Per road link: baseline and scenario flow, V/C, speed, and their differences.
    h3, kecamatan
        Per area: VKT, VHT, mean speed, congested km in both runs and their differences.
    most_affected
        The links whose flow changed most (absolute), with names and kecamatan.
    zones
        Per zone: mean congested travel time (min) of its baseline trips before and after
        (both weighted by the baseline demand, so the change is in conditions), ``delta_min``,
        and the share of those trips that can still be routed.
    cut_off
        Zones that lost demand they can no longer route, by name, with the PCU/h lost.
    """

    scenario_name: str
    scenario_sha: str
    snapshot_id: str
    period: str
    kpis: dict[str, dict[str, float]]
    links: pd.DataFrame
    h3: pd.DataFrame
    kecamatan: pd.DataFrame
    most_affected: pd.DataFrame
    zones: pd.DataFrame
    cut_off: list[dict[str, Any]]
    unassigned_demand: float
    relative_gap: float
    seconds: float
    warm_started: bool
    notes: list[str] = field(default_factory=list)
    synthetic_roads: bool = True

    def winners(self, n: int = 10) -> pd.DataFrame:
        """Zones whose trips got faster, most first (empty without zone times)."""
        return winners(self.zones, n)

    def losers(self, n: int = 10) -> pd.DataFrame:
        """Zones whose trips got slower, most first (empty without zone times)."""
        return losers(self.zones, n)

    def to_dict(self, *, top: int = 10) -> dict[str, Any]:
        """The JSON summary."""
        return {
            "scenario": self.kpis["scenario"],
            "baseline": self.kpis["baseline"],
            "delta": self.kpis["delta"],
            "name": self.scenario_name,
            "scenario_sha": self.scenario_sha,
            "snapshot_id": self.snapshot_id,
            "period": self.period,
            "unassigned_demand": self.unassigned_demand,
            "cut_off_zones": self.cut_off[:50],
            "relative_gap": self.relative_gap,
            "seconds": self.seconds,
            "warm_started": self.warm_started,
            "notes": self.notes,
            "most_affected": _records(self.most_affected.head(top)),
            "kecamatan": _records(self.kecamatan),
            "winners": _records(self.winners(top)),
            "losers": _records(self.losers(top)),
            "units": {
                "vht": "PCU-hours per hour",
                "vkt": "PCU-km per hour",
                "mean_speed_kmh": "km/h (VKT / VHT)",
                "congested_km": "km of road with V/C > 0.9",
                "delay_h": "PCU-hours lost against free flow",
                "unassigned_demand": "PCU/h that no open path can carry",
            },
            "label": result_label(self.synthetic_roads),
        }


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    out = json.loads(df.to_json(orient="records", double_precision=6))
    return list(out)


def compare(run: ScenarioRun, twin: Twin, *, top: int = 20, zone_times: bool = True) -> Comparison:
    """Compare a scenario run with its baseline.

    Parameters
    ----------
    run
        A solved scenario.
    twin
        The snapshot both ran on (for H3 and admin tables).
    top
        How many most-affected links to keep.
    zone_times
        Compute the per-zone change in mean travel time (one shortest-path tree per zone and
        run; a second or two on the Medan twin).

    Returns
    -------
    Comparison
    """
    base = run.baseline
    b, s = base.kpis, run.kpis
    kp = {
        "baseline": {k: float(b[k]) for k in KPI_KEYS},
        "scenario": {k: float(s[k]) for k in KPI_KEYS},
        "delta": {k: float(s[k]) - float(b[k]) for k in KPI_KEYS},
    }
    links = _link_diff(base.links, run.links)
    h3 = _area_diff(base.aggregate(twin, "h3"), aggregate(run.links, twin, level="h3"), "h3")
    kec = _area_diff(
        base.aggregate(twin, "kecamatan"),
        aggregate(run.links, twin, level="kecamatan"),
        "kecamatan",
    )
    most = links.reindex(links["d_flow"].abs().sort_values(ascending=False).index).head(top)
    zones_tab = zone_changes(run) if zone_times else pd.DataFrame()
    cut = _cut_off(run)
    return Comparison(
        scenario_name=run.scenario.name,
        scenario_sha=run.scenario.sha,
        snapshot_id=run.snapshot_id,
        period=run.scenario.period,
        kpis=kp,
        links=links,
        h3=h3,
        kecamatan=kec,
        most_affected=most.reset_index(drop=True),
        zones=zones_tab,
        cut_off=cut,
        unassigned_demand=float(run.result.unassigned_demand),
        relative_gap=float(run.result.relative_gap),
        seconds=float(run.seconds),
        warm_started=bool(run.result.warm_started),
        notes=list(run.applied.notes),
        synthetic_roads=twin.roads_synthetic,
    )


def _link_diff(base: pd.DataFrame, scen: pd.DataFrame) -> pd.DataFrame:
    cols = ["flow", "vc", "speed_kmh", "time_min"]
    b = base.set_index("link")[cols].add_prefix("base_")
    s = scen.set_index("link")
    out = s[["edge_id", "name", "highway", "kec_code", "length_km", "closed"]].join(
        s[cols].add_prefix("scen_")
    )
    out = out.join(b, how="left")
    out["base_flow"] = out["base_flow"].fillna(0.0)
    out["d_flow"] = out["scen_flow"] - out["base_flow"]
    out["d_vc"] = out["scen_vc"] - out["base_vc"].fillna(0.0)
    out["d_speed_kmh"] = out["scen_speed_kmh"] - out["base_speed_kmh"]
    out["d_time_min"] = out["scen_time_min"] - out["base_time_min"]
    return out.reset_index()


def _area_diff(base: pd.DataFrame, scen: pd.DataFrame, key: str) -> pd.DataFrame:
    vals = ["vkt", "vht", "mean_speed_kmh", "congested_km"]
    b = base.set_index(key)
    s = scen.set_index(key)
    out = b[["name"]].join(b[vals].add_prefix("base_"), how="outer")
    out = out.join(s[vals].add_prefix("scen_"), how="outer")
    for v in vals:
        out[f"d_{v}"] = out[f"scen_{v}"].fillna(0) - out[f"base_{v}"].fillna(0)
    return out.reset_index()


def winners(zones: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """Rows of a :func:`zone_changes` table whose trips got faster, most first."""
    if zones.empty:
        return zones
    z = zones.dropna(subset=["delta_min"])
    return z[z["delta_min"] < 0].nsmallest(n, "delta_min")


def losers(zones: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """Rows of a :func:`zone_changes` table whose trips got slower, most first."""
    if zones.empty:
        return zones
    z = zones.dropna(subset=["delta_min"])
    return z[z["delta_min"] > 0].nlargest(n, "delta_min")


def zone_changes(run: ScenarioRun) -> pd.DataFrame:
    """Per zone: mean travel time of its trips before and after (one shortest-path tree per
    zone and run), the change, and the share of its trips still routable.

    :func:`compare` includes it with ``zone_times``; the app asks for it separately, after
    drawing the rest of a result.
    """
    base = run.baseline
    zones = base.tn.zones
    # the baseline's trips weigh both runs: the change is in conditions, not in destinations
    weights = base.demand.matrix
    before, _ = zone_mean_times(base.time_skim(), weights)
    after, routable = zone_mean_times(zone_time_skim(run.applied.network, run.result), weights)
    t = zones.table
    frame = pd.DataFrame(
        {
            "zone": t["zone"].to_numpy(),
            "label": t["label"].to_numpy(),
            "kec_code": t["kec_code"].to_numpy(),
            "kind": t["kind"].to_numpy(),
            "base_min": before,
            "scen_min": after,
            "delta_min": after - before,
            "routable_share": routable,
        }
    )
    return frame


def _cut_off(run: ScenarioRun) -> list[dict[str, Any]]:
    """Zones whose demand can no longer be routed, named, largest loss first."""
    if not run.result.unassigned:
        return []
    zones = run.baseline.tn.zones
    ids = zones.zone_ids  # (a list built on each access)
    kec = zones.table["kec_code"].to_numpy()
    lost: dict[int, list[float]] = {}
    for o, d, q in run.result.unassigned:
        lost.setdefault(int(o), [0.0, 0.0])[0] += float(q)
        lost.setdefault(int(d), [0.0, 0.0])[1] += float(q)
    rows = [
        {
            "zone": ids[z],
            "name": zones.label(z),
            "kec_code": str(kec[z]),
            "unrouted_from_pcu_h": out,
            "unrouted_to_pcu_h": inn,
        }
        for z, (out, inn) in lost.items()
    ]
    return sorted(rows, key=lambda r: -(r["unrouted_from_pcu_h"] + r["unrouted_to_pcu_h"]))


def results_folder(
    run: ScenarioRun, *, out_dir: str | Path | None = None, settings: Settings | None = None
) -> Path:
    """Where a run's results go.

    ``out_dir`` if given; else beside the scenario file, in ``<stem>.results/<snapshot
    id>-<scenario hash>``; else (a scenario built in memory, or a file in a folder this
    user cannot write) ``results_dir/<snapshot id>/<slug>-<scenario hash>``. The snapshot id
    and the hash keep results of different twins or edits of the file apart.
    """
    if out_dir is not None:
        return Path(out_dir)
    sc = run.scenario
    src = Path(sc.source)
    if not sc.source.startswith("<") and src.is_file() and os.access(src.parent, os.W_OK):
        return src.parent / f"{src.stem}.results" / f"{run.snapshot_id}-{sc.sha}"
    st = settings or get_settings()
    return st.results_dir / run.snapshot_id / f"{sc.slug}-{sc.sha}"


def save_results(
    run: ScenarioRun,
    comparison: Comparison,
    *,
    out_dir: str | Path | None = None,
    settings: Settings | None = None,
) -> Path:
    """Write a comparison: ``summary.json``, ``scenario.json``, ``links.csv`` (links whose flow
    changed), ``h3.csv``, ``kecamatan.csv``, ``zones.csv``, ``most_affected.csv``.

    Returns
    -------
    pathlib.Path
        The folder written.
    """
    folder = results_folder(run, out_dir=out_dir, settings=settings)
    folder.mkdir(parents=True, exist_ok=True)
    summary = comparison.to_dict()
    summary["files"] = ["links.csv", "h3.csv", "kecamatan.csv", "zones.csv", "most_affected.csv"]
    (folder / "summary.json").write_text(json.dumps(summary, indent=2, default=float))
    (folder / "scenario.json").write_text(
        json.dumps(
            {**run.scenario.to_dict(), "sha": run.scenario.sha, "source": run.scenario.source},
            indent=2,
        )
    )
    changed = comparison.links[
        (comparison.links["d_flow"].abs() > 1e-6) | comparison.links["closed"]
    ]
    changed.to_csv(folder / "links.csv", index=False)
    comparison.h3.to_csv(folder / "h3.csv", index=False)
    comparison.kecamatan.to_csv(folder / "kecamatan.csv", index=False)
    comparison.zones.to_csv(folder / "zones.csv", index=False)
    comparison.most_affected.to_csv(folder / "most_affected.csv", index=False)
    return folder


def load_summary(folder: str | Path) -> dict[str, Any]:
    """Read back a saved ``summary.json``."""
    data: dict[str, Any] = json.loads((Path(folder) / "summary.json").read_text())
    return data


def kpi_table(comparison: Comparison) -> pd.DataFrame:
    """KPIs as a small table: rows KPI, columns baseline / scenario / delta / delta %."""
    k = comparison.kpis
    rows = []
    for key in KPI_KEYS:
        b, s = k["baseline"][key], k["scenario"][key]
        rows.append(
            {
                "kpi": key,
                "baseline": b,
                "scenario": s,
                "delta": s - b,
                "delta_pct": (s - b) / b * 100 if b else np.nan,
            }
        )
    return pd.DataFrame(rows)
