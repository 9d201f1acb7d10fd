#!/usr/bin/env bash
# Toxiproxy (a TCP proxy that injects latency, resets and black holes on demand, driven through
# its HTTP API), built with the machine's Go from the Go module proxy. Only the fault-injection
# suite uses it (npm run chaos puts it between the services and MongoDB and Kafka).
#
#   deploy/local/toxiproxy.sh install | start | stop | status
#
# Environment: TOXIPROXY_PORT (8474, the HTTP API), TOXIPROXY_START_TIMEOUT (30),
# LOCAL_SERVERS_HOME and LOCAL_SERVERS_CACHE (see lib.sh).
set -euo pipefail

SERVER_NAME=toxiproxy
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TOXIPROXY_VERSION=v2.5.0
TOXIPROXY_MODULE=github.com/Shopify/toxiproxy/v2
TOXIPROXY_HOST=127.0.0.1
TOXIPROXY_PORT="${TOXIPROXY_PORT:-8474}"
TOXIPROXY_START_TIMEOUT="${TOXIPROXY_START_TIMEOUT:-30}"
TOXIPROXY_BIN_DIR="$CACHE_DIR/toxiproxy-$TOXIPROXY_VERSION"
TOXIPROXY_BIN="$TOXIPROXY_BIN_DIR/toxiproxy-server"
# The binary's name, not its path: a stop run with another LOCAL_SERVERS_CACHE still finds it.
TOXIPROXY_PID_PATTERN="$(basename "$TOXIPROXY_BIN")"
TOXIPROXY_LOG="$LOG_DIR/toxiproxy.log"

cmd_install() {
  go_build_tool Toxiproxy "$TOXIPROXY_VERSION" "$TOXIPROXY_MODULE/cmd/server" "$TOXIPROXY_BIN"
}

toxiproxy_healthy() {
  curl -fsS --max-time 2 "http://$TOXIPROXY_HOST:$TOXIPROXY_PORT/version" >/dev/null
}

do_start() {
  local pid started
  [[ -x "$TOXIPROXY_BIN" ]] || cmd_install
  if pid="$(running_pid toxiproxy "$TOXIPROXY_PID_PATTERN")"; then
    wait_until toxiproxy "$pid" "$TOXIPROXY_START_TIMEOUT" "$TOXIPROXY_LOG" toxiproxy_healthy ||
      die "toxiproxy (pid $pid) is not healthy"
    log "already running (pid $pid) on $TOXIPROXY_HOST:$TOXIPROXY_PORT"
    return 0
  fi
  require_cmd curl
  port_free_or_die "$TOXIPROXY_HOST" "$TOXIPROXY_PORT" TOXIPROXY_PORT
  started="$(now_s)"
  start_detached toxiproxy "$TOXIPROXY_LOG" "$TOXIPROXY_BIN" -host "$TOXIPROXY_HOST" -port "$TOXIPROXY_PORT"
  pid="$(read_pid toxiproxy)"
  wait_until toxiproxy "$pid" "$TOXIPROXY_START_TIMEOUT" "$TOXIPROXY_LOG" toxiproxy_healthy ||
    die "toxiproxy did not become healthy (log: $TOXIPROXY_LOG)"
  log "ready on $TOXIPROXY_HOST:$TOXIPROXY_PORT in $(($(now_s) - started))s"
}

cmd_status() {
  local pid
  if pid="$(running_pid toxiproxy "$TOXIPROXY_PID_PATTERN")"; then
    log "running (pid $pid) on $TOXIPROXY_HOST:$TOXIPROXY_PORT"
    return 0
  fi
  log "not running"
  return 3
}

case "${1:-}" in
  install) with_lock toxiproxy cmd_install ;;
  start) with_lock toxiproxy do_start ;;
  stop) with_lock toxiproxy stop_pid toxiproxy "$TOXIPROXY_PID_PATTERN" "${TOXIPROXY_STOP_TIMEOUT:-10}" ;;
  status) cmd_status ;;
  *) usage "$0" 'install|start|stop|status' ;;
esac
