"""Plain functions that turn the twin, its live layers and scenario results into pydeck maps.

Every deck here is offline: ``map_provider=None`` (no tile server, no Carto, no Mapbox) and
a basemap drawn from the twin's own kelurahan polygons. Pickable layers carry an ``id`` (so
``st.pydeck_chart(on_select=...)`` can return what was clicked) and a precomputed ``tip``
string shown through a plain-text tooltip, so untrusted text (street names from OSM,
complaint descriptions) is never interpreted as markup.

Large layers are slimmed before they are sent: local streets are left out unless asked for,
geometries are simplified to about a metre and coordinates rounded to 5 decimals.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

import geopandas as gpd
import h3
import numpy as np
import numpy.typing as npt
import pandas as pd
import pydeck as pdk
import shapely
from pydeck.bindings.json_tools import default_serialize

from apps import theme
from apps.i18n import t
from twin.model import Twin

#: Highway classes drawn on the overview map; the rest are "local streets".
MAIN_CLASSES = (
    "motorway",
    "motorway_link",
    "trunk",
    "trunk_link",
    "primary",
    "primary_link",
    "secondary",
    "secondary_link",
    "tertiary",
    "tertiary_link",
)
#: Line width in pixels per class (main roads stand out, local streets stay thin).
CLASS_WIDTH = {
    "motorway": 5.0,
    "motorway_link": 2.5,
    "trunk": 4.5,
    "trunk_link": 2.5,
    "primary": 4.0,
    "primary_link": 2.5,
    "secondary": 3.0,
    "secondary_link": 2.0,
    "tertiary": 2.2,
    "tertiary_link": 1.8,
}
LOCAL_WIDTH = 1.0
#: Road class colours for the "class" colouring (Okabe-Ito, colour-blind safe).
CLASS_COLOUR = {
    "motorway": (204, 121, 167),
    "motorway_link": (204, 121, 167),
    "trunk": (213, 94, 0),
    "trunk_link": (213, 94, 0),
    "primary": (230, 159, 0),
    "primary_link": (230, 159, 0),
    "secondary": (0, 114, 178),
    "secondary_link": (0, 114, 178),
    "tertiary": (86, 180, 233),
    "tertiary_link": (86, 180, 233),
}

#: Classes clickable on the whole-city map (Streamlit's map selection stops working with
#: more than about 4,000 pickable objects, so the city view offers the arterials only).
CITY_PICK_CLASSES = ("motorway", "motorway_link", "trunk", "trunk_link", "primary", "primary_link")
#: Most pickable roads sent in one map (measured limit of st.pydeck_chart selections: ~4,000).
MAX_PICKABLE = 3000

ROADS_ID = "roads"
BG_ROADS_ID = "roads-bg"
LOCAL_ID = "local-roads"
LAND_ID = "land"
KEL_PICK_ID = "kelurahan"
H3_ID = "h3"

#: Degrees of simplification (about 1 m at Medan's latitude) and of rounding.
SIMPLIFY_DEG = 1e-5
ROUND = 5


class OfflineDeck(pdk.Deck):  # type: ignore[misc]
    """A ``pydeck.Deck`` whose JSON is compact (pydeck indents it, tripling the page weight)."""

    def to_json(self) -> str:
        """The deck.gl JSON spec, without whitespace."""
        return json.dumps(self, sort_keys=True, default=default_serialize, separators=(",", ":"))


def view_state(
    twin: Twin | None = None,
    *,
    lon: float | None = None,
    lat: float | None = None,
    zoom: float = 10.0,
    pitch: float = 0.0,
) -> pdk.ViewState:
    """The initial view: the city's profile centre unless ``lon``/``lat`` are given."""
    if lon is None or lat is None:
        if twin is not None:
            lon, lat = twin.profile.center
        else:
            lon, lat = 98.6722, 3.5952
    return pdk.ViewState(longitude=lon, latitude=lat, zoom=zoom, pitch=pitch, bearing=0)


