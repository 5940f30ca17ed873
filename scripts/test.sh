#!/usr/bin/env bash
# Install everything, then run the whole test suite: lint, types, import layers, tests.
# PostgreSQL variants run when a server answers on OPENROR_TEST_POSTGRES_URL (default: the
# local 127.0.0.1:5432/test); otherwise they are skipped with a visible reason. Browser tests
# (tests/web) need Debian's chromium, which scripts/install-chromium.sh installs when it can.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
scripts/setup-validator.sh || echo "note: ROR profile validator unavailable; its checks will be skipped"
scripts/install-chromium.sh || echo "note: Chromium unavailable; browser tests will be skipped"
: "${OPENROR_TEST_POSTGRES_URL:=postgresql://postgres@127.0.0.1:5432/test}"
if .venv/bin/python - "$OPENROR_TEST_POSTGRES_URL" <<'PY'
import sys, psycopg
try:
    psycopg.connect(sys.argv[1], connect_timeout=3).close()
except Exception as exc:
    print(f"note: PostgreSQL not reachable ({exc.__class__.__name__}); PostgreSQL variants will be skipped")
    sys.exit(1)
PY
then
    export OPENROR_TEST_POSTGRES_URL
else
    unset OPENROR_TEST_POSTGRES_URL
fi
.venv/bin/ruff check src tests bench tools
.venv/bin/mypy
.venv/bin/lint-imports
exec .venv/bin/pytest -n 2 "$@"
