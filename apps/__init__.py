"""The faces of the twin: the ``twin`` CLI and the Streamlit app."""

__all__: list[str] = []

# --- the app (issue 6) -------------------------------------------------------------------
# Exported lazily: `twin` imports this package for every command, and the app's modules pull
# in Streamlit and pydeck, which a `twin build` or `twin feed` has no use for.
from importlib import import_module as _import_module
from typing import Any as _Any

_APP_EXPORTS = {
    "streamlit_command": "apps.app_cli",
    "app_env": "apps.app_cli",
    "t": "apps.i18n",
    "Plan": "apps.views.plan",
    "encode_plan": "apps.views.plan",
    "decode_plan": "apps.views.plan",
    "share_url": "apps.views.plan",
    "plan_to_spec": "apps.views.scenario",
    "run_plan": "apps.views.scenario",
    "ScenarioResult": "apps.views.scenario",
    "live_state": "apps.views.live",
    "LiveState": "apps.views.live",
    "load_twin": "apps.views.data",
    "make_deck": "apps.deck",
    "road_frame": "apps.deck",
    "map_html": "apps.export",
    "story_html": "apps.views.story",
}
__all__ += sorted(_APP_EXPORTS)


def __getattr__(name: str) -> _Any:
    if name in _APP_EXPORTS:
        return getattr(_import_module(_APP_EXPORTS[name]), name)
    raise AttributeError(f"module 'apps' has no attribute {name!r}")
