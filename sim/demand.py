"""The demand model of the twin: residents, trips, a calibrated gravity model, commuters, periods.

Every number comes from ``data/medan/demand.toml`` (each with its source) and the population
table ``data/medan/kecamatan_population.csv``. The steps:

1. **Population per zone.** Each kecamatan's residents are spread over its zones in proportion
   to the length of residential-type streets (``spread_highways``) the zone holds inside that
   kecamatan; a kecamatan without such streets falls back on all its street length. Totals per
   kecamatan match the table exactly.
2. **Trip generation.** Daily vehicle trips produced at home =
   ``population * person_trips_per_day * motorised_share / mean_occupancy``.
3. **Attraction.** A zone's weight mixes its share of residents and its share of main-road
   length (``[attraction]``); attractions are scaled to the productions' total.
4. **Distribution.** Doubly-constrained gravity model ``T_ij = a_i b_j P_i A_j exp(-beta d_ij)``
   on shortest network distances ``d`` (km), balanced by Furness iterations; ``beta`` is found
   by bisection so the mean trip length equals ``mean_trip_length_km``. The intrazonal distance
   is half the distance to the nearest other zone; intrazonal trips stay on local streets and
   are not assigned.
5. **Commuters.** ``persons_per_day * trips_per_person * motorised_share / mean_occupancy``
   daily vehicle trips through the gateway zones, split by gateway road capacity, going to (and
   from) zones in proportion to ``attraction * exp(-beta d)``.
6. **Periods.** An hour's trips are ``hour_share`` of the day's; ``from_home_share`` of resident
   trips (``commuter_inbound_share`` of commuter trips) run from the production end.
7. **Vehicles to PCU.** Vehicle trips times the mean PCU of the vehicle mix of
   :mod:`twin.road_defaults` (motorcycles the majority, PKJI 2023 / MKJI 1997 factors).

All of it is *simulated* demand on a twin whose offline road network is synthetic.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.from_twin import TwinNetwork
from sim.network import Demand, FloatArray
from sim.skim import zone_skim
from twin import road_defaults
from twin.errors import InputError
from twin.model import OUTSIDE, Twin
from twin.settings import PROJECT_DATA_DIR

#: The demand parameters shipped with the project.
DEFAULT_CONFIG = PROJECT_DATA_DIR / "medan" / "demand.toml"
#: The period simulated when none is given.
DEFAULT_PERIOD = "am_peak"

_POP_COLUMNS = ("kode", "nama", "population", "year", "source")


@dataclass(frozen=True)
class PeriodSpec:
    """One simulated hour: its window and its share and direction of daily trips."""

    name: str
    label: str
    start: str
    end: str
    hour_share: float
    from_home_share: float
    commuter_inbound_share: float

    @property
    def hours(self) -> tuple[float, float]:
        """Start and end as decimal hours."""
        return _hours(self.start, f"periods.{self.name}.start"), _hours(
            self.end, f"periods.{self.name}.end"
        )


@dataclass(frozen=True)
class DemandConfig:
    """The parsed ``demand.toml``: typed accessors over the raw table, and its hash."""

    raw: dict[str, Any]
    path: Path

    @property
    def sha(self) -> str:
        """SHA-256 of the parsed content (not of the bytes: comments do not matter)."""
        text = json.dumps(self.raw, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()

    def get(self, dotted: str) -> Any:
        """A value by dotted key, with an error naming the file and the field."""
        node: Any = self.raw
        for part in dotted.split("."):
            if not isinstance(node, dict) or part not in node:
                raise InputError(self.path, f"missing field {dotted!r}")
            node = node[part]
        return node

    def number(self, dotted: str, *, lo: float = 0.0, hi: float = float("inf")) -> float:
        """A number in ``[lo, hi]``."""
        value = self.get(dotted)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InputError(self.path, f"field {dotted!r} must be a number, not {value!r}")
        if not lo <= float(value) <= hi:
            raise InputError(self.path, f"field {dotted!r} = {value} outside [{lo}, {hi}]")
        return float(value)

    @property
    def periods(self) -> dict[str, PeriodSpec]:
        """The simulated periods by name."""
        out = {}
        for name in dict(self.get("periods")):
            key = f"periods.{name}"
            out[name] = PeriodSpec(
                name=name,
                label=str(self.get(f"{key}.label")),
                start=str(self.get(f"{key}.start")),
                end=str(self.get(f"{key}.end")),
                hour_share=self.number(f"{key}.hour_share", hi=1.0),
                from_home_share=self.number(f"{key}.from_home_share", hi=1.0),
                commuter_inbound_share=self.number(f"{key}.commuter_inbound_share", hi=1.0),
            )
        return out

    def period(self, name: str) -> PeriodSpec:
        """One period, with an error listing the known ones."""
        periods = self.periods
        if name not in periods:
            raise InputError("period", f"unknown period {name!r} (known: {', '.join(periods)})")
        return periods[name]

    @property
    def vehicle_trips_per_person(self) -> float:
        """Daily vehicle trips per resident (person trips x motorised share / occupancy)."""
        return (
            self.number("trip_rates.person_trips_per_day", hi=20)
            * self.number("trip_rates.motorised_share", hi=1)
            / self.number("trip_rates.mean_occupancy", lo=0.1, hi=60)
        )

    @property
    def commuter_vehicle_trips(self) -> float:
        """Daily commuter vehicle trips through the gateways (both directions)."""
        return (
            self.number("commuters.persons_per_day")
            * self.number("commuters.trips_per_person", hi=10)
            * self.number("commuters.motorised_share", hi=1)
            / self.number("commuters.mean_occupancy", lo=0.1, hi=60)
        )

    @property
    def vehicle_mix(self) -> road_defaults.VehicleMix:
        """The vehicle mix named in ``[vehicles] mix`` (from :mod:`twin.road_defaults`)."""
        name = str(self.get("vehicles.mix"))
        mix = getattr(road_defaults, name, None)
        if not isinstance(mix, road_defaults.VehicleMix):
            raise InputError(self.path, f"vehicles.mix: {name!r} is not a mix of road_defaults")
        return mix

    @property
    def pcu_per_vehicle(self) -> float:
        """Mean PCU of one vehicle trip of the mix."""
        return float(self.vehicle_mix.mean_pcu())


def load_demand_config(path: str | Path | None = None) -> DemandConfig:
    """Read and check a demand TOML file (default: ``data/medan/demand.toml``).

    Examples
    --------
    >>> cfg = load_demand_config()
    >>> round(cfg.vehicle_trips_per_person, 3), sorted(cfg.periods)
    (1.103, ['am_peak', 'midday', 'pm_peak'])
    """
    p = Path(path) if path is not None else DEFAULT_CONFIG
    if not p.is_file():
        raise InputError(p, "no such demand file")
    try:
        raw = tomllib.loads(p.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise InputError(p, f"not valid TOML ({e})") from None
    cfg = DemandConfig(raw=raw, path=p)
    # touch every field once so a broken file fails here, naming the field
    _ = cfg.vehicle_trips_per_person, cfg.commuter_vehicle_trips, cfg.periods, cfg.pcu_per_vehicle
    cfg.number("gravity.mean_trip_length_km", lo=0.1, hi=200)
    cfg.number("attraction.population_weight", hi=1)
    cfg.number("attraction.main_road_weight", hi=1)
    return cfg


def load_population_table(path: str | Path | None = None) -> pd.DataFrame:
    """The per-kecamatan population table, checked.

    Examples
    --------
    >>> t = load_population_table()
    >>> len(t), int(t["population"].sum())
    (21, 2435252)
    """
    p = Path(path) if path is not None else PROJECT_DATA_DIR / "medan" / "kecamatan_population.csv"
    if not p.is_file():
        raise InputError(p, "no such population table")
    try:
        table = pd.read_csv(p, dtype={"kode": str, "nama": str, "source": str})
    except (pd.errors.ParserError, UnicodeDecodeError) as e:
        raise InputError(p, f"not a readable CSV ({e})") from None
    missing = [c for c in _POP_COLUMNS if c not in table.columns]
    if missing:
        raise InputError(p, f"missing column(s) {', '.join(missing)}")
    for i, row in table.iterrows():
        line = int(str(i)) + 2
        try:
            pop = int(row["population"])
        except (TypeError, ValueError):
            raise InputError(
                p, f"population {row['population']!r} is not a number", line=line
            ) from None
        if pop <= 0:
            raise InputError(p, f"population must be > 0, not {pop}", line=line)
        if not isinstance(row["source"], str) or not row["source"].strip():
            raise InputError(p, "every figure needs its source", line=line)
    if table["kode"].duplicated().any():
        dup = table.loc[table["kode"].duplicated(), "kode"].iloc[0]
        raise InputError(p, f"kecamatan {dup} listed twice")
    table["population"] = table["population"].astype(np.int64)
    return table.reset_index(drop=True)


@dataclass
class DemandModel:
    """Daily demand of the twin, ready to be cut into periods.

    Attributes
    ----------
    zone_population
        Long table ``zone``, ``kec_code``, ``population`` (internal zone index).
    population
        Residents per internal zone.
    productions, attractions
        Daily resident vehicle trips produced at home / attracted, per internal zone.
    pa
        Daily resident vehicle trips, production zone x attraction zone (internal zones).
    distance_km
        Network distance skim between all zones (gateways included), intrazonal filled in.
    beta
        Calibrated impedance (1/km); ``mean_trip_length_km`` the length it achieves.
    commuter_trips
        Daily commuter vehicle trips per gateway (both directions).
    commuter_split
        Gateway x internal zone shares (rows sum to 1).
    """

    config: DemandConfig
    n_internal: int
    n_gateways: int
    zone_population: pd.DataFrame
    population: FloatArray
    productions: FloatArray
    attractions: FloatArray
    pa: FloatArray
    distance_km: FloatArray
    beta: float
    mean_trip_length_km: float
    commuter_trips: FloatArray
    commuter_split: FloatArray
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def n_zones(self) -> int:
        """Zones of the network (internal + gateways)."""
        return self.n_internal + self.n_gateways

    def productions_by_kecamatan(self) -> pd.Series:
        """Daily resident vehicle trips per kecamatan code (population x rate)."""
        rate = self.config.vehicle_trips_per_person
        zp = self.zone_population
        return (zp.groupby("kec_code")["population"].sum() * rate).rename("vehicle_trips_per_day")

    def period_matrix(self, period: str) -> FloatArray:
        """The period's OD matrix in PCU/h over all zones (intrazonal trips excluded)."""
        spec = self.config.period(period)
        pcu = self.config.pcu_per_vehicle
        Zi, Z = self.n_internal, self.n_zones
        m = np.zeros((Z, Z))
        res = spec.hour_share * pcu * self.pa
        m[:Zi, :Zi] = spec.from_home_share * res + (1.0 - spec.from_home_share) * res.T
        if self.n_gateways:
            per_gw = spec.hour_share * pcu * self.commuter_trips[:, None] * self.commuter_split
            # half of a commuter's daily trips go in, half out; the period skews the split
            m[Zi:, :Zi] = per_gw * spec.commuter_inbound_share
            m[:Zi, Zi:] = (per_gw * (1.0 - spec.commuter_inbound_share)).T
        np.fill_diagonal(m, 0.0)
        return m

    def period_demand(self, period: str) -> Demand:
        """The period's :class:`~sim.network.Demand` (PCU/h), labelled simulated."""
        spec = self.config.period(period)
        return Demand(
            matrix=self.period_matrix(period),
            name=f"{self.config.get('meta.name')} {spec.label}",
            meta={"period": period, "units": "PCU/h", "label": "simulated"},
        )

    def summary(self) -> dict[str, Any]:
        """Headline figures for reports: zones, trips per day and per period, commuters."""
        pcu = self.config.pcu_per_vehicle
        out: dict[str, Any] = {
            "internal_zones": self.n_internal,
            "gateway_zones": self.n_gateways,
            "population": float(self.population.sum()),
            "resident_vehicle_trips_per_day": float(self.productions.sum()),
            "intrazonal_share": float(np.trace(self.pa) / max(self.pa.sum(), 1e-12)),
            "commuter_persons_per_day": self.config.number("commuters.persons_per_day"),
            "commuter_vehicle_trips_per_day": float(self.commuter_trips.sum()),
            "pcu_per_vehicle": pcu,
            "beta_per_km": self.beta,
            "mean_trip_length_km": self.mean_trip_length_km,
            "periods": {},
            "label": "simulated",
        }
        for name in self.config.periods:
            m = self.period_matrix(name)
            out["periods"][name] = {
                "pcu_trips_per_hour": float(m.sum()),
                "vehicle_trips_per_hour": float(m.sum() / pcu),
            }
        return out


