"""Command center: a dark full-screen wall that refreshes itself from the live store.

Query parameters: ``kiosk=1`` rotates the map between views and hides the navigation,
``refresh=S`` sets the refresh interval in seconds (default 15), ``rotate=S`` the kiosk
rotation (default 20), ``zoom=Z`` and ``height=PX`` the map's zoom and height (defaults 10.0
and 560 fit the city at 1920x1080; use ``zoom=11&height=1150`` on a 3840x2160 wall: a deck.gl
spec cannot fit its view to the screen by itself).
"""

from __future__ import annotations

import html
import time

import streamlit as st

from apps import deck, theme, ui
from apps.i18n import current_lang, language_switch, t
from apps.views import live, scenario

ui.css(dark=True)


def _int_param(name: str, default: int, lo: int, hi: int) -> int:
    try:
        return min(max(int(st.query_params.get(name, default)), lo), hi)
    except ValueError:
        return default


REFRESH_S = _int_param("refresh", 15, 2, 600)
MAP_HEIGHT = _int_param("height", 560, 300, 2000)
try:
    ZOOM = min(max(float(st.query_params.get("zoom", 10.0)), 8.0), 16.0)
except ValueError:
    ZOOM = 10.0
ROTATE_S = _int_param("rotate", 20, 5, 600)
VIEWS = ("congestion", "complaints", "atcs")
SIMULATE_CMD = "twin feed simulate --minutes 120"

lang = current_lang()
twin = ui.require_twin()
kiosk = st.query_params.get("kiosk") == "1"
if kiosk:
    st.html(theme.KIOSK_CSS)


def tile(label: str, value: str, sub: str = "", *, cls: str = "") -> str:
    """One KPI tile (all text escaped)."""
    return (
        f'<div class="wall-tile"><div class="lbl">{html.escape(label)}</div>'
        f'<div class="val">{html.escape(value)}</div>'
        f'<div class="sub {cls}">{sub}</div></div>'
    )


def lines(items: list[str]) -> str:
    """Escaped lines for a tile's sub-text."""
    return "<br>".join(html.escape(x) for x in items)


