"""Planner: the twin on a map, a scenario built by clicking, its result, comparison, exports."""

from __future__ import annotations

import time
from typing import Any

import streamlit as st

from apps import deck, export, theme, ui
from apps.i18n import t
from apps.views import live, scenario
from apps.views import plan as planmod
from twin.errors import TwinError

ui.css()
lang = ui.header("planner.title")
twin = ui.require_twin()
ui.provenance_banner(twin, lang=lang, model=True)
ss = st.session_state

# --- the plan under construction (a shared link opens one) --------------------------------
if "plan" not in ss:
    ss.plan = planmod.Plan()
    token = st.query_params.get("sc")
    if token:
        try:
            ss.plan = planmod.decode_plan(token)
        except TwinError as e:
            st.error(t("err.user", lang, msg=str(e)))
ss.setdefault("sel_gen", 0)
ss.setdefault("results", {})
plan: planmod.Plan = ss.plan
kel_names = dict(zip(twin.kelurahan["code"], twin.kelurahan["name"], strict=False))
kec_names = dict(zip(twin.kecamatan["code"], twin.kecamatan["name"], strict=False))

# --- sidebar: layers ------------------------------------------------------------------------
sb = st.sidebar
sb.subheader(t("map.layers", lang))
show_local = sb.toggle(t("layer.local", lang), value=False, key="show_local")
show_kel = sb.toggle(t("layer.kelurahan", lang), value=True, key="show_kel")
show_kec = sb.toggle(t("layer.kecamatan", lang), value=True, key="show_kec")
show_names = sb.toggle(t("layer.names", lang), value=True, key="show_names")
show_atcs = sb.toggle(t("layer.atcs", lang), value=True, key="show_atcs")
h3_choice = sb.radio(
    "H3",
    options=["none", "congestion", "complaints", "hotspots"],
    format_func=lambda k: {
        "none": "—",
        "congestion": t("layer.h3_congestion", lang),
        "complaints": t("layer.h3_complaints", lang),
        "hotspots": t("layer.hotspots", lang),
    }[k],
    key="h3_choice",
    horizontal=False,
)
metric = sb.radio(
    t("map.colour_by", lang),
    options=["vc", "speed", "class"],
    format_func=lambda k: t(f"metric.{k}", lang),
    key="metric",
    horizontal=True,
)
focus_opts = ["", *sorted(kec_names, key=lambda c: kec_names[c])]
focus_default = st.query_params.get("focus", "")
focus = sb.selectbox(
    t("planner.focus", lang),
    options=focus_opts,
    index=focus_opts.index(focus_default) if focus_default in focus_opts else 0,
    format_func=lambda c: kec_names.get(c, t("planner.focus_city", lang)),
    key="focus",
    help=t("planner.focus_help", lang),
)
period = sb.selectbox(
    t("planner.period", lang),
    options=list(planmod.PERIODS),
    index=list(planmod.PERIODS).index(plan.period),
    format_func=lambda k: t(f"period.{k}", lang),
    key="period",
)
plan.period = period

# --- the map --------------------------------------------------------------------------------
base = None
if scenario.engine_available():
    # Never keep the map waiting for a model run: an unsolved baseline is solved in the
    # background and the roads are coloured by class meanwhile.
    base = ui.baseline_if_ready(twin, period)
    if base is None:
        st.info(t("planner.baseline_warming", lang))
links = base.links if base is not None else None
eff_metric = metric if links is not None else "class"
pending_closed = plan.closed_edges

layers = ui.basemap(
    twin,
    kelurahan=show_kel,
    kecamatan=show_kec,
    names=False,
    pick_areas=True,
    lang=lang,
)
h3_scale = None
if h3_choice == "congestion" and base is not None and base.cells is not None:
    frame, h3_scale = ui.cached_h3_congestion(twin, base, period, lang)
    layers.append(deck.h3_layer(frame))
elif h3_choice in ("complaints", "hotspots"):
    lv = ui.cached_live(twin)
    if lv is not None:
        frame, h3_scale = live.complaint_cells_frame(
            lv, hotspots=h3_choice == "hotspots", lang=lang
        )
        layers.append(deck.h3_layer(frame))