def make_deck(
    layers: Sequence[pdk.Layer],
    *,
    view: pdk.ViewState,
    dark: bool = False,
) -> pdk.Deck:
    """A deck with no basemap provider and a plain-text tooltip on the ``tip`` field.

    Examples
    --------
    >>> d = make_deck([], view=view_state())
    >>> spec = d.to_json()
    >>> "carto" in spec.lower(), d.map_provider, '"mapStyle":"__MAP_STYLE__"' in spec
    (False, None, True)
    """
    return OfflineDeck(
        layers=list(layers),
        initial_view_state=view,
        # No provider, and map_style left at pydeck's "__MAP_STYLE__" sentinel: Streamlit then
        # drops the style, whereas map_style=None makes it fetch a Carto basemap style.
        map_provider=None,
        tooltip={
            "text": "{tip}",
            "style": {
                "backgroundColor": "#111" if dark else "#fff",
                "color": "#eee" if dark else "#111",
                "fontSize": "13px",
                "whiteSpace": "pre-line",
            },
        },
        parameters={"clearColor": [0.05, 0.07, 0.09, 1.0] if dark else [0.83, 0.86, 0.88, 1.0]},
    )


def _lines_to_paths(geoms: gpd.GeoSeries, *, simplify: float = SIMPLIFY_DEG) -> list[list]:
    """Each line as ``[[lon, lat], ...]``, simplified and rounded (vectorised)."""
    arr = shapely.simplify(np.asarray(geoms.values), simplify, preserve_topology=False)
    coords, idx = shapely.get_coordinates(arr, return_index=True)
    coords = np.round(coords, ROUND)
    splits = np.flatnonzero(np.diff(idx)) + 1
    parts = np.split(coords, splits)
    owners = idx[np.r_[0, splits]] if len(idx) else np.array([], dtype=int)
    out: list[list] = [[] for _ in range(len(arr))]
    for owner, part in zip(owners, parts, strict=False):
        out[int(owner)] = part.tolist()
    return out


def _polygon_rings(geoms: gpd.GeoSeries, *, simplify: float = SIMPLIFY_DEG) -> list[list]:
    """Exterior rings of (multi)polygons as ``[[lon, lat], ...]``, one row per part."""
    rows: list[list] = []
    for g in shapely.simplify(np.asarray(geoms.values), simplify):
        parts = list(g.geoms) if hasattr(g, "geoms") else [g]
        rings = [np.round(np.asarray(p.exterior.coords), ROUND).tolist() for p in parts]
        rows.append(rings)
    return rows


def _fmt(v: Any, decimals: int = 0) -> str:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return "—"
    return theme.fmt_num(f, decimals=decimals)


def road_part(twin: Twin, part: str) -> np.ndarray:
    """Boolean mask over ``twin.edges`` of a named part of the network.

    ``"main"`` / ``"local"``: main roads / local streets; ``"city-pick"``: the arterials
    clickable on the city map; ``"city-bg"``: the other main roads; ``"kec:<code>"``: every
    road of one kecamatan (main roads first when capped); ``"kec-main:<code>"``,
    ``"kec-local:<code>"``: its main roads / its local streets.
    """
    e = twin.edges
    hw = e["highway"].to_numpy()
    main: npt.NDArray[np.bool_] = np.isin(hw, MAIN_CLASSES)
    city: npt.NDArray[np.bool_] = np.isin(hw, CITY_PICK_CLASSES)
    kind, _, code = part.partition(":")
    in_kec: npt.NDArray[np.bool_] = (e["kec_code"] == code).to_numpy(dtype=bool)
    masks: dict[str, npt.NDArray[np.bool_]] = {
        "main": main,
        "local": ~main,
        "city-pick": city,
        "city-bg": main & ~city,
        "kec-main": in_kec & main,
        "kec-local": in_kec & ~main,
        "kec": in_kec,
    }
    if (part if not code else kind) not in masks:
        raise ValueError(f"unknown road part {part!r}")
    return masks[part if not code else kind]


