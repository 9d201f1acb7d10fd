#!/usr/bin/env bash
# `npm start`: the whole platform on local defaults, on a fresh machine, no flags.
#   1. npm dependencies (if missing) and a build of every lib and service
#   2. Kafka (KRaft), FerretDB and Redis via deploy/local/servers.sh (installed on first use)
#   3. the five services (topics are created by the services at boot), logs under
#      .local-servers/logs/services/, with ingestion's demo sources (one write key per channel)
#   4. the demo traffic generator, and in the foreground a tail of segments.membership.v1
# Ctrl-C stops the traffic and the services; `npm stop` also stops the servers.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT="$PWD"
HOME_DIR="${LOCAL_SERVERS_HOME:-$ROOT/.local-servers}"
RUN_DIR="$HOME_DIR/run/services"
LOG_DIR="$HOME_DIR/logs/services"
mkdir -p "$RUN_DIR" "$LOG_DIR"
SERVICES=(ingestion identity-resolution value-scoring needs-profiling campaign-customization)
PORTS=(3000 3001 3002 3003 3004)

say() { printf 'start: %s\n' "$*" >&2; }

if [[ ! -d node_modules ]]; then
  say "installing npm dependencies"
  npm install --no-audit --no-fund
fi
say "building"
npx tsc -b tsconfig.build.json

say "starting servers"
eval "$(bash deploy/local/servers.sh start)"
export KAFKA_BROKERS MONGO_URL REDIS_URL

alive() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

for i in "${!SERVICES[@]}"; do
  svc="${SERVICES[$i]}"
  pidfile="$RUN_DIR/$svc.pid"
  if alive "$pidfile"; then
    say "$svc already running (pid $(cat "$pidfile"))"
    continue
  fi
  say "starting $svc on :${PORTS[$i]} (log: $LOG_DIR/$svc.log)"
  HTTP_PORT="${PORTS[$i]}" INGESTION_DEMO_SOURCES=true \
    nohup node "services/$svc/dist/main.js" >>"$LOG_DIR/$svc.log" 2>&1 </dev/null &
  echo $! >"$pidfile"
done

for i in "${!SERVICES[@]}"; do
  svc="${SERVICES[$i]}"
  deadline=$((SECONDS + 120))
  until curl -fsS "http://127.0.0.1:${PORTS[$i]}/health/ready" >/dev/null 2>&1; do
    if ! alive "$RUN_DIR/$svc.pid"; then
      say "$svc exited; last log lines:"
      tail -n 30 "$LOG_DIR/$svc.log" >&2
      exit 1
    fi
    if ((SECONDS > deadline)); then
      say "$svc not ready after 120 s; last log lines:"
      tail -n 30 "$LOG_DIR/$svc.log" >&2
      exit 1
    fi
    sleep 1
  done
  say "$svc ready: http://127.0.0.1:${PORTS[$i]} (/health/ready, /metrics)"
done

say "starting demo traffic (DEMO_RATE=${DEMO_RATE:-20}/s; log: $LOG_DIR/demo-traffic.log)"
nohup node libs/testing/dist/cli/demo-traffic.js >>"$LOG_DIR/demo-traffic.log" 2>&1 </dev/null &
echo $! >"$RUN_DIR/demo-traffic.pid"

cleanup() {
  say "stopping demo traffic and services (servers keep running; npm stop stops them too)"
  bash "$ROOT/deploy/local/down.sh" --services-only
}
trap cleanup INT TERM

say "segment membership changes follow (Ctrl-C to stop):"
FROM_BEGINNING=true node libs/testing/dist/cli/tail-segments.js &
wait $!