closed_t = tuple(pending_closed)
if focus:
    # One kecamatan: every road clickable (local streets too, within the selection limit).
    pick_part = f"kec:{focus}"
    if int(deck.road_part(twin, pick_part).sum()) > deck.MAX_PICKABLE:
        pick_part = f"kec-main:{focus}"
        layers.append(
            deck.roads_layer(
                ui.cached_roads(
                    twin,
                    links,
                    eff_metric,
                    f"kec-local:{focus}",
                    lang,
                    closed_t,
                    period,
                    merged=True,
                ),
                layer_id=deck.LOCAL_ID,
                pickable=False,
            )
        )
else:
    pick_part = "city-pick"
    if show_local:
        layers.append(
            deck.roads_layer(
                ui.cached_roads(
                    twin, links, eff_metric, "local", lang, closed_t, period, merged=True
                ),
                layer_id=deck.LOCAL_ID,
                pickable=False,
            )
        )
    layers.append(
        deck.roads_layer(
            ui.cached_roads(
                twin, links, eff_metric, "city-bg", lang, closed_t, period, merged=True
            ),
            layer_id=deck.BG_ROADS_ID,
            pickable=False,
        )
    )
layers.append(
    deck.roads_layer(ui.cached_roads(twin, links, eff_metric, pick_part, lang, closed_t, period))
)
if show_names:
    layers.append(deck.names_layer(twin))
if show_atcs:
    layers.append(
        deck.points_layer(
            deck.atcs_frame(twin, lang=lang), layer_id="atcs", colour=theme.ATCS_COLOUR, radius_px=5
        )
    )
view = ui.view_from_query(twin, focus=focus or None)
the_deck = deck.make_deck(layers, view=view)
st.caption(
    t("planner.intro", lang)
    + " "
    + (t("planner.focus_hint_kec", lang) if focus else t("planner.focus_hint_city", lang))
)
event = st.pydeck_chart(
    the_deck,
    on_select="rerun",
    selection_mode="multi-object",
    key=f"planner_map_{ss.sel_gen}",
    height=620,
)
legend_items = [
    (t("legend.closed", lang), theme.CLOSED_ROAD),
    (t("legend.atcs", lang), theme.ATCS_COLOUR),
]
if eff_metric in ("vc", "speed"):
    st.html(theme.legend_html(deck.roads_scale(eff_metric, lang=lang), decimals=1))
if h3_scale is not None:
    st.html(theme.legend_html(h3_scale, decimals=0))
st.html(theme.swatch_legend_html(legend_items))

objects = (event.selection.objects if event is not None else {}) or {}
picked_roads = list(objects.get(deck.ROADS_ID, [])) + list(objects.get(deck.LOCAL_ID, []))
picked_kel = [str(o["code"]) for o in objects.get(deck.KEL_PICK_ID, []) if o.get("code")]
picked_cells = [str(o["cell"]) for o in objects.get(deck.H3_ID, []) if o.get("cell")]

# --- sidebar: scenario builder ------------------------------------------------------------------
sb.divider()
sb.subheader(t("planner.scenario", lang))
sb.caption(t("planner.sel_hint", lang))
sel_ids = sorted({int(o["edge_id"]) for o in picked_roads if "edge_id" in o})
sel_names = [str(o.get("name") or "") for o in picked_roads]
with sb.container(border=True):
    st.markdown(f"**{t('planner.selected_roads', lang)}**")
    if sel_ids:
        unnamed = t("tip.unnamed", lang)
        st.text(
            "\n".join(f"#{int(o['edge_id'])} {o.get('name') or unnamed}" for o in picked_roads[:12])
            + (f"\n… (+{len(picked_roads) - 12})" if len(picked_roads) > 12 else "")
        )
    else:
        st.caption(t("planner.none_selected", lang))
    action = st.radio(
        t("planner.action", lang),
        options=["close", "lanes"],
        format_func=lambda k: t(f"action.{k}", lang),
        horizontal=True,
        key="road_action",
    )
    lanes_delta = 1
    if action == "lanes":
        lanes_delta = int(
            st.number_input(t("planner.lanes_delta", lang), -2, 2, 1, step=1, key="lanes_delta")
        )
    if st.button(
        t("planner.add", lang),
        disabled=not sel_ids,
        key="add_roads",
        type="primary",
        width="stretch",
    ):
        change: dict[str, Any] = {"kind": action, "edges": sel_ids, "names": sel_names}
        if action == "lanes":
            change["delta"] = lanes_delta or 1
        plan.changes.append(change)
        ss.sel_gen += 1
        st.rerun()
    if st.button(
        t("planner.clear_sel", lang), disabled=not sel_ids, key="clear_sel", width="stretch"
    ):
        ss.sel_gen += 1
        st.rerun()

