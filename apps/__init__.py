"""The faces of the twin: the ``twin`` CLI and the Streamlit app."""

__all__: list[str] = []
