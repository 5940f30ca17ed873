#!/usr/bin/env bash
# Install everything, then run the main job: `openror demo` on the embedded SQLite database.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
exec .venv/bin/openror demo "$@"
