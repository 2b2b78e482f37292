"""HTTP poller: fetch feeds on a schedule into the store, configured by a TOML file.

Example configuration (``twin feed run --config feeds.toml``)::

    [poller]
    interval_s = 60                  # default for every feed

    [[feed]]
    name = "mrk"                     # names the feed in logs and its cursor
    kind = "complaints"
    format = "open311"
    source = "mrk"                   # records' source field
    url = "https://example.invalid/open311/v2/requests.json"
    params = { jurisdiction_id = "medan.go.id" }
    token_env = "MRK_API_TOKEN"      # the token is read from this variable, never logged
    token_header = "Authorization"
    token_prefix = "Bearer "
    since_param = "start_date"       # incremental fetch: last updated time already stored
    timeout_s = 10
    retries = 3
    backoff_s = 2.0                  # 2, 4, 8 s between attempts (capped at 60 s)

    [[feed]]
    name = "dishub-drop"             # a folder where files are dropped
    kind = "traffic"
    format = "atcs"
    path = "/srv/drop/atcs"          # every new or changed file is ingested once it is
                                     # 2 s old (so half-written files wait)

Tokens only ever travel in a header; logs and errors show the feed name and the URL without
query values. :meth:`Poller.run` returns promptly when its stop event is set (the CLI sets
it on SIGTERM and SIGINT).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from layers.adapters import FORMATS
from layers.context import CityContext
from layers.ingest import IngestReport, ingest_file, ingest_payload
from layers.store import Store
from twin.errors import ConfigError, TwinError

log = logging.getLogger("layers.poller")

#: HTTP statuses worth retrying (server trouble, rate limits).
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_BACKOFF_S = 60.0


@dataclass(frozen=True)
class FeedConfig:
    """One polled feed (see the module doc for the keys)."""

    name: str
    kind: str
    format: str
    url: str | None = None
    path: str | None = None
    source: str | None = None
    params: dict[str, str] = field(default_factory=dict)
    token_env: str | None = None
    token_header: str = "Authorization"
    token_prefix: str = "Bearer "
    since_param: str | None = None
    timeout_s: float = 10.0
    retries: int = 3
    backoff_s: float = 2.0
    interval_s: float = 60.0


@dataclass(frozen=True)
class PollerConfig:
    """The feeds to poll."""

    feeds: tuple[FeedConfig, ...]
    path: Path | None = None


def load_config(path: str | Path) -> PollerConfig:
    """Read and check a poller configuration file.

    Raises
    ------
    twin.errors.ConfigError
        Naming the file and the key at fault.
    """
    p = Path(path)
    try:
        raw = tomllib.loads(p.read_text(encoding="utf-8"))
    except OSError as e:
        raise ConfigError(f"{p}: cannot read ({e.strerror or e})") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{p}: not valid TOML ({e})") from None
    defaults = raw.get("poller", {})
    feeds_raw = raw.get("feed", [])
    if not isinstance(feeds_raw, list) or not feeds_raw:
        raise ConfigError(f"{p}: no [[feed]] tables")
    known = set(FeedConfig.__dataclass_fields__)
    feeds = []
    for i, f in enumerate(feeds_raw, start=1):
        where = f"{p}: feed #{i}"
        if unknown := set(f) - known:
            raise ConfigError(f"{where}: unknown keys {sorted(unknown)}")
        for key in ("name", "kind", "format"):
            if not isinstance(f.get(key), str) or not f[key]:
                raise ConfigError(f"{where}: missing {key!r}")
        if f["kind"] not in FORMATS or f["format"] not in FORMATS[f["kind"]]:
            raise ConfigError(f"{where}: {f['format']!r} is not a {f['kind']} format")
        if ("url" in f) == ("path" in f):
            raise ConfigError(f"{where}: give either 'url' or 'path' (a drop folder)")
        if "url" in f and not str(f["url"]).startswith(("http://", "https://")):
            raise ConfigError(f"{where}: url must be http(s)")
        if "path" in f and not Path(str(f["path"])).is_dir():
            raise ConfigError(f"{where}: path {f['path']!r} is not a folder")
        merged = {k: v for k, v in defaults.items() if k in known} | f
        try:
            feeds.append(FeedConfig(**merged))
        except TypeError as e:
            raise ConfigError(f"{where}: {e}") from None
    names = [f.name for f in feeds]
    if len(set(names)) != len(names):
        raise ConfigError(f"{p}: feed names must be unique")
    return PollerConfig(feeds=tuple(feeds), path=p)


def _url_for_log(url: str) -> str:
    return url.split("?", 1)[0]


class Poller:
    """Polls the configured feeds into a store until stopped.

    Parameters
    ----------
    config
        From :func:`load_config`.
    store
        An open writable store.
    ctx
        The city, for validation.
    session
        A ``requests.Session`` (default: a new one).
    """

    def __init__(
        self,
        config: PollerConfig,
        store: Store,
        ctx: CityContext,
        *,
        session: requests.Session | None = None,
    ) -> None:
        self.config = config
        self.store = store
        self.ctx = ctx
        self.session = session or requests.Session()
        self.stop = threading.Event()
        self.totals = IngestReport()

    def _headers(self, feed: FeedConfig) -> dict[str, str]:
        if not feed.token_env:
            return {}
        token = os.environ.get(feed.token_env)
        if not token:
            raise ConfigError(f"feed {feed.name}: environment variable {feed.token_env} is not set")
        return {feed.token_header: f"{feed.token_prefix}{token}"}

    def _cursor(self, feed: FeedConfig) -> str | None:
        table = "complaints" if feed.kind == "complaints" else "traffic"
        src = feed.source or feed.format
        row = self.store.conn.execute(
            f"SELECT MAX(updated_ts) FROM {table} WHERE source = ?", (src,)
        ).fetchone()
        if row is None or row[0] is None:
            return self.store.get_cursor(feed.name)
        return dt.datetime.fromtimestamp(int(row[0]), dt.UTC).isoformat().replace("+00:00", "Z")

    def fetch(self, feed: FeedConfig) -> bytes | None:
        """GET the feed with retries and backoff; ``None`` when every attempt failed."""
        params = dict(feed.params)
        if feed.since_param and (cursor := self._cursor(feed)):
            params[feed.since_param] = cursor
        headers = self._headers(feed)
        assert feed.url is not None
        shown = _url_for_log(feed.url)
        for attempt in range(feed.retries + 1):
            if self.stop.is_set():
                return None
            try:
                r = self.session.get(
                    feed.url, params=params, headers=headers, timeout=feed.timeout_s
                )
            except requests.RequestException as e:
                problem = type(e).__name__
            else:
                if r.status_code == 200:
                    return r.content
                problem = f"HTTP {r.status_code}"
                if r.status_code not in RETRY_STATUSES:
                    log.error("%s: %s from %s (not retried)", feed.name, problem, shown)
                    return None
            if attempt < feed.retries:
                delay = min(feed.backoff_s * 2**attempt, MAX_BACKOFF_S)
                log.warning(
                    "%s: %s from %s, retry %d/%d in %.1f s",
                    feed.name,
                    problem,
                    shown,
                    attempt + 1,
                    feed.retries,
                    delay,
                )
                if self.stop.wait(delay):
                    return None
            else:
                log.error(
                    "%s: %s from %s after %d attempts", feed.name, problem, shown, attempt + 1
                )
        return None

    def poll_folder(self, feed: FeedConfig) -> IngestReport:
        """Ingest the files of a drop folder that are new or changed since the last poll."""
        assert feed.path is not None
        done = self.store.get_cursor(feed.name)
        since = int(done) if done else -1
        settle = time.time_ns() - 2_000_000_000
        rep = IngestReport()
        newest = since
        files = sorted(
            (p for p in Path(feed.path).iterdir() if p.is_file() and not p.name.startswith(".")),
            key=lambda p: p.stat().st_mtime_ns,
        )
        for p in files:
            m = p.stat().st_mtime_ns
            if m <= since or m > settle:
                continue
            try:
                one = ingest_file(
                    p, self.store, self.ctx, kind=feed.kind, fmt=feed.format, source=feed.source
                )
            except TwinError as e:
                # A broken file is reported and skipped; the folder keeps being watched.
                log.error("%s: %s", feed.name, e)
            else:
                rep.add(one)
            newest = max(newest, m)
            if self.stop.is_set():
                break
        if newest > since:
            self.store.set_cursor(feed.name, str(newest))
        return rep

    def poll_once(self, feed: FeedConfig) -> IngestReport | None:
        """Fetch (or read from the drop folder) and ingest one feed once."""
        if feed.path is not None:
            rep = self.poll_folder(feed)
            self.totals.add(rep)
            if rep.files:
                log.info(
                    "%s: %d files, accepted %d, duplicates %d, rejected %d",
                    feed.name,
                    len(rep.files),
                    rep.accepted,
                    rep.duplicates,
                    rep.rejected,
                )
            return rep
        assert feed.url is not None
        body = self.fetch(feed)
        if body is None:
            return None
        rep = ingest_payload(
            body,
            self.store,
            self.ctx,
            kind=feed.kind,
            fmt=feed.format,
            origin=_url_for_log(feed.url),
            source=feed.source,
        )
        if cursor := self._cursor(feed):
            self.store.set_cursor(feed.name, cursor)
        self.totals.add(rep)
        log.info(
            "%s: accepted %d, duplicates %d, rejected %d",
            feed.name,
            rep.accepted,
            rep.duplicates,
            rep.rejected,
        )
        return rep

    def run(self, *, max_cycles: int | None = None) -> IngestReport:
        """Poll every feed at its interval until :attr:`stop` is set (or ``max_cycles``)."""
        due = dict.fromkeys((f.name for f in self.config.feeds), 0.0)
        cycles = 0
        start = time.monotonic()
        while not self.stop.is_set():
            now = time.monotonic() - start
            for feed in self.config.feeds:
                if self.stop.is_set():
                    break
                if due[feed.name] <= now:
                    self.poll_once(feed)
                    due[feed.name] = now + feed.interval_s
            cycles += 1
            if max_cycles is not None and cycles >= max_cycles:
                break
            wait = max(min(due.values()) - (time.monotonic() - start), 0.05)
            if self.stop.wait(wait):
                break
        return self.totals


def describe(config: PollerConfig) -> list[dict[str, Any]]:
    """The configured feeds without secrets (for ``--json`` and logs)."""
    return [
        {
            "name": f.name,
            "kind": f.kind,
            "format": f.format,
            "url": _url_for_log(f.url) if f.url else None,
            "path": f.path,
            "token_env": f.token_env,
            "interval_s": f.interval_s,
        }
        for f in config.feeds
    ]
