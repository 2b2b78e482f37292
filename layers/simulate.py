"""A simulated live feed for demos and tests: ATCS observations and citizen complaints.

Everything produced here is **simulated**: every record's ``source`` is ``"simulated"``
and every complaint description starts with ``[SIMULASI]``, so the app labels it.

Traffic (before the assignment engine's baseline is available to ``layers/``) follows a
documented time-of-day profile:

* :data:`HOURLY_WEEKDAY` / :data:`HOURLY_WEEKEND`: share of the peak-hour flow per hour of
  the day (WIB). Weekdays have a morning peak at 07-08 (school and office start), a midday
  plateau and the highest evening peak at 17-18; weekends are flatter and later. The shape
  follows typical Indonesian urban count profiles; it is not fitted to Medan counts (none
  are public).
* :data:`PEAK_FLOW_VEH_H`: peak-hour flow per approach by road class of the site's matched
  edge (``primary`` when unknown), in mixed vehicles per hour.
* :data:`CLASS_SHARE`: vehicle mix, motorcycle-dominated as in Medan (SM 70 %, KR 25 %,
  KB 5 %).
* Speed from the BPR function ``v = v0 / (1 + 0.15 (q/c)^4)`` with ``c = peak / 0.9`` and
  :data:`FREE_SPEED_KMH` per class; counts get 10 % log-normal noise, speeds 5 %.

Complaints arrive as a Poisson process of ``rate`` per minute, with the category mix
:data:`CATEGORY_MIX`. Where they happen follows population: a kecamatan is drawn in
proportion to ``data/<city>/kecamatan_population.csv`` (when present), then a point inside it,
in proportion to road length per res-9 cell when a twin is given (people complain about the
streets they live on), else uniformly. Each complaint then follows a lifecycle routed to its
OPD (:mod:`layers.categories`): ``open`` -> ``in_progress`` after about a fifth of its SLA ->
``resolved`` (85 %, some late) or ``rejected`` (10 %); 5 % stay open. Only the states reached
by the end of the window are emitted, each as its own record.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import shapely

from layers.categories import category, route_opd
from layers.context import CityContext
from layers.records import SIMULATED, Batch, Complaint, TrafficObservation
from twin.settings import PROJECT_DATA_DIR

if TYPE_CHECKING:
    from twin.model import Twin

HOURLY_WEEKDAY = (
    0.18, 0.12, 0.10, 0.12, 0.25, 0.55, 0.85, 1.00, 0.92, 0.78, 0.74, 0.76,
    0.80, 0.78, 0.76, 0.82, 0.92, 1.00, 0.95, 0.80, 0.66, 0.52, 0.38, 0.26,
)  # fmt: skip
HOURLY_WEEKEND = (
    0.25, 0.16, 0.12, 0.11, 0.15, 0.28, 0.45, 0.60, 0.72, 0.80, 0.84, 0.86,
    0.86, 0.84, 0.82, 0.84, 0.88, 0.92, 0.94, 0.90, 0.80, 0.66, 0.50, 0.35,
)  # fmt: skip
PEAK_FLOW_VEH_H = {
    "motorway": 3000.0,
    "trunk": 3600.0,
    "primary": 2800.0,
    "secondary": 1800.0,
    "tertiary": 1000.0,
    "other": 600.0,
}
FREE_SPEED_KMH = {
    "motorway": 80.0,
    "trunk": 50.0,
    "primary": 45.0,
    "secondary": 40.0,
    "tertiary": 35.0,
    "other": 30.0,
}
CLASS_SHARE = {"SM": 0.70, "KR": 0.25, "KB": 0.05}
#: Approaches of an intersection (Utara, Timur, Selatan, Barat) and of a road segment.
APPROACHES = {"simpang": ("U", "T", "S", "B"), "ruas": ("arah-1", "arah-2")}
#: Share of complaints per category (Medan Rumah Kita / LAPOR! themes; project estimate).
CATEGORY_MIX = {
    "jalan_rusak": 0.22,
    "banjir_drainase": 0.18,
    "sampah": 0.16,
    "lampu_jalan": 0.10,
    "parkir_liar": 0.08,
    "kemacetan": 0.07,
    "ketertiban": 0.05,
    "air_bersih": 0.05,
    "lampu_lalu_lintas": 0.03,
    "pohon_tumbang": 0.03,
    "other": 0.03,
}
_TEXT = {
    "jalan_rusak": "Jalan berlubang dan membahayakan pengendara sepeda motor",
    "banjir_drainase": "Drainase tersumbat, air menggenang setelah hujan",
    "sampah": "Sampah menumpuk berhari-hari belum diangkut",
    "lampu_jalan": "Lampu PJU mati, jalan gelap pada malam hari",
    "parkir_liar": "Parkir liar di badan jalan menyebabkan macet",
    "kemacetan": "Macet parah setiap jam pulang kantor",
    "ketertiban": "PKL berjualan di trotoar",
    "air_bersih": "Air PDAM tidak mengalir sejak pagi",
    "lampu_lalu_lintas": "Lampu lalu lintas di simpang mati",
    "pohon_tumbang": "Pohon besar miring, rawan tumbang",
    "other": "Laporan warga lainnya",
}
DEFAULT_INTERVAL_S = 300


def _road_class(highway: object) -> str:
    h = str(highway or "")
    for k in ("motorway", "trunk", "primary", "secondary", "tertiary"):
        if h.startswith(k):
            return k
    return "other"


def site_road_classes(ctx: CityContext, twin: Twin | None = None) -> dict[str, str]:
    """Road class of each site's matched edge (``primary`` without a twin)."""
    t = ctx.sites.table
    if twin is None or t["edge_id"].isna().all():
        return dict.fromkeys(t["site_id"], "primary")
    hw = pd.Series(twin.edges["highway"].to_numpy(), index=twin.edges["edge_id"].to_numpy())
    return {
        s: _road_class(hw.get(int(e))) if pd.notna(e) else "primary"
        for s, e in zip(t["site_id"], t["edge_id"], strict=True)
    }