@st.fragment(run_every=REFRESH_S)
def wall() -> None:
    now = theme.now_wib()
    hms = now.strftime("%H:%M:%S")
    state = ui.cached_live(twin, ttl_key=int(time.time() // max(REFRESH_S, 2)))
    period = live.hour_period(now)
    base_kpis = ui.baseline_kpis_if_ready(twin, period) if scenario.engine_available() else None
    head_t, head_l, head_r = st.columns([3.6, 3, 1.8], vertical_alignment="center")
    head_t.html(f'<div class="wall-title">{html.escape(t("wall.title", lang))}</div>')
    badges = []
    if twin.roads_synthetic:
        badges.append(
            '<span class="twin-badge synthetic">'
            f"{html.escape(t('prov.synthetic_roads', lang))}</span>"
        )
    if state is not None and state.n_simulated:
        badges.append(
            f'<span class="twin-badge simulated">'
            f"{html.escape(t('prov.feed_simulated', lang, n=f'{state.n_simulated:,}'))}</span>"
        )
    head_l.html(f"<div>{''.join(badges)}</div>")
    head_r.html(
        f'<div class="wall-clock" data-testid="wall-clock">{html.escape(hms)} WIB'
        f'<div class="wall-list">{html.escape(t("wall.updated", lang, t=hms))}</div></div>'
    )
    if state is None or state.empty:
        st.html(
            '<div class="wall-alert">'
            + html.escape(t("err.no_store", lang, path=ui.store_path(), cmd=SIMULATE_CMD))
            + "</div>"
        )
        return
    kmh = t("unit.kmh", lang)
    # --- KPI tiles -----------------------------------------------------------------------------
    c = st.columns(5)
    sp_now, sp_usual = state.mean_speed_now, state.mean_speed_usual
    worse = sp_now is not None and sp_usual is not None and sp_now < 0.9 * sp_usual
    c[0].html(
        tile(
            t("wall.speed_now", lang),
            theme.fmt_num(sp_now, unit=kmh),
            html.escape(t("wall.speed_usual", lang, v=theme.fmt_num(sp_usual, unit=kmh)))
            + f" · ATCS n={len(state.readings)}",
            cls="bad" if worse else "good",
        )
    )
    cong = base_kpis.get("congested_km") if base_kpis is not None else None
    c[1].html(
        tile(
            t("wall.congested_km", lang),
            theme.fmt_num(cong, unit="km"),
            html.escape(f"{t('prov.simulated', lang)} · {t('period.' + period, lang)}"),
        )
    )
    oc = state.open_by_category
    total_open = int(oc["count"].sum()) if not oc.empty else 0
    c[2].html(
        tile(
            t("wall.open_complaints", lang),
            theme.fmt_num(total_open),
            lines(
                [
                    f"{live.category_label(r.category, lang)}: {int(r.count):,}"
                    for r in theme.rows(oc.head(4))
                ]
            ),
        )
    )
    sla = state.sla_by_opd
    total_breach = int(sla["open_breached"].sum()) if not sla.empty else 0
    c[3].html(
        tile(
            t("wall.sla", lang),
            theme.fmt_num(total_breach),
            lines(
                [
                    f"{r.opd}: {int(r.open_breached):,}"
                    for r in theme.rows(sla.head(4))
                    if r.open_breached
                ]
            ),
            cls="bad" if total_breach else "",
        )
    )
    feed_lines = []
    any_stale = False
    for r in theme.rows(state.feeds):
        flag = t("wall.feed_stale", lang) if r.stale else t("wall.feed_ok", lang)
        any_stale |= bool(r.stale)
        feed_lines.append(f"{r.kind}/{r.source}: {flag} · {theme.fmt_wib(float(r.last_ts))[11:]}")
    c[4].html(
        tile(
            t("wall.feeds", lang),
            t("wall.feed_stale", lang) if any_stale else t("wall.feed_ok", lang),
            lines(feed_lines),
            cls="bad" if any_stale else "good",
        )
    )
    # --- map and lists ------------------------------------------------------------------------
    view = (
        VIEWS[int(time.time() // ROTATE_S) % len(VIEWS)]
        if kiosk
        else st.session_state.get("wall_view", "congestion")
    )
    left, right = st.columns([2.2, 1])
    with left:
        st.html(f'<div class="wall-list"><b>{html.escape(t("wall.view." + view, lang))}</b></div>')
        layers = ui.basemap(twin, dark=True, kelurahan=True, names=True, lang=lang)
        if view == "congestion":
            frame, scale = live.congestion_frame(state, lang=lang)
        else:
            frame, scale = live.complaint_cells_frame(state, hotspots=False, lang=lang)
        layers.append(deck.h3_layer(frame, layer_id="wall-h3"))
        if view == "complaints":
            hf, _ = live.complaint_cells_frame(state, hotspots=True, lang=lang)
            hot_layer = deck.h3_layer(hf, layer_id="wall-hot")
            layers.append(hot_layer)
        if view in ("atcs", "congestion"):
            sites = live.sites_frame(state, lang=lang)
            layers.append(
                deck.points_layer(
                    sites,
                    layer_id="wall-atcs",
                    colour=theme.ATCS_COLOUR,
                    radius_px=8 if view == "atcs" else 3.5,
                    color_col="color",
                )
            )
        with st.container(key="wallmap"):
            st.pydeck_chart(
                deck.make_deck(layers, view=ui.city_view(twin, zoom=ZOOM), dark=True),
                height=MAP_HEIGHT,
                key=f"wall_map_{view}",
            )
        st.html(theme.legend_html(scale, dark=True, decimals=1))
    with right:
        st.html(f'<div class="wall-list"><b>{html.escape(t("wall.alerts", lang))}</b></div>')
        if state.alerts:
            st.html(
                "".join(
                    f'<div class="wall-alert">{html.escape(live.alert_text(a, lang=lang))}</div>'
                    for a in state.alerts[:6]
                )
            )
        else:
            st.html(f'<div class="wall-list">{html.escape(t("wall.no_alerts", lang))}</div>')
        st.html(
            '<div class="wall-list" style="margin-top:0.6vw">'
            f"<b>{html.escape(t('wall.recent', lang))}</b></div>"
        )
        st.html(live.recent_complaints_html(state, n=6, lang=lang))
    st.html(
        '<div class="twin-attrib" style="color:#9aa4b2">'
        f"{html.escape(' · '.join(ui.page_notes(twin, lang=lang)))} · "
        f"{html.escape(t('wall.refresh', lang, s=REFRESH_S))}</div>"
    )


wall()
if not kiosk:
    a, b, c = st.columns([3, 1.2, 1.2], vertical_alignment="center")
    a.segmented_control(
        "view",
        options=list(VIEWS),
        default="congestion",
        format_func=lambda v: t("wall.view." + v, lang),
        key="wall_view",
        label_visibility="collapsed",
    )
    with b:
        st.link_button(t("wall.kiosk", lang), "?kiosk=1&lang=" + lang)
    with c:
        language_switch()
