"""Presentation for delegations: Medan at a glance, the feeds, a live what-if, your town."""

from __future__ import annotations

import html

import streamlit as st

from apps import deck, theme, ui
from apps.i18n import t
from apps.views import scenario, story

ui.css()
lang = ui.header("story.title")
twin = ui.require_twin()
st.markdown(f"#### {t('story.subtitle', lang)}")
ui.provenance_banner(twin, lang=lang, model=True)

# --- 1. Medan at a glance -------------------------------------------------------------------
st.header(t("story.s1", lang))
st.caption(t("story.facts_note", lang))
st.html(
    story.FACTS_CSS + story.fact_cards_html(story.fact_cards(twin.profile, lang=lang), lang=lang)
)
st.write(story.twin_sizes(twin, lang=lang))
st.pydeck_chart(ui.cached_overview(twin, lang), height=520, key="story_overview")
st.html(
    theme.swatch_legend_html(
        [
            (h, deck.CLASS_COLOUR[h])
            for h in ("motorway", "trunk", "primary", "secondary", "tertiary")
        ]
        + [(t("legend.atcs", lang), theme.ATCS_COLOUR)]
    )
)

# --- 2. the feeds -------------------------------------------------------------------------------
st.header(t("story.s2", lang))
f1, f2, f3 = st.columns(3)
f1.info(t("story.feed.atcs", lang, n=len(twin.atcs_sites)))
f2.info(t("story.feed.mrk", lang))
f3.info(t("story.feed.lapor", lang))
st.warning(t("story.feed.note", lang))
state = ui.cached_live(twin)
feed_table = None
if state is not None and not state.empty:
    from apps.views import live

    feed_table = live.feeds_table(state, lang=lang)
    ui.table(feed_table)

# --- 3. a live what-if ----------------------------------------------------------------------------
st.header(t("story.s3", lang))
base = ui.cached_baseline(twin, "am_peak") if scenario.engine_available() else None
result = st.session_state.get("story_result")
if base is None:
    st.info(t("err.no_sim", lang))
else:
    plan = story.example_plan(twin, base, lang=lang)
    road = plan.changes[0]["names"][0]
    st.write(t("story.whatif", lang, road=road, period=t("period.am_peak", lang)))
    if st.button(t("story.run_whatif", lang), type="primary", key="story_run"):
        bar, report = ui.progress_bar(t("planner.running", lang))
        try:
            result = scenario.run_plan(twin, plan, baseline=base, progress=report)
        except Exception as e:  # shown, never a traceback on the projector
            st.error(t("err.user", lang, msg=str(e)))
        else:
            st.session_state["story_result"] = result
            bar.progress(1.0, text=t("planner.done", lang, s=f"{result.seconds:.1f}"))
    if result is not None:
        before, after, scale = story.before_after_decks(twin, base, result, lang=lang)
        ui.kpi_row(result, lang=lang)
        b1, b2 = st.columns(2)
        with b1:
            st.subheader(t("story.before", lang))
            st.pydeck_chart(before, height=440, key="story_before")
            st.html(theme.legend_html(deck.roads_scale("vc", lang=lang)))
        with b2:
            st.subheader(t("story.after", lang))
            st.pydeck_chart(after, height=440, key="story_after")
            st.html(theme.legend_html(scale, decimals=2))

# --- 4. a twin for your own town ---------------------------------------------------------
st.header(t("story.s4", lang))
st.write(t("story.steps", lang))
for i in range(1, 6):
    st.markdown(f"{i}. {html.escape(t(f'story.step{i}', lang))}")
st.code("\n".join(story.town_commands()), language="bash")

st.divider()
st.subheader(t("story.export", lang))
st.download_button(
    t("export.story", lang),
    data=lambda: story.story_html(
        twin,
        lang=lang,
        base=base,
        result=result,
        notes=ui.page_notes(twin, lang=lang, model=True),
        feed_counts=feed_table,
    ),
    file_name=f"medan-twin-story-{lang}.html",
    mime="text/html",
    key="story_export",
)
