"""Streamlit pieces shared by the pages: cached loads, the header, provenance banners.

Only presentation lives here; what is computed comes from :mod:`apps.views` and the
twin/layers/sim packages, so the tests can call the same functions without a browser.
"""

from __future__ import annotations

import html
import os
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import pandas as pd
import streamlit as st

from apps import deck, theme
from apps.i18n import current_lang, language_switch, t
from apps.views import data, live, scenario
from twin.errors import TwinError
from twin.model import Twin
from twin.settings import get_settings

F = TypeVar("F", bound=Callable[..., Any])


@st.cache_resource(show_spinner=False, max_entries=2)
def cached_twin(city: str | None, snapshot: str | None) -> Twin:
    """The twin, loaded once per process (a snapshot is immutable)."""
    return data.load_twin(city=city, snapshot=snapshot)


def get_twin() -> Twin | None:
    """The app's twin, or ``None`` after showing a one-line error explaining what to run."""
    lang = current_lang()
    try:
        return cached_twin(os.environ.get("TWIN_CITY"), os.environ.get("TWIN_SNAPSHOT"))
    except TwinError as e:
        st.error(t("err.no_twin", lang, cmd="twin build"))
        st.caption(str(e))
        return None


def require_twin() -> Twin:
    """The app's twin; without one, the page shows what to run and stops."""
    twin = get_twin()
    if twin is None:
        st.stop()
        raise RuntimeError("unreachable: st.stop() ends the script run")
    return twin


def progress_bar(text: str) -> tuple[Any, Callable[[float, str], None]]:
    """A progress bar and the ``progress(fraction, message)`` callback that moves it."""
    bar = st.progress(0.0, text=text)

    def report(frac: float, msg: str) -> None:
        bar.progress(min(max(frac, 0.0), 1.0), text=msg)

    return bar, report


def header(title_key: str, *, dark: bool = False) -> str:
    """Page title with the language switch at the right; returns the language."""
    left, right = st.columns([5, 1.4], vertical_alignment="center")
    with right:
        lang = language_switch()
    with left:
        if dark:
            st.html(f'<div class="wall-title">{html.escape(t(title_key, lang))}</div>')
        else:
            st.title(t(title_key, lang))
    return lang


def provenance_banner(twin: Twin, *, lang: str, dark: bool = False, model: bool = False) -> None:
    """Badges saying what is real, synthetic and simulated on this page, and attributions."""
    badges = []
    if twin.roads_synthetic:
        badges.append(
            f'<span class="twin-badge synthetic">{html.escape(t("prov.synthetic_roads", lang))}'
            "</span>"
        )
    if model:
        badges.append(
            f'<span class="twin-badge simulated">{html.escape(t("prov.model", lang))}</span>'
        )
    attributions = data.attributions(twin)
    colour = "#c9d1d9" if dark else "#444"
    st.html(
        f'<div style="margin:2px 0 6px 0">{"".join(badges)}</div>'
        f'<div class="twin-attrib" style="color:{colour}">'
        f"{html.escape(' · '.join(attributions))} · "
        f"{html.escape(t('prov.snapshot', lang, sid=twin.snapshot_id))}"
        "</div>"
    )


def css(dark: bool = False) -> None:
    """Set the page up (wide) and inject the shared CSS (system fonts: nothing is fetched)."""
    st.set_page_config(layout="wide", initial_sidebar_state="collapsed" if dark else "auto")
    st.html(theme.BASE_CSS + (theme.WALL_CSS if dark else ""))


def table(df: pd.DataFrame, **kwargs: Any) -> None:
    """A dataframe shown as data (cells are text, never markup)."""
    st.dataframe(df, hide_index=True, width="stretch", **kwargs)


# --- cached computations (keyed on the snapshot id: a snapshot never changes) -------------------


@st.cache_resource(show_spinner=False, max_entries=6)
def _baseline(snapshot_id: str, period: str, _twin: Twin) -> scenario.Baseline:
    return scenario.baseline(_twin, period)


def cached_baseline(twin: Twin, period: str) -> scenario.Baseline | None:
    """The modelled baseline of ``period`` (computed once per process, then reused)."""
    try:
        return _baseline(twin.snapshot_id, period, twin)
    except TwinError as e:
        st.error(t("err.user", current_lang(), msg=str(e)))
        return None


_warming: dict[str, threading.Thread] = {}
_warming_lock = threading.Lock()


