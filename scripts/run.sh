#!/usr/bin/env bash
# The main job on a fresh machine: set up, build the Medan twin from the offline data folder,
# fill a demo feed store with clearly-labelled simulated records (a day of ATCS counts and
# complaints), solve the baseline of each period once (cached: the wall shows the period
# of the current WIB time, the planner opens on the AM peak), and start the app on
# http://localhost:8501. Extra arguments go to `twin app` (e.g. --port 8502).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh
if [ -z "${TWIN_DATA_DIR:-}" ]; then
    echo "run: no offline data folder (../shared/data); building from OpenStreetMap online" >&2
fi
.venv/bin/twin build
.venv/bin/twin feed simulate --minutes 1440 --interval 900 --rate 1
for period in am_peak midday pm_peak; do
    .venv/bin/twin scenario baseline --period "$period"
done
exec .venv/bin/twin app "$@"
