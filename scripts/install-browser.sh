#!/usr/bin/env bash
# Installs Debian's Chromium (and a CJK font for readable screenshots) for tests/browser, only
# where it is missing. Playwright drives this system browser: no browser build is downloaded.
# Never fails the install: without a browser the browser tests skip and say why.
set -uo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if ! command -v apt-get >/dev/null; then
  echo "note: no apt-get here; install Chromium yourself or the browser tests will skip" >&2; exit 0
fi
if [ "$(id -u)" -eq 0 ]; then sudo=""; elif sudo -n true 2>/dev/null; then sudo="sudo -n"; else
  echo "note: not root; run 'apt-get install chromium' or the browser tests will skip" >&2; exit 0
fi
echo "Installing Debian's chromium for the browser tests (apt-get)…"
export DEBIAN_FRONTEND=noninteractive
if $sudo apt-get update -qq && $sudo apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; then
  /usr/bin/chromium --version 2>/dev/null || true
else
  echo "note: could not install chromium; the browser tests will skip" >&2
fi
exit 0