def baseline_if_ready(twin: Twin, period: str) -> scenario.Baseline | None:
    """The baseline if it can be had at once; otherwise start solving it in the background.

    The wall must never wait half a minute for a model run: it shows the modelled figure
    from the next refresh on.
    """
    try:
        if scenario.baseline_ready(twin, period):
            return cached_baseline(twin, period)
    except TwinError:
        return None
    key = f"{twin.snapshot_id}:{period}"
    with _warming_lock:
        th = _warming.get(key)
        if th is None or not th.is_alive():
            th = threading.Thread(
                target=_warm, args=(twin, period), name=f"baseline-{period}", daemon=True
            )
            _warming[key] = th
            th.start()
    return None


@st.cache_resource(show_spinner=False, max_entries=32)
def _basemap(snapshot_id: str, key: str, _twin: Twin, _kw: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(deck.basemap_layers(_twin, **_kw))


def basemap(twin: Twin, **kw: Any) -> list[Any]:
    """:func:`apps.deck.basemap_layers`, built once per set of options (0.1 s a rerun)."""
    key = repr(sorted(kw.items()))
    return list(_basemap(twin.snapshot_id, key, twin, kw))


def flush_to_browser(seconds: float = 0.1) -> None:
    """Let Streamlit send what the script has drawn so far before a long computation.

    The script thread and the server's event loop share the interpreter; a numba kernel
    keeps it for its whole run, and the page's queued elements wait for the event loop. A
    short sleep hands the interpreter over.
    """
    import time as _time

    _time.sleep(seconds)


def baseline_kpis_if_ready(twin: Twin, period: str) -> dict[str, float] | None:
    """The baseline's KPIs if it is solved (read from its summary, not loaded); otherwise
    start solving it in the background, as :func:`baseline_if_ready` does."""
    try:
        kpis = scenario.baseline_kpis(twin, period)
    except TwinError:
        return None
    if kpis is None:
        baseline_if_ready(twin, period)
    return kpis


def _warm(twin: Twin, period: str) -> None:
    try:
        scenario.baseline(twin, period)
    except Exception:  # a failed warm-up is retried by the next refresh
        return


@st.cache_resource(show_spinner=False, max_entries=48)
def _roads(
    snapshot_id: str,
    period: str,
    metric: str,
    part: str,
    lang: str,
    closed: tuple[int, ...],
    _twin: Twin,
    _links: pd.DataFrame | None,
    merged: bool = False,
) -> pd.DataFrame:
    frame = deck.road_frame(
        _twin,
        links=_links,
        metric=metric,
        part=part,
        lang=lang,
        closed=closed,
        local=part.endswith("local"),
    )
    return deck.merged_paths(frame) if merged else frame


def cached_roads(
    twin: Twin,
    links: pd.DataFrame | None,
    metric: str,
    part: str,
    lang: str,
    closed: tuple[int, ...],
    period: str,
    *,
    merged: bool = False,
) -> pd.DataFrame:
    """Road rows of one part of the network (see :func:`apps.deck.road_part`), cached;
    ``merged`` joins them for a layer nobody picks (:func:`apps.deck.merged_paths`)."""
    key_period = period if links is not None else "-"
    return _roads(twin.snapshot_id, key_period, metric, part, lang, closed, twin, links, merged)


@st.cache_resource(show_spinner=False, max_entries=6)
def _h3_congestion(
    snapshot_id: str, period: str, lang: str, _twin: Twin, _base: scenario.Baseline
) -> tuple[pd.DataFrame, theme.Scale]:
    return scenario.cells_frame(_base, lang=lang)


def cached_h3_congestion(
    twin: Twin, base: scenario.Baseline, period: str, lang: str
) -> tuple[pd.DataFrame, theme.Scale]:
    """Modelled congestion per H3 cell of the baseline."""
    return _h3_congestion(twin.snapshot_id, period, lang, twin, base)


def store_path() -> str:
    """The live store the app reads (``TWIN_STORE`` or the file beside the twin)."""
    return str(get_settings().store_path())


@st.cache_data(show_spinner=False, ttl=20, max_entries=4)
def _live(snapshot_id: str, path: str, minute: int, _twin: Twin) -> live.LiveState:
    return live.live_state(_twin, path)


def cached_live(twin: Twin, *, ttl_key: int | None = None) -> live.LiveState | None:
    """The wall's live figures (recomputed at most every few seconds), or ``None`` if no store."""
    import time as _time

    try:
        return _live(twin.snapshot_id, store_path(), ttl_key or int(_time.time() // 10), twin)
    except TwinError:
        return None


@st.cache_resource(show_spinner=False, max_entries=8)
def _diff(
    snapshot_id: str, key: str, lang: str, _twin: Twin, _res: scenario.ScenarioResult
) -> tuple[pd.DataFrame, theme.Scale]:
    return deck.diff_frame(_twin, _res.links, value_col="d_vc", closed=_res.closed, lang=lang)


def cached_diff(
    twin: Twin, res: scenario.ScenarioResult, lang: str
) -> tuple[pd.DataFrame, theme.Scale]:
    """The difference-map rows of a result."""
    key = f"{id(res)}-{res.plan.name}"
    return _diff(twin.snapshot_id, key, lang, twin, res)


def view_from_query(twin: Twin, *, focus: str | None = None) -> Any:
    """The initial view; ``?view=lon,lat,zoom`` (share links, tests) overrides the centre,
    else a focused kecamatan, else the whole city."""
    raw = st.query_params.get("view")
    if raw:
        try:
            lon, lat, zoom = (float(x) for x in raw.split(","))
            return deck.view_state(twin, lon=lon, lat=lat, zoom=zoom)
        except ValueError:
            pass
    if focus:
        kec = twin.kecamatan[twin.kecamatan["code"] == focus]
        if len(kec):
            p = kec.geometry.iloc[0].representative_point()
            return deck.view_state(twin, lon=float(p.x), lat=float(p.y), zoom=12.6)
    return city_view(twin, zoom=10.1)


def base_url() -> str:
    """The app's own address (for share links)."""
    try:
        url = st.context.url
    except AttributeError:
        url = None
    if url:
        return url.split("?")[0].rsplit("/", 1)[0] if url.count("/") > 3 else url
    return f"http://localhost:{st.get_option('server.port')}"


def page_notes(twin: Twin, *, lang: str, model: bool = False) -> list[str]:
    """Provenance notes for exported pages (the first is shown as a badge)."""
    notes = []
    if twin.roads_synthetic:
        notes.append(t("prov.synthetic_roads", lang))
    if model:
        notes.append(t("prov.model", lang))
    notes.extend(data.attributions(twin))
    return notes


def kpi_row(res: scenario.ScenarioResult, *, lang: str) -> None:
    """The KPIs with their deltas (orange when worse, violet when better: PuOr semantics)."""
    cols = [*st.columns(3), *st.columns(3)]
    for col, (key, label) in zip(cols, scenario.KPI_LABELS.items(), strict=False):
        unit = t(scenario.KPI_UNITS[key], lang)
        dec = 1 if key == "mean_speed_kmh" else 0
        col.metric(
            t(label, lang),
            theme.fmt_num(res.scenario.get(key), unit=unit, decimals=dec),
            delta=theme.fmt_delta(res.delta.get(key), unit=unit, decimals=dec + 1),
            delta_color=delta_colour(
                res.delta.get(key), higher_is_worse=scenario.KPI_HIGHER_IS_WORSE[key]
            ),
            border=True,
        )
    cols[4].metric(
        t("kpi.unassigned", lang),
        theme.fmt_num(res.unassigned_demand, unit=t("unit.pcu_h", lang)),
        border=True,
    )
    cols[5].metric(
        t("kpi.gap", lang),
        f"{res.relative_gap:.1e}",
        delta=t("planner.done", lang, s=f"{res.seconds:.1f}"),
        delta_color="gray",
        delta_arrow="off",
        border=True,
    )


def delta_colour(delta: float | None, *, higher_is_worse: bool) -> Any:
    """PuOr semantics for metric deltas: orange when worse, violet when better."""
    if delta is None or delta == 0 or delta != delta:
        return "gray"
    worse = (delta > 0) == higher_is_worse
    return "orange" if worse else "violet"


@st.cache_resource(show_spinner=False, max_entries=4)
def _overview(snapshot_id: str, lang: str, _twin: Twin) -> Any:
    from apps.views import story

    return story.overview_deck(_twin, lang=lang)


def cached_overview(twin: Twin, lang: str) -> Any:
    """The story's overview map (main roads by class, outlines, ATCS)."""
    return _overview(twin.snapshot_id, lang, twin)


def city_view(twin: Twin, *, zoom: float) -> Any:
    """A view centred on the middle of the city's extent (the profile centre is downtown)."""
    minx, miny, maxx, maxy = twin.kota.total_bounds
    return deck.view_state(twin, lon=(minx + maxx) / 2, lat=(miny + maxy) / 2, zoom=zoom)
