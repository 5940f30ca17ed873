#!/usr/bin/env bash
# Tools for the benchmarks in bench/: wrk (Debian package) as the HTTP load generator.
set -euo pipefail
if ! command -v wrk >/dev/null 2>&1; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends wrk
fi
wrk --version 2>&1 | head -n 1 || true
