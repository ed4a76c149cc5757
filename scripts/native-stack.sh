#!/usr/bin/env bash
# The native stack: the same config files as docker compose, run as local processes on 127.0.0.1 —
# our Collector build, Prometheus, Alertmanager and the api/payments/worker services (with Postgres
# and Redis from scripts/backends.sh). Tempo and Loki cannot run here (AGPL, images only): a second
# Collector (tests/e2e/sink-collector.yaml) stands in for both and writes what it receives to files.
#
#   scripts/native-stack.sh start|stop|status|env
#
# Compose hostnames: the Collector takes its endpoints from environment variables; Prometheus and
# Alertmanager configs have no variable expansion, so they are copied into the state directory with
# only the compose hostnames replaced by 127.0.0.1 (nothing else changes, tests/static checks that).
#
# Ports: this is the one stack on fixed ports, compose's own (api 8080, payments 8081, worker 8082,
# Collector 4317/4318/13133/8888, Prometheus 9090, Alertmanager 9093, ...), because the configs it runs
# are the shipped ones and tests/e2e checks them as shipped. It owns them: every other test gets its
# ports from the OS (tests/helpers/ports.ts), so nothing else on this machine asks for them.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
if [ "$(id -u)" = 0 ]; then DEFAULT_STATE=/var/tmp/otelkit; else DEFAULT_STATE="$HOME/.cache/otelkit/state"; fi
STATE="${OTELKIT_STATE:-$DEFAULT_STATE}/native"
SINK_DIR="$STATE/sink"
NODE_BIN="${NODE_BIN:-node}"
ADMIN_TOKEN="${ADMIN_TOKEN:-otelkit-admin-token}"
SERVICES=(sink prometheus alertmanager collector payments api worker)

die() { echo "native-stack: $*" >&2; exit 1; }

tool_env() {
  eval "$("$ROOT/scripts/build-tools.sh" --print-env)"
  for bin in "$OTELCOL_BIN" "$PROMETHEUS_BIN" "$ALERTMANAGER_BIN"; do
    [ -x "$bin" ] || die "$bin missing: run scripts/build-tools.sh"
  done
}

# Compose hostname → 127.0.0.1 in a copy of a config file (ports stay as they are).
localize() {
  sed -E 's/\b(otel-collector|prometheus|alertmanager|api|payments|worker|postgres|redis|loki|tempo|grafana):([0-9]+)/127.0.0.1:\2/g' "$1" > "$2"
}

launch() { # name, command...
  local name="$1"; shift
  setsid "$@" > "$STATE/logs/$name.log" 2>&1 < /dev/null &
  echo $! > "$STATE/pids/$name.pid"
}

wait_http() { # name, url
  local name="$1" url="$2"
  for _ in $(seq 300); do
    if curl -fsS -o /dev/null "$url" 2>/dev/null; then return 0; fi
    local pid; pid="$(cat "$STATE/pids/$name.pid")"
    kill -0 "$pid" 2>/dev/null || { tail -n 30 "$STATE/logs/$name.log" >&2; die "$name exited during start-up"; }
    sleep 0.2
  done
  tail -n 30 "$STATE/logs/$name.log" >&2
  die "$name not ready at $url"
}

service_env() {
  echo DATABASE_URL=postgres://otelkit:otelkit@127.0.0.1:5432/otelkit REDIS_URL=redis://127.0.0.1:6379 \
    PAYMENTS_URL=http://127.0.0.1:8081 HOST=127.0.0.1 ADMIN_TOKEN="$ADMIN_TOKEN" \
    OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 OTEL_RESOURCE_ATTRIBUTES=deployment.environment.name=native
}