def zone_population(
    twin: Twin,
    tn: TwinNetwork,
    table: pd.DataFrame,
    config: DemandConfig,
) -> pd.DataFrame:
    """Spread each kecamatan's population over the internal zones by the street-length proxy.

    Returns
    -------
    pandas.DataFrame
        ``zone`` (internal zone index), ``kec_code``, ``population`` (float).
    """
    zones = tn.zones
    edges = twin.edges.sort_values("edge_id")
    # an edge belongs to the zone of its tail node (every zone has nodes, so every zone that
    # receives people can send them onto the network)
    zone_of_edge = zones.node_zone.reindex(edges["u"]).to_numpy()
    alt = zones.node_zone.reindex(edges["v"]).to_numpy()
    zone_of_edge = np.where(zone_of_edge >= 0, zone_of_edge, alt)
    frame = pd.DataFrame(
        {
            "zone": zone_of_edge,
            "kec_code": edges["kec_code"].astype(str).to_numpy(),
            "length": edges["length_m"].to_numpy(float),
            "res": edges["highway"].isin(list(config.get("population.spread_highways"))).to_numpy(),
        }
    )
    frame = frame[(frame["zone"] >= 0) & (frame["kec_code"] != OUTSIDE)]
    rows = []
    known = set(frame["kec_code"])
    for kode, pop in zip(table["kode"], table["population"], strict=True):
        if kode not in known:
            raise InputError(
                config.path,
                f"kecamatan {kode} of the population table has no streets in snapshot "
                f"{twin.snapshot_id}: cannot place its residents",
            )
        sub = frame[frame["kec_code"] == kode]
        weight = sub["length"].where(sub["res"], 0.0)
        if weight.sum() <= 0:
            weight = sub["length"]
        by_zone = weight.groupby(sub["zone"]).sum()
        share = by_zone / by_zone.sum()
        for z, s in share.items():
            rows.append({"zone": int(str(z)), "kec_code": kode, "population": float(pop) * s})
    return pd.DataFrame(rows)


