"""Complaints per cell, kelurahan and kecamatan; ageing and SLA breaches; hotspots."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import h3
import numpy as np
import pandas as pd
import pytest

from layers.aggregate import complaint_ageing, complaint_counts, complaints_over_time, sla_summary
from layers.context import CityContext
from layers.hotspots import METHOD, complaint_hotspots, study_cells
from layers.ingest import ingest_file
from layers.store import Store

T0 = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


def _frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    base = {
        "source": "csv",
        "status": "open",
        "category": "sampah",
        "opd": "DLH",
        "h3": "89650d4dc7bffff",
        "kel_code": "12.71.05.1001",
        "kec_code": "12.71.05",
        "requested_ts": int(T0.timestamp()),
        "updated_ts": int(T0.timestamp()),
    }
    return pd.DataFrame([base | {"source_id": str(i)} | r for i, r in enumerate(rows)])


def test_counts_by_level_category_and_window(samples: Path, ctx: CityContext, store: Store) -> None:
    for name, fmt in (("open311_requests.json", "open311"), ("lapor_sample.json", "lapor")):
        ingest_file(samples / name, store, ctx, kind="complaints", fmt=fmt)
    df = store.complaints()
    assert len(df) == 7
    kec = complaint_counts(df, level="kecamatan")
    assert kec["count"].sum() == 7
    assert set(kec["unit"]) <= set(ctx.kelurahan["parent_code"])
    kel = complaint_counts(df, level="kelurahan", by=["category", "status"])
    assert kel["count"].sum() == 7
    assert set(kel.columns) == {"unit", "category", "status", "count"}
    cells9 = complaint_counts(df, level="h3")
    cells7 = complaint_counts(df, level="h3", res=7)
    assert cells9["count"].sum() == cells7["count"].sum() == 7
    assert {h3.get_resolution(c) for c in cells7["unit"]} == {7}
    assert len(cells7) <= len(cells9)
    win = complaint_counts(
        df,
        since=dt.datetime(2026, 11, 20, tzinfo=dt.UTC),
        until=dt.datetime(2026, 11, 23, tzinfo=dt.UTC),
    )
    assert win["count"].sum() == 4  # 101, 102, 103 and LAPOR 5123456 (20 Nov 01:15 UTC)
    only_open = complaint_counts(df, level="kecamatan", status=["open"])
    assert only_open["count"].sum() == int((df["status"] == "open").sum())
    by_opd = complaint_counts(df, level="kecamatan", by=["opd"])
    assert "Dinas SDABMBK Kota Medan" in set(by_opd["opd"])


def test_ageing_and_sla_breaches() -> None:
    day = 86400
    df = _frame(
        [
            {"category": "sampah"},  # open for 5 days, SLA 3: breached
            {"category": "jalan_rusak"},  # open for 5 days, SLA 14: fine
            {
                "category": "sampah",
                "status": "resolved",
                "updated_ts": int(T0.timestamp()) + 2 * day,
            },
            {
                "category": "sampah",
                "status": "resolved",
                "updated_ts": int(T0.timestamp()) + 4 * day,
            },
            {
                "category": "sampah",
                "status": "rejected",
                "updated_ts": int(T0.timestamp()) + 9 * day,
            },
        ]
    )
    now = T0 + dt.timedelta(days=5)
    aged = complaint_ageing(df, now=now)
    assert aged["age_days"].tolist() == pytest.approx([5, 5, 2, 4, 9])
    assert aged["breached"].tolist() == [True, False, False, True, False]
    assert aged["overdue_days"].tolist() == pytest.approx([2, 0, 0, 1, 0])
    # Configurable SLA days per category.
    assert complaint_ageing(df, now=now, sla_overrides={"sampah": 10})["breached"].sum() == 0
    summary = sla_summary(df, by="category", now=now).set_index("category")
    assert summary.loc["sampah", "open_breached"] == 1
    assert summary.loc["sampah", "resolved_late"] == 1
    assert summary.loc["sampah", "total"] == 4
    assert summary.loc["sampah", "rejected"] == 1
    assert summary.loc["jalan_rusak", "median_open_age_days"] == pytest.approx(5)


def test_over_time_in_wib() -> None:
    # 17:30 UTC is 00:30 WIB on the next day.
    df = _frame(
        [{"requested_ts": int(dt.datetime(2026, 11, 1, 17, 30, tzinfo=dt.UTC).timestamp())}]
    )
    t = complaints_over_time(df, freq="1D")
    assert str(t.index[0].date()) == "2026-11-02"
    assert t["sampah"].tolist() == [1]


@pytest.mark.slow  # esda compiles its permutation kernels with numba on first use
def test_hotspots_find_a_planted_cluster(ctx: CityContext) -> None:
    domain = study_cells(ctx.boundary, 8)
    assert len(domain) > 200
    rng = np.random.default_rng(0)
    counts = pd.Series(rng.poisson(1.0, len(domain)), index=domain)
    centre = "88650d4e3bfffff" if "88650d4e3bfffff" in counts.index else domain[len(domain) // 2]
    cluster = [c for c in h3.grid_disk(centre, 1) if c in counts.index]
    counts[cluster] += 25
    df = pd.DataFrame({"unit": counts.index, "count": counts.to_numpy()})
    res = complaint_hotspots(df, domain=domain, permutations=199, seed=1)
    assert res.attrs["method"]["method"] == METHOD
    assert res.attrs["method"]["permutations"] == 199
    assert "weights" in res.attrs["method"]
    spots = res.set_index("cell")
    assert (spots.loc[cluster, "spot"] == "hot").all()
    assert spots.loc[centre, "z"] > 3
    # Far from the cluster nothing is hot; the result is reproducible.
    assert (spots["spot"] == "hot").sum() < 0.1 * len(domain)
    again = complaint_hotspots(df, domain=domain, permutations=199, seed=1)
    assert np.array_equal(res["p_sim"].to_numpy(), again["p_sim"].to_numpy())


def test_hotspots_on_constant_counts_say_so() -> None:
    df = pd.DataFrame({"unit": ["89650d4dc7bffff"], "count": [3]})
    res = complaint_hotspots(df, permutations=0)
    assert (res["spot"] == "not significant").all()
    assert len(res) == 7  # the cell and its ring
