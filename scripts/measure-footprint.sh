#!/usr/bin/env bash
# Peak memory of every process the native stack runs, under the load the compose memory limits are
# sized for (docs/topology.md): mixed traffic at 50 req/s for 3 minutes, with the container
# healthcheck (src/cli/healthcheck.mjs) run every 10 s against each service meanwhile, as compose does.
#
#   scripts/measure-footprint.sh [--rate 50] [--duration 3m]
#
# Starts the native stack if it is not running (and stops it again afterwards). Samples VmRSS of
# each pid named in the stack's pid files every second and reads the kernel's own high-water mark
# (VmHWM) at the end; a healthcheck's peak comes from GNU time (%M, max RSS of a short-lived process).
# Postgres and Redis (scripts/backends.sh) are sampled too; Postgres as the summed Pss of its processes.
# Prints a Markdown table: process, peak MiB, suggested limit = 1.5 × peak rounded up to 32 MiB.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
RATE=50 DURATION=3m
while [ $# -gt 0 ]; do
  case "$1" in
    --rate) RATE="$2"; shift 2 ;;
    --duration) DURATION="$2"; shift 2 ;;
    *) echo "usage: $0 [--rate N] [--duration 3m]" >&2; exit 2 ;;
  esac
done
NODE_BIN="${NODE_BIN:-$(command -v node)}"
export NODE_BIN ADMIN_TOKEN="${ADMIN_TOKEN:-otelkit-admin-token}"
[ -x /usr/bin/time ] || { echo "needs GNU time (/usr/bin/time, Debian package: time)" >&2; exit 1; }

eval "$(scripts/native-stack.sh env)"
started_here=0
if ! scripts/native-stack.sh status | grep -q 'api: running'; then
  scripts/native-stack.sh start >/dev/null
  started_here=1
fi
work="$(mktemp -d)"
cleanup() {
  [ -n "${sampler:-}" ] && kill "$sampler" 2>/dev/null || true
  [ -n "${checker:-}" ] && kill "$checker" 2>/dev/null || true
  [ "$started_here" = 1 ] && scripts/native-stack.sh stop >/dev/null || true
}
trap cleanup EXIT

# The stack's long-running processes (the sink stands in for Tempo and Loki: not measured).
PROCS=(api payments worker collector prometheus alertmanager)
kib() { awk -v k="$2" '$1 == k":" { print $2 }' "/proc/$1/status" 2>/dev/null || true; }

# Postgres and Redis from scripts/backends.sh (state beside the native stack's). Postgres is many
# processes sharing memory: their summed proportional set size (Pss) is what its container is charged.
BACKENDS="$(dirname "$STATE")"
postgres_kib() {
  local main; main="$(head -n 1 "$BACKENDS/postgres/postmaster.pid" 2>/dev/null)" || return 0
  local pids=("$main") pid
  for pid in /proc/[0-9]*; do
    [ "$(awk '{ print $4 }' "$pid/stat" 2>/dev/null)" = "$main" ] && pids+=("${pid#/proc/}")
  done
  for pid in "${pids[@]}"; do awk '$1 == "Pss:" { print $2 }' "/proc/$pid/smaps_rollup" 2>/dev/null; done | awk '{ s += $1 } END { print s + 0 }'
}

sample() { # every second: the highest VmRSS seen per process (VmHWM is checked at the end too)
  while true; do
    echo "postgres $(postgres_kib)" >> "$work/samples"
    [ -s "$BACKENDS/redis-6379.pid" ] && echo "redis $(kib "$(cat "$BACKENDS/redis-6379.pid")" VmRSS)" >> "$work/samples"
    for name in "${PROCS[@]}" loadgen; do
      local pidfile="$STATE/pids/$name.pid"; [ "$name" = loadgen ] && pidfile="$work/loadgen.pid"
      [ -s "$pidfile" ] || continue
      local rss; rss="$(kib "$(cat "$pidfile")" VmRSS)"
      [ -n "$rss" ] && echo "$name $rss" >> "$work/samples"
    done
    sleep 1
  done
}

healthchecks() { # compose's healthcheck, every 10 s per service
  while true; do
    for url in http://127.0.0.1:8080/health/ready http://127.0.0.1:8081/health/ready http://127.0.0.1:8082/health/ready; do
      /usr/bin/time -f "healthcheck.mjs %M" -a -o "$work/samples" "$NODE_BIN" src/cli/healthcheck.mjs "$url" >/dev/null 2>&1 || true
    done
    sleep 10
  done
}

sample & sampler=$!
healthchecks & checker=$!
echo "mixed load at $RATE req/s for $DURATION ..." >&2
OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 OTEL_RESOURCE_ATTRIBUTES=deployment.environment.name=native \
  "$NODE_BIN" --import ./src/instrumentation.ts src/cli/loadgen.ts \
  --rate "$RATE" --duration "$DURATION" --scenario mixed > "$work/loadgen.log" 2>&1 &
echo $! > "$work/loadgen.pid"
loadgen_hwm=0
while kill -0 "$(cat "$work/loadgen.pid")" 2>/dev/null; do
  hwm="$(kib "$(cat "$work/loadgen.pid")" VmHWM)"; [ -n "$hwm" ] && loadgen_hwm="$hwm"
  sleep 1
done
wait "$(cat "$work/loadgen.pid")" || echo "loadgen exited non-zero (see below)" >&2
tail -n 12 "$work/loadgen.log" >&2
for name in "${PROCS[@]}"; do echo "$name $(kib "$(cat "$STATE/pids/$name.pid")" VmHWM)" >> "$work/samples"; done
[ -s "$BACKENDS/redis-6379.pid" ] && echo "redis $(kib "$(cat "$BACKENDS/redis-6379.pid")" VmHWM)" >> "$work/samples"
echo "loadgen $loadgen_hwm" >> "$work/samples"

echo "| process | peak RSS (MiB) | limit = 1.5 × peak, rounded up to 32 MiB |"
echo "| --- | ---: | ---: |"
awk '$2 > 0 { if ($2 > peak[$1]) peak[$1] = $2 }
  END { for (p in peak) { mib = peak[p] / 1024; steps = int(mib * 1.5 / 32); if (steps * 32 < mib * 1.5) steps++; limit = steps * 32
        printf "| %s | %.0f | %dm |\n", p, mib, limit } }' "$work/samples" | sort
