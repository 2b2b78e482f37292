"""Plain functions behind the app's pages (no Streamlit here: the tests call them directly)."""
