"""The presentation for visiting delegations: its facts, its example and its HTML export."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import pydeck as pdk

from apps import deck, export, theme
from apps.i18n import t
from apps.views.plan import Plan
from apps.views.scenario import Baseline, ScenarioResult
from twin.model import Twin
from twin.profile import CityProfile

#: Classes the example closure is taken from (a main road, so the effect is visible).
EXAMPLE_CLASSES = ("trunk", "primary")


@dataclass(frozen=True)
class FactCard:
    """One fact as shown: label, formatted value with unit, source."""

    label: str
    value: str
    source: str


def fact_cards(profile: CityProfile, *, lang: str = "id") -> list[FactCard]:
    """The city profile's facts, formatted with units, each with its source.

    Examples
    --------
    >>> from twin.profile import load_profile
    >>> cards = fact_cards(load_profile("medan"), lang="en")
    >>> [c.value for c in cards if c.label.startswith("Population (2020")]
    ['2,435,252 people']
    """
    out = []
    for f in profile.facts:
        if isinstance(f.value, int | float):
            dec = 0 if float(f.value).is_integer() else 2
            value = theme.fmt_num(float(f.value), unit=f.unit_in(lang), decimals=dec)
        else:
            value = f"{f.value} {f.unit_in(lang)}".strip()
        out.append(FactCard(f.label_id if lang == "id" else f.label_en, value, f.source))
    return out


#: Styles of the fact cards inside the app (the exported page has its own).
FACTS_CSS = """<style>
.facts { display:grid; grid-template-columns:repeat(auto-fill, minmax(230px, 1fr)); gap:10px; }
.fact { background:#fff; border:1px solid #d0d7de; border-radius:8px; padding:10px 12px; }
.fact .v { font-size:1.7rem; font-weight:700; color:#1b1f24; }
.fact .s { font-size:0.75rem; color:#555; margin-top:4px; }
</style>"""


def fact_cards_html(cards: Sequence[FactCard], *, lang: str = "id") -> str:
    """Fact cards as HTML (every text escaped)."""
    items = "".join(
        f'<div class="fact"><div class="v">{html.escape(c.value)}</div>'
        f"<div>{html.escape(c.label)}</div>"
        f'<div class="s">{html.escape(t("story.source", lang, src=c.source))}</div></div>'
        for c in cards
    )
    return f'<div class="facts">{items}</div>'


def twin_sizes(twin: Twin, *, lang: str = "id") -> str:
    """One sentence with the twin's size."""
    res = twin.profile.h3_resolution
    cells = int((twin.h3_cells["res"] == res).sum())
    km = float(twin.edges["length_m"].sum()) / 1000.0
    return t(
        "story.twin_sizes",
        lang,
        edges=f"{len(twin.edges):,}",
        km=f"{km:,.0f}",
        cells=f"{cells:,}",
        res=res,
    )


def example_plan(twin: Twin, base: Baseline | None, *, lang: str = "id") -> Plan:
    """The story's what-if: close the busiest main road (by modelled flow) in the AM peak.

    The street is the one of the highest-flow trunk/primary link inside the city; all its
    links in the same kecamatan are closed, both directions.
    """
    e = twin.edges
    main = e[e["highway"].isin(EXAMPLE_CLASSES) & (e["kec_code"] != "outside") & (e["name"] != "")]
    if base is not None and not base.links.empty:
        flows = base.links["flow"].reindex(main["edge_id"].to_numpy()).fillna(0.0).to_numpy()
        pick = main.iloc[int(flows.argmax())]
    else:
        pick = main.sort_values("capacity_pcu_h", ascending=False).iloc[0]
    same = main[(main["name"] == pick["name"]) & (main["kec_code"] == pick["kec_code"])]
    ids = sorted(int(x) for x in same["edge_id"])
    name = str(pick["name"])
    return Plan(
        name=f"{t('action.close', lang)}: {name}",
        period="am_peak",
        changes=[{"kind": "close", "edges": ids, "names": [name] * len(ids)}],
    )


def overview_deck(twin: Twin, *, lang: str = "id") -> pdk.Deck:
    """The city at a glance: kecamatan with names, main roads by class, ATCS sites."""
    layers = deck.basemap_layers(twin, names=True, lang=lang)
    # (main roads by class, merged: the ATCS sites carry the tooltips)
    roads = deck.merged_paths(deck.road_frame(twin, metric="class", lang=lang))
    layers.append(deck.roads_layer(roads, pickable=False))
    layers.append(
        deck.points_layer(
            deck.atcs_frame(twin, lang=lang), layer_id="atcs", colour=theme.ATCS_COLOUR
        )
    )
    minx, miny, maxx, maxy = twin.kota.total_bounds
    view = deck.view_state(twin, lon=(minx + maxx) / 2, lat=(miny + maxy) / 2, zoom=9.95)
    return deck.make_deck(layers, view=view)


def before_after_decks(
    twin: Twin, base: Baseline, result: ScenarioResult, *, lang: str = "id"
) -> tuple[pdk.Deck, pdk.Deck, theme.Scale]:
    """Before (baseline V/C) and after (difference, PuOr) maps centred on the closure."""
    closed = twin.edges.set_index("edge_id").loc[result.closed] if result.closed else None
    if closed is not None and len(closed):
        c = closed.geometry.union_all().centroid
        view = deck.view_state(twin, lon=float(c.x), lat=float(c.y), zoom=12.0)
    else:
        view = deck.view_state(twin, zoom=10.5)
    before = deck.basemap_layers(twin, kelurahan=False, names=True, lang=lang)
    before.append(
        deck.roads_layer(
            deck.road_frame(twin, links=base.links, metric="vc", lang=lang, closed=result.closed)
        )
    )
    frame, scale = deck.diff_frame(twin, result.links, closed=result.closed, lang=lang)
    after = deck.basemap_layers(twin, kelurahan=False, names=True, lang=lang)
    after.append(deck.roads_layer(frame, layer_id="diff"))
    return deck.make_deck(before, view=view), deck.make_deck(after, view=view), scale


def town_commands(slug: str = "binjai") -> list[str]:
    """The exact commands of "a twin for your own town" (one string per step)."""
    return [
        f"cp data/cities/medan.toml data/cities/{slug}.toml"
        "  # edit slug, name, kemendagri_code, crs, center",
        f"twin build --city {slug}  # online: roads and boundaries from OpenStreetMap (osmnx)",
        f"twin build --city {slug} --osm-file {slug}.osm.bz2 --boundaries admin/  # offline files",
        "twin feed simulate --minutes 120  # demo feed; real files: twin feed ingest ...",
        "twin feed ingest --kind complaints --format open311 requests.json",
        "twin scenario run data/scenarios/<scenario>.toml --json",
        f"twin app --city {slug}",
    ]


def story_html(
    twin: Twin,
    *,
    lang: str = "id",
    base: Baseline | None = None,
    result: ScenarioResult | None = None,
    notes: Sequence[str] = (),
    feed_counts: pd.DataFrame | None = None,
) -> str:
    """The whole story as one standalone offline HTML file (deck.gl inlined, no CDN)."""
    sections = [
        export.Section(
            title=t("story.s1", lang),
            paragraphs=[t("story.facts_note", lang), twin_sizes(twin, lang=lang)],
            trusted_html=fact_cards_html(fact_cards(twin.profile, lang=lang), lang=lang),
            decks=[overview_deck(twin, lang=lang)],
        ),
        export.Section(
            title=t("story.s2", lang),
            paragraphs=[
                t("story.feed.atcs", lang, n=len(twin.atcs_sites)),
                t("story.feed.mrk", lang),
                t("story.feed.lapor", lang),
                t("story.feed.note", lang),
            ],
            trusted_html=export.table_html(feed_counts) if feed_counts is not None else "",
        ),
    ]
    if base is not None and result is not None:
        before, after, _ = before_after_decks(twin, base, result, lang=lang)
        road = result.plan.changes[0]["names"][0] if result.plan.changes else ""
        kpis = pd.DataFrame(
            {
                t("col.value", lang): [
                    t("kpi.vht", lang),
                    t("kpi.mean_speed", lang),
                    t("kpi.congested_km", lang),
                ],
                t("col.baseline", lang): [
                    theme.fmt_num(result.baseline["vht"], unit=t("unit.h", lang)),
                    theme.fmt_num(
                        result.baseline["mean_speed_kmh"], unit=t("unit.kmh", lang), decimals=1
                    ),
                    theme.fmt_num(result.baseline["congested_km"], unit="km"),
                ],
                t("col.scenario", lang): [
                    theme.fmt_num(result.scenario["vht"], unit=t("unit.h", lang)),
                    theme.fmt_num(
                        result.scenario["mean_speed_kmh"], unit=t("unit.kmh", lang), decimals=1
                    ),
                    theme.fmt_num(result.scenario["congested_km"], unit="km"),
                ],
                t("col.delta", lang): [
                    theme.fmt_delta(result.delta["vht"], unit=t("unit.h", lang), decimals=0),
                    theme.fmt_delta(result.delta["mean_speed_kmh"], unit=t("unit.kmh", lang)),
                    theme.fmt_delta(result.delta["congested_km"], unit="km"),
                ],
            }
        )
        sections.append(
            export.Section(
                title=t("story.s3", lang),
                paragraphs=[
                    t("story.whatif", lang, road=road, period=t("period.am_peak", lang)),
                    t("prov.model", lang),
                ],
                trusted_html=export.table_html(kpis),
                decks=[before, after],
                deck_titles=[t("story.before", lang), t("story.after", lang)],
            )
        )
    sections.append(
        export.Section(
            title=t("story.s4", lang),
            paragraphs=[
                t("story.steps", lang),
                t("story.step1", lang),
                t("story.step2", lang),
                t("story.step3", lang),
                t("story.step4", lang),
                t("story.step5", lang),
            ],
            code=["\n".join(town_commands())],
        )
    )
    return export.page_html(
        title=t("story.title", lang),
        subtitle=t("story.subtitle", lang),
        sections=sections,
        notes=list(notes),
        lang=lang,
    )
