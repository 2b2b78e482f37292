#!/usr/bin/env bash
# The whole test suite: setup, lint, types, then every test (unit, integration on the offline
# Medan twin, browser end-to-end in headless Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
exec .venv/bin/python -m pytest -n 2 --dist loadgroup "$@"
