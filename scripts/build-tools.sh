#!/usr/bin/env bash
# Builds the Go tool binaries the native stack and CI run, into a cache OUTSIDE the repository:
#   ${OTELKIT_CACHE:-$HOME/.cache/otelkit}/bin/<tool>-<version>/
#     builder-<v>/builder                      OpenTelemetry Collector Builder (ocb)
#     otelcol-otelkit-<v>/otelcol-otelkit      our distribution (collector/builder-config.yaml)
#     prometheus-<v>/{prometheus,promtool}     tools/prometheus/go.mod (pinned `tool` deps)
#     alertmanager-<v>/{alertmanager,amtool}   tools/alertmanager/go.mod
#     compose-<v>/docker-compose               tools/compose/go.mod (Docker Compose, for `config` checks)
#     telemetrygen-<v>/telemetrygen            tools/telemetrygen/go.mod (OTLP load for `npm run bench`)
#     k8s-check-<hash>/k8s-check, crds/        tools/k8s-check (renders + strictly decodes deploy/kubernetes;
#                                              the OpenTelemetry Operator's CRDs from its module)
# Versions are read from those manifests (the single source of truth). A tool is skipped when its
# binaries exist and were built from the same inputs (a stamp holds a hash of the manifest + flags).
# Then the Collector configs are validated with the built distribution (fails the script if invalid).
#
# Usage:
#   scripts/build-tools.sh [TOOL...]        TOOL = otelcol | prometheus | alertmanager | compose | telemetrygen | k8s-check (default: all)
#   eval "$(scripts/build-tools.sh --print-env)"
#       builds whatever is missing (progress on stderr), then prints on stdout
#       OTELCOL_BIN= PROMETHEUS_BIN= PROMTOOL_BIN= ALERTMANAGER_BIN= AMTOOL_BIN= COMPOSE_BIN= TELEMETRYGEN_BIN=
#       K8S_CHECK_BIN= K8S_CHECK_CRDS=
#       (absolute paths)
# compose is also installed as the docker CLI plugin (~/.docker/cli-plugins/docker-compose) when a
# docker CLI exists; tests call COMPOSE_BIN directly (`docker-compose config` needs no engine or CLI).
#
# Cold on 2 cores with empty Go caches: ~15 min in all (otelcol ~7, prometheus ~6, alertmanager
# ~1, compose ~1.5, builder ~0.5, telemetrygen ~1, k8s-check ~2); cached: <1 s. Measurements in
# collector/README.md (k8s-check: deploy/kubernetes/README.md).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${OTELKIT_CACHE:-$HOME/.cache/otelkit}"
BIN_ROOT="$CACHE/bin"

# Only the machine's Go: a go.mod `toolchain` line must never trigger a toolchain download.
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"

OTELCOL_MANIFEST="$ROOT/collector/builder-config.yaml"
PROM_MOD="$ROOT/tools/prometheus"
AM_MOD="$ROOT/tools/alertmanager"
COMPOSE_MOD="$ROOT/tools/compose"
TELEMETRYGEN_MOD="$ROOT/tools/telemetrygen"
K8S_CHECK_MOD="$ROOT/tools/k8s-check"

# Prometheus without the cloud/Kubernetes service-discovery plugins (static, file and http SD stay):
# halves its compile time and binary size; compose and the native stack use static targets only.
PROM_TAGS="remove_all_sd"

