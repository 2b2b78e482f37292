"""Exports: the standalone HTML has deck.gl inlined and loads nothing; result tables."""

from __future__ import annotations

import io
import json
import re

import geopandas as gpd
import pandas as pd
import pytest

from apps import deck, export
from apps.views.plan import Plan
from apps.views.scenario import ScenarioResult
from twin.model import Twin


def _result(twin: Twin) -> ScenarioResult:
    ids = twin.edges["edge_id"].to_numpy()
    links = pd.DataFrame(
        {
            "flow_base": 100.0,
            "flow_scen": 150.0,
            "d_flow": 50.0,
            "vc_base": 0.1,
            "vc_scen": 0.15,
            "d_vc": 0.05,
            "speed_base": 40.0,
            "speed_scen": 38.0,
            "d_speed": -2.0,
            "d_vht": 0.2,
        },
        index=pd.Index(ids, name="edge_id"),
    )
    k = {"vht": 10.0, "vkt": 400.0, "mean_speed_kmh": 40.0, "congested_km": 1.0}
    return ScenarioResult(
        plan=Plan(name="t"),
        baseline=k,
        scenario=k,
        delta=dict.fromkeys(k, 0.0),
        links=links,
        closed=[int(ids[0])],
    )


def test_map_html_is_standalone(toy_twin: Twin) -> None:
    d = deck.make_deck(deck.basemap_layers(toy_twin), view=deck.view_state(toy_twin))
    page = export.map_html(d, title="<script>alert(1)</script>", notes=["SINTETIS & <b>"])
    assert "createDeck" in page
    assert len(page) > 1_000_000
    assert not re.search(r"<script[^>]+src=", page)
    assert not re.search(r"<link[^>]+href=", page)
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt;</title>" in page
    assert "SINTETIS &amp; &lt;b&gt;" in page
    assert "default-src 'none'" in page  # the page may not fetch anything
    assert "cartocdn" not in page.split("<script>", 1)[0]


def test_deck_json_cannot_close_the_script(toy_twin: Twin) -> None:
    bad = toy_twin.kelurahan.copy()
    bad.loc[bad.index[0], "name"] = "</script><script>alert(1)</script>"
    import dataclasses

    tw = dataclasses.replace(toy_twin, kelurahan=bad)
    page = export.map_html(
        deck.make_deck(deck.basemap_layers(tw), view=deck.view_state(tw)), title="x"
    )
    body = page.split("<body>", 1)[1]
    assert "</script><script>alert(1)" not in body
    assert "<\\/script>" in body


def test_result_tables(toy_twin: Twin) -> None:
    res = _result(toy_twin)
    csv = pd.read_csv(io.BytesIO(export.links_csv(res, toy_twin)))
    assert len(csv) == len(toy_twin.edges)
    assert {"edge_id", "d_flow", "scenario", "snapshot_id", "data_kind"} <= set(csv.columns)
    assert csv["data_kind"].str.contains("simulated").all()
    gj = json.loads(export.links_geojson(res, toy_twin))
    assert gj["type"] == "FeatureCollection"
    assert len(gj["features"]) == len(toy_twin.edges)
    gp = gpd.read_parquet(io.BytesIO(export.links_geoparquet(res, toy_twin)))
    assert gp.crs.to_epsg() == 4326
    assert gp.geometry.geom_type.eq("LineString").all()


def test_missing_bundle_is_a_config_error(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    from twin.errors import ConfigError

    export.deckgl_js.cache_clear()
    monkeypatch.setattr(export, "DECKGL_BUNDLE", tmp_path / "none.js")
    with pytest.raises(ConfigError, match="bundle is missing"):
        export.deckgl_js()
    export.deckgl_js.cache_clear()