def road_frame(
    twin: Twin,
    *,
    links: pd.DataFrame | None = None,
    metric: str = "vc",
    local: bool = False,
    lang: str = "id",
    selected: Iterable[int] = (),
    closed: Iterable[int] = (),
    part: str | None = None,
) -> pd.DataFrame:
    """Roads as rows for a ``PathLayer``: path, colour, width, ids and a tooltip.

    Parameters
    ----------
    twin
        The loaded twin.
    links
        Optional per-edge model results indexed by ``edge_id`` with columns ``flow``
        (PCU/h), ``vc`` and ``speed_kmh``; without it roads are coloured by class.
    metric
        ``"vc"``, ``"speed"`` or ``"class"``.
    local
        Local streets (``residential``, ``unclassified``...) instead of main roads.
    lang
        UI language of the tooltip.
    selected, closed
        Edge ids drawn highlighted (selected) or black (closed).
    part
        A named part of the network (:func:`road_part`); overrides ``local``.

    Returns
    -------
    pandas.DataFrame
        Columns ``edge_id, name, path, color, width, tip``.
    """
    e = twin.edges
    sub = e[road_part(twin, part or ("local" if local else "main"))]
    df = pd.DataFrame(
        {
            "edge_id": sub["edge_id"].astype(int).to_numpy(),
            "name": sub["name"].fillna("").astype(str).to_numpy(),
            "highway": sub["highway"].astype(str).to_numpy(),
            "lanes": sub["lanes"].astype(float).to_numpy(),
            "cap": sub["capacity_pcu_h"].astype(float).to_numpy(),
        }
    )
    df["path"] = _lines_to_paths(sub.geometry, simplify=SIMPLIFY_DEG * (3 if local else 1))
    df["width"] = [CLASS_WIDTH.get(h, LOCAL_WIDTH) for h in df["highway"]]
    res = None
    if links is not None and metric in ("vc", "speed"):
        res = links.reindex(df["edge_id"].to_numpy())
    if res is not None and metric == "vc":
        cols = roads_scale("vc", lang=lang).colours(res["vc"].to_numpy(dtype=float))
    elif res is not None and metric == "speed":
        cols = roads_scale("speed", lang=lang).colours(res["speed_kmh"].to_numpy(dtype=float))
    else:
        neutral = theme.ROAD_NEUTRAL_LIGHT
        cols = np.array([CLASS_COLOUR.get(h, neutral) for h in df["highway"]], dtype=np.uint8)
        if len(cols) == 0:
            cols = np.zeros((0, 3), dtype=np.uint8)
    colours: list[list[int]] = cols.tolist()
    widths: list[float] = df["width"].astype(float).tolist()
    sel = {int(x) for x in selected}
    clo = {int(x) for x in closed}
    if sel or clo:
        for i, eid in enumerate(df["edge_id"].tolist()):
            if eid in clo:
                colours[i] = list(theme.CLOSED_ROAD)
                widths[i] += 2.0
            elif eid in sel:
                colours[i] = list(theme.SELECTED)
                widths[i] += 3.0
    df["color"] = colours
    df["width"] = widths
    unnamed = t("tip.unnamed", lang)
    tips = []
    for i, row in enumerate(theme.rows(df)):
        lines = [
            f"{t('tip.road', lang)}: {row.name or unnamed}",
            f"{t('tip.class', lang)}: {row.highway} · {t('tip.lanes', lang)}: {_fmt(row.lanes)}"
            f" · {t('tip.capacity', lang)}: {_fmt(row.cap)} {t('unit.pcu_h', lang)}",
        ]
        if res is not None:
            r: Any = res.iloc[i]
            lines.append(
                f"{t('tip.flow', lang)}: {_fmt(r.get('flow'))} {t('unit.pcu_h', lang)} · V/C "
                f"{_fmt(r.get('vc'), 2)} · {t('tip.speed', lang)} "
                f"{_fmt(r.get('speed_kmh'))} {t('unit.kmh', lang)}"
            )
        lines.append(f"id {row.edge_id}")
        tips.append("\n".join(lines))
    df["tip"] = tips
    return df.drop(columns=["lanes", "cap", "highway"])


def roads_scale(metric: str, *, lang: str = "id") -> theme.Scale:
    """The colour scale of roads coloured by ``metric`` (``"vc"`` or ``"speed"``).

    V/C runs on reversed viridis (free flow light, congestion dark purple) so congested
    roads stand out on the light basemap; speed runs on viridis (slow dark, fast bright).
    """
    if metric == "speed":
        return theme.Scale("viridis", 0, 60, t("legend.speed", lang), t("unit.kmh", lang))
    return theme.Scale("viridis", 0, 1.2, t("legend.vc", lang), "", reverse=True)


