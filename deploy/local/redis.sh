#!/usr/bin/env bash
# Redis from Debian's redis-server package, run as our own daemon on 127.0.0.1. No Docker needed.
#
#   deploy/local/redis.sh install | start | stop | status
#
# Environment: REDIS_PORT (6379), REDIS_DATA_DIR (${LOCAL_SERVERS_HOME}/data/redis),
# REDIS_START_TIMEOUT (30), LOCAL_SERVERS_HOME (see lib.sh).
set -euo pipefail

SERVER_NAME=redis
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

REDIS_HOST=127.0.0.1
REDIS_PORT="${REDIS_PORT:-6379}"
REDIS_DATA_DIR="$(abs_path "${REDIS_DATA_DIR:-$DATA_ROOT/redis}")"
REDIS_START_TIMEOUT="${REDIS_START_TIMEOUT:-30}"
REDIS_LOG="$LOG_DIR/redis.log"
REDIS_PID_FILE="$(pid_file_for redis)"
REDIS_PID_PATTERN=redis-server

redis_installed() {
  command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1
}

# The Debian package starts (and enables) a system redis on 6379 when installed; stop and
# disable it so that it neither collides with ours nor comes back at boot.
stop_system_redis() {
  if command -v systemctl >/dev/null 2>&1 && [[ -d /run/systemd/system ]]; then
    systemctl disable --now redis-server.service >/dev/null 2>&1 || true
  elif [[ -x /etc/init.d/redis-server ]]; then
    /etc/init.d/redis-server stop >/dev/null 2>&1 || true
    if command -v update-rc.d >/dev/null 2>&1; then
      update-rc.d redis-server disable >/dev/null 2>&1 || true
    fi
  fi
}

cmd_install() {
  if redis_installed; then
    log "redis-server already installed ($(redis-server --version | awk '{sub("v=", "", $3); print $3}'))"
    return 0
  fi
  command -v apt-get >/dev/null 2>&1 ||
    die "redis-server is not installed and apt-get is not available; install redis-server yourself"
  if [[ "$(id -u)" -ne 0 ]]; then
    die "redis-server is not installed and installing it needs root: run 'sudo apt-get install -y redis-server' (or run this script as root)"
  fi
  local started policy_rc=/usr/sbin/policy-rc.d created_policy=""
  started="$(now_s)"
  log "installing redis-server from apt"
  # Keep the package from starting its own service during installation (invoke-rc.d honours
  # policy-rc.d exit code 101 = action forbidden). Only when no policy exists already.
  if [[ ! -e "$policy_rc" ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy_rc"
    chmod 755 "$policy_rc"
    created_policy=1
  fi
  local rc=0
  {
    DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server
  } >"$LOG_DIR/redis-install.log" 2>&1 || rc=$?
  if [[ -n "$created_policy" ]]; then
    rm -f "$policy_rc"
  fi
  if [[ "$rc" -ne 0 ]]; then
    tail -n 20 "$LOG_DIR/redis-install.log" >&2
    die "apt-get install redis-server failed (log: $LOG_DIR/redis-install.log)"
  fi
  stop_system_redis
  redis_installed || die "redis-server still not on PATH after installation"
  log "installed redis-server $(redis-server --version | awk '{sub("v=", "", $3); print $3}') in $(($(now_s) - started))s"
}

redis_healthy() {
  [[ "$(timeout 5 redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null)" == "PONG" ]]
}

do_start() {
  local pid started
  redis_installed || cmd_install
  if pid="$(running_pid redis "$REDIS_PID_PATTERN")"; then
    if redis_healthy; then
      log "already running (pid $pid) on $REDIS_HOST:$REDIS_PORT"
      return 0
    fi
    log "running (pid $pid) but not answering yet; waiting"
    wait_until redis "$pid" "$REDIS_START_TIMEOUT" "$REDIS_LOG" redis_healthy ||
      die "redis (pid $pid) is not healthy"
    log "ready on $REDIS_HOST:$REDIS_PORT"
    return 0
  fi
  port_free_or_die "$REDIS_HOST" "$REDIS_PORT" REDIS_PORT
  mkdir -p "$REDIS_DATA_DIR"
  started="$(now_s)"
  # redis-server daemonizes itself and writes its own pid file.
  # shellcheck disable=SC2094 # --logfile is an argument, not a read of the file
  (
    cd "$REDIS_DATA_DIR"
    redis-server --port "$REDIS_PORT" --bind "$REDIS_HOST" --daemonize yes \
      --pidfile "$REDIS_PID_FILE" --logfile "$REDIS_LOG" --dir "$REDIS_DATA_DIR" \
      --appendonly yes --protected-mode yes </dev/null >>"$REDIS_LOG" 2>&1 9>&-
  ) || {
    tail -n 20 "$REDIS_LOG" >&2
    die "redis-server failed to start"
  }
  # The pid file appears once the daemon is up.
  local i
  for ((i = 0; i < 50; i++)); do
    pid="$(read_pid redis)"
    [[ -n "$pid" ]] && break
    sleep 0.1
  done
  log "started (pid ${pid:-?}), waiting for $REDIS_HOST:$REDIS_PORT"
  wait_until redis "$pid" "$REDIS_START_TIMEOUT" "$REDIS_LOG" redis_healthy ||
    die "redis did not become healthy (timeout ${REDIS_START_TIMEOUT}s, log: $REDIS_LOG)"
  log "ready on $REDIS_HOST:$REDIS_PORT in $(($(now_s) - started))s"
}

cmd_status() {
  local pid
  if pid="$(running_pid redis "$REDIS_PID_PATTERN")"; then
    log "running (pid $pid) on $REDIS_HOST:$REDIS_PORT (data: $REDIS_DATA_DIR)"
    return 0
  fi
  log "not running"
  return 3
}

case "${1:-}" in
  install) with_lock redis cmd_install ;;
  start) with_lock redis do_start ;;
  stop) with_lock redis stop_pid redis "$REDIS_PID_PATTERN" "${REDIS_STOP_TIMEOUT:-30}" ;;
  status) cmd_status ;;
  *) usage "$0" 'install|start|stop|status' ;;
esac
