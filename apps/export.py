"""Exports: standalone offline HTML (maps and the story) and tables of scenario results.

pydeck's own ``to_html`` loads deck.gl, Mapbox GL, Bootstrap and Font Awesome from CDNs.
Here the page is written from scratch and the deck.gl bundle that pydeck ships on disk
(``pydeck/nbextension/static/index.js``, the ``@deck.gl/jupyter-widget`` build that defines
``createDeck``) is inlined, so the file opens with no network at all. Every piece of text that
goes into the page is escaped; the deck specs are embedded as JSON with ``</`` neutralised.
"""

from __future__ import annotations

import html
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd
import pydeck as pdk

from twin.errors import ConfigError
from twin.model import Twin

if TYPE_CHECKING:
    from apps.views.scenario import ScenarioResult

#: The deck.gl bundle pydeck ships (its offline notebook mode uses it too).
DECKGL_BUNDLE = Path(pdk.__file__).parent / "nbextension" / "static" / "index.js"

_PAGE_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans",
  sans-serif; margin: 0; color: #1b1f24; background: #f6f7f9; }
main { max-width: 1100px; margin: 0 auto; padding: 24px; }
h1 { font-size: 2rem; margin: 0.2rem 0; } h2 { margin-top: 2rem; }
.map { position: relative; height: 520px; border-radius: 8px; overflow: hidden;
  background: #d4dbe0; margin: 0.6rem 0; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; }
.pair .map { height: 420px; }
.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); gap: 10px; }
.fact { background: #fff; border: 1px solid #d0d7de; border-radius: 8px; padding: 10px; }
.fact .v { font-size: 1.6rem; font-weight: 700; } .fact .s { font-size: 0.75rem; color: #555; }
.note { font-size: 0.85rem; color: #444; } .badge { display: inline-block; padding: 2px 8px;
  border-radius: 10px; background: #F0E442; font-weight: 600; font-size: 0.85rem; }
pre { background: #0d1117; color: #e6edf3; padding: 10px; border-radius: 6px; overflow-x: auto; }
table { border-collapse: collapse; font-size: 0.9rem; } td, th { border: 1px solid #d0d7de;
  padding: 4px 8px; text-align: left; }
.deck-tooltip { white-space: pre-line; }
"""


@lru_cache(maxsize=1)
def deckgl_js() -> str:
    """The inlined deck.gl bundle (about 4 MB), read once."""
    if not DECKGL_BUNDLE.is_file():
        raise ConfigError(f"{DECKGL_BUNDLE}: pydeck's deck.gl bundle is missing; reinstall pydeck")
    js = DECKGL_BUNDLE.read_text(encoding="utf-8")
    # A source-map comment would make browsers' dev tools ask for a file that is not there.
    return js.replace("//# sourceMappingURL=index.js.map", "")


def _script_json(value: Any) -> str:
    """JSON safe inside a ``<script>`` element."""
    text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


def _deck_json(d: pdk.Deck) -> str:
    spec = json.loads(d.to_json())
    spec.pop("mapStyle", None)
    spec.pop("mapProvider", None)
    return _script_json(spec)


@dataclass
class Section:
    """A part of an exported page: a heading, escaped paragraphs, optional maps and HTML.

    ``trusted_html`` is for markup produced by this module's own builders (tables from
    :func:`table_html`, fact cards); never put user or feed text there unescaped.
    """

    title: str
    paragraphs: Sequence[str] = ()
    decks: Sequence[pdk.Deck] = ()
    deck_titles: Sequence[str] = ()
    trusted_html: str = ""
    code: Sequence[str] = ()
    extra: dict[str, Any] = field(default_factory=dict)


def table_html(df: pd.DataFrame) -> str:
    """A plain HTML table with every cell escaped."""
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>"
        for row in df.itertuples(index=False)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def page_html(
    *,
    title: str,
    sections: Sequence[Section],
    subtitle: str = "",
    notes: Sequence[str] = (),
    lang: str = "id",
) -> str:
    """A standalone HTML page: escaped text, inlined deck.gl, one ``createDeck`` per map."""
    body: list[str] = [f"<h1>{html.escape(title)}</h1>"]
    if subtitle:
        body.append(f"<p>{html.escape(subtitle)}</p>")
    body.extend(
        f'<p class="note"><span class="badge">{html.escape(n)}</span></p>' for n in notes[:1]
    )
    body.extend(f'<p class="note">{html.escape(n)}</p>' for n in notes[1:])
    specs: list[str] = []
    for s in sections:
        body.append(f"<section><h2>{html.escape(s.title)}</h2>")
        body.extend(f"<p>{html.escape(p)}</p>" for p in s.paragraphs)
        if s.trusted_html:
            body.append(s.trusted_html)
        body.extend(f"<pre>{html.escape(c)}</pre>" for c in s.code)
        if s.decks:
            cls = "pair" if len(s.decks) > 1 else ""
            body.append(f'<div class="{cls}">')
            for i, d in enumerate(s.decks):
                cap = s.deck_titles[i] if i < len(s.deck_titles) else ""
                body.append(
                    f'<div><div class="note">{html.escape(cap)}</div>'
                    f'<div class="map" id="map{len(specs)}"></div></div>'
                )
                specs.append(_deck_json(d))
            body.append("</div>")
        body.append("</section>")
    tooltip = _script_json({"text": "{tip}"})
    init = "".join(
        f"createDeck({{container: document.getElementById('map{i}'), jsonInput: {spec}, "
        f"tooltip: {tooltip}}});\n"
        for i, spec in enumerate(specs)
    )
    return (
        f'<!DOCTYPE html>\n<html lang="{html.escape(lang)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        # Nothing on this page may load from elsewhere: the policy makes sure of it.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "script-src 'unsafe-inline' 'unsafe-eval' blob:; style-src 'unsafe-inline'; "
        'img-src data: blob:; worker-src blob:; connect-src data: blob:">'
        f"<title>{html.escape(title)}</title><style>{_PAGE_CSS}</style>"
        f"<script>{deckgl_js()}</script></head>"
        f"<body><main>{''.join(body)}</main><script>{init}</script></body></html>"
    )


def map_html(d: pdk.Deck, *, title: str, notes: Sequence[str] = (), lang: str = "id") -> str:
    """One map as a standalone offline HTML page."""
    return page_html(title=title, sections=[Section(title="", decks=[d])], notes=notes, lang=lang)


# --- result tables ------------------------------------------------------------------------------


def links_frame(result: ScenarioResult, twin: Twin) -> gpd.GeoDataFrame:
    """Per-link results joined to the twin's edges (EPSG:4326), with provenance columns."""
    e = twin.edges
    cols = ["edge_id", "name", "highway", "kec_code", "kel_code", "length_m", "capacity_pcu_h"]
    base = e[[*cols, "geometry"]].reset_index(drop=True)
    lk = result.links.reset_index()
    out = base.merge(lk, on="edge_id", how="inner")
    out["scenario"] = result.plan.name
    out["period"] = result.plan.period
    out["snapshot_id"] = twin.snapshot_id
    out["data_kind"] = (
        "simulated (model output on a synthetic road network)"
        if twin.roads_synthetic
        else "simulated (model output)"
    )
    return gpd.GeoDataFrame(out, geometry="geometry", crs=e.crs or 4326)


def links_csv(result: ScenarioResult, twin: Twin) -> bytes:
    """Per-link results as CSV (WKT-free: ids and attributes only)."""
    df = pd.DataFrame(links_frame(result, twin).drop(columns="geometry"))
    return df.to_csv(index=False).encode("utf-8")


def links_geojson(result: ScenarioResult, twin: Twin) -> bytes:
    """Per-link results as GeoJSON (EPSG:4326)."""
    text: str = links_frame(result, twin).to_crs(4326).to_json(drop_id=True)
    return text.encode("utf-8")


def links_geoparquet(result: ScenarioResult, twin: Twin) -> bytes:
    """Per-link results as GeoParquet."""
    buf = io.BytesIO()
    links_frame(result, twin).to_parquet(buf, index=False)
    return buf.getvalue()