def merged_paths(frame: pd.DataFrame, *, colour_step: int = 12) -> pd.DataFrame:
    """A road frame's paths joined where they draw alike: roads of one colour and width
    that meet end to end become one path (columns ``path, color, width``).

    Software WebGL (a headless browser, a wall PC without a GPU) spends its time per path
    drawn more than per vertex, so a layer nobody picks is cheaper merged. Colours are first
    rounded to ``colour_step`` per channel, so neighbours of nearly the same V/C join (the
    difference is below what the eye tells apart on a continuous ramp).

    Examples
    --------
    >>> f = pd.DataFrame({"path": [[[0, 0], [1, 0]], [[1, 0], [2, 0]], [[5, 5], [6, 5]]],
    ...                   "color": [[10, 20, 30], [11, 19, 30], [10, 20, 30]],
    ...                   "width": [2.0, 2.0, 2.0]})
    >>> merged_paths(f)["path"].tolist()
    [[[0.0, 0.0], [1.0, 0.0], [2.0, 0.0]], [[5.0, 5.0], [6.0, 5.0]]]
    """
    rows: list[dict[str, Any]] = []
    if frame.empty:
        return pd.DataFrame(rows, columns=["path", "color", "width"])
    cols = np.asarray(frame["color"].tolist(), dtype=float)[:, :3]
    cols = np.clip(np.round(cols / colour_step) * colour_step, 0, 255).astype(int)
    widths = frame["width"].to_numpy(dtype=float)
    paths = frame["path"].tolist()
    groups: dict[tuple[int, int, int, float], list[int]] = {}
    for i, (c, w) in enumerate(zip(cols.tolist(), widths.tolist(), strict=True)):
        if len(paths[i]) >= 2:
            groups.setdefault((c[0], c[1], c[2], w), []).append(i)
    for (r, g, b, w), idx in groups.items():
        # the two directions of a street draw the same line (and, kept both, stop the merge
        # at every junction)
        lines = shapely.normalize(np.array([shapely.linestrings(paths[i]) for i in idx]))
        _, first = np.unique(shapely.to_wkb(lines), return_index=True)
        lines = lines[np.sort(first)]
        for part in shapely.get_parts(shapely.line_merge(shapely.multilinestrings(lines))):
            rows.append(
                {
                    "path": np.round(shapely.get_coordinates(part), ROUND).tolist(),
                    "color": [r, g, b],
                    "width": w,
                }
            )
    return pd.DataFrame(rows, columns=["path", "color", "width"])


def _segments(
    paths: Sequence[Sequence[Sequence[float]]],
) -> tuple[list[list], list[list], npt.NDArray[np.int64]]:
    """Each path's consecutive vertex pairs: sources, targets and the index of their path."""
    src: list[list] = []
    dst: list[list] = []
    owner: list[int] = []
    for i, p in enumerate(paths):
        for k in range(len(p) - 1):
            src.append(list(p[k]))
            dst.append(list(p[k + 1]))
            owner.append(i)
    return src, dst, np.asarray(owner, dtype=np.int64)


def lines_layer(
    paths: Sequence[Sequence[Sequence[float]]],
    *,
    layer_id: str,
    colour: Sequence[int] | None = None,
    colours: Sequence[Sequence[int]] | None = None,
    widths: Sequence[float] | float = 1.0,
    fields: pd.DataFrame | None = None,
) -> pdk.Layer:
    """Paths drawn as a ``LineLayer`` of their segments.

    A line a few pixels wide needs no joints: in software WebGL (a headless browser, a wall
    PC without a GPU) a ``LineLayer`` draws a segment in about half the time of a
    ``PathLayer``, and every line of a map shares its shaders. ``colour`` is one colour for
    all, else ``colours`` and ``widths`` give each path's. With ``fields`` (a row per path,
    e.g. ``edge_id``, ``name``, ``tip``) every segment carries its path's fields and the
    layer is pickable: a click or a hover on any segment is one on its path.

    Examples
    --------
    >>> lyr = lines_layer([[[0, 0], [1, 0], [1, 1]]], layer_id="x", colour=(1, 2, 3))
    >>> lyr.type, len(lyr.data), lyr.data[1]
    ('LineLayer', 2, {'s': [1, 0], 't': [1, 1], 'color': [1, 2, 3], 'width': 1.0})
    """
    src, dst, owner = _segments(paths)
    cols = [list(colour)] * len(paths) if colour is not None else list(colours or [])
    ws = [float(widths)] * len(paths) if isinstance(widths, (int, float)) else list(widths)
    extra = fields.to_dict("records") if fields is not None else None
    rows: list[dict[str, Any]] = []
    for a, b, i in zip(src, dst, owner.tolist(), strict=True):
        # the same attributes on every line layer: software WebGL compiles one pipeline
        row: dict[str, Any] = {"s": a, "t": b, "color": list(cols[i]), "width": float(ws[i])}
        if extra is not None:
            row.update(extra[i])
        rows.append(row)
    pickable = fields is not None
    return pdk.Layer(
        "LineLayer",
        data=rows,
        id=layer_id,
        get_source_position="s",
        get_target_position="t",
        get_color="color",
        get_width="width",
        width_units="'pixels'",
        width_min_pixels=1,
        pickable=pickable,
        auto_highlight=pickable,
        highlight_color=[0, 114, 178, 200],
    )


