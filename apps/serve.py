"""Process entry of the app server: ``python -m apps.serve run apps/streamlit_app.py ...``.

Streamlit imports what a page needs on its first visit, inside that visit: the hotspot
statistics of the wall alone (esda, libpysal, scipy.stats) took 1.6 to 1.9 s of its first
map, and the first what-if of a server loaded the engine's compiled kernels from numba's disk
cache. This entry loads both, then hands the command line to Streamlit's, in the same process:
the server starts a few seconds later and no visitor waits for an import.
"""

from __future__ import annotations

import logging
import sys
import time


def preload(*, engine: bool = True) -> float:
    """Import the libraries the pages use, load the engine's kernels, the twin and the
    planner's default baseline (if solved); returns seconds.

    It never fails on a missing snapshot or store: the pages report those themselves.
    """
    t0 = time.perf_counter()
    # (imported outside a running app, Streamlit warns that its data cache has no runtime
    # yet; the server creates it next)
    import streamlit.runtime.caching.cache_data_api  # noqa: F401 (it sets its logger's level)

    quiet = logging.getLogger("streamlit.runtime.caching.cache_data_api")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        _import_and_load(engine=engine)
    finally:
        quiet.setLevel(level)
    return time.perf_counter() - t0


def _import_and_load(*, engine: bool) -> None:
    import esda  # noqa: F401
    import geopandas  # noqa: F401
    import libpysal  # noqa: F401
    import pydeck  # noqa: F401

    import apps.deck
    import apps.ui
    import apps.views.live
    import apps.views.scenario  # noqa: F401

    if engine:
        try:
            from sim.assignment import warm_up
        except ImportError:  # the app runs without the scenario engine too
            pass
        else:
            warm_up()
    _load_twin_and_baseline()


def _load_twin_and_baseline() -> None:
    # The pages' caches live in this process: the twin and the planner's default baseline
    # (when already solved) loaded here are the first visitor's too. A missing twin or
    # store is no reason not to start: the pages explain it.
    try:
        from apps import ui
        from apps.views import data, scenario

        twin = data.load_twin()
        if scenario.engine_available() and scenario.baseline_ready(twin, "am_peak"):
            ui.cached_baseline(twin, "am_peak")
    except Exception:  # whatever it is, the page that needs it reports it
        return


def main() -> None:
    """Preload, then run Streamlit's command line with this process's arguments."""
    print("twin app: loading the libraries and the scenario engine ...", file=sys.stderr)
    sys.stderr.flush()
    preload()
    from streamlit.web.cli import main as streamlit_main

    streamlit_main(prog_name="streamlit")


if __name__ == "__main__":
    main()