log() { printf '[build-tools] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# ---------------------------------------------------------------- versions (from the manifests)
# dist.version in the builder manifest; every component there is pinned at the same v<version>.
OTELCOL_VERSION="$(sed -n 's/^[[:space:]]*version:[[:space:]]*\([0-9][0-9.]*\)[[:space:]]*$/\1/p' "$OTELCOL_MANIFEST" | head -n1)"
# Prometheus 3.MM.P is published as Go module version v0.3MM.P.
PROM_GOVERSION="$(awk '$1 == "github.com/prometheus/prometheus" { print $2; exit }' "$PROM_MOD/go.mod")"
AM_GOVERSION="$(awk '$1 == "github.com/prometheus/alertmanager" { print $2; exit }' "$AM_MOD/go.mod")"
[[ -n "$OTELCOL_VERSION" ]] || die "no dist.version in $OTELCOL_MANIFEST"
[[ "$PROM_GOVERSION" =~ ^v0\.3([0-9]{2})\.([0-9]+)$ ]] || die "unexpected Prometheus module version '$PROM_GOVERSION'"
PROMETHEUS_VERSION="3.$((10#${BASH_REMATCH[1]})).${BASH_REMATCH[2]}"
[[ "$AM_GOVERSION" =~ ^v([0-9]+\.[0-9]+\.[0-9]+)$ ]] || die "unexpected Alertmanager module version '$AM_GOVERSION'"
ALERTMANAGER_VERSION="${BASH_REMATCH[1]}"
COMPOSE_GOVERSION="$(awk '$1 == "github.com/docker/compose/v5" { print $2; exit }' "$COMPOSE_MOD/go.mod")"
[[ "$COMPOSE_GOVERSION" =~ ^v([0-9]+\.[0-9]+\.[0-9]+)$ ]] || die "unexpected Compose module version '$COMPOSE_GOVERSION'"
COMPOSE_VERSION="${BASH_REMATCH[1]}"
TELEMETRYGEN_GOVERSION="$(awk '$1 == "github.com/open-telemetry/opentelemetry-collector-contrib/cmd/telemetrygen" { print $2; exit }' "$TELEMETRYGEN_MOD/go.mod")"
[[ "$TELEMETRYGEN_GOVERSION" =~ ^v([0-9]+\.[0-9]+\.[0-9]+)$ ]] || die "unexpected telemetrygen module version '$TELEMETRYGEN_GOVERSION'"
TELEMETRYGEN_VERSION="${BASH_REMATCH[1]}"

BUILDER_DIR="$BIN_ROOT/builder-$OTELCOL_VERSION"
OTELCOL_DIR="$BIN_ROOT/otelcol-otelkit-$OTELCOL_VERSION"
PROM_DIR="$BIN_ROOT/prometheus-$PROMETHEUS_VERSION"
AM_DIR="$BIN_ROOT/alertmanager-$ALERTMANAGER_VERSION"
COMPOSE_DIR="$BIN_ROOT/compose-$COMPOSE_VERSION"
TELEMETRYGEN_DIR="$BIN_ROOT/telemetrygen-$TELEMETRYGEN_VERSION"
# Our own tool, no upstream version: keyed by the hash of its sources and pinned module graph.
K8S_CHECK_HASH="$(cat "$K8S_CHECK_MOD"/go.mod "$K8S_CHECK_MOD"/go.sum "$K8S_CHECK_MOD"/*.go | sha256sum | cut -c1-16)"
K8S_CHECK_DIR="$BIN_ROOT/k8s-check-$K8S_CHECK_HASH"

OTELCOL_BIN="$OTELCOL_DIR/otelcol-otelkit"
PROMETHEUS_BIN="$PROM_DIR/prometheus"
PROMTOOL_BIN="$PROM_DIR/promtool"
ALERTMANAGER_BIN="$AM_DIR/alertmanager"
AMTOOL_BIN="$AM_DIR/amtool"
COMPOSE_BIN="$COMPOSE_DIR/docker-compose"
TELEMETRYGEN_BIN="$TELEMETRYGEN_DIR/telemetrygen"
K8S_CHECK_BIN="$K8S_CHECK_DIR/k8s-check"
K8S_CHECK_CRDS="$K8S_CHECK_DIR/crds"

# ---------------------------------------------------------------- helpers
check_go() {
  command -v go >/dev/null 2>&1 || die "go not found in PATH (Go 1.26 expected at /usr/local/go/bin)"
  local v
  v="$(go env GOVERSION)"                      # e.g. go1.26.8
  [[ "$v" =~ ^go1\.([0-9]+) ]] || die "cannot parse Go version '$v'"
  (( BASH_REMATCH[1] >= 26 )) || die "Go >= 1.26 needed (tools/*/go.mod say go 1.26), found $v"
}

# Hash of everything a build depends on; stored next to the binaries.
inputs_hash() { cat "$@" | sha256sum | cut -c1-16; }

# up_to_date DIR HASH BIN...: true if every BIN exists and DIR/.stamp holds HASH.
up_to_date() {
  local dir="$1" hash="$2"; shift 2
  [[ -f "$dir/.stamp" && "$(cat "$dir/.stamp")" == "$hash" ]] || return 1
  local b; for b in "$@"; do [[ -x "$b" ]] || return 1; done
}

timed() {  # timed LABEL CMD...: runs CMD, logs its wall time
  local label="$1" start=$SECONDS; shift
  "$@"
  log "$label done in $((SECONDS - start))s"
}

# ---------------------------------------------------------------- builds
build_builder() {
  local hash; hash="$(printf 'builder %s' "$OTELCOL_VERSION" | sha256sum | cut -c1-16)"
  if up_to_date "$BUILDER_DIR" "$hash" "$BUILDER_DIR/builder"; then
    log "builder $OTELCOL_VERSION: cached ($BUILDER_DIR)"; return
  fi
  log "builder $OTELCOL_VERSION: go install go.opentelemetry.io/collector/cmd/builder@v$OTELCOL_VERSION"
  mkdir -p "$BUILDER_DIR"
  # The builder's go.mod has no replace/exclude directives, so `go install pkg@version` is allowed.
  timed "builder" env GOBIN="$BUILDER_DIR" go install "go.opentelemetry.io/collector/cmd/builder@v$OTELCOL_VERSION"
  echo "$hash" > "$BUILDER_DIR/.stamp"
}

build_otelcol() {
  build_builder
  local hash; hash="$(inputs_hash "$OTELCOL_MANIFEST")"
  if up_to_date "$OTELCOL_DIR" "$hash" "$OTELCOL_BIN"; then
    log "otelcol-otelkit $OTELCOL_VERSION: cached ($OTELCOL_BIN)"; return
  fi
  log "otelcol-otelkit $OTELCOL_VERSION: generating + compiling from collector/builder-config.yaml (4-7 min cold)"
  rm -f "$OTELCOL_DIR/.stamp"
  mkdir -p "$OTELCOL_DIR"
  # output_path in the manifest is "." = the builder's working directory, i.e. this cache dir:
  # generated sources (main.go, components.go, go.mod, go.sum) and the binary land there.
  timed "otelcol-otelkit" bash -c 'cd "$1" && "$2" --config "$3" >build.log 2>&1 || { tail -n 40 build.log >&2; exit 1; }' \
    _ "$OTELCOL_DIR" "$BUILDER_DIR/builder" "$OTELCOL_MANIFEST"
  echo "$hash" > "$OTELCOL_DIR/.stamp"
}

# go_tool_build MODULE_DIR OUT_DIR VERSION_LDFLAG TAGS PKG...
go_tool_build() {
  local mod="$1" out="$2" version="$3" tags="$4"; shift 4
  # -mod=readonly (the default) + the committed go.sum: the build uses exactly the pinned graph.
  (cd "$mod" && go build -trimpath -tags "$tags" \
      -ldflags "-s -w -X github.com/prometheus/common/version.Version=$version -X github.com/prometheus/common/version.BuildUser=otelkit" \
      -o "$out/" "$@")
}

build_prometheus() {
  local hash; hash="$(inputs_hash "$PROM_MOD/go.mod" "$PROM_MOD/go.sum" <(echo "$PROM_TAGS"))"
  if up_to_date "$PROM_DIR" "$hash" "$PROMETHEUS_BIN" "$PROMTOOL_BIN"; then
    log "prometheus $PROMETHEUS_VERSION: cached ($PROM_DIR)"; return
  fi
  log "prometheus $PROMETHEUS_VERSION ($PROM_GOVERSION): building prometheus + promtool (3-6 min cold)"
  rm -f "$PROM_DIR/.stamp"
  mkdir -p "$PROM_DIR"
  timed "prometheus+promtool" go_tool_build "$PROM_MOD" "$PROM_DIR" "$PROMETHEUS_VERSION" "$PROM_TAGS" \
    github.com/prometheus/prometheus/cmd/prometheus github.com/prometheus/prometheus/cmd/promtool
  echo "$hash" > "$PROM_DIR/.stamp"
}

build_alertmanager() {
  local hash; hash="$(inputs_hash "$AM_MOD/go.mod" "$AM_MOD/go.sum" "$AM_MOD/ui-stub/index.html")"
  if up_to_date "$AM_DIR" "$hash" "$ALERTMANAGER_BIN" "$AMTOOL_BIN"; then
    log "alertmanager $ALERTMANAGER_VERSION: cached ($AM_DIR)"; return
  fi
  log "alertmanager $ALERTMANAGER_VERSION: building alertmanager + amtool (~1 min cold)"
  rm -f "$AM_DIR/.stamp"
  mkdir -p "$AM_DIR"
  # Since 0.32 the module has no built web UI, and ui/web.go embeds ui/app/dist unconditionally, so
  # the module as served does not compile. Build a copy instead: `go mod download` verifies the
  # module against go.sum, the copy gets our placeholder page as ui/app/dist, and a build-only
  # modfile (the committed go.mod/go.sum stay untouched) replaces the module by that copy.
  local src="$AM_DIR/src" dir
  dir="$(cd "$AM_MOD" && go mod download -json "github.com/prometheus/alertmanager@$AM_GOVERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [[ -d "$dir" ]] || die "go mod download github.com/prometheus/alertmanager@$AM_GOVERSION gave no directory"
  rm -rf "$src" && cp -r "$dir" "$src" && chmod -R u+w "$src"
  mkdir -p "$src/ui/app/dist"
  gzip -9nc "$AM_MOD/ui-stub/index.html" > "$src/ui/app/dist/index.html.gz"
  cp "$AM_MOD/go.mod" "$AM_DIR/go.build.mod" && cp "$AM_MOD/go.sum" "$AM_DIR/go.build.sum"
  (cd "$AM_MOD" && go mod edit -modfile="$AM_DIR/go.build.mod" -replace "github.com/prometheus/alertmanager=$src")
  timed "alertmanager+amtool" go_tool_build "$AM_MOD" "$AM_DIR" "$ALERTMANAGER_VERSION" "" \
    -modfile="$AM_DIR/go.build.mod" \
    github.com/prometheus/alertmanager/cmd/alertmanager github.com/prometheus/alertmanager/cmd/amtool
  rm -rf "$src"
  echo "$hash" > "$AM_DIR/.stamp"
}

build_compose() {
  local hash; hash="$(inputs_hash "$COMPOSE_MOD/go.mod" "$COMPOSE_MOD/go.sum")"
  if up_to_date "$COMPOSE_DIR" "$hash" "$COMPOSE_BIN"; then
    log "compose $COMPOSE_VERSION: cached ($COMPOSE_BIN)"
  else
    log "compose $COMPOSE_VERSION: building docker-compose (~4 min cold)"
    rm -f "$COMPOSE_DIR/.stamp"
    mkdir -p "$COMPOSE_DIR"
    # Same flags as compose's own Makefile (GO_LDFLAGS sets internal.Version; `version` prints it);
    # its e2e build tag only matters to compose's own test suite.
    timed "compose" bash -c 'cd "$1" && go build -trimpath -ldflags "-s -w -X github.com/docker/compose/v5/internal.Version=v$2" -o "$3" github.com/docker/compose/v5/cmd' \
      _ "$COMPOSE_MOD" "$COMPOSE_VERSION" "$COMPOSE_BIN"
    echo "$hash" > "$COMPOSE_DIR/.stamp"
  fi
  # `docker compose` for users who have the docker CLI; the binary works standalone as well.
  if command -v docker >/dev/null 2>&1; then
    local plugins="${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins"
    mkdir -p "$plugins"
    ln -sfn "$COMPOSE_BIN" "$plugins/docker-compose"
  fi
}

build_telemetrygen() {
  local hash; hash="$(inputs_hash "$TELEMETRYGEN_MOD/go.mod" "$TELEMETRYGEN_MOD/go.sum")"
  if up_to_date "$TELEMETRYGEN_DIR" "$hash" "$TELEMETRYGEN_BIN"; then
    log "telemetrygen $TELEMETRYGEN_VERSION: cached ($TELEMETRYGEN_BIN)"; return
  fi
  log "telemetrygen $TELEMETRYGEN_VERSION: building (~1 min cold)"
  rm -f "$TELEMETRYGEN_DIR/.stamp"
  mkdir -p "$TELEMETRYGEN_DIR"
  timed "telemetrygen" bash -c 'cd "$1" && go build -trimpath -ldflags "-s -w" -o "$2" github.com/open-telemetry/opentelemetry-collector-contrib/cmd/telemetrygen' \
    _ "$TELEMETRYGEN_MOD" "$TELEMETRYGEN_BIN"
  echo "$hash" > "$TELEMETRYGEN_DIR/.stamp"
}

build_k8s_check() {
  if up_to_date "$K8S_CHECK_DIR" "$K8S_CHECK_HASH" "$K8S_CHECK_BIN" && [[ -f "$K8S_CHECK_CRDS/opentelemetry.io_opentelemetrycollectors.yaml" ]]; then
    log "k8s-check: cached ($K8S_CHECK_BIN)"; return
  fi
  log "k8s-check: building (k8s.io/api, kustomize/api, opentelemetry-operator apis; ~2 min cold)"
  rm -f "$K8S_CHECK_DIR/.stamp"
  mkdir -p "$K8S_CHECK_CRDS"
  timed "k8s-check" bash -c 'cd "$1" && go build -trimpath -ldflags "-s -w" -o "$2" .' _ "$K8S_CHECK_MOD" "$K8S_CHECK_BIN"
  # The operator's CRDs, from the same module version the checker decodes with (verified against
  # go.sum by `go mod download`), so custom resources are validated against their served schema.
  local op dir
  op="$(awk '$1 == "github.com/open-telemetry/opentelemetry-operator" { print $2; exit }' "$K8S_CHECK_MOD/go.mod")"
  dir="$(cd "$K8S_CHECK_MOD" && go mod download -json "github.com/open-telemetry/opentelemetry-operator@$op" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [[ -d "$dir/config/crd/bases" ]] || die "go mod download github.com/open-telemetry/opentelemetry-operator@$op gave no config/crd/bases"
  rm -f "$K8S_CHECK_CRDS"/*.yaml
  cp "$dir/config/crd/bases/opentelemetry.io_opentelemetrycollectors.yaml" "$K8S_CHECK_CRDS/"
  chmod u+w "$K8S_CHECK_CRDS"/*.yaml
  echo "$K8S_CHECK_HASH" > "$K8S_CHECK_DIR/.stamp"
}

validate_collector_configs() {
  # Each combination a Collector is started with: config.yaml alone (compose's default, minus the
  # compose-only file below), and with the host-metrics overlay (the native stack, and compose's
  # Linux overlay), so no collector/*.yaml this distribution can load goes unvalidated.
  log "validating collector/config.yaml"
  "$OTELCOL_BIN" validate --config "$ROOT/collector/config.yaml" \
    || die "collector/config.yaml is invalid for otelcol-otelkit $OTELCOL_VERSION"
  log "validating collector/config.yaml + collector/config.hostmetrics.yaml"
  "$OTELCOL_BIN" validate --config "$ROOT/collector/config.yaml" --config "$ROOT/collector/config.hostmetrics.yaml" \
    || die "collector/config.hostmetrics.yaml is invalid over config.yaml for otelcol-otelkit $OTELCOL_VERSION"
  # The scale-out tiers (docker-compose.gateway.yml, docs/scaling.md); the gateway needs HOSTNAME.
  log "validating collector/agent.yaml"
  "$OTELCOL_BIN" validate --config "$ROOT/collector/agent.yaml" \
    || die "collector/agent.yaml is invalid for otelcol-otelkit $OTELCOL_VERSION"
  log "validating collector/gateway.yaml"
  HOSTNAME=validate "$OTELCOL_BIN" validate --config "$ROOT/collector/gateway.yaml" \
    || die "collector/gateway.yaml is invalid for otelcol-otelkit $OTELCOL_VERSION"
  if [[ -f "$ROOT/tests/e2e/sink-collector.yaml" ]]; then
    log "validating tests/e2e/sink-collector.yaml"
    local tmp; tmp="$(mktemp -d)"
    SINK_DIR="$tmp" "$OTELCOL_BIN" validate --config "$ROOT/tests/e2e/sink-collector.yaml" \
      || { rm -rf "$tmp"; die "tests/e2e/sink-collector.yaml is invalid"; }
    rm -rf "$tmp"
  fi
  # collector/config.compose.yaml cannot be validated here: it names components our distribution
  # lacks (see collector/README.md); the compose image validates it at start.
  local f known=" config.yaml config.hostmetrics.yaml config.compose.yaml builder-config.yaml agent.yaml gateway.yaml "
  for f in "$ROOT"/collector/*.yaml; do
    [[ "$known" == *" $(basename "$f") "* ]] || die "collector/$(basename "$f") is not validated: add it to validate_collector_configs"
  done
}

print_env() {
  printf 'OTELCOL_BIN=%q\n' "$OTELCOL_BIN"
  printf 'PROMETHEUS_BIN=%q\n' "$PROMETHEUS_BIN"
  printf 'PROMTOOL_BIN=%q\n' "$PROMTOOL_BIN"
  printf 'ALERTMANAGER_BIN=%q\n' "$ALERTMANAGER_BIN"
  printf 'AMTOOL_BIN=%q\n' "$AMTOOL_BIN"
  printf 'COMPOSE_BIN=%q\n' "$COMPOSE_BIN"
  printf 'TELEMETRYGEN_BIN=%q\n' "$TELEMETRYGEN_BIN"
  printf 'K8S_CHECK_BIN=%q\n' "$K8S_CHECK_BIN"
  printf 'K8S_CHECK_CRDS=%q\n' "$K8S_CHECK_CRDS"
}

# ---------------------------------------------------------------- main
main() {
  local want_env=0 tools=()
  local a; for a in "$@"; do
    case "$a" in
      --print-env) want_env=1 ;;
      otelcol|prometheus|alertmanager|compose|telemetrygen|k8s-check) tools+=("$a") ;;
      -h|--help) sed -n '2,28p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
      *) die "unknown argument '$a' (try --help)" ;;
    esac
  done
  (( ${#tools[@]} )) || tools=(otelcol prometheus alertmanager compose telemetrygen k8s-check)

  check_go
  mkdir -p "$BIN_ROOT"
  log "cache: $BIN_ROOT (otelcol $OTELCOL_VERSION, prometheus $PROMETHEUS_VERSION, alertmanager $ALERTMANAGER_VERSION, compose $COMPOSE_VERSION, telemetrygen $TELEMETRYGEN_VERSION)"
  local start=$SECONDS t
  for t in "${tools[@]}"; do
    case "$t" in
      otelcol) build_otelcol; validate_collector_configs ;;
      prometheus) build_prometheus ;;
      alertmanager) build_alertmanager ;;
      compose) build_compose ;;
      telemetrygen) build_telemetrygen ;;
      k8s-check) build_k8s_check ;;
    esac
  done
  log "all done in $((SECONDS - start))s"
  if (( want_env )); then print_env; fi
}

main "$@"