def roads_layer(
    frame: pd.DataFrame, *, layer_id: str = ROADS_ID, pickable: bool = True
) -> pdk.Layer:
    """The roads of a :func:`road_frame` (or :func:`diff_frame`) as a :func:`lines_layer`.

    Picked, a segment gives its road's ``edge_id``, ``name`` and ``tip``. A layer that
    cannot be picked carries only what draws it (give it :func:`merged_paths` of the
    frame): the tooltips and names of the planner's background streets were two thirds of
    its 2.4 MB map, for the browser to parse before it draws.
    """
    fields = frame.drop(columns=["path", "color", "width"]) if pickable else None
    return lines_layer(
        frame["path"].tolist(),
        layer_id=layer_id,
        colours=frame["color"].tolist(),
        widths=frame["width"].tolist(),
        fields=fields,
    )


def basemap_layers(
    twin: Twin,
    *,
    dark: bool = False,
    kelurahan: bool = True,
    kecamatan: bool = True,
    names: bool = True,
    land: bool = True,
    pick_areas: bool = False,
    lang: str = "id",
) -> list[pdk.Layer]:
    """The basemap from the twin's own polygons: land, outlines and names (no tiles).

    With ``pick_areas`` the kelurahan polygons are pickable (id ``"kelurahan"``), so a click
    on the map picks an area (e.g. for a flood). Without ``land`` (and names) a map draws
    lines only: in software WebGL each kind of layer costs a shader compilation in every
    new map, a quarter of a second each.
    """
    fill = theme.LAND_DARK if dark else theme.LAND_LIGHT
    outline = theme.OUTLINE_DARK if dark else theme.OUTLINE_LIGHT
    kel = twin.kelurahan
    kec_names = dict(zip(twin.kecamatan["code"], twin.kecamatan["name"], strict=False))
    kel_rows: list[dict[str, Any]] = []
    for code, name, parent, area, rings in zip(
        kel["code"],
        kel["name"],
        kel["parent_code"],
        kel["area_km2"],
        _polygon_rings(kel.geometry),
        strict=False,
    ):
        tip = (
            f"{t('tip.kelurahan', lang)}: {name}\n{t('tip.kecamatan', lang)}: "
            f"{kec_names.get(parent, parent)}\n{theme.fmt_num(float(area), unit='km²', decimals=2)}"
        )
        for ring in rings:
            kel_rows.append({"code": code, "name": name, "polygon": ring, "tip": tip})
    kel_df = pd.DataFrame(kel_rows)
    layers = []
    if land or pick_areas:
        layers.append(
            pdk.Layer(
                "PolygonLayer",
                data=kel_df,
                id=KEL_PICK_ID if pick_areas else LAND_ID,
                get_polygon="polygon",
                get_fill_color=[*fill, 255],
                stroked=False,
                filled=True,
                pickable=pick_areas,
                auto_highlight=pick_areas,
                highlight_color=[0, 114, 178, 60],
            )
        )
    if kelurahan:
        layers.append(
            lines_layer(
                kel_df["polygon"].tolist(),
                layer_id="kelurahan-outline",
                colour=[*outline, 110],
                widths=0.6,
            )
        )
    if kecamatan:
        rings = [r for parts in _polygon_rings(twin.kecamatan.geometry) for r in parts]
        layers.append(lines_layer(rings, layer_id="kecamatan", colour=[*outline, 230], widths=1.6))
    if names:
        layers.append(names_layer(twin, dark=dark))
    return layers


