"""Fixtures of the app tests: a toy twin, the Medan twin's home with a filled store, the app.

The browser fixtures start the real app (``streamlit run`` through the same command line as
``twin app``) on a free port against the offline Medan twin and a store filled by the
simulated feed plus one hostile complaint, and drive it with the system's Chromium.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from filelock import FileLock

from apps.app_cli import CHROMIUM_ARGS, CHROMIUM_PATH, app_env, streamlit_command
from tests.apps.apps_helpers import XSS
from tests.apps.toy import build_toy_twin
from twin.model import Twin

REPO = Path(__file__).resolve().parents[2]


def pytest_configure(config: pytest.Config) -> None:
    # xdist registers this marker itself; runs without xdist (-p no:xdist) need it too.
    config.addinivalue_line("markers", "xdist_group(name): run these tests in one xdist worker")


@pytest.fixture(scope="session")
def toy_twin(data_dir: Path) -> Twin:
    """A tiny twin on real Medan Kota boundaries (see ``toy.py``)."""
    return build_toy_twin(data_dir)


def _twin_cli(args: list[str], env: dict[str, str]) -> str:
    out = subprocess.run(
        [sys.executable, "-m", "apps.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"twin {' '.join(args)} failed: {out.stderr[-2000:]}")
    return out.stdout


@pytest.fixture(scope="session")
def app_home(medan_snapshot_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment for the app: the Medan twin's home (its snapshot and baseline cache) and a
    fresh store filled by ``twin feed simulate`` plus a hostile Open311 complaint."""
    home = medan_snapshot_dir.parents[2]
    store = tmp_path_factory.mktemp("app-store") / "medan.sqlite"
    env = dict(os.environ)
    env.update({"TWIN_HOME": str(home), "TWIN_STORE": str(store), "TWIN_CITY": "medan"})
    env.pop("TWIN_SNAPSHOT", None)
    _twin_cli(["feed", "simulate", "--minutes", "360", "--interval", "900", "--rate", "1"], env)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    hostile = [
        {
            "service_request_id": "xss-1",
            "service_code": "banjir",
            "service_name": "Banjir dan drainase",
            "description": XSS,
            "status": "open",
            "agency_responsible": "Dinas SDABMBK",
            "requested_datetime": (now - dt.timedelta(seconds=30)).isoformat(),
            "updated_datetime": (now - dt.timedelta(seconds=30)).isoformat(),
            "lat": 3.5900,
            "long": 98.6776,
            "address": "<script>alert(2)</script> Jl. Balai Kota",
        }
    ]
    f = store.parent / "hostile.json"
    f.write_text(json.dumps(hostile), encoding="utf-8")
    _twin_cli(
        [
            "feed",
            "ingest",
            "--kind",
            "complaints",
            "--format",
            "open311",
            "--source",
            "mrk",
            str(f),
        ],
        env,
    )
    # The planner and the story start from the AM-peak baseline: solve it once here (the
    # engine caches it on disk beside the snapshot), so pages are timed warm.
    with FileLock(str(home / "apps-baseline.lock")):
        subprocess.run(
            [
                sys.executable,
                "-c",
                "from apps.views import data, scenario; "
                "scenario.baseline(data.load_twin(), 'am_peak')",
            ],
            env=env,
            check=True,
            timeout=900,
        )
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_health(url: str, proc: subprocess.Popen[bytes], timeout: float = 180.0) -> None:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"the app exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("the app did not become healthy in time")


@pytest.fixture(scope="session")
def app_url(app_home: dict[str, str]) -> Iterator[str]:
    """A running app (``streamlit run`` on a free localhost port); stopped at the end."""
    port = _free_port()
    env = app_env(city="medan", store=app_home["TWIN_STORE"])
    env.update({k: app_home[k] for k in ("TWIN_HOME", "TWIN_STORE")})
    proc = subprocess.Popen(
        streamlit_command(port=port), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    url = f"http://localhost:{port}"
    try:
        _wait_health(url, proc)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    """Headless system Chromium (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def app_page(chromium: object) -> Iterator[object]:
    """A fresh page whose every request URL is recorded in ``page.requests_seen``."""
    ctx = chromium.new_context(viewport={"width": 1600, "height": 1000})  # type: ignore[attr-defined]
    pg = ctx.new_page()
    seen: list[str] = []
    pg.on("request", lambda r: seen.append(r.url))
    pg.requests_seen = seen
    yield pg
    ctx.close()