def simulate_traffic(
    ctx: CityContext,
    *,
    start: dt.datetime,
    end: dt.datetime,
    interval_s: int = DEFAULT_INTERVAL_S,
    seed: int = 0,
    twin: Twin | None = None,
) -> list[TrafficObservation]:
    """Simulated counts and speeds for every registry site, per approach and class.

    Parameters
    ----------
    ctx
        The city (its site registry).
    start, end
        Window; intervals aligned to ``interval_s`` that end by ``end`` are produced.
    interval_s
        Interval length, seconds.
    seed
        Random seed (the same seed and window give the same records).
    twin
        Gives each site its road class from its matched edge.

    Returns
    -------
    list of TrafficObservation
        All with ``source="simulated"``.
    """
    classes = site_road_classes(ctx, twin)
    kinds = dict(zip(ctx.sites.table["site_id"], ctx.sites.table["kind"], strict=True))
    t0 = math.ceil(start.timestamp() / interval_s) * interval_s
    t1 = math.floor(end.timestamp() / interval_s) * interval_s
    rng = np.random.default_rng(seed)
    out: list[TrafficObservation] = []
    # Each site gets a fixed size factor so sites differ but stay stable between runs.
    size = {s: 0.7 + 0.6 * ((hash_site(s) % 1000) / 1000) for s in classes}
    for ts in range(t0, t1, interval_s):
        t = dt.datetime.fromtimestamp(ts, dt.UTC)
        local = t.astimezone(ctx.timezone)
        prof = HOURLY_WEEKEND if local.weekday() >= 5 else HOURLY_WEEKDAY
        h = local.hour + local.minute / 60.0
        # Linear between hourly values (centred on the half hour) avoids steps at :00.
        i0 = math.floor(h - 0.5) % 24
        frac = (h - 0.5) - math.floor(h - 0.5)
        factor = prof[i0] * (1 - frac) + prof[(i0 + 1) % 24] * frac
        for site, rc in classes.items():
            peak = PEAK_FLOW_VEH_H[rc] * size[site]
            cap = peak / 0.9
            for app in APPROACHES.get(str(kinds.get(site)), APPROACHES["simpang"]):
                q = peak * factor * float(rng.lognormal(0.0, 0.10))
                v = FREE_SPEED_KMH[rc] / (1 + 0.15 * (q / cap) ** 4)
                for vc, share in CLASS_SHARE.items():
                    n = float(rng.poisson(max(q * share * interval_s / 3600.0, 0.0)))
                    sp = v * (1.08 if vc == "SM" else 0.9 if vc == "KB" else 1.0)
                    sp *= float(rng.normal(1.0, 0.05))
                    out.append(
                        TrafficObservation(
                            source=SIMULATED,
                            site_id=site,
                            interval_start=t,
                            interval_s=interval_s,
                            approach=app,
                            vehicle_class=vc,
                            count=n,
                            speed_kmh=round(max(sp, 3.0), 1),
                            quality="simulated",
                        )
                    )
    return out


