#!/usr/bin/env bash
# FerretDB v1 (MongoDB wire protocol) with the SQLite backend, built with the machine's Go from
# the Go module proxy (deploy/local/ferretdb/ embeds the public ferretdb package). No Docker needed.
#
#   deploy/local/ferretdb.sh install | start | stop | status
#   deploy/local/ferretdb.sh ping [URI]   # MongoDB ping (default: the local server)
#
# Environment: MONGO_PORT (27017), FERRETDB_DATA_DIR (${LOCAL_SERVERS_HOME}/data/ferretdb),
# FERRETDB_LOG_LEVEL (warn), FERRETDB_START_TIMEOUT (60), LOCAL_SERVERS_HOME (see lib.sh).
set -euo pipefail

SERVER_NAME=ferretdb
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

FERRETDB_VERSION=v1.24.2
FERRETDB_HOST=127.0.0.1
MONGO_PORT="${MONGO_PORT:-27017}"
FERRETDB_DATA_DIR="$(abs_path "${FERRETDB_DATA_DIR:-$DATA_ROOT/ferretdb}")"
FERRETDB_LOG_LEVEL="${FERRETDB_LOG_LEVEL:-warn}"
FERRETDB_START_TIMEOUT="${FERRETDB_START_TIMEOUT:-60}"