def _attraction_weights(
    twin: Twin, tn: TwinNetwork, population: FloatArray, config: DemandConfig
) -> FloatArray:
    zones = tn.zones
    Zi = zones.n_internal
    edges = twin.edges.sort_values("edge_id")
    main = edges["highway"].isin(list(config.get("attraction.main_road_highways"))).to_numpy()
    z = zones.node_zone.reindex(edges["u"]).to_numpy()
    ok = main & (z >= 0)
    main_len = np.bincount(z[ok], weights=edges["length_m"].to_numpy(float)[ok], minlength=Zi)
    w_pop = config.number("attraction.population_weight", hi=1)
    w_main = config.number("attraction.main_road_weight", hi=1)
    pop_share = population / max(population.sum(), 1e-12)
    main_share = main_len[:Zi] / max(main_len.sum(), 1e-12)
    return np.asarray(w_pop * pop_share + w_main * main_share, dtype=float)


def furness(
    productions: FloatArray,
    attractions: FloatArray,
    impedance: FloatArray,
    *,
    tol: float = 1e-6,
    max_iter: int = 200,
) -> FloatArray:
    """Doubly-constrained gravity matrix by Furness (iterative proportional) balancing.

    Row sums equal ``productions``; column sums equal ``attractions`` scaled to the same total.

    Examples
    --------
    >>> import numpy as np
    >>> T = furness(np.array([10.0, 20.0]), np.array([15.0, 15.0]), np.ones((2, 2)))
    >>> T.sum(axis=1).round(6).tolist(), T.sum(axis=0).round(6).tolist()
    ([10.0, 20.0], [15.0, 15.0])
    """
    P = np.asarray(productions, dtype=float)
    A = np.asarray(attractions, dtype=float)
    A = A * (P.sum() / max(A.sum(), 1e-300))
    F = np.asarray(impedance, dtype=float)
    b = np.ones_like(A)
    T = F * 1.0
    for _ in range(max_iter):
        denom_a = F @ b
        a = np.divide(P, denom_a, out=np.zeros_like(P), where=denom_a > 0)
        denom_b = F.T @ a
        b = np.divide(A, denom_b, out=np.zeros_like(A), where=denom_b > 0)
        T = (a[:, None] * F) * b[None, :]
        # columns match exactly after the b step; the rows tell whether it has converged
        if np.max(np.abs(T.sum(axis=1) - P)) <= tol * max(float(P.max()), 1.0):
            break
    # finish on the row constraint: productions are the quantity the model promises
    row = T.sum(axis=1)
    T *= np.divide(P, row, out=np.zeros_like(P), where=row > 0)[:, None]
    return np.asarray(T)