def names_layer(twin: Twin, *, dark: bool = False) -> pdk.Layer:
    """Kecamatan names at their representative points."""
    kec = twin.kecamatan
    pts = shapely.point_on_surface(np.asarray(kec.geometry.values))
    df = pd.DataFrame(
        {
            "name": kec["name"].astype(str).to_numpy(),
            "position": np.round(shapely.get_coordinates(pts), ROUND).tolist(),
        }
    )
    return pdk.Layer(
        "TextLayer",
        data=df,
        id="kecamatan-names",
        get_position="position",
        get_text="name",
        get_size=13,
        size_units="'pixels'",
        get_color=[235, 235, 235, 230] if dark else [50, 50, 50, 230],
        outline_width=2,
        outline_color=[0, 0, 0, 200] if dark else [255, 255, 255, 220],
        font_settings={"sdf": True},
        font_family="'system-ui, sans-serif'",
        pickable=False,
    )


def h3_frame(
    values: pd.DataFrame,
    *,
    cell_col: str = "cell",
    value_col: str = "value",
    scale: theme.Scale,
    tip_fmt: str = "{cell}: {value}",
    alpha: int = 190,
) -> pd.DataFrame:
    """H3 cells as polygons (boundaries computed here, so no h3-js is needed in the browser)."""
    out: list[dict[str, Any]] = []
    vals = values[value_col].to_numpy(dtype=float)
    cols = scale.colours(vals)
    records: list[dict[str, Any]] = [
        {str(k): v for k, v in r.items()} for r in values.reset_index(drop=True).to_dict("records")
    ]
    for i, (fields, c) in enumerate(zip(records, cols, strict=True)):
        cell = str(fields[cell_col])
        ring = [[round(lon, ROUND), round(lat, ROUND)] for lat, lon in h3.cell_to_boundary(cell)]
        try:
            tip = tip_fmt.format(**fields)
        except (KeyError, ValueError):
            tip = f"{cell}: {vals[i]}"
        out.append(
            {
                "cell": cell,
                "value": float(vals[i]),
                "polygon": ring,
                "color": [int(c[0]), int(c[1]), int(c[2]), alpha],
                "tip": tip,
            }
        )
    return pd.DataFrame(out, columns=["cell", "value", "polygon", "color", "tip"])


def h3_layer(frame: pd.DataFrame, *, layer_id: str = H3_ID, pickable: bool = True) -> pdk.Layer:
    """A ``PolygonLayer`` of :func:`h3_frame` rows, filled only (an outline is a second
    layer of another kind: in software WebGL, a shader compilation in every map)."""
    return pdk.Layer(
        "PolygonLayer",
        data=frame,
        id=layer_id,
        get_polygon="polygon",
        get_fill_color="color",
        stroked=False,
        filled=True,
        pickable=pickable,
        auto_highlight=pickable,
    )


def points_layer(
    frame: pd.DataFrame,
    *,
    layer_id: str,
    colour: Sequence[int],
    radius_px: float = 5.0,
    pickable: bool = True,
    color_col: str | None = None,
    radius_col: str | None = None,
) -> pdk.Layer:
    """A ``ScatterplotLayer`` of rows with ``lon``, ``lat`` and ``tip``."""
    data = frame.copy()
    data["position"] = np.round(data[["lon", "lat"]].to_numpy(dtype=float), ROUND).tolist()
    keep = ["position", "tip"] + [c for c in (color_col, radius_col) if c]
    for extra in ("site_id", "source_id", "cell"):
        if extra in data.columns:
            keep.append(extra)
    return pdk.Layer(
        "ScatterplotLayer",
        data=data[keep],
        id=layer_id,
        get_position="position",
        get_fill_color=color_col or [*colour[:3], 220],
        get_line_color=[255, 255, 255, 230],
        get_radius=radius_col or radius_px,
        radius_units="'pixels'",
        line_width_min_pixels=1,
        stroked=True,
        pickable=pickable,
        auto_highlight=pickable,
    )


