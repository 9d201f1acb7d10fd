#!/usr/bin/env bash
# `npm stop`: stops the demo traffic, the console, the five services, the local identity provider (SIGTERM: each drains its in-flight
# batch and commits offsets) and, unless --services-only, the local servers.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
RUN_DIR="${LOCAL_SERVERS_HOME:-$PWD/.local-servers}/run/services"

stop_pid() {
  local name="$1" pidfile="$RUN_DIR/$1.pid" pid
  [[ -f "$pidfile" ]] || return 0
  pid="$(cat "$pidfile")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    printf 'stop: %s stopped\n' "$name" >&2
  fi
  rm -f "$pidfile"
}

stop_pid demo-traffic
stop_pid console
for svc in campaign-customization needs-profiling value-scoring identity-resolution ingestion; do stop_pid "$svc"; done
stop_pid identity-provider
pkill -f 'libs/testing/dist/cli/tail-segments.js' 2>/dev/null || true
if [[ "${1:-}" != "--services-only" ]]; then
  bash deploy/local/servers.sh stop
fi