def calibrate_beta(
    productions: FloatArray,
    attractions: FloatArray,
    distance: FloatArray,
    *,
    target_km: float,
    bounds: tuple[float, float] = (0.005, 3.0),
    tol_km: float = 0.01,
    furness_tol: float = 1e-6,
    furness_max_iter: int = 200,
) -> tuple[float, float, FloatArray]:
    """Find ``beta`` of ``exp(-beta d)`` so the gravity model's mean trip length is the target.

    The mean trip length falls as ``beta`` rises, so bisection on ``beta`` converges. When the
    target lies outside what the bounds can reach, the nearest bound is returned.

    Returns
    -------
    tuple
        ``(beta, achieved mean trip length, trip matrix)``.
    """
    D = np.where(np.isfinite(distance), distance, 0.0)
    reach = np.isfinite(distance)

    def solve(beta: float) -> tuple[float, FloatArray]:
        F = np.where(reach, np.exp(-beta * D), 0.0)
        T = furness(productions, attractions, F, tol=furness_tol, max_iter=furness_max_iter)
        return float((T * D).sum() / max(T.sum(), 1e-12)), T

    lo, hi = bounds
    mean_lo, T_lo = solve(lo)
    mean_hi, T_hi = solve(hi)
    if target_km >= mean_lo:
        return lo, mean_lo, T_lo
    if target_km <= mean_hi:
        return hi, mean_hi, T_hi
    for _ in range(60):
        mid = float(np.sqrt(lo * hi))  # beta spans decades: bisect on its logarithm
        mean_mid, T_mid = solve(mid)
        if abs(mean_mid - target_km) <= tol_km:
            return mid, mean_mid, T_mid
        if mean_mid > target_km:
            lo = mid
        else:
            hi = mid
    return mid, mean_mid, T_mid


