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

# Each phase's wall time, printed at the end (also when a phase fails), so a slow run shows where.
PHASES=()
phase() { # name, command... (returns the command's status)
  local name="$1" started=$SECONDS rc=0; shift
  "$@" || rc=$?
  PHASES+=("$(printf '%-22s %4d s' "$name" $((SECONDS - started)))")
  return "$rc"
}
print_phases() {
  [ ${#PHASES[@]} -gt 0 ] || return 0
  printf '\n==> durations (total %d s)\n' "$SECONDS"
  printf '  %s\n' "${PHASES[@]}"
}
trap print_phases EXIT

phase apt install_debian_packages
phase node install_node
step "node $(node --version), npm $(npm --version)"

step "npm ci"
phase "npm ci" npm ci --no-audit --no-fund

if [ -x scripts/build-tools.sh ]; then
  step "building the Go tools (Collector, Prometheus, Alertmanager, ...; cached in $CACHE/bin)"
  phase "Go builds" scripts/build-tools.sh
fi

step "starting Postgres and Redis on 127.0.0.1"
phase backends scripts/backends.sh start

step "typecheck and lint"
phase typecheck npm run typecheck
phase lint npm run lint

# One vitest run per project (each phase timed), unless arguments choose what to run.
reports="$(mktemp -d)"
status=0
ran=()
run_vitest() { # report name, vitest arguments...
  local name="$1"; shift
  ran+=("$name")
  step "tests: ${*:-all}"
  phase "vitest $name" npx vitest run --reporter=default --reporter=json --outputFile.json="$reports/$name.json" "$@" || status=1
}
if [ $# -gt 0 ]; then
  run_vitest selection "$@"
else
  for project in unit static integration e2e bench; do run_vitest "$project" --project "$project"; done
fi
trap - EXIT
print_phases
# One plain closing line that any CI can read, summed from vitest's own JSON reports.
node -e '
  const fs = require("fs"), path = require("path");
  const [dir, ...names] = process.argv.slice(1);
  const read = (name) => { try { return JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`), "utf8")); } catch { return undefined; } };
  const reports = names.map(read);
  const sum = (key) => reports.reduce((n, r) => n + (r?.[key] ?? 0), 0);
  const skipped = sum("numPendingTests") + sum("numTodoTests");
  // A run without a report (crashed) or failed outside any test (a hook, a file that did not load)
  // counts as one failure, so the line never reads "0 failed" for a broken run.
  const broken = reports.filter((r) => r === undefined || (r.success === false && r.numFailedTests === 0)).length;
  console.log(`Tests: ${sum("numPassedTests")} passed, ${sum("numFailedTests") + broken} failed` + (skipped ? `, ${skipped} skipped` : ""));
' "$reports" "${ran[@]}" || echo "Tests: 0 passed, 1 failed"
exit "$status"