def atcs_frame(
    twin: Twin, *, readings: pd.DataFrame | None = None, lang: str = "id"
) -> pd.DataFrame:
    """ATCS sites with tooltip text; ``readings`` (indexed by site_id) adds the latest speed."""
    s = twin.atcs_sites
    df = pd.DataFrame(
        {
            "site_id": s["site_id"].astype(str).to_numpy(),
            "lon": s["lon"].astype(float).to_numpy(),
            "lat": s["lat"].astype(float).to_numpy(),
            "name": s["name"].astype(str).to_numpy(),
            "alias": s["alias"].fillna("").astype(str).to_numpy(),
        }
    )
    tips = []
    for row in theme.rows(df):
        lines = [f"{t('tip.camera', lang)} {row.site_id}", str(row.name)]
        if row.alias:
            lines.append(row.alias)
        if readings is not None and row.site_id in readings.index:
            r = readings.loc[row.site_id]
            lines.append(
                f"{t('tip.speed', lang)}: {_fmt(r.get('speed_kmh'))} {t('unit.kmh', lang)}"
                f" ({theme.fmt_wib(r.get('time'))})"
            )
        tips.append("\n".join(lines))
    df["tip"] = tips
    return df


def diff_frame(
    twin: Twin,
    diff: pd.DataFrame,
    *,
    value_col: str = "d_vc",
    limit: float | None = None,
    min_abs: float = 0.02,
    closed: Iterable[int] = (),
    lang: str = "id",
) -> tuple[pd.DataFrame, theme.Scale]:
    """Links whose value changed, coloured on the diverging PuOr scale, plus that scale.

    Only links with ``|value| >= min_abs`` (and closed links) are kept, so the difference map
    stays light even when the scenario touches the local streets.

    Parameters
    ----------
    diff
        Per-edge differences indexed by ``edge_id`` with ``value_col`` (scenario minus
        baseline) and optionally ``flow_base``/``flow_scen``.
    """
    clo = {int(x) for x in closed}
    d = diff[value_col].astype(float)
    keep = d.abs() >= min_abs
    ids = set(d.index[keep].astype(int)) | clo
    e = twin.edges.set_index("edge_id", drop=False)
    e = e.loc[e.index.isin(ids)]
    lim = (
        limit
        if limit is not None
        else float(np.nanpercentile(np.abs(d[keep]), 95))
        if keep.any()
        else 1.0
    )
    label = t("legend.delta_vc", lang) if value_col == "d_vc" else t("legend.delta_flow", lang)
    unit = "" if value_col == "d_vc" else t("unit.pcu_h", lang)
    scale = theme.diverging_scale(lim, label=label, unit=unit)
    vals = diff[value_col].reindex(e.index).to_numpy(dtype=float)
    cols = scale.colours(vals)
    df = pd.DataFrame(
        {
            "edge_id": e["edge_id"].astype(int).to_numpy(),
            "name": e["name"].fillna("").astype(str).to_numpy(),
            "highway": e["highway"].astype(str).to_numpy(),
            "path": _lines_to_paths(e.geometry),
            "value": vals,
        }
    )
    mag = np.clip(np.abs(np.nan_to_num(vals)) / (lim or 1.0), 0, 1)
    df["width"] = [
        CLASS_WIDTH.get(h, 1.5) + 2.5 * m for h, m in zip(df["highway"], mag, strict=False)
    ]
    colours: list[list[int]] = cols.tolist()
    widths: list[float] = df["width"].astype(float).tolist()
    unnamed = t("tip.unnamed", lang)
    tips = []
    for i, row in enumerate(theme.rows(df)):
        if row.edge_id in clo:
            colours[i] = list(theme.CLOSED_ROAD)
            widths[i] = 5.0
        head = f"{t('tip.road', lang)}: {row.name or unnamed} ({row.highway})"
        body = f"{label}: {theme.fmt_delta(float(row.value), unit=unit, decimals=2)}"
        if row.edge_id in clo:
            body += f" · {t('legend.closed', lang)}"
        tips.append(f"{head}\n{body}\nid {row.edge_id}")
    df["color"] = colours
    df["width"] = widths
    df["tip"] = tips
    return df.drop(columns=["highway"]), scale