def build_demand_model(
    twin: Twin,
    tn: TwinNetwork,
    *,
    config: DemandConfig | None = None,
    population_table: pd.DataFrame | None = None,
) -> DemandModel:
    """The daily demand of a twin for the zones of ``tn``.

    Parameters
    ----------
    twin
        The snapshot (edges give the population proxy and the main-road frontage).
    tn
        The network built from it (zones, connectors: distances are network distances).
    config
        Demand parameters (default: ``data/medan/demand.toml``).
    population_table
        Per-kecamatan population (default: ``data/medan/kecamatan_population.csv``).

    Returns
    -------
    DemandModel
    """
    cfg = config or load_demand_config()
    table = population_table if population_table is not None else load_population_table()
    zones = tn.zones
    Zi, Zg = zones.n_internal, zones.n_gateways
    zp = zone_population(twin, tn, table, cfg)
    population = np.asarray(
        np.bincount(zp["zone"], weights=zp["population"], minlength=Zi)[:Zi], dtype=float
    )
    productions = np.asarray(population * cfg.vehicle_trips_per_person, dtype=float)
    attraction_w = _attraction_weights(twin, tn, population, cfg)
    attractions = attraction_w * productions.sum() / max(attraction_w.sum(), 1e-12)

    D = zone_skim(tn.network, tn.network.length)
    off = D.copy()
    np.fill_diagonal(off, np.inf)
    nearest = off.min(axis=1)
    intra = 0.5 * np.where(np.isfinite(nearest), nearest, 0.5)
    np.fill_diagonal(D, intra)

    bounds = tuple(float(x) for x in cfg.get("gravity.beta_bounds"))
    beta, achieved, pa = calibrate_beta(
        productions,
        attractions,
        D[:Zi, :Zi],
        target_km=cfg.number("gravity.mean_trip_length_km", lo=0.1),
        bounds=(bounds[0], bounds[1]),
        furness_tol=cfg.number("gravity.furness_tolerance", hi=1),
        furness_max_iter=int(cfg.number("gravity.furness_max_iter", lo=1)),
    )

    if Zg:
        cap = zones.table["gateway_capacity"].to_numpy(float)[Zi:]
        cap = np.where(cap > 0, cap, 1.0)
        commuter_trips = cfg.commuter_vehicle_trips * cap / cap.sum()
        Dg = D[Zi:, :Zi]
        w = np.where(np.isfinite(Dg), attractions[None, :] * np.exp(-beta * np.nan_to_num(Dg)), 0)
        split = w / np.maximum(w.sum(axis=1, keepdims=True), 1e-300)
    else:
        commuter_trips = np.zeros(0)
        split = np.zeros((0, Zi))
    return DemandModel(
        config=cfg,
        n_internal=Zi,
        n_gateways=Zg,
        zone_population=zp,
        population=population,
        productions=productions,
        attractions=attractions,
        pa=pa,
        distance_km=D,
        beta=beta,
        mean_trip_length_km=achieved,
        commuter_trips=commuter_trips,
        commuter_split=split,
        meta={"snapshot_id": twin.snapshot_id, "config_sha": cfg.sha, "label": "simulated"},
    )


def _hours(text: str, where: str) -> float:
    try:
        hh, mm = str(text).split(":")
        value = int(hh) + int(mm) / 60.0
    except ValueError:
        raise InputError(where, f"time {text!r} is not HH:MM") from None
    if not 0 <= value <= 24:
        raise InputError(where, f"time {text!r} outside 00:00-24:00")
    return value