FERRETDB_SRC_DIR="$LOCAL_SCRIPTS_DIR/ferretdb"
FERRETDB_PATCHES=("$FERRETDB_SRC_DIR"/patches/*.patch)
FERRETDB_SRC_FILES=("$FERRETDB_SRC_DIR/main.go" "$FERRETDB_SRC_DIR/go.mod" "$FERRETDB_SRC_DIR/go.sum" "${FERRETDB_PATCHES[@]}")
FERRETDB_BIN_DIR="$CACHE_DIR/ferretdb-$FERRETDB_VERSION"
FERRETDB_BIN="$FERRETDB_BIN_DIR/ferretdb-local"
# What a running server's command line must contain: the binary's name, not its path, so a stop
# run with another LOCAL_SERVERS_CACHE (the path differs) still finds the server it started.
FERRETDB_PID_PATTERN="$(basename "$FERRETDB_BIN")"
FERRETDB_STAMP="$FERRETDB_BIN_DIR/.installed"
FERRETDB_LOG="$LOG_DIR/ferretdb.log"
FERRETDB_URI="mongodb://$FERRETDB_HOST:$MONGO_PORT/"

ferretdb_installed() {
  [[ -x "$FERRETDB_BIN" && -f "$FERRETDB_STAMP" ]] &&
    [[ "$(cat "$FERRETDB_STAMP")" == "$(files_hash "${FERRETDB_SRC_FILES[@]}")" ]]
}

cmd_install() {
  if ferretdb_installed; then
    log "FerretDB $FERRETDB_VERSION already built ($FERRETDB_BIN)"
    return 0
  fi
  require_cmd go
  grep -q "github.com/FerretDB/FerretDB $FERRETDB_VERSION\$" "$FERRETDB_SRC_DIR/go.mod" ||
    die "FERRETDB_VERSION=$FERRETDB_VERSION does not match $FERRETDB_SRC_DIR/go.mod"
  log "building FerretDB $FERRETDB_VERSION with $(go env GOVERSION) (first build takes a few minutes)"
  local started
  started="$(now_s)"
  require_cmd patch
  mkdir -p "$FERRETDB_BIN_DIR"
  local build_log="$LOG_DIR/ferretdb-build.log"
  # FerretDB's SQLite backend is patched before the build (ferretdb/patches, see README.md there):
  # the module's sources are vendored into a scratch copy, patched, built, and the copy removed.
  local build_dir="$FERRETDB_BIN_DIR/build"
  remove_build_dir() { [[ ! -d "$build_dir" ]] || { chmod -R u+w "$build_dir" && rm -rf "$build_dir"; }; }
  remove_build_dir
  mkdir -p "$build_dir"
  cp "$FERRETDB_SRC_DIR/main.go" "$FERRETDB_SRC_DIR/go.mod" "$FERRETDB_SRC_DIR/go.sum" "$build_dir/"
  if ! (
    set -e
    cd "$build_dir"
    go mod vendor
    chmod -R u+w vendor
    local patch_file
    for patch_file in "${FERRETDB_PATCHES[@]}"; do
      echo "applying $(basename "$patch_file")"
      patch --forward --batch -p1 -d vendor/github.com/FerretDB/FerretDB <"$patch_file"
    done
    CGO_ENABLED=0 go build -mod=vendor -trimpath -buildvcs=false -o "$FERRETDB_BIN.tmp" .
  ) >"$build_log" 2>&1; then
    remove_build_dir
    tail -n 30 "$build_log" >&2
    die "go build failed (log: $build_log)"
  fi
  remove_build_dir
  mv -f "$FERRETDB_BIN.tmp" "$FERRETDB_BIN"
  files_hash "${FERRETDB_SRC_FILES[@]}" >"$FERRETDB_STAMP"
  log "built $FERRETDB_BIN in $(($(now_s) - started))s"
}

ferretdb_ping() {
  "$FERRETDB_BIN" -ping "${1:-$FERRETDB_URI}" -ping-timeout 3s
}

# Healthy = the port accepts connections and a MongoDB `ping` command succeeds.
ferretdb_healthy() {
  port_open "$FERRETDB_HOST" "$MONGO_PORT" && ferretdb_ping >/dev/null 2>&1
}

do_start() {
  local pid started
  ferretdb_installed || cmd_install
  if pid="$(running_pid ferretdb "$FERRETDB_PID_PATTERN")"; then
    if ferretdb_healthy; then
      log "already running (pid $pid) on $FERRETDB_HOST:$MONGO_PORT"
      return 0
    fi
    log "running (pid $pid) but not answering yet; waiting"
    wait_until ferretdb "$pid" "$FERRETDB_START_TIMEOUT" "$FERRETDB_LOG" ferretdb_healthy ||
      die "FerretDB (pid $pid) is not healthy"
    log "ready on $FERRETDB_HOST:$MONGO_PORT"
    return 0
  fi
  port_free_or_die "$FERRETDB_HOST" "$MONGO_PORT" MONGO_PORT
  mkdir -p "$FERRETDB_DATA_DIR"
  # WAL (FerretDB's default) with synchronous=NORMAL: a commit no longer waits for an fsync, which
  # halves bulk-write latency here; a crash of the process loses nothing, a power cut may lose
  # the last transactions (fine for local servers; production runs MongoDB).
  : "${FERRETDB_SQLITE_PARAMS:=_pragma=synchronous(normal)}"
  started="$(now_s)"
  start_detached ferretdb "$FERRETDB_LOG" "$FERRETDB_BIN" \
    -listen-addr "$FERRETDB_HOST:$MONGO_PORT" \
    -handler sqlite \
    -sqlite-url "file:$FERRETDB_DATA_DIR/?$FERRETDB_SQLITE_PARAMS" \
    -log-level "$FERRETDB_LOG_LEVEL"
  pid="$(read_pid ferretdb)"
  log "started (pid $pid), waiting for $FERRETDB_HOST:$MONGO_PORT"
  wait_until ferretdb "$pid" "$FERRETDB_START_TIMEOUT" "$FERRETDB_LOG" ferretdb_healthy ||
    die "FerretDB did not become healthy (timeout ${FERRETDB_START_TIMEOUT}s, log: $FERRETDB_LOG)"
  log "ready on $FERRETDB_HOST:$MONGO_PORT in $(($(now_s) - started))s"
}

cmd_status() {
  local pid
  if pid="$(running_pid ferretdb "$FERRETDB_PID_PATTERN")"; then
    log "running (pid $pid) on $FERRETDB_HOST:$MONGO_PORT (data: $FERRETDB_DATA_DIR)"
    return 0
  fi
  log "not running"
  return 3
}

case "${1:-}" in
  install) with_lock ferretdb cmd_install ;;
  start) with_lock ferretdb do_start ;;
  stop) with_lock ferretdb stop_pid ferretdb "$FERRETDB_PID_PATTERN" "${FERRETDB_STOP_TIMEOUT:-20}" ;;
  status) cmd_status ;;
  ping)
    ferretdb_installed || die "not installed; run: $0 install"
    ferretdb_ping "${2:-}"
    ;;
  *) usage "$0" 'install|start|stop|status|ping' ;;
esac