def hash_site(site_id: str) -> int:
    """A stable (not salted) small hash of a site id."""
    return sum((i + 1) * ord(c) for i, c in enumerate(site_id))


@dataclass(frozen=True)
class Density:
    """Where complaints are drawn: kecamatan weights and, optionally, cells inside each."""

    kecamatan: pd.Series  # weight by kec_code
    cells: pd.DataFrame | None  # columns cell, kec_code, weight (road length)
    basis: str


def complaint_density(
    ctx: CityContext,
    *,
    twin: Twin | None = None,
    population_csv: str | Path | None = None,
) -> Density:
    """Complaint density: kecamatan population (or road length) and road length per cell.

    Parameters
    ----------
    ctx
        The city.
    twin
        Gives road length per res-9 cell (``edge_cells``) and the cells' kecamatan.
    population_csv
        ``kode,nama,population,year,source`` per kecamatan; default
        ``data/<city>/kecamatan_population.csv`` when it exists.
    """
    pop_path = (
        Path(population_csv)
        if population_csv
        else PROJECT_DATA_DIR / ctx.slug / "kecamatan_population.csv"
    )
    kecs = sorted(set(ctx.kelurahan["parent_code"]))
    cells = None
    if twin is not None and len(twin.edge_cells):
        length = twin.edge_cells.groupby("cell")["length_m"].sum()
        hc = twin.h3_cells[twin.h3_cells["res"] == ctx.h3_resolution].set_index("cell")["kec_code"]
        cells = pd.DataFrame({"weight": length}).join(hc, how="inner").reset_index()
        cells = cells[cells["kec_code"].isin(kecs)].rename(columns={"index": "cell"})
    if pop_path.is_file():
        pop = pd.read_csv(pop_path, dtype={"kode": str})
        w = pop.set_index("kode")["population"].astype(float).reindex(kecs).fillna(0.0)
        basis = f"kecamatan population ({pop_path.name})"
    elif cells is not None:
        w = cells.groupby("kec_code")["weight"].sum().reindex(kecs).fillna(0.0)
        basis = "road length per kecamatan (no population file)"
    else:
        areas = (
            ctx.kelurahan.to_crs(ctx.crs)
            .assign(a=lambda d: d.area)
            .groupby("parent_code")["a"]
            .sum()
        )
        w = areas.reindex(kecs).fillna(0.0)
        basis = "kecamatan area (no population file, no twin)"
    if cells is not None:
        basis += " x road length per res-9 cell"
    return Density(kecamatan=w / w.sum(), cells=cells, basis=basis)


def _point_in(geom: shapely.Geometry, rng: np.random.Generator) -> tuple[float, float]:
    minx, miny, maxx, maxy = geom.bounds
    for _ in range(1000):
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if shapely.contains_xy(geom, x, y):
            return float(y), float(x)
    c = geom.representative_point()
    return float(c.y), float(c.x)


