"""AppTest of every page on the offline Medan twin: widgets, KPI values, deck specs."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from apps.views import plan as planmod
from twin.model import Twin

pytestmark = pytest.mark.slow

PAGES = Path(__file__).resolve().parents[2] / "apps" / "app_pages"
_URL = re.compile(r"https?://")


@pytest.fixture
def app_env_vars(app_home: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    for k in ("TWIN_HOME", "TWIN_STORE", "TWIN_CITY", "TWIN_DATA_DIR"):
        if k in app_home:
            monkeypatch.setenv(k, app_home[k])
    monkeypatch.delenv("TWIN_SNAPSHOT", raising=False)


def _run(page: str, **params: str) -> AppTest:
    at = AppTest.from_file(str(PAGES / page), default_timeout=300)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _decks(at: AppTest) -> list[dict[str, Any]]:
    specs = [json.loads(c.proto.json) for c in at.get("deck_gl_json_chart")]
    for spec in specs:
        text = json.dumps(spec)
        assert not _URL.search(text), "a deck refers to an outside host"
        assert "cartocdn" not in text
        assert spec.get("mapStyle") == "__MAP_STYLE__"
    return specs


def _layers(spec: dict[str, Any]) -> dict[str, str]:
    return {lyr["id"]: lyr["@@type"] for lyr in spec["layers"]}


def _html(at: AppTest) -> str:
    return "\n".join(h.proto.body for h in at.get("html"))


@pytest.mark.usefixtures("app_env_vars")
def test_planner_map_widgets_and_language() -> None:
    from apps.views import data, scenario

    twin = data.load_twin()
    scenario.baseline(twin, "am_peak")  # from the disk cache: the map is coloured by V/C
    assert scenario.baseline_ready(twin, "am_peak")
    at = _run("planner.py")
    assert at.title[0].value == "Perencana skenario"
    (spec,) = _decks(at)
    layers = _layers(spec)
    assert layers["roads"] == "LineLayer"
    assert layers["kelurahan"] == "PolygonLayer"
    assert layers["atcs"] == "ScatterplotLayer"
    assert layers["kecamatan-names"] == "TextLayer"
    roads = next(lyr for lyr in spec["layers"] if lyr["id"] == "roads")
    assert roads["pickable"]
    assert 2000 < len(roads["data"]) < 12000
    assert "V/C" in roads["data"][0]["tip"]  # coloured by the modelled baseline
    assert "SINTETIS" in _html(at)
    labels = {t.label for t in at.toggle}
    assert {"Jalan lingkungan (lebih lambat)", "Batas kelurahan", "Kamera ATCS"} <= labels
    # local streets on: a second, larger road layer
    at.toggle(key="show_local").set_value(True).run()
    (spec,) = _decks(at)
    local = next(lyr for lyr in spec["layers"] if lyr["id"] == "local-roads")
    assert len(local["data"]) > len(roads["data"])
    at_en = _run("planner.py", lang="en")
    assert at_en.title[0].value == "Scenario planner"


@pytest.mark.usefixtures("app_env_vars")
def test_planner_runs_a_shared_scenario(medan_twin: Twin) -> None:
    e = medan_twin.edges
    trunk = e[(e["highway"] == "trunk") & (e["kec_code"] != "outside")]
    ids = [int(x) for x in trunk["edge_id"].iloc[:4]]
    plan = planmod.Plan(
        name="tutup-uji",
        changes=[{"kind": "close", "edges": ids, "names": ["x"] * len(ids)}],
    )
    at = _run("planner.py", sc=planmod.encode_plan(plan))
    assert any("Tutup 4 ruas" in t.value for t in at.text)
    at.button(key="run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    metrics = {m.label: m for m in at.metric}
    vht = metrics["Jam-kendaraan (VHT)"]
    assert vht.value.endswith("jam")
    assert vht.delta.startswith("+")
    assert "Permintaan tak terlayani" in metrics
    specs = _decks(at)
    diff = next(s for s in specs if "diff" in _layers(s))
    closed = [
        r
        for r in next(lyr for lyr in diff["layers"] if lyr["id"] == "diff")["data"]
        if r["edge_id"] in ids
    ]
    assert {r["edge_id"] for r in closed} == set(ids)
    assert all(r["color"] == [0, 0, 0] for r in closed)
    assert len(at.dataframe) >= 1  # most affected links
    assert at.query_params["sc"]
    _check_winners_and_losers(at, specs)
    _check_compare_with_a_saved_plan(at, ids)


def _check_winners_and_losers(at: AppTest, specs: list[dict[str, Any]]) -> None:
    zspec = next(s for s in specs if "zones" in _layers(s))
    assert _layers(zspec)["zones"] == "PolygonLayer"
    zrows = next(lyr for lyr in zspec["layers"] if lyr["id"] == "zones")["data"]
    assert len(zrows) > 100  # the H3 zones of the city
    assert all("menit/perjalanan" in r["tip"] for r in zrows)
    assert "Perubahan waktu tempuh rata-rata" in _html(at)  # the legend, with its unit
    d_col = "Δ waktu (menit/perjalanan)"
    tables = [df.value for df in at.dataframe if d_col in df.value.columns]
    assert len(tables) == 2
    winners, losers = tables
    assert len(losers) > 0  # closing a trunk road slows someone down
    assert (losers[d_col] > 0).all()
    assert (winners[d_col] < 0).all()
    assert list(losers[d_col]) == sorted(losers[d_col], reverse=True)
    assert losers["Zona"].str.len().gt(0).all()


def _check_compare_with_a_saved_plan(at: AppTest, ids: list[int]) -> None:
    from apps.views import scenario

    saved = planmod.Plan(
        name=f"uji lajur {os.getpid()}",
        changes=[{"kind": "lanes", "edges": ids, "names": ["x"] * len(ids), "delta": 1}],
    )
    path = scenario.save_plan(saved)
    try:
        at.run()
        key = scenario.SAVED_PREFIX + path.stem
        pick = at.selectbox(key="cmp_b")
        assert f"{path.stem} (tersimpan)" in pick.options
        pick.set_value(key).run()
        assert not at.button(key="cmp_run").disabled
        at.button(key="cmp_run").click().run()
        assert not at.exception, [e.value for e in at.exception]
    finally:
        path.unlink(missing_ok=True)
        path.with_suffix(".toml").unlink(missing_ok=True)
    kpis = [df.value for df in at.dataframe if "Selisih" in df.value.columns]
    assert len(kpis) == 2  # A and B side by side
    a, b = kpis
    assert list(a["Dasar"]) == list(b["Dasar"])  # the same cached baseline
    assert a["Skenario"].iloc[0] != b["Skenario"].iloc[0]  # VHT: closed vs widened
    assert a["Selisih"].iloc[0].startswith("+")
    decks = _decks(at)
    assert any(f"cmp-{key}" in _layers(d) for d in decks)


@pytest.mark.usefixtures("app_env_vars")
def test_wall_tiles_and_map() -> None:
    at = _run("wall.py")
    html = _html(at)
    for label in (
        "Kecepatan jaringan kini",
        "Aduan terbuka",
        "Lewat SLA per OPD",
        "Kesehatan umpan",
    ):
        assert label in html
    assert re.search(r"\d+ km/jam", html)
    assert "&lt;img src=x onerror=" in html
    assert "<img src=x" not in html
    (spec,) = _decks(at)
    assert _layers(spec)["wall-h3"] == "PolygonLayer"
    assert _layers(spec)["wall-atcs"] == "ScatterplotLayer"
    at_en = _run("wall.py", lang="en", kiosk="1")
    assert "Network speed now" in _html(at_en)


@pytest.mark.usefixtures("app_env_vars")
def test_story_facts_whatif_and_export() -> None:
    at = _run("story.py")
    html = _html(at)
    assert "2,435,252 jiwa" in html
    # units follow the language too
    html_en = _html(_run("story.py", lang="en"))
    assert "2,435,252 people" in html_en
    assert "jiwa" not in html_en
    assert "BPS Kota Medan" in html
    assert "twin build --city" in at.code[0].value
    (spec,) = _decks(at)
    assert {"roads", "atcs", "kecamatan"} <= set(_layers(spec))
    at.button(key="story_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(_decks(at)) == 3  # overview, before, after
    assert any(m.label == "Jam-kendaraan (VHT)" for m in at.metric)


@pytest.mark.usefixtures("app_env_vars")
def test_about_lists_real_synthetic_and_simulated() -> None:
    at = _run("about.py", lang="en")
    prov = at.dataframe[0].value
    kinds = dict(zip(prov["Layer"], prov["Kind"], strict=False))
    assert kinds["roads"] == "synthetic"
    assert kinds["kelurahan"] == "real"
    feeds = at.dataframe[1].value
    assert feeds["Feed"].str.contains("simulated").any()
