"""Observed traffic per site, edge and cell; feed health; the simulated live feed."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import numpy as np
import pandas as pd
import pytest

from layers.context import CityContext
from layers.ingest import ingest_batches
from layers.records import SIMULATED, WIB, TrafficObservation
from layers.simulate import (
    HOURLY_WEEKDAY,
    as_batch,
    complaint_density,
    simulate_complaints,
    simulate_traffic,
)
from layers.store import Store, feed_provenance
from layers.traffic import (
    congestion_by_cell,
    edge_speed_flow,
    feed_health,
    site_intervals,
    site_speed_flow,
)


def _obs(
    site: str, t: dt.datetime, cls: str, n: float, v: float, approach: str = "U"
) -> TrafficObservation:
    return TrafficObservation("atcs", site, t, 900, approach, cls, n, v)


def test_site_flow_prefers_totals_and_sums_classes(ctx: CityContext, store: Store) -> None:
    t = dt.datetime(2026, 11, 25, 7, 0, tzinfo=WIB)
    recs = [
        _obs("ATCS-1", t, "SM", 300, 20),
        _obs("ATCS-1", t, "KR", 100, 16),
        _obs("ATCS-1", t, "SM", 200, 30, "S"),
        # ATCS-2 gives a total next to its classes: the total wins.
        _obs("ATCS-2", t, "total", 500, 25),
        _obs("ATCS-2", t, "SM", 400, 25),
        # ATCS-3 gives a site-wide approach next to one approach: "all" wins.
        _obs("ATCS-3", t, "total", 800, 30, "all"),
        _obs("ATCS-3", t, "total", 300, 10, "U"),
    ]
    ingest_batches([as_batch(recs, kind="traffic")], store, ctx)
    iv = site_intervals(store.traffic()).set_index("site_id")
    assert iv.loc["ATCS-1", "count"] == 600
    assert iv.loc["ATCS-1", "flow_veh_h"] == 2400  # 600 in 15 min
    assert iv.loc["ATCS-1", "speed_kmh"] == pytest.approx((300 * 20 + 100 * 16 + 200 * 30) / 600)
    assert iv.loc["ATCS-2", "count"] == 500
    assert iv.loc["ATCS-3", "count"] == 800


def test_latest_and_usual_per_site(ctx: CityContext, store: Store) -> None:
    wed = dt.datetime(2026, 11, 25, 7, 0, tzinfo=WIB)
    recs = [_obs("ATCS-1", wed, "total", 375, 18)]  # latest: 1500 veh/h
    for days, n in ((1, 250), (2, 250), (5, 250), (3, 900), (4, 900)):  # Sat/Sun 22/21 differ
        recs.append(_obs("ATCS-1", wed - dt.timedelta(days=days), "total", n, 30))
    recs.append(_obs("ATCS-1", wed - dt.timedelta(days=1, hours=3), "total", 50, 40))  # other slot
    recs.append(_obs("ATCS-7", wed - dt.timedelta(minutes=15), "total", 100, 35))
    ingest_batches([as_batch(recs, kind="traffic")], store, ctx)
    out = site_speed_flow(store, at=wed + dt.timedelta(hours=1)).set_index("site_id")
    a = out.loc["ATCS-1"]
    assert a["latest_flow_veh_h"] == 1500
    assert a["latest_speed_kmh"] == 18
    assert a["usual_flow_veh_h"] == 1000
    assert a["usual_n"] == 3
    assert a["usual_speed_kmh"] == 30
    assert a["flow_ratio"] == pytest.approx(1.5)
    assert a["latest_start_wib"] == "2026-11-25 07:00 WIB"
    assert not a["simulated"]
    assert out.loc["ATCS-7", "usual_n"] == 0
    assert np.isnan(out.loc["ATCS-7", "usual_flow_veh_h"])
    # Before the latest interval, the one before it is the latest.
    earlier = site_speed_flow(store, at=wed).set_index("site_id")
    assert earlier.loc["ATCS-1", "latest_flow_veh_h"] == 1000


def test_feed_health_flags_stale_feeds(ctx: CityContext, store: Store) -> None:
    now = dt.datetime(2026, 11, 25, 8, 0, tzinfo=WIB)
    ingest_batches(
        [as_batch([_obs("ATCS-1", now - dt.timedelta(hours=2), "total", 10, 30)], kind="traffic")],
        store,
        ctx,
        now=now,
    )
    sim = simulate_traffic(ctx, start=now - dt.timedelta(minutes=20), end=now, seed=1)
    ingest_batches([as_batch(sim, kind="traffic")], store, ctx, now=now)
    h = feed_health(store, now=now).set_index("source")
    assert bool(h.loc["atcs", "stale"])
    assert not bool(h.loc["simulated", "stale"])
    assert bool(h.loc["simulated", "simulated"])
    assert not bool(h.loc["atcs", "simulated"])
    assert h.loc["simulated", "last_updated_wib"] == "2026-11-25 08:00 WIB"
    prov = {p.source.split()[0]: p for p in feed_provenance(store)}
    assert prov["layers.simulate"].synthetic
    assert "SIMULATED" in prov["layers.simulate"].attribution
    assert not prov["feed"].synthetic
    assert prov["feed"].layer == "traffic"


def test_simulated_traffic_follows_the_profile(ctx: CityContext) -> None:
    day = dt.datetime(2026, 11, 25, 0, 0, tzinfo=WIB)  # a Wednesday
    obs = simulate_traffic(ctx, start=day, end=day + dt.timedelta(days=1), interval_s=3600, seed=3)
    assert {o.source for o in obs} == {SIMULATED}
    assert {o.vehicle_class for o in obs} == {"SM", "KR", "KB"}
    assert {o.site_id for o in obs} == ctx.sites.ids
    by_hour = Counter()
    for o in obs:
        by_hour[o.interval_start.astimezone(WIB).hour] += o.count
    assert by_hour[7] > 4 * by_hour[2]
    assert by_hour[17] > 4 * by_hour[3]
    peak = max(by_hour, key=lambda h: by_hour[h])
    assert HOURLY_WEEKDAY[peak] >= 0.95
    sm = sum(o.count for o in obs if o.vehicle_class == "SM")
    assert 0.65 < sm / sum(o.count for o in obs) < 0.75
    # Peak-hour congestion slows traffic down.
    v7 = np.mean([o.speed_kmh for o in obs if o.interval_start.astimezone(WIB).hour == 7])
    v3 = np.mean([o.speed_kmh for o in obs if o.interval_start.astimezone(WIB).hour == 3])
    assert v7 < v3
    # Same seed, same window: same records (re-running is idempotent).
    again = simulate_traffic(
        ctx, start=day, end=day + dt.timedelta(hours=1), interval_s=3600, seed=3
    )
    assert again == [o for o in obs if o.interval_start == day]


def test_simulated_complaints_lifecycle_and_density(ctx: CityContext, store: Store) -> None:
    end = dt.datetime(2026, 11, 25, 12, 0, tzinfo=WIB)
    start = end - dt.timedelta(days=20)
    dens = complaint_density(ctx)
    assert "population" in dens.basis
    cs = simulate_complaints(ctx, start=start, end=end, rate_per_min=0.1, seed=5, density=dens)
    assert {c.source for c in cs} == {SIMULATED}
    assert all(c.description.startswith("[SIMULASI]") for c in cs)
    rep = ingest_batches([as_batch(cs, kind="complaints")], store, ctx, now=end)
    assert rep.rejected == 0
    assert rep.accepted == len(cs)
    df = store.complaints()
    n = len(df)
    assert 2000 < n < 3800  # about 0.1/min over 20 days
    states = store.complaints(latest=False).groupby("source_id")["status"].apply(list)
    for seq in states.head(300):
        assert seq[0] == "open"
    share = df["status"].value_counts(normalize=True)
    assert share["resolved"] > 0.4
    assert share.get("rejected", 0) > 0.02
    # Density follows population: the most populous kecamatan gets the most complaints.
    kec = df["kec_code"].value_counts(normalize=True)
    top = dens.kecamatan.idxmax()
    assert abs(kec[top] - dens.kecamatan[top]) < 0.03
    cats = df["category"].value_counts(normalize=True)
    assert cats.index[0] == "jalan_rusak"
    # OPD routing follows the category.
    assert set(df.loc[df["category"] == "sampah", "opd"]) == {"Dinas Lingkungan Hidup"}


@pytest.mark.slow
def test_edges_and_cells_with_the_twin(medan_twin, store: Store) -> None:  # type: ignore[no-untyped-def]
    ctx = CityContext.from_twin(medan_twin)
    now = dt.datetime(2026, 11, 25, 17, 30, tzinfo=WIB)
    sim = simulate_traffic(ctx, start=now - dt.timedelta(hours=1), end=now, seed=2, twin=medan_twin)
    ingest_batches([as_batch(sim, kind="traffic")], store, ctx, now=now)
    flows = site_speed_flow(store, at=now)
    assert len(flows) == 111
    assert flows["simulated"].all()
    edges = edge_speed_flow(flows, ctx.sites, edges=medan_twin.edges)
    assert len(edges) == 111
    assert set(edges["edge_id"].astype(int)) <= set(medan_twin.edges["edge_id"])
    assert edges["congestion_index"].between(0, 1).all()
    cells = congestion_by_cell(flows, ctx.sites, res=9, edges=medan_twin.edges)
    assert cells["n_sites"].sum() == 111
    assert cells["congestion_index"].between(0, 1).all()
    # At the evening peak the trunk roads are slower than free flow.
    assert cells["congestion_index"].mean() > 0.05
    # Density from the twin: road length per res-9 cell inside each kecamatan.
    dens = complaint_density(ctx, twin=medan_twin)
    assert dens.cells is not None
    assert "road length" in dens.basis
    assert isinstance(dens.cells, pd.DataFrame)
    assert dens.cells["weight"].gt(0).all()
