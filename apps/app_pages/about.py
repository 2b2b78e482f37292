"""Data sources: the provenance of every layer, licences, and what is real or not."""

from __future__ import annotations

import streamlit as st

from apps import ui
from apps.i18n import t
from apps.views import data, live

ui.css()
lang = ui.header("about.title")
twin = ui.require_twin()
ui.provenance_banner(twin, lang=lang, model=True)
st.write(t("about.intro", lang))
st.info(t("about.offline", lang))
st.subheader(t("prov.title", lang))
ui.table(data.provenance_table(twin.provenance, lang=lang))
st.subheader(t("about.feeds", lang))
state = ui.cached_live(twin)
if state is None or state.empty:
    st.caption(
        t("err.no_store", lang, path=ui.store_path(), cmd="twin feed simulate --minutes 120")
    )
else:
    if state.n_simulated:
        st.warning(t("prov.feed_simulated", lang, n=f"{state.n_simulated:,}"))
    ui.table(live.feeds_table(state, lang=lang))
    if state.hotspot_method:
        st.caption(
            f"{t('layer.hotspots', lang)}: {state.hotspot_method.get('method', '')}, "
            f"{state.hotspot_method.get('weights', '')}, "
            f"{state.hotspot_method.get('test', '')} "
            f"({state.hotspot_method.get('permutations', '')}), "
            f"α = {state.hotspot_method.get('alpha', '')}"
        )
