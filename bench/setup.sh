#!/usr/bin/env bash
# Tools for the benchmarks in bench/: wrk (Debian package) as the HTTP load generator, the
# peer server sekmet-fhir in its own virtual environment (.cache/sekmet) for search_peer.py, and
# locust in its own (.cache/locust) for load_mixed.py: the project's dependencies stay small.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v wrk >/dev/null 2>&1; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends wrk
fi
wrk --version 2>&1 | head -n 1 || true
if [ ! -x .cache/sekmet/bin/sekmet ]; then
    python3 -m venv .cache/sekmet
    .cache/sekmet/bin/python -m pip install --quiet "sekmet-fhir==0.1.1"
fi
if [ ! -x .cache/locust/bin/locust ]; then
    python3 -m venv .cache/locust
    .cache/locust/bin/python -m pip install --quiet "locust==2.47.0"
fi
