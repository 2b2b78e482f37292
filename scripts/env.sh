# Sourced by the run and test scripts: point the twin at the offline data folder beside the
# repo (../shared/data) unless TWIN_DATA_DIR is already set.
_repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ -z "${TWIN_DATA_DIR:-}" ] && [ -d "$_repo/../shared/data" ]; then
    TWIN_DATA_DIR="$(cd "$_repo/../shared/data" && pwd)"
    export TWIN_DATA_DIR
fi
export TWIN_HOME="${TWIN_HOME:-$_repo/var}"
