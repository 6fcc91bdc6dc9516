#!/usr/bin/env bash
# Installs front-end assets from the npm registry (pinned in package-lock.json) and
# copies the files we serve into community/static/vendor. Nothing is loaded from a CDN.
set -euo pipefail
cd "$(dirname "$0")/.."
vendor=community/static/vendor
if [ -f "$vendor/socket.io.min.js" ] && [ "$vendor/socket.io.min.js" -nt package-lock.json ] \
   && [ -f "$vendor/chart.umd.min.js" ] && [ "$vendor/chart.umd.min.js" -nt package-lock.json ]; then
  exit 0
fi
if ! command -v npm >/dev/null; then
  echo "npm is required to install front-end assets (apt-get install nodejs npm)" >&2
  exit 1
fi
npm ci --silent --no-audit --no-fund
mkdir -p "$vendor"
cp node_modules/socket.io-client/dist/socket.io.min.js "$vendor/socket.io.min.js"
cp node_modules/socket.io-client/dist/socket.io.min.js.map "$vendor/socket.io.min.js.map" 2>/dev/null || true
cp node_modules/chart.js/dist/chart.umd.min.js "$vendor/chart.umd.min.js"  # Chart.js 4 (the growth dashboard)
