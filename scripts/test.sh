#!/usr/bin/env bash
# The one test command (README "Tests"): installs what the tests need on a Debian/Ubuntu machine —
# Postgres, Redis, Node 24, npm packages, the Go-built Collector/Prometheus/Alertmanager — starts
# Postgres and Redis on 127.0.0.1, then runs typecheck, lint and every vitest project.
# Extra arguments go to vitest (e.g. `scripts/test.sh --project unit`).
set -euo pipefail
cd "$(dirname "$0")/.."

CACHE="${OTELKIT_CACHE:-$HOME/.cache/otelkit}"
NODE_VERSION=24.21.0

step() { printf '\n==> %s\n' "$*"; }

install_debian_packages() {
  local missing=()
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v curl >/dev/null || missing+=(curl ca-certificates)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
  command -v psql >/dev/null || missing+=(postgresql-client)
  [ ${#missing[@]} -eq 0 ] && return
  step "installing ${missing[*]}"
  local sudo=()
  [ "$(id -u)" = 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

install_node() {
  # A real Node 24 from the npm registry (package `node`), kept outside the repo, keyed by version.
  local prefix="$CACHE/node-$NODE_VERSION"
  if [ ! -x "$prefix/node_modules/.bin/node" ]; then
    step "installing Node $NODE_VERSION into $prefix"
    mkdir -p "$prefix"
    npm install --prefix "$prefix" --no-save --no-audit --no-fund "node@$NODE_VERSION" >/dev/null
  fi
  export PATH="$prefix/node_modules/.bin:$PATH"
  case "$(node --version)" in v24.*) ;; *) echo "expected Node 24, got $(node --version)" >&2; exit 1 ;; esac
}

install_debian_packages
install_node
step "node $(node --version), npm $(npm --version)"

step "npm ci"
npm ci --no-audit --no-fund

if [ -x scripts/build-tools.sh ]; then
  step "building the Collector, Prometheus and Alertmanager (cached in $CACHE/bin)"
  scripts/build-tools.sh
fi

step "starting Postgres and Redis on 127.0.0.1"
scripts/backends.sh start

step "typecheck and lint"
npm run typecheck
npm run lint

step "tests"
report="$(mktemp -d)/vitest.json"
status=0
npm test -- --reporter=default --reporter=json --outputFile.json="$report" "$@" || status=$?
# One plain closing line that any CI can read, from vitest's own JSON report.
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`Tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
' "$report" || echo "Tests: 0 passed, 1 failed"
exit "$status"
