#!/usr/bin/env bash
# Copy the ROR profile validator (../shared is read-only) into .cache and install its pinned
# npm dependencies there. Needs node >= 20 and npm; exits non-zero if they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
src="../shared/ror-ig/validator"
dest=".cache/ror-validator"
command -v node >/dev/null && command -v npm >/dev/null || { echo "node/npm not found" >&2; exit 1; }
[ -d "$src" ] || { echo "$src not found" >&2; exit 1; }
if [ ! -d "$dest/node_modules" ]; then
    mkdir -p .cache
    rm -rf "$dest"
    cp -r "$src" "$dest"
    chmod -R u+w "$dest"
    (cd "$dest" && npm ci --silent --no-audit --no-fund)
fi
