#!/usr/bin/env bash
# All local servers the services need, without Docker: Kafka (KRaft), FerretDB (MongoDB wire
# protocol, SQLite backend) and Redis. See kafka.sh, ferretdb.sh and redis.sh beside this file.
#
#   deploy/local/servers.sh install   # download/build/install everything (idempotent)
#   deploy/local/servers.sh start     # install if needed, start all, wait for health, print env
#   deploy/local/servers.sh stop
#   deploy/local/servers.sh status    # exit 0 only if all are running
#   deploy/local/servers.sh env       # print the connection settings as `export` lines
#
# `start` and `env` print only the `export` lines on stdout (messages go to stderr), so
#   eval "$(deploy/local/servers.sh start)"
# works; the same lines are written to ${LOCAL_SERVERS_HOME}/env.sh.
set -euo pipefail

SERVER_NAME=servers
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SERVERS=(redis ferretdb kafka)
ENV_FILE="$LOCAL_SERVERS_HOME/env.sh"

env_lines() {
  printf 'export KAFKA_BROKERS=%s\n' "127.0.0.1:${KAFKA_PORT:-9092}"
  printf 'export MONGO_URL=%s\n' "mongodb://127.0.0.1:${MONGO_PORT:-27017}"
  printf 'export REDIS_URL=%s\n' "redis://127.0.0.1:${REDIS_PORT:-6379}"
}

run_one() {
  bash "$LOCAL_SCRIPTS_DIR/$1.sh" "$2"
}

# Installs run in parallel: Maven downloads, the Go build and apt do not wait for each other.
cmd_install() {
  local started name failed=""
  local -A pids=()
  started="$(now_s)"
  for name in "${SERVERS[@]}"; do
    run_one "$name" install &
    pids[$name]=$!
  done
  for name in "${SERVERS[@]}"; do
    wait "${pids[$name]}" || failed+=" $name"
  done
  [[ -z "$failed" ]] || die "install failed for:$failed"
  log "all installed in $(($(now_s) - started))s"
}

cmd_start() {
  local started name
  started="$(now_s)"
  cmd_install
  for name in "${SERVERS[@]}"; do
    run_one "$name" start
  done
  env_lines >"$ENV_FILE"
  log "all running in $(($(now_s) - started))s; settings written to $ENV_FILE"
  env_lines
}

cmd_stop() {
  local name failed=""
  for name in kafka ferretdb redis; do
    run_one "$name" stop || failed+=" $name"
  done
  [[ -z "$failed" ]] || die "stop failed for:$failed"
}

cmd_status() {
  local name down=""
  for name in "${SERVERS[@]}"; do
    run_one "$name" status || down+=" $name"
  done
  if [[ -n "$down" ]]; then
    log "not running:$down"
    return 3
  fi
}

case "${1:-}" in
  install) cmd_install ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  env) env_lines ;;
  *) usage "$0" 'install|start|stop|status|env' ;;
esac
