"""``twin app``: start the Streamlit app (planner, command-center wall, presentation).

The app runs locally and offline: Streamlit listens on localhost only, sends no usage
statistics and opens no browser unless asked. The twin snapshot, the live store and the city
are passed to the app through the environment (``TWIN_CITY``, ``TWIN_SNAPSHOT``) so the
pages read them with :func:`twin.settings.get_settings` like every other command.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from twin.errors import ConfigError

#: The Streamlit entry script.
ENTRY = Path(__file__).with_name("streamlit_app.py")

#: Headless Chromium for the app's browser tests and benchmark: the system's browser, no
#: background traffic (every request must stay on localhost), WebGL in software.
CHROMIUM_PATH = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--enable-unsafe-swiftshader",
]


def streamlit_command(
    *,
    port: int = 8501,
    headless: bool = True,
    address: str = "localhost",
    python: str | None = None,
) -> list[str]:
    """The ``streamlit run`` command line for the app (also used by the tests and the bench).

    It runs Streamlit through :mod:`apps.serve`, which loads the pages' libraries and the
    engine's kernels before the server listens.

    Examples
    --------
    >>> cmd = streamlit_command(port=8600)
    >>> cmd[1:4], "--server.port=8600" in cmd, "--browser.gatherUsageStats=false" in cmd
    (['-m', 'apps.serve', 'run'], True, True)
    """
    return [
        python or sys.executable,
        "-m",
        "apps.serve",
        "run",
        str(ENTRY),
        f"--server.port={port}",
        f"--server.address={address}",
        f"--server.headless={'true' if headless else 'false'}",
        "--browser.gatherUsageStats=false",
        f"--browser.serverAddress={address}",
        "--server.fileWatcherType=none",
        "--server.runOnSave=false",
        "--client.toolbarMode=minimal",
        "--client.showErrorDetails=false",
        "--theme.base=light",
    ]


def app_env(
    *, city: str | None = None, snapshot: str | None = None, store: str | None = None
) -> dict[str, str]:
    """The environment of the app process: the caller's plus the chosen city/snapshot/store."""
    env = dict(os.environ)
    if city:
        env["TWIN_CITY"] = city
    if snapshot:
        env["TWIN_SNAPSHOT"] = snapshot
    if store:
        env["TWIN_STORE"] = str(Path(store).expanduser().resolve())
    # Streamlit would otherwise ask for an e-mail address on first run.
    env.setdefault("STREAMLIT_BROWSER_GATHER_USAGE_STATS", "false")
    return env


def _run(args: argparse.Namespace) -> int:
    if not 0 < args.port < 65536:
        raise ConfigError(f"--port {args.port}: not a TCP port (1-65535)")
    if args.snapshot and not Path(args.snapshot).exists() and "/" in args.snapshot:
        raise ConfigError(f"--snapshot {args.snapshot}: no such snapshot folder")
    cmd = streamlit_command(port=args.port, headless=args.headless)
    env = app_env(city=args.city, snapshot=args.snapshot, store=args.store)
    print(f"twin app: http://localhost:{args.port}  (Ctrl+C to stop)", file=sys.stderr)
    sys.stderr.flush()
    # Replace this process with Streamlit, so a signal sent to `twin app` (Ctrl+C, SIGTERM
    # from a supervisor or a test) reaches the server itself and leaves no orphan behind.
    os.execvpe(cmd[0], cmd, env)
    return 0  # pragma: no cover (exec does not return)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``twin app`` to the ``twin`` CLI."""
    p = subparsers.add_parser(
        "app",
        help="start the web app (planner, command-center wall, presentation)",
        description="Start the Streamlit app on localhost (offline: no CDN, no tile server).",
    )
    p.add_argument("--port", type=int, default=8501, help="TCP port (default 8501)")
    p.add_argument(
        "--headless",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="do not open a browser (default: headless)",
    )
    p.add_argument("--city", default=None, help="city profile slug (default: TWIN_CITY or medan)")
    p.add_argument(
        "--snapshot",
        default=None,
        help="snapshot id or folder (default: the latest snapshot of the city)",
    )
    p.add_argument("--store", default=None, help="live-feed store (default: TWIN_STORE)")
    p.set_defaults(func=_run)