with sb.expander(t("planner.flood", lang), expanded=bool(picked_kel or picked_cells)):
    kel_sel = st.multiselect(
        t("planner.flood_kel", lang),
        options=list(kel_names),
        default=[c for c in picked_kel if c in kel_names],
        format_func=lambda c: f"{kel_names[c]} ({kec_names.get(c[:8], '')})",
        key=f"flood_kel_{ss.sel_gen}",
    )
    kec_sel = st.multiselect(
        t("planner.flood_kec", lang),
        options=list(kec_names),
        format_func=lambda c: kec_names[c],
        key="flood_kec",
    )
    cells_txt = st.text_input(
        t("planner.flood_cells", lang),
        value=", ".join(picked_cells),
        key=f"flood_cells_{ss.sel_gen}",
    )
    depth = st.select_slider(
        t("planner.flood_depth", lang),
        options=list(planmod.DEPTHS),
        value="medium",
        format_func=lambda k: t(f"depth.{k}", lang),
        key="flood_depth",
    )
    cells = [c.strip() for c in cells_txt.split(",") if c.strip()]
    if st.button(
        t("planner.add", lang), key="add_flood", disabled=not (kel_sel or kec_sel or cells)
    ):
        plan.changes.append(
            {
                "kind": "flood",
                "kelurahan": kel_sel,
                "kecamatan": kec_sel,
                "cells": cells,
                "depth": depth,
            }
        )
        ss.sel_gen += 1
        st.rerun()

with sb.expander(t("planner.growth", lang)):
    pct = st.slider(t("planner.growth_pct", lang), -20, 50, 10, step=5, key="growth_pct")
    if st.button(t("planner.add", lang), key="add_growth"):
        plan.changes.append({"kind": "growth", "pct": float(pct)})
        st.rerun()

with sb.expander(t("planner.event", lang)):
    ev_kel = st.selectbox(
        t("planner.event_place", lang),
        options=list(kel_names),
        format_func=lambda c: kel_names[c],
        key="event_kel",
    )
    ev_people = st.number_input(
        t("planner.event_people", lang), 500, 200_000, 20_000, step=500, key="event_people"
    )
    if st.button(t("planner.add", lang), key="add_event"):
        plan.changes.append(
            {
                "kind": "event",
                "kelurahan": ev_kel,
                "place": kel_names[ev_kel],
                "attendees": int(ev_people),
            }
        )
        st.rerun()

# --- the plan, its run and the results ---------------------------------------------------------
# A fragment: running a scenario (or naming, comparing, saving) redraws this part only, not the
# city map above, whose 2 MB spec the browser would otherwise parse and draw again first.
# Changes that the map must show (a removed change, a reset, a loaded plan) rerun the page.