def simulate_complaints(
    ctx: CityContext,
    *,
    start: dt.datetime,
    end: dt.datetime,
    rate_per_min: float = 0.5,
    seed: int = 0,
    density: Density | None = None,
) -> list[Complaint]:
    """Simulated complaints filed in ``[start, end)`` and their states reached by ``end``.

    Parameters
    ----------
    ctx
        The city.
    start, end
        Window of the filing times.
    rate_per_min
        Mean complaints filed per minute (Poisson).
    seed
        Random seed (same seed and window: same records, so re-running is idempotent).
    density
        From :func:`complaint_density` (default: computed without a twin).

    Returns
    -------
    list of Complaint
        Every state of every complaint, ``source="simulated"``; not yet validated.
    """
    import h3

    dens = density or complaint_density(ctx)
    rng = np.random.default_rng(seed)
    minutes = max((end - start).total_seconds() / 60.0, 0.0)
    n = int(rng.poisson(rate_per_min * minutes))
    cats = list(CATEGORY_MIX)
    p = np.array([CATEGORY_MIX[c] for c in cats])
    kec_polys = {
        k: shapely.union_all(g.geometry.values) for k, g in ctx.kelurahan.groupby("parent_code")
    }
    out: list[Complaint] = []
    span = (end - start).total_seconds()
    base = int(start.timestamp())
    for i in range(n):
        cat = cats[int(rng.choice(len(cats), p=p))]
        kec = str(rng.choice(dens.kecamatan.index.to_numpy(), p=dens.kecamatan.to_numpy()))
        lat = lon = None
        if dens.cells is not None:
            cc = dens.cells[dens.cells["kec_code"] == kec]
            if len(cc):
                cell = str(
                    cc["cell"].to_numpy()[
                        rng.choice(len(cc), p=(cc["weight"] / cc["weight"].sum()).to_numpy())
                    ]
                )
                clat, clon = h3.cell_to_latlng(cell)
                # Jitter within about half a res-9 cell edge (~90 m).
                lat, lon = clat + rng.normal(0, 0.0006), clon + rng.normal(0, 0.0006)
                if not shapely.contains_xy(kec_polys[kec], lon, lat):
                    lat = lon = None
        if lat is None or lon is None:
            lat, lon = _point_in(kec_polys[kec], rng)
        filed = start + dt.timedelta(seconds=float(rng.uniform(0, span)))
        sla = category(cat).sla_days * 86400
        states = [("open", "Baru", filed)]
        t_prog = filed + dt.timedelta(seconds=float(rng.exponential(0.2 * sla)))
        u = rng.random()
        if u < 0.95:
            states.append(("in_progress", "Diproses", t_prog))
            if u < 0.85:
                t_end = t_prog + dt.timedelta(seconds=float(rng.gamma(2.0, 0.45 * sla)))
                states.append(("resolved", "Selesai", t_end))
            elif u < 0.95:
                t_end = t_prog + dt.timedelta(seconds=float(rng.exponential(86400)))
                states.append(("rejected", "Ditolak", t_end))
        sid = f"SIM-{seed}-{base}-{i:06d}"
        desc = f"[SIMULASI] {_TEXT[cat]}"
        for st, raw, t in states:
            if t >= end:
                break
            out.append(
                Complaint(
                    source=SIMULATED,
                    source_id=sid,
                    category=cat,
                    category_raw=category(cat).name_id,
                    description=desc,
                    status=st,
                    status_raw=raw,
                    requested_at=filed,
                    updated_at=t,
                    lat=round(float(lat), 6),
                    lon=round(float(lon), 6),
                    opd=route_opd(cat),
                )
            )
    return out


def as_batch(records: list[Complaint] | list[TrafficObservation], *, kind: str) -> Batch:
    """Simulated records as a batch for :func:`layers.ingest.ingest_batches`."""
    b = Batch(kind, SIMULATED, "simulate")
    for i, r in enumerate(records, start=1):
        b.add(r, i, repr(r))
    return b


__all__ = [
    "CATEGORY_MIX",
    "CLASS_SHARE",
    "HOURLY_WEEKDAY",
    "HOURLY_WEEKEND",
    "PEAK_FLOW_VEH_H",
    "Density",
    "as_batch",
    "complaint_density",
    "simulate_complaints",
    "simulate_traffic",
]
