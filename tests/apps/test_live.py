"""The wall's figures from a real SQLite store: readings vs usual, alerts, stale feeds, SLA,
and complaint text that stays text."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from apps.views import live
from layers.store import Store
from twin.errors import ConfigError
from twin.model import Twin

NOW = dt.datetime(2026, 11, 20, 3, 0, tzinfo=dt.UTC)  # 10:00 WIB
XSS = "<img src=x onerror=alert(1)> jalan <b>rusak</b>"


def _fill(path: Path, twin: Twin) -> list[str]:
    sites = twin.atcs_sites["site_id"].tolist()[:3]
    with Store(path) as s:
        rows = []
        for day in range(4):
            for site in sites:
                t = NOW - dt.timedelta(days=day, minutes=10)
                speed = 40.0 if (day > 0 or site != sites[0]) else 12.0
                for cls, cnt in (("SM", 300), ("KR", 100)):
                    start = int(t.timestamp())
                    rows.append(
                        (
                            "atcs",
                            f"{site}|{start}|{cls}",
                            start + 300,
                            site,
                            start,
                            300,
                            "all",
                            cls,
                            cnt,
                            speed,
                            None,
                            "ok",
                            start + 300,
                        )
                    )
        s.conn.executemany("INSERT INTO traffic VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
        old = int((NOW - dt.timedelta(days=30)).timestamp())
        fresh = int((NOW - dt.timedelta(hours=5)).timestamp())
        lat, lon = float(twin.atcs_sites["lat"].iloc[0]), float(twin.atcs_sites["lon"].iloc[0])
        cell = str(twin.h3_cells["cell"].iloc[0])
        crow = []
        for i, (desc, req, cat, opd) in enumerate(
            [
                (XSS, fresh, "jalan_rusak", "Dinas SDABMBK"),
                ("lampu mati", old, "lampu_jalan", "Dinas Perkim-PR"),
                ("sampah", fresh, "sampah", "Dinas Lingkungan Hidup"),
            ]
        ):
            crow.append(
                (
                    "mrk",
                    f"c{i}",
                    req,
                    req,
                    cat,
                    cat,
                    "",
                    "",
                    desc,
                    "open",
                    "open",
                    opd,
                    lat,
                    lon,
                    "<b>Jl. X</b>",
                    "",
                    cell,
                    "k",
                    "k",
                    fresh,
                )
            )
        s.conn.executemany(
            "INSERT INTO complaints VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", crow
        )
    return sites


def test_live_state_from_a_store(toy_twin: Twin, tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    sites = _fill(path, toy_twin)
    st = live.live_state(toy_twin, path, now=NOW)
    r = st.readings.set_index("site_id")
    assert set(r.index) == set(sites)
    assert r.loc[sites[0], "speed_kmh"] == pytest.approx(12.0)
    assert r.loc[sites[0], "usual_kmh"] == pytest.approx(40.0)
    slow = [a for a in st.alerts if a["kind"] == "slow"]
    assert [a["site_id"] for a in slow] == [sites[0]]
    assert "30 %" in live.alert_text(slow[0], lang="en")
    assert st.mean_speed_now == pytest.approx((12 + 40 + 40) / 3)
    # feeds: traffic fresh, complaints last ingested 5 h ago: stale
    f = st.feeds.set_index("kind")
    assert not bool(f.loc["traffic", "stale"])
    assert bool(f.loc["complaints", "stale"])
    # the month-old street-light complaint is past its SLA
    sla = st.sla_by_opd.set_index("opd")
    assert sla.loc["Dinas Perkim-PR", "open_breached"] == 1
    assert int(st.open_by_category["count"].sum()) == 3
    # untrusted text: verbatim in tables, escaped in HTML
    table = live.recent_complaints(st, lang="en")
    assert XSS in table["Description"].tolist()
    html = live.recent_complaints_html(st, lang="en")
    assert XSS not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<b>rusak</b>" not in html
    cong = live.congestion_cells(st.readings)
    assert cong["value"].between(0, 1).all()
    assert len(cong) >= 1
    frame, scale = live.congestion_frame(st, lang="id")
    assert len(frame) == len(cong)
    assert scale.palette == "viridis"


def test_no_store_is_a_clear_error(toy_twin: Twin, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no feed store"):
        live.live_state(toy_twin, tmp_path / "missing.sqlite")


def test_hour_period() -> None:
    wib = dt.timezone(dt.timedelta(hours=7))
    assert live.hour_period(dt.datetime(2026, 1, 1, 7, tzinfo=wib)) == "am_peak"
    assert live.hour_period(dt.datetime(2026, 1, 1, 12, tzinfo=wib)) == "midday"
    assert live.hour_period(dt.datetime(2026, 1, 1, 17, tzinfo=wib)) == "pm_peak"
