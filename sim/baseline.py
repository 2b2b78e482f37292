"""The baseline: today's demand assigned to the twin, per link and per area, cached on disk.

Per link: flow (PCU/h), V/C, congested travel time, speed and delay. Per H3 cell (res 9 and
the profile's roll-ups), kelurahan and kecamatan: VKT (PCU-km per hour), VHT (PCU-hours per
hour), mean speed (VKT / VHT) and congested km (road length with V/C > 0.9).

The baseline is cached under ``Settings.cache_dir / "baseline"`` keyed by the twin snapshot id
and a hash of the demand settings (the parsed demand file, the population table, zones,
period, gap and algorithm); it is recomputed only when one of them changes. Scenarios load it
and re-solve only their own assignment, warm-started from its solution.

Everything here is *simulated* on a twin whose offline road network is synthetic.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import h3
import numpy as np
import pandas as pd

from sim.assignment import ALGORITHMS, AssignmentResult, assign
from sim.demand import (
    DEFAULT_PERIOD,
    DemandConfig,
    DemandModel,
    build_demand_model,
    load_demand_config,
    load_population_table,
)
from sim.from_twin import TwinNetwork, network_from_twin
from sim.network import Demand, FloatArray, Network
from sim.zones import ZoneKind, build_zones
from twin.model import Twin
from twin.settings import REPO_ROOT, Settings, get_settings

#: V/C above which a road counts as congested.
CONGESTED_VC = 0.9
#: Relative gap of the baseline unless told otherwise.
DEFAULT_GAP = 1e-4
#: Bump when the cached files change shape.
CACHE_VERSION = 1

#: ``progress(stage, fraction)``: stage is a short phrase, fraction in [0, 1] (or -1 unknown).
ProgressFn = Callable[[str, float], None]


@dataclass(frozen=True)
class BaselineSettings:
    """What a baseline depends on besides the twin: its cache key is a hash of these."""

    period: str = DEFAULT_PERIOD
    zone_kind: ZoneKind = "h3"
    zone_resolution: int = 8
    gap: float = DEFAULT_GAP
    max_iter: int = 5000
    algorithm: str = "auto"
    demand_file: str | None = None
    population_file: str | None = None

    def key(self, config: DemandConfig, population: pd.DataFrame) -> str:
        """16 hex digits identifying these settings with the demand inputs' content."""
        payload = {
            "v": CACHE_VERSION,
            "period": self.period,
            "zones": [self.zone_kind, self.zone_resolution],
            "gap": self.gap,
            "max_iter": self.max_iter,
            "algorithm": self.algorithm,
            # new code of the model or the engine can change the answer: re-solve then
            "engine": list(ALGORITHMS),
            "code": _code_digest(),
            "demand": config.sha,
            # the figures, not their source notes, decide the demand
            "population": hashlib.sha256(
                population[["kode", "population"]].to_csv(index=False).encode()
            ).hexdigest(),
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


def _code_digest() -> str:
    """Hash of the source files a baseline depends on (zones, demand, network, engine)."""
    here = Path(__file__).resolve().parent
    files = [here / f for f in ("zones.py", "demand.py", "from_twin.py", "skim.py", "baseline.py")]
    files += sorted((here / "assignment").glob("*.py"))
    h = hashlib.sha256()
    for f in files:
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


@dataclass
class Baseline:
    """A solved baseline and what scenarios need to start from it.

    Attributes
    ----------
    snapshot_id, key
        The twin snapshot and the settings hash (together: the cache entry).
    settings
        The :class:`BaselineSettings` it was solved with.
    tn, model
        The network (zones, connectors) and the daily demand model.
    demand
        The period's demand (PCU/h).
    result
        The assignment result (flows, costs, gap, engine state for warm starts).
    links
        Per-link table (see :func:`link_table`).
    kpis
        Network-wide figures (see :func:`kpis`).
    """

    snapshot_id: str
    key: str
    settings: BaselineSettings
    tn: TwinNetwork
    model: DemandModel
    demand: Demand
    result: AssignmentResult
    links: pd.DataFrame
    kpis: dict[str, float]
    path: Path | None = None
    from_cache: bool = False
    synthetic_roads: bool = True
    _time_skim: FloatArray | None = field(default=None, repr=False)

    def time_skim(self) -> FloatArray:
        """Zone-to-zone congested travel times (minutes), computed once per process."""
        if self._time_skim is None:
            self._time_skim = zone_time_skim(self.network, self.result)
        return self._time_skim

    @property
    def network(self) -> Network:
        """The baseline network."""
        return self.tn.network

    @property
    def period(self) -> str:
        """The simulated period."""
        return self.settings.period

    def aggregate(self, twin: Twin, level: str = "kecamatan") -> pd.DataFrame:
        """VKT, VHT, mean speed and congested km per ``"h3"`` (res 9), ``"h3_8"``,
        ``"h3_7"``, ``"kelurahan"`` or ``"kecamatan"``."""
        return aggregate(self.links, twin, level=level)


def result_label(synthetic_roads: bool) -> str:
    """The label every figure of the model carries: simulated, and on which road network."""
    if synthetic_roads:
        return "simulated (on the SYNTHETIC offline road network, not real streets)"
    return "simulated (demand model on the OpenStreetMap road network)"


def link_table(
    tn: TwinNetwork,
    result: AssignmentResult,
    *,
    network: Network | None = None,
    links: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per-link figures of an assignment, road links only (connectors left out).

    Columns: ``link``, ``edge_id``, ``name``, ``highway``, ``kel_code``, ``kec_code``,
    ``length_km``, ``lanes``, ``capacity``, ``closed``, ``flow`` (PCU/h), ``vc``, ``fft_min``,
    ``time_min`` (congested), ``speed_kmh``, ``delay_min`` (per vehicle), ``vkt``, ``vht``,
    ``delay_h`` (PCU-hours lost against free flow).
    """
    net = network if network is not None else tn.network
    meta = links if links is not None else tn.links
    keep = np.flatnonzero(meta["kind"].to_numpy() != "connector")
    flow = result.flow[keep]
    cap = net.capacity[keep]
    time_min = result.cost[keep]
    fft = net.fft[keep]
    length = net.length[keep]
    closed = np.zeros(keep.size, dtype=bool) if net.closed is None else np.asarray(net.closed)[keep]
    with np.errstate(divide="ignore", invalid="ignore"):
        speed = np.where(time_min > 0, length / (time_min / 60.0), 0.0)
        vc = np.where(cap > 0, flow / cap, 0.0)
    m = meta.iloc[keep]
    return pd.DataFrame(
        {
            "link": keep,
            "edge_id": m["edge_id"].to_numpy(),
            "name": m["name"].to_numpy(),
            "highway": m["highway"].to_numpy(),
            "kel_code": m["kel_code"].to_numpy(),
            "kec_code": m["kec_code"].to_numpy(),
            "length_km": length,
            "lanes": m["lanes"].to_numpy(),
            "capacity": cap,
            "closed": closed,
            "flow": flow,
            "vc": vc,
            "fft_min": fft,
            "time_min": np.where(closed, np.nan, time_min),
            "speed_kmh": np.where(closed, np.nan, speed),
            "delay_min": np.where(closed, np.nan, time_min - fft),
            "vkt": flow * length,
            "vht": flow * time_min / 60.0,
            "delay_h": flow * np.maximum(time_min - fft, 0.0) / 60.0,
        }
    )


def kpis(links: pd.DataFrame, result: AssignmentResult) -> dict[str, float]:
    """Network-wide figures: ``vht``, ``vkt``, ``mean_speed_kmh``, ``congested_km``,
    ``delay_h``, ``unassigned_demand``, ``relative_gap``, ``iterations``, ``seconds``."""
    vkt = float(links["vkt"].sum())
    vht = float(links["vht"].sum())
    congested = links["vc"].to_numpy() > CONGESTED_VC
    return {
        "vht": vht,
        "vkt": vkt,
        "mean_speed_kmh": vkt / vht if vht > 0 else 0.0,
        "congested_km": float(links.loc[congested, "length_km"].sum()),
        "delay_h": float(links["delay_h"].sum()),
        "assigned_demand": float(result.assigned_demand),
        "unassigned_demand": float(result.unassigned_demand),
        "relative_gap": float(result.relative_gap),
        "iterations": float(result.iterations),
        "seconds": float(result.seconds),
    }


def aggregate(links: pd.DataFrame, twin: Twin, *, level: str = "kecamatan") -> pd.DataFrame:
    """Sum VKT, VHT and congested km of twin edges per area; mean speed = VKT / VHT.

    For H3 levels each edge's figures are split over the res-9 cells it crosses in proportion
    to its length in each (``twin.edge_cells``), then rolled up to the parent cell.
    """
    edges = links[links["edge_id"] >= 0]
    congested = (edges["vc"] > CONGESTED_VC).to_numpy()
    if level in ("kelurahan", "kecamatan"):
        col = "kel_code" if level == "kelurahan" else "kec_code"
        frame = pd.DataFrame(
            {
                "area": edges[col].to_numpy(),
                "vkt": edges["vkt"].to_numpy(),
                "vht": edges["vht"].to_numpy(),
                "congested_km": np.where(congested, edges["length_km"], 0.0),
                "road_km": edges["length_km"].to_numpy(),
            }
        )
        table = twin.kelurahan if level == "kelurahan" else twin.kecamatan
        names = dict(zip(table["code"], table["name"], strict=True))
    elif level.startswith("h3"):
        res = int(level.split("_")[1]) if "_" in level else twin.profile.h3_resolution
        ec = twin.edge_cells
        per = edges.set_index("edge_id")
        ec = ec[ec["edge_id"].isin(per.index)]
        length_total = per["length_km"].reindex(ec["edge_id"]).to_numpy() * 1000.0
        share = np.divide(
            ec["length_m"].to_numpy(), length_total, out=np.zeros(len(ec)), where=length_total > 0
        )
        cells = ec["cell"].astype(str)
        if res != twin.profile.h3_resolution:
            cells = cells.map(lambda c: h3.cell_to_parent(c, res))
        cong = (per["vc"] > CONGESTED_VC).reindex(ec["edge_id"]).to_numpy()
        frame = pd.DataFrame(
            {
                "area": cells.to_numpy(),
                "vkt": per["vkt"].reindex(ec["edge_id"]).to_numpy() * share,
                "vht": per["vht"].reindex(ec["edge_id"]).to_numpy() * share,
                "congested_km": np.where(cong, ec["length_m"].to_numpy() / 1000.0, 0.0),
                "road_km": ec["length_m"].to_numpy() / 1000.0,
            }
        )
        names = {}
    else:
        raise ValueError(f"unknown level {level!r}")
    out = frame.groupby("area", sort=True)[["vkt", "vht", "congested_km", "road_km"]].sum()
    out["mean_speed_kmh"] = np.where(
        out["vht"] > 0, out["vkt"] / out["vht"].where(out["vht"] > 0, 1), np.nan
    )
    out.insert(0, "name", [names.get(a, a) for a in out.index])
    out.index.name = level
    return out.reset_index()


def build_baseline(
    twin: Twin,
    *,
    settings: BaselineSettings | None = None,
    progress: ProgressFn | None = None,
) -> Baseline:
    """Solve a baseline from scratch (no cache): zones, network, demand, assignment.

    Parameters
    ----------
    twin
        The snapshot.
    settings
        Period, zones, gap... (defaults: AM peak, H3 res-8 zones, gap 1e-4).
    progress
        Called as ``progress(stage, fraction)``.

    Returns
    -------
    Baseline
    """
    s = settings or BaselineSettings()
    report = progress or (lambda stage, frac: None)
    cfg = load_demand_config(s.demand_file)
    pop = _population(s, cfg)
    report("zones and network", 0.0)
    zones = build_zones(
        twin,
        kind=s.zone_kind,
        resolution=s.zone_resolution,
        connectors_per_zone=int(cfg.number("assignment.connectors_per_zone", lo=1, hi=20)),
    )
    tn = network_from_twin(
        twin,
        zones,
        bpr_alpha=cfg.number("assignment.bpr_alpha"),
        bpr_beta=cfg.number("assignment.bpr_beta"),
        connector_speed_kmh=cfg.number("assignment.connector_speed_kmh", lo=1),
    )
    report("demand model", 0.05)
    model = build_demand_model(twin, tn, config=cfg, population_table=pop)
    demand = model.period_demand(s.period)
    report("assignment", 0.1)
    result = assign(
        tn.network,
        demand,
        gap=s.gap,
        max_iter=s.max_iter,
        algorithm=s.algorithm,
        progress=gap_progress(report, s.gap, 0.1, 1.0),
    )
    links = link_table(tn, result)
    report("done", 1.0)
    return Baseline(
        snapshot_id=twin.snapshot_id,
        key=s.key(cfg, pop),
        settings=s,
        tn=tn,
        model=model,
        demand=demand,
        result=result,
        links=links,
        kpis=kpis(links, result),
        synthetic_roads=twin.roads_synthetic,
    )


def gap_progress(
    report: ProgressFn, target: float, lo: float, hi: float
) -> Callable[[int, float], None]:
    """Adapt a ``progress(stage, fraction)`` callback to the engine's ``(iteration, gap)``.

    The fraction moves from ``lo`` to ``hi`` with the log-distance of the gap to the target,
    and never goes back.
    """
    start: list[float] = []
    best = [lo]

    def cb(iteration: int, gap: float) -> None:
        if not start:
            start.append(max(gap, target * 10))
        g0 = np.log10(start[0])
        span = max(g0 - np.log10(max(target, 1e-15)), 1e-9)
        done = min(max((g0 - np.log10(max(gap, 1e-300))) / span, 0.0), 1.0)
        best[0] = max(best[0], lo + (hi - lo) * done)
        report(f"assignment: iteration {iteration}, gap {gap:.2e}", best[0])

    return cb


def _population(s: BaselineSettings, cfg: DemandConfig) -> pd.DataFrame:
    """The population table: the settings' file, else the one the demand file names."""
    if s.population_file is not None:
        return load_population_table(s.population_file)
    named = Path(str(cfg.get("population.table")))
    return load_population_table(named if named.is_absolute() else REPO_ROOT / named)


def cache_dir(twin: Twin, key: str, settings: Settings | None = None) -> Path:
    """The folder of one cached baseline."""
    st = settings or get_settings()
    return st.cache_dir / "baseline" / f"{twin.snapshot_id}-{key}"


def _cache_entry(
    twin: Twin, settings: BaselineSettings, app_settings: Settings | None
) -> tuple[str, Path]:
    """The cache key of a baseline and its folder."""
    cfg = load_demand_config(settings.demand_file)
    key = settings.key(cfg, _population(settings, cfg))
    return key, cache_dir(twin, key, app_settings)


def cached_baseline_kpis(
    twin: Twin,
    *,
    settings: BaselineSettings | None = None,
    app_settings: Settings | None = None,
) -> dict[str, float] | None:
    """The KPIs of a cached baseline, from its summary file: ``None`` if none is cached.

    Reading them does not unpickle the baseline (180 MB on the Medan twin, with the bushes a
    warm start needs): a display that shows only the figures (the command-center wall) gets
    them at once.
    """
    key, folder = _cache_entry(twin, settings or BaselineSettings(), app_settings)
    if not (folder / "baseline.pkl").is_file():
        return None
    try:
        meta = json.loads((folder / "baseline.json").read_text())
        if meta.get("key") != key:
            return None
        return {str(k): float(v) for k, v in meta["kpis"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # an unreadable summary: the caller treats it as not cached


def load_baseline(
    twin: Twin,
    *,
    settings: BaselineSettings | None = None,
    app_settings: Settings | None = None,
    progress: ProgressFn | None = None,
    force: bool = False,
) -> Baseline:
    """The baseline of a twin: from the cache when its key matches, else solved and cached.

    Parameters
    ----------
    twin
        The snapshot.
    settings
        Baseline settings (period, zones, gap...).
    app_settings
        Where the cache lives (default: from the environment).
    progress
        ``progress(stage, fraction)`` while solving (not called on a cache hit but once with
        ``("loaded from cache", 1.0)``).
    force
        Re-solve even if a cached baseline exists.

    Returns
    -------
    Baseline
    """
    s = settings or BaselineSettings()
    key, folder = _cache_entry(twin, s, app_settings)
    blob = folder / "baseline.pkl"
    if blob.is_file() and not force:
        try:
            with open(blob, "rb") as f:
                base = pickle.load(f)
            if isinstance(base, Baseline) and base.key == key:
                base.path = folder
                base.from_cache = True
                if progress:
                    progress("loaded from cache", 1.0)
                return base
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            pass  # a damaged or stale cache entry is simply rebuilt
    t0 = time.perf_counter()
    base = build_baseline(twin, settings=s, progress=progress)
    base.path = folder
    # cached with it: every scenario's per-zone comparison needs the baseline's times
    base.time_skim()
    _write_cache(base, folder, build_seconds=time.perf_counter() - t0)
    return base


def _write_cache(base: Baseline, folder: Path, *, build_seconds: float) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    # write to a temporary file and rename, so a concurrent reader never sees half a file
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
    with os.fdopen(fd, "wb") as f:
        pickle.dump(base, f, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, folder / "baseline.pkl")
    base.links.to_csv(folder / "links.csv", index=False)
    meta = {
        "snapshot_id": base.snapshot_id,
        "key": base.key,
        "settings": base.settings.__dict__,
        "kpis": base.kpis,
        "demand": base.model.summary(),
        "assignment": base.result.to_dict(),
        "build_seconds": build_seconds,
        "label": result_label(base.synthetic_roads),
    }
    (folder / "baseline.json").write_text(json.dumps(meta, indent=2, default=str))


def zone_time_skim(network: Network, result: AssignmentResult) -> FloatArray:
    """Zone-to-zone travel time (minutes) on the congested link costs of a result."""
    from sim.skim import zone_skim

    return zone_skim(network, result.cost)


def zone_mean_times(skim: FloatArray, weights: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Mean travel time (minutes) of the trips from each zone, weighted by an OD matrix.

    Comparing two runs with the *same* weights (the baseline demand) measures how conditions
    changed for a zone's usual trips, not how its mix of destinations changed.

    Returns
    -------
    tuple
        ``(mean minutes per origin zone, share of the weighted trips that can be routed)``;
        NaN where a zone sends nothing routable.
    """
    m = np.asarray(weights, dtype=float).copy()
    np.fill_diagonal(m, 0.0)
    ok = np.isfinite(skim)
    routed = np.where(ok, m, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (routed * np.where(ok, skim, 0.0)).sum(axis=1) / routed.sum(axis=1)
        share = routed.sum(axis=1) / m.sum(axis=1)
    return mean, share


def baseline_summary(base: Baseline) -> dict[str, Any]:
    """A JSON-able summary of a baseline (KPIs, demand figures, convergence)."""
    return {
        "snapshot_id": base.snapshot_id,
        "key": base.key,
        "period": base.period,
        "kpis": base.kpis,
        "demand": base.model.summary(),
        "zones": {"internal": base.tn.zones.n_internal, "gateways": base.tn.zones.n_gateways},
        "network": {"nodes": base.network.n_nodes, "links": base.network.n_links},
        "label": "simulated",
    }
