"""Entry script of the app: ``streamlit run apps/streamlit_app.py`` (or ``twin app``).

It only sets the page up and lists the pages; each page lives in ``apps/app_pages/``. (Not
``apps/pages/``: Streamlit treats a ``pages/`` folder beside the entry script as an old-style
multipage app, which overrides ``st.navigation`` on the first run of every server.)
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from apps.i18n import current_lang, t

PAGES = Path(__file__).parent / "app_pages"

st.set_page_config(
    page_title="Medan Twin",
    layout="wide",
    initial_sidebar_state="expanded",
    menu_items={"Get help": None, "Report a bug": None, "About": "medan-twin (offline)"},
)
lang = current_lang()
pages = [
    # The default page is served at "/" (Streamlit ignores its url_path).
    st.Page(PAGES / "planner.py", title=t("nav.planner", lang), default=True),
    st.Page(PAGES / "wall.py", title=t("nav.wall", lang), url_path="wall"),
    st.Page(PAGES / "story.py", title=t("nav.story", lang), url_path="story"),
    st.Page(PAGES / "about.py", title=t("nav.about", lang), url_path="about"),
]
st.navigation(pages, position="top").run()