start() {
  tool_env
  status_quiet && die "already running (scripts/native-stack.sh stop first)"
  "$ROOT/scripts/backends.sh" start >/dev/null
  rm -rf "$STATE"
  mkdir -p "$STATE"/{logs,pids,prometheus/data,alertmanager/data} "$SINK_DIR"
  localize "$ROOT/prometheus/prometheus.yml" "$STATE/prometheus/prometheus.yml"
  ln -s "$ROOT/prometheus/rules" "$STATE/prometheus/rules"
  localize "$ROOT/alertmanager/alertmanager.yml" "$STATE/alertmanager/alertmanager.yml"

  launch sink env SINK_DIR="$SINK_DIR" "$OTELCOL_BIN" --config "$ROOT/tests/e2e/sink-collector.yaml"
  launch prometheus "$PROMETHEUS_BIN" --config.file="$STATE/prometheus/prometheus.yml" \
    --storage.tsdb.path="$STATE/prometheus/data" --web.listen-address=127.0.0.1:9090 \
    --web.enable-otlp-receiver --enable-feature=exemplar-storage --web.enable-lifecycle
  launch alertmanager "$ALERTMANAGER_BIN" --config.file="$STATE/alertmanager/alertmanager.yml" \
    --storage.path="$STATE/alertmanager/data" --web.listen-address=127.0.0.1:9093 --cluster.listen-address=
  wait_http prometheus http://127.0.0.1:9090/-/ready
  wait_http alertmanager http://127.0.0.1:9093/-/ready
  launch collector env TEMPO_OTLP_ENDPOINT=127.0.0.1:14317 LOKI_OTLP_ENDPOINT=http://127.0.0.1:14318/otlp \
    PROMETHEUS_OTLP_ENDPOINT=http://127.0.0.1:9090/api/v1/otlp POSTGRES_ENDPOINT=127.0.0.1:5432 \
    REDIS_ENDPOINT=127.0.0.1:6379 OTELCOL_BIND_HOST=127.0.0.1 \
    "$OTELCOL_BIN" --config "$ROOT/collector/config.yaml" --config "$ROOT/collector/config.hostmetrics.yaml"
  wait_http collector http://127.0.0.1:13133/

  cd "$ROOT"
  # shellcheck disable=SC2046
  launch payments env $(service_env) PORT=8081 "$NODE_BIN" --import ./src/instrumentation.ts src/services/payments.ts
  # shellcheck disable=SC2046
  launch api env $(service_env) PORT=8080 "$NODE_BIN" --import ./src/instrumentation.ts src/services/api.ts
  wait_http payments http://127.0.0.1:8081/health/ready
  wait_http api http://127.0.0.1:8080/health/ready
  # shellcheck disable=SC2046
  launch worker env $(service_env) PORT=8082 "$NODE_BIN" --import ./src/instrumentation.ts src/services/worker.ts
  wait_http worker http://127.0.0.1:8082/health/ready
  echo "native stack up: api :8080, payments :8081, worker :8082, collector :4317/:4318, prometheus :9090, alertmanager :9093"
  echo "state, logs and sink files: $STATE"
}

stop() {
  local name pid
  # Reverse order: services drain and flush into a Collector that is still running.
  for ((i=${#SERVICES[@]}-1; i>=0; i--)); do
    name="${SERVICES[$i]}"
    [ -s "$STATE/pids/$name.pid" ] || continue
    pid="$(cat "$STATE/pids/$name.pid")"
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL -- "-$pid" 2>/dev/null || true
    fi
    rm -f "$STATE/pids/$name.pid"
  done
  echo "native stack stopped"
}

status_quiet() {
  local any=1
  for name in "${SERVICES[@]}"; do
    [ -s "$STATE/pids/$name.pid" ] && kill -0 "$(cat "$STATE/pids/$name.pid")" 2>/dev/null && any=0
  done
  return $any
}

status() {
  for name in "${SERVICES[@]}"; do
    if [ -s "$STATE/pids/$name.pid" ] && kill -0 "$(cat "$STATE/pids/$name.pid")" 2>/dev/null; then
      echo "$name: running (pid $(cat "$STATE/pids/$name.pid"))"
    else
      echo "$name: stopped"
    fi
  done
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  env) echo "STATE=$STATE"; echo "SINK_DIR=$SINK_DIR" ;;
  *) die "usage: scripts/native-stack.sh start|stop|status|env" ;;
esac