@st.fragment
def plan_and_results() -> None:
    st.subheader(t("planner.changes", lang))
    names_for = {**kel_names, **kec_names}
    if plan.is_empty:
        st.caption(t("planner.no_changes", lang))
    for i, c in enumerate(list(plan.changes)):
        a, b = st.columns([8, 1], vertical_alignment="center")
        a.text(planmod.describe_change(c, lang=lang, names=names_for))
        if b.button(t("change.remove", lang), key=f"rm_{i}"):
            plan.changes.pop(i)
            st.rerun()
    n1, n2, n3 = st.columns([3, 1.3, 1])
    plan.name = n1.text_input(t("planner.scenario_name", lang), value=plan.name, key="plan_name")
    run = n2.button(
        t("planner.run", lang),
        type="primary",
        disabled=plan.is_empty or not scenario.engine_available(),
        key="run",
        width="stretch",
    )
    if n3.button(t("planner.reset", lang), key="reset", width="stretch"):
        ss.plan = planmod.Plan(period=period)
        ss.sel_gen += 1
        st.query_params.pop("sc", None)
        st.rerun()
    if not scenario.engine_available():
        st.info(t("err.no_sim", lang))

    if run:
        bar, report = ui.progress_bar(t("planner.running", lang))
        t0 = time.perf_counter()
        try:
            result = scenario.run_plan(twin, plan, baseline=base, progress=report, defer_zones=True)
        except TwinError as e:
            bar.empty()
            st.error(t("err.user", lang, msg=str(e)))
        else:
            bar.progress(1.0, text=t("planner.done", lang, s=f"{time.perf_counter() - t0:.1f}"))
            ss.results[plan.name] = result
            ss.last_result = plan.name
            st.query_params["sc"] = planmod.encode_plan(plan)

    # --- result ---------------------------------------------------------------------------------
    st.divider()
    st.header(t("planner.result", lang))
    last: scenario.ScenarioResult | None = ss.results.get(ss.get("last_result", ""))
    if last is None:
        st.caption(t("planner.no_result", lang))
    else:
        res: scenario.ScenarioResult = last
        ui.kpi_row(res, lang=lang)
        left, right = st.columns([3, 2])
        with left:
            st.subheader(t("planner.diff_map", lang))
            frame, scale = ui.cached_diff(twin, res, lang)
            # lines only (outlines and differences): a second map compiles its shaders anew
            diff_layers = ui.basemap(twin, kelurahan=False, names=False, land=False, lang=lang)
            diff_layers.append(deck.roads_layer(frame, layer_id="diff"))
            st.pydeck_chart(deck.make_deck(diff_layers, view=view), height=460, key="diff_map")
            st.html(theme.legend_html(scale, decimals=2))
            st.html(
                theme.swatch_legend_html(
                    [
                        (t("legend.better", lang), theme.PUOR[1]),
                        (t("legend.worse", lang), theme.PUOR[-2]),
                        (t("legend.closed", lang), theme.CLOSED_ROAD),
                    ]
                )
            )
        with right:
            st.subheader(t("planner.by_kec", lang))
            kec_tab = scenario.kecamatan_table(res, twin, lang=lang)
            st.bar_chart(
                kec_tab,
                color="colour",
                x=t("col.kecamatan", lang),
                y=t("col.d_vht", lang),
                horizontal=True,
                height=460,
            )
        st.subheader(t("planner.top_links", lang))
        ui.table(scenario.top_links_table(res, twin, lang=lang))

        st.subheader(t("planner.zones", lang))
        st.caption(t("planner.zones_help", lang))
        # the per-zone times come after the rest of the result is on its way to the browser:
        # the compiled kernels hold the interpreter while they run, so the server's event
        # loop gets a moment to send the result first (else its map came 1 s later)
        ui.flush_to_browser()
        scenario.add_zone_times(res)
        zone_map = scenario.zone_change_frame(res, lang=lang)
        if zone_map is None:
            st.caption(t("planner.zones_none", lang))
        else:
            zl, zr = st.columns([3, 2])
            with zl:
                zframe, zscale = zone_map
                # cells and outlines only: this third map compiles its shaders anew, and the
                # browser shows none of the maps before it is drawn
                zone_layers = [deck.h3_layer(zframe, layer_id="zones")]
                zone_layers += ui.basemap(twin, kelurahan=False, names=False, land=False, lang=lang)
                # zones cover the whole city: its view, not the planner's close-up
                st.pydeck_chart(
                    deck.make_deck(zone_layers, view=ui.city_view(twin, zoom=9.9)),
                    height=460,
                    key="zone_map",
                )
                st.html(theme.legend_html(zscale, decimals=theme.legend_decimals(zscale)))
                st.html(
                    theme.swatch_legend_html(
                        [
                            (t("legend.better", lang), theme.PUOR[1]),
                            (t("legend.worse", lang), theme.PUOR[-2]),
                        ]
                    )
                )
            with zr:
                st.markdown(f"**{t('planner.winners', lang)}**")
                ui.table(scenario.winners_table(res, twin, lang=lang), key="winners")
                st.markdown(f"**{t('planner.losers', lang)}**")
                ui.table(scenario.losers_table(res, twin, lang=lang), key="losers")

        # --- save, share, export ----------------------------------------------------------------
        st.subheader(t("planner.export", lang))
        e1, e2, e3, e4 = st.columns(4)
        fname = planmod.safe_name(res.plan.name)
        e1.download_button(
            t("export.csv", lang),
            lambda: export.links_csv(res, twin),
            f"{fname}.csv",
            "text/csv",
            key="dl_csv",
        )
        e2.download_button(
            t("export.geojson", lang),
            lambda: export.links_geojson(res, twin),
            f"{fname}.geojson",
            "application/geo+json",
            key="dl_geojson",
        )
        e3.download_button(
            t("export.parquet", lang),
            lambda: export.links_geoparquet(res, twin),
            f"{fname}.parquet",
            "application/octet-stream",
            key="dl_parquet",
        )
        e4.download_button(
            t("export.html", lang),
            lambda: export.map_html(
                deck.make_deck(diff_layers, view=view),
                title=res.plan.name,
                notes=ui.page_notes(twin, lang=lang, model=True),
                lang=lang,
            ),
            f"{fname}.html",
            "text/html",
            key="dl_html",
        )

    st.divider()
    s1, s2 = st.columns(2)
    with s1:
        st.subheader(t("planner.save", lang))
        if st.button(t("planner.save", lang), disabled=plan.is_empty, key="save"):
            try:
                path = scenario.save_plan(plan)
            except TwinError as e:
                st.error(t("err.user", lang, msg=str(e)))
            else:
                st.success(t("planner.saved", lang, path=str(path)))
        saved = scenario.saved_plans()
        if saved:
            pick = st.selectbox(t("planner.load", lang), options=saved, key="load_pick")
            if st.button(t("planner.load_btn", lang), key="load"):
                try:
                    ss.plan = scenario.load_plan(pick)
                except TwinError as e:
                    st.error(t("err.user", lang, msg=str(e)))
                else:
                    ss.sel_gen += 1
                    st.rerun()
    with s2:
        st.subheader(t("planner.share", lang))
        st.caption(t("planner.share_help", lang))
        st.code(
            planmod.share_url(plan, base=ui.base_url(), lang=lang), language=None, wrap_lines=True
        )

    st.divider()
    st.subheader(t("planner.compare", lang))
    names = list(ss.results)
    options = scenario.compare_options(names, scenario.saved_plans())
    if not names or len(options) < 2:
        st.caption(t("planner.compare_need", lang))
    else:
        ca, cb = st.columns(2)
        last_name = ss.get("last_result", names[-1])
        a_name = ca.selectbox(
            t("planner.compare_a", lang),
            names,
            index=names.index(last_name) if last_name in names else 0,
            format_func=lambda k: scenario.compare_label(k, lang=lang),
            key="cmp_a",
        )
        b_opts = [o for o in options if o != a_name]
        b_name = cb.selectbox(
            t("planner.compare_b", lang),
            b_opts,
            format_func=lambda k: scenario.compare_label(k, lang=lang),
            key="cmp_b",
        )
        if b_name not in ss.results:
            # a saved plan: run it warm-started from the baseline of its own period
            with cb:
                st.caption(t("planner.compare_saved_hint", lang))
                if st.button(t("planner.compare_run", lang), key="cmp_run", type="primary"):
                    bar, report = ui.progress_bar(t("planner.running", lang))
                    try:
                        saved_plan = scenario.load_plan(b_name.removeprefix(scenario.SAVED_PREFIX))
                        saved_base = (
                            base
                            if base is not None and base.period == saved_plan.period
                            else ui.baseline_if_ready(twin, saved_plan.period)
                        )
                        ss.results[b_name] = scenario.run_saved(
                            twin, b_name, baseline=saved_base, progress=report
                        )
                    except TwinError as e:
                        bar.empty()
                        st.error(t("err.user", lang, msg=str(e)))
                    else:
                        st.rerun()
        for col, nm in ((ca, a_name), (cb, b_name)):
            r = ss.results.get(nm)
            if r is None:
                continue
            with col:
                ui.table(scenario.kpi_table(r, lang=lang))
                fr, sc = ui.cached_diff(twin, r, lang)
                lay = ui.basemap(twin, kelurahan=False, names=False, lang=lang)
                lay.append(deck.roads_layer(fr, layer_id=f"cmp-{nm}"))
                st.pydeck_chart(
                    deck.make_deck(lay, view=view), height=360, key=f"cmp_map_{col is ca}"
                )
                st.html(theme.legend_html(sc, decimals=2))


plan_and_results()
