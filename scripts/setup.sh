#!/usr/bin/env bash
# Set up everything medan-twin needs on a fresh Debian machine: system packages, a virtual
# environment at .venv, the project and its development tools. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

# System package: Chromium drives the browser tests and the app's screenshots (never
# `playwright install`: it downloads a browser build, which this project does not allow).
if ! command -v chromium >/dev/null 2>&1; then
    SUDO=""
    [ "$(id -u)" = 0 ] || SUDO="sudo"
    echo "setup: installing chromium (apt)"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
    echo "setup: creating .venv"
    python3 -m venv .venv
fi
stamp=.venv/.medan-twin-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    echo "setup: installing medan-twin and its tools into .venv"
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -e '.[dev]'
    touch "$stamp"
fi
echo "setup: ready ($(.venv/bin/python --version), chromium: $(command -v chromium))"
