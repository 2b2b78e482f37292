"""Deck specs: offline (no basemap provider, no outside host), pickable layers with ids,
plain-text tooltips, slimmed roads, diverging differences."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd

from apps import deck, theme
from twin.model import Twin

_URL = re.compile(r"https?://[^\s\"']+")


def _spec(d: object) -> dict:
    return json.loads(d.to_json())  # type: ignore[attr-defined]


def test_planner_deck_is_offline_and_pickable(toy_twin: Twin) -> None:
    layers = deck.basemap_layers(toy_twin, pick_areas=True)
    layers.append(deck.roads_layer(deck.road_frame(toy_twin)))
    layers.append(deck.points_layer(deck.atcs_frame(toy_twin), layer_id="atcs", colour=(0, 1, 2)))
    d = deck.make_deck(layers, view=deck.view_state(toy_twin))
    text = d.to_json()
    spec = json.loads(text)
    assert _URL.findall(text) == []  # no cartocdn, no tile server, no host at all
    assert spec["mapStyle"] == "__MAP_STYLE__"
    assert "mapProvider" not in spec
    assert d.map_provider is None
    types = {(lyr["@@type"], lyr["id"]) for lyr in spec["layers"]}
    assert ("PolygonLayer", "kelurahan") in types
    assert ("LineLayer", "roads") in types
    assert ("LineLayer", "kecamatan") in types
    assert ("LineLayer", "kelurahan-outline") in types
    assert ("ScatterplotLayer", "atcs") in types
    for lyr in spec["layers"]:
        assert lyr["id"], "every layer needs an id for selections"
        if lyr.get("pickable"):
            assert all("tip" in row for row in lyr["data"]), lyr["id"]
    # tooltips are plain text (innerText), never HTML
    assert set(d._tooltip) == {"text", "style"}  # type: ignore[attr-defined]
    assert "\n" not in text
    assert ": " not in text[:200]


def test_roads_main_and_local_are_split_and_coloured(toy_twin: Twin) -> None:
    main = deck.road_frame(toy_twin, metric="class")
    local = deck.road_frame(toy_twin, local=True)
    e = toy_twin.edges
    assert len(main) + len(local) == len(e)
    assert set(main["edge_id"]) == set(e.loc[e["highway"] != "residential", "edge_id"])
    links = pd.DataFrame(
        {"flow": 900.0, "vc": np.linspace(0, 1.5, len(e)), "speed_kmh": 30.0},
        index=e["edge_id"].to_numpy(),
    )
    vc = deck.road_frame(toy_twin, links=links, metric="vc", lang="en")
    scale = deck.roads_scale("vc", lang="en")
    row = vc.iloc[-1]
    expect = scale.colours([links.loc[row.edge_id, "vc"]])[0].tolist()
    assert row.color == expect
    assert "V/C" in row.tip
    assert "PCU/h" in row.tip
    closed = deck.road_frame(toy_twin, closed=[int(main.edge_id.iloc[0])])
    assert closed.iloc[0].color == list(theme.CLOSED_ROAD)


def test_markup_in_names_stays_in_text_fields(toy_twin: Twin) -> None:
    from tests.apps.toy import XSS_NAME

    f = deck.road_frame(toy_twin)
    tips = f.loc[f["name"] == XSS_NAME, "tip"]
    assert len(tips)
    assert XSS_NAME in tips.iloc[0]


def test_h3_layer_computes_hexagons(toy_twin: Twin) -> None:
    cells = toy_twin.h3_cells.head(5).assign(value=[0, 1, 2, 3, 4])
    scale = theme.Scale("viridis", 0, 4, "x")
    f = deck.h3_frame(cells, scale=scale, tip_fmt="{cell}: {value}")
    assert len(f) == 5
    assert all(len(p) in (6, 7) for p in f["polygon"])
    assert f.iloc[0].color[:3] == list(theme.VIRIDIS[0])
    spec = _spec(deck.make_deck([deck.h3_layer(f)], view=deck.view_state(toy_twin)))
    assert spec["layers"][0]["@@type"] == "PolygonLayer"


def test_diff_frame_keeps_changed_and_closed_links(toy_twin: Twin) -> None:
    ids = toy_twin.edges["edge_id"].to_numpy()
    d = pd.DataFrame({"d_vc": 0.0}, index=ids)
    d.loc[ids[2], "d_vc"] = 0.5
    d.loc[ids[3], "d_vc"] = -0.25
    frame, scale = deck.diff_frame(toy_twin, d, closed=[int(ids[7])], lang="en")
    assert set(frame["edge_id"]) == {ids[2], ids[3], ids[7]}
    assert scale.palette == "puor"
    assert scale.vmin == -scale.vmax
    worse = frame.set_index("edge_id").loc[ids[2]]
    better = frame.set_index("edge_id").loc[ids[3]]
    assert worse.color[0] > worse.color[2]  # orange side
    assert better.color[2] > better.color[0]  # purple side
    assert frame.set_index("edge_id").loc[ids[7]].color == list(theme.CLOSED_ROAD)
