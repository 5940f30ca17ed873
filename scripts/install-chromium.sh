#!/usr/bin/env bash
# Make sure a Chromium for the browser tests (tests/web) is present: Debian's `chromium` package,
# driven by Playwright through executable_path. Playwright's own browser download is never used.
# Quiet and idempotent when Chromium is already there (or OPENROR_CHROMIUM names one). When it
# cannot be installed (no apt-get, neither root nor passwordless sudo, no network), prints one
# line and exits 0: the browser tests are then skipped with a visible reason.
set -uo pipefail
chromium="${OPENROR_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$chromium" ]; then
    exit 0
fi
skip() {
    echo "note: Chromium not installed ($1); browser tests will be skipped"
    exit 0
}
if [ -n "${OPENROR_CHROMIUM:-}" ]; then
    skip "OPENROR_CHROMIUM=$OPENROR_CHROMIUM is not an executable"
fi
command -v apt-get >/dev/null 2>&1 || skip "no apt-get on this machine"
if [ "$(id -u)" -eq 0 ]; then
    as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
else
    skip "installing Debian's chromium package needs root or passwordless sudo"
fi
log=$(mktemp "${TMPDIR:-/tmp}/openror-install-chromium.XXXXXX")
apt=("${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=300)
install() {
    "${apt[@]}" install -y --no-install-recommends chromium >>"$log" 2>&1
}
echo "Installing Debian's chromium package for the browser tests…"
# Stale or missing package lists make the first attempt fail; refresh them and try once more.
if ! install && ! { "${apt[@]}" update >>"$log" 2>&1 && install; }; then
    skip "apt-get failed, see $log"
fi
if [ ! -x /usr/bin/chromium ]; then
    skip "the chromium package installed no /usr/bin/chromium, see $log"
fi
rm -f "$log"
