"""The HTTP poller against a real local HTTP server: retries, incremental fetch, tokens, SIGTERM."""

from __future__ import annotations

import logging
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from layers.context import CityContext
from layers.poller import Poller, load_config
from layers.store import Store
from twin.errors import ConfigError

TOKEN = "s3cret-token-do-not-log"
SAMPLES = Path(__file__).parents[1] / "fixtures" / "layers"


class _Feed:
    """State of the fake Open311 server."""

    def __init__(self) -> None:
        self.fail_next = 0
        self.queries: list[dict[str, list[str]]] = []
        self.auth: list[str | None] = []
        self.body = (SAMPLES / "open311_requests.json").read_bytes()


@pytest.fixture
def server() -> Iterator[tuple[str, _Feed]]:
    feed = _Feed()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            feed.queries.append(parse_qs(urlparse(self.path).query))
            feed.auth.append(self.headers.get("Authorization"))
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                self.send_response(401)
                self.end_headers()
                return
            if feed.fail_next > 0:
                feed.fail_next -= 1
                self.send_response(503)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(feed.body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/open311/v2/requests.json", feed
    httpd.shutdown()
    httpd.server_close()


def _config(tmp_path: Path, url: str, **extra: object) -> Path:
    lines = [
        "[poller]",
        "interval_s = 0.2",
        "",
        "[[feed]]",
        'name = "mrk"',
        'kind = "complaints"',
        'format = "open311"',
        'source = "mrk"',
        f'url = "{url}"',
        'token_env = "MRK_TEST_TOKEN"',
        'since_param = "start_date"',
        "timeout_s = 5",
        "retries = 3",
        "backoff_s = 0.05",
        'params = { jurisdiction_id = "medan.go.id" }',
    ]
    lines += [f"{k} = {v!r}" for k, v in extra.items()]
    p = tmp_path / "feeds.toml"
    p.write_text("\n".join(lines) + "\n")
    return p


def test_retries_then_incremental_fetch_without_logging_the_token(
    server: tuple[str, _Feed],
    tmp_path: Path,
    ctx: CityContext,
    store: Store,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    url, feed = server
    monkeypatch.setenv("MRK_TEST_TOKEN", TOKEN)
    cfg = load_config(_config(tmp_path, url))
    poller = Poller(cfg, store, ctx)
    feed.fail_next = 2
    with caplog.at_level(logging.DEBUG, logger="layers.poller"):
        rep = poller.poll_once(cfg.feeds[0])
        assert rep is not None
        assert (rep.accepted, rep.rejected) == (4, 3)
        assert len(feed.queries) == 3  # two 503s, then success
        assert "retry 1/3" in caplog.text
        assert "retry 2/3" in caplog.text
        # Second poll asks only for what changed since the latest stored update.
        rep2 = poller.poll_once(cfg.feeds[0])
        assert rep2 is not None
        assert rep2.accepted == 0
        assert rep2.duplicates == 4
    assert "start_date" not in feed.queries[0]
    assert feed.queries[-1]["start_date"] == ["2026-11-23T14:05:00Z"]
    assert feed.queries[-1]["jurisdiction_id"] == ["medan.go.id"]
    assert store.get_cursor("mrk") == "2026-11-23T14:05:00Z"
    assert set(feed.auth) == {f"Bearer {TOKEN}"}
    assert TOKEN not in caplog.text
    assert set(store.complaints()["source"]) == {"mrk"}


def test_gives_up_after_retries_and_on_client_errors(
    server: tuple[str, _Feed],
    tmp_path: Path,
    ctx: CityContext,
    store: Store,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    url, feed = server
    monkeypatch.setenv("MRK_TEST_TOKEN", TOKEN)
    cfg = load_config(_config(tmp_path, url))
    feed.fail_next = 10
    with caplog.at_level(logging.INFO, logger="layers.poller"):
        assert Poller(cfg, store, ctx).poll_once(cfg.feeds[0]) is None
    assert len(feed.queries) == 4
    assert "after 4 attempts" in caplog.text
    monkeypatch.setenv("MRK_TEST_TOKEN", "wrong")
    n = len(feed.queries)
    assert Poller(cfg, store, ctx).poll_once(cfg.feeds[0]) is None
    assert len(feed.queries) == n + 1  # 401 is not retried
    assert "wrong" not in caplog.text
    assert TOKEN not in caplog.text
    # Nothing reachable: a refused connection is retried, then reported.
    cfg2 = load_config(_config(tmp_path, "http://127.0.0.1:9/nothing.json"))
    assert Poller(cfg2, store, ctx).poll_once(cfg2.feeds[0]) is None


def test_config_errors_name_the_file_and_the_problem(
    tmp_path: Path, ctx: CityContext, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[[feed]]\nname = "x"\nkind = "complaints"\nformat = "open311"\n')
    with pytest.raises(ConfigError, match=r"bad\.toml: feed #1: give either 'url' or 'path'"):
        load_config(bad)
    bad.write_text('[[feed]]\nname = "x"\nkind = "traffic"\nformat = "lapor"\nurl = "http://a"\n')
    with pytest.raises(ConfigError, match="not a traffic format"):
        load_config(bad)
    bad.write_text("[[feed]\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(bad)
    cfg = load_config(_config(tmp_path, "http://127.0.0.1:9/x.json"))
    monkeypatch.delenv("MRK_TEST_TOKEN", raising=False)
    with pytest.raises(ConfigError, match="MRK_TEST_TOKEN is not set"):
        Poller(cfg, store, ctx).poll_once(cfg.feeds[0])


def test_feed_run_stops_cleanly_on_sigterm(
    server: tuple[str, _Feed], tmp_path: Path, data_dir: Path
) -> None:
    url, feed = server
    store = tmp_path / "run.sqlite"
    env = os.environ | {
        "TWIN_DATA_DIR": str(data_dir),
        "TWIN_HOME": str(tmp_path / "home"),
        "MRK_TEST_TOKEN": TOKEN,
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "apps.cli",
            "feed",
            "run",
            "--config",
            str(_config(tmp_path, url)),
            "--store",
            str(store),
            "--json",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(feed.queries) < 3:
        time.sleep(0.05)
    assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "poller stopped" in err
    assert "Traceback" not in err
    assert TOKEN not in err
    assert TOKEN not in out
    assert '"accepted": 4' in out
    con = sqlite3.connect(store)
    assert con.execute("SELECT COUNT(*) FROM complaints").fetchone()[0] == 4
    con.close()


def test_drop_folder_ingests_new_files_once(
    samples: Path, tmp_path: Path, ctx: CityContext, store: Store
) -> None:
    drop = tmp_path / "drop"
    drop.mkdir()
    cfg_file = tmp_path / "drop.toml"
    cfg_file.write_text(
        f'[[feed]]\nname = "drop"\nkind = "traffic"\nformat = "atcs"\npath = "{drop}"\n'
    )
    cfg = load_config(cfg_file)
    poller = Poller(cfg, store, ctx)
    old = time.time() - 60
    first = drop / "a.csv"
    first.write_bytes((samples / "atcs_counts.csv").read_bytes())
    os.utime(first, (old, old))
    fresh = drop / "b.json"
    fresh.write_bytes((samples / "atcs_counts.json").read_bytes())  # still settling
    (drop / "broken.csv").write_text("no,header\n")
    os.utime(drop / "broken.csv", (old, old))
    rep = poller.poll_once(cfg.feeds[0])
    assert rep is not None
    assert rep.files == [str(first)]
    assert rep.accepted == 5
    os.utime(fresh, (old + 1, old + 1))
    rep = poller.poll_once(cfg.feeds[0])
    assert rep is not None
    assert rep.files == [str(fresh)]
    assert rep.accepted == 4
    rep = poller.poll_once(cfg.feeds[0])
    assert rep is not None
    assert rep.files == []
    assert store.counts()["traffic"] == 9
    bad = tmp_path / "bad.toml"
    bad.write_text(
        f'[[feed]]\nname = "d"\nkind = "traffic"\nformat = "atcs"\npath = "{drop}"\nurl = "http://a"\n'
    )
    with pytest.raises(ConfigError, match="either 'url' or 'path'"):
        load_config(bad)
