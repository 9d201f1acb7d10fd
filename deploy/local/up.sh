#!/usr/bin/env bash
# `npm start`: the whole platform on local defaults, on a fresh machine, no flags.
#   1. npm dependencies (if missing) and a build of every lib and service
#   2. Kafka (KRaft), FerretDB and Redis via deploy/local/servers.sh (installed on first use)
#   3. the local OpenID Connect provider (oidc-provider) on :3005, issuer of every API token
#   4. the five services (topics are created by the services at boot), logs under
#      .local-servers/logs/services/, with ingestion's demo sources (one write key per channel)
#   5. the console (web UI, log in as agent, marketer or operator) on :8080 (CONSOLE_PORT)
#   6. the demo traffic generator, and in the foreground a tail of segments.membership.v1
# Ctrl-C stops the traffic and the services; `npm stop` also stops the servers. If a step fails,
# the script stops what this run started (services, traffic and, if they were not running
# before, the servers) before it exits, so a retry starts from the same state.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT="$PWD"
HOME_DIR="${LOCAL_SERVERS_HOME:-$ROOT/.local-servers}"
RUN_DIR="$HOME_DIR/run/services"
LOG_DIR="$HOME_DIR/logs/services"
mkdir -p "$RUN_DIR" "$LOG_DIR"
SERVICES=(ingestion identity-resolution value-scoring needs-profiling campaign-customization)
# SERVICE_PORT_BASE moves the five HTTP ports (3000-3004 by default) for a second platform.
PORT_BASE="${SERVICE_PORT_BASE:-3000}"
PORTS=("$PORT_BASE" $((PORT_BASE + 1)) $((PORT_BASE + 2)) $((PORT_BASE + 3)) $((PORT_BASE + 4)))
# Health and metrics answer on a management port of their own, 100 above the API's (3100-3104).
MANAGEMENT_PORTS=($((PORT_BASE + 100)) $((PORT_BASE + 101)) $((PORT_BASE + 102)) $((PORT_BASE + 103)) $((PORT_BASE + 104)))

say() { printf 'start: %s\n' "$*" >&2; }

if [[ ! -d node_modules ]]; then
  say "installing npm dependencies"
  npm install --no-audit --no-fund
fi
say "building"
npx tsc -b tsconfig.build.json
npm run --silent build:web

alive() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

# wait_ready NAME URL SECONDS: until URL answers 2xx; fails with the last log lines when the
# process of NAME ($RUN_DIR/NAME.pid, $LOG_DIR/NAME.log) exits or SECONDS pass.
wait_ready() {
  local name="$1" url="$2" deadline=$((SECONDS + $3))
  until curl -fsS "$url" >/dev/null 2>&1; do
    if ! alive "$RUN_DIR/$name.pid" || ((SECONDS > deadline)); then
      if alive "$RUN_DIR/$name.pid"; then say "$name not ready after $3 s; last log lines:"; else say "$name exited; last log lines:"; fi
      tail -n 30 "$LOG_DIR/$name.log" >&2
      exit 1
    fi
    sleep 0.5
  done
}

# What this run started, stopped again if the run fails before everything is up.
STARTED=()
SERVERS_STARTED=false
stop_started() {
  local status=$? i name pid
  trap - EXIT
  ((status != 0)) || return 0
  say "start failed (exit $status); stopping what this run started"
  for ((i = ${#STARTED[@]} - 1; i >= 0; i--)); do
    name="${STARTED[$i]}"
    alive "$RUN_DIR/$name.pid" || { rm -f "$RUN_DIR/$name.pid"; continue; }
    pid="$(cat "$RUN_DIR/$name.pid")"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    rm -f "$RUN_DIR/$name.pid"
    say "$name stopped"
  done
  if [[ "$SERVERS_STARTED" == true ]]; then
    bash deploy/local/servers.sh stop || true
  fi
  exit "$status"
}
trap stop_started EXIT

say "starting servers"
if ! bash deploy/local/servers.sh status >/dev/null 2>&1; then SERVERS_STARTED=true; fi
# An assignment, not eval "$(...)": a failing servers.sh must stop the script here.
server_env="$(bash deploy/local/servers.sh start)"
eval "$server_env"
export KAFKA_BROKERS MONGO_URL REDIS_URL

# The issuer of every token the services accept; the key file keeps its signing key across restarts.
OIDC_PORT="${OIDC_PORT:-$((PORT_BASE + 5))}"
export AUTH_ISSUER="${AUTH_ISSUER:-http://127.0.0.1:$OIDC_PORT}"
if alive "$RUN_DIR/identity-provider.pid"; then
  say "identity provider already running (pid $(cat "$RUN_DIR/identity-provider.pid"))"
else
  say "starting the identity provider on :$OIDC_PORT (log: $LOG_DIR/identity-provider.log)"
  OIDC_PORT="$OIDC_PORT" OIDC_ISSUER="$AUTH_ISSUER" OIDC_KEY_FILE="$HOME_DIR/oidc/signing-key.json" \
    nohup node libs/testing/dist/cli/identity-provider.js >>"$LOG_DIR/identity-provider.log" 2>&1 </dev/null &
  echo $! >"$RUN_DIR/identity-provider.pid"
  STARTED+=(identity-provider)
  wait_ready identity-provider "$AUTH_ISSUER/.well-known/openid-configuration" 30
fi
say "identity provider ready: $AUTH_ISSUER (e.g. curl -u demo-agent:demo-agent-demo-secret -d grant_type=client_credentials -d scope=profiles:read $AUTH_ISSUER/token)"

for i in "${!SERVICES[@]}"; do
  svc="${SERVICES[$i]}"
  pidfile="$RUN_DIR/$svc.pid"
  if alive "$pidfile"; then
    say "$svc already running (pid $(cat "$pidfile"))"
    continue
  fi
  say "starting $svc on :${PORTS[$i]}, health and metrics on :${MANAGEMENT_PORTS[$i]} (log: $LOG_DIR/$svc.log)"
  HTTP_PORT="${PORTS[$i]}" MANAGEMENT_PORT="${MANAGEMENT_PORTS[$i]}" INGESTION_DEMO_SOURCES=true \
    nohup node "services/$svc/dist/main.js" >>"$LOG_DIR/$svc.log" 2>&1 </dev/null &
  echo $! >"$pidfile"
  STARTED+=("$svc")
done

for i in "${!SERVICES[@]}"; do
  svc="${SERVICES[$i]}"
  wait_ready "$svc" "http://127.0.0.1:${MANAGEMENT_PORTS[$i]}/health/ready" 120
  say "$svc ready: API http://127.0.0.1:${PORTS[$i]} (bearer token), http://127.0.0.1:${MANAGEMENT_PORTS[$i]}/health/ready and /metrics"
done

# The console: the five services' APIs and topics behind one login (the issuer's o2o-console client).
CONSOLE_PORT="${CONSOLE_PORT:-8080}"
CONSOLE_URL="http://127.0.0.1:$CONSOLE_PORT"
CONSOLE_MANAGEMENT_PORT="${CONSOLE_MANAGEMENT_PORT:-$((CONSOLE_PORT + 100))}"
if alive "$RUN_DIR/console.pid"; then
  say "console already running (pid $(cat "$RUN_DIR/console.pid"))"
else
  say "starting the console on :$CONSOLE_PORT (log: $LOG_DIR/console.log)"
  HTTP_PORT="$CONSOLE_PORT" MANAGEMENT_PORT="$CONSOLE_MANAGEMENT_PORT" CONSOLE_PUBLIC_URL="$CONSOLE_URL" \
    CONSOLE_INGESTION_URL="http://127.0.0.1:${PORTS[0]}" CONSOLE_IDENTITY_URL="http://127.0.0.1:${PORTS[1]}" \
    CONSOLE_VALUE_URL="http://127.0.0.1:${PORTS[2]}" CONSOLE_NEEDS_URL="http://127.0.0.1:${PORTS[3]}" \
    CONSOLE_CAMPAIGN_URL="http://127.0.0.1:${PORTS[4]}" \
    CONSOLE_INGESTION_MANAGEMENT_URL="http://127.0.0.1:${MANAGEMENT_PORTS[0]}" CONSOLE_IDENTITY_MANAGEMENT_URL="http://127.0.0.1:${MANAGEMENT_PORTS[1]}" \
    CONSOLE_VALUE_MANAGEMENT_URL="http://127.0.0.1:${MANAGEMENT_PORTS[2]}" CONSOLE_NEEDS_MANAGEMENT_URL="http://127.0.0.1:${MANAGEMENT_PORTS[3]}" \
    CONSOLE_CAMPAIGN_MANAGEMENT_URL="http://127.0.0.1:${MANAGEMENT_PORTS[4]}" \
    nohup node services/console/dist/main.js >>"$LOG_DIR/console.log" 2>&1 </dev/null &
  echo $! >"$RUN_DIR/console.pid"
  STARTED+=(console)
fi
wait_ready console "http://127.0.0.1:$CONSOLE_MANAGEMENT_PORT/health/ready" 120
say "console ready: $CONSOLE_URL (log in as agent, marketer or operator, any password)"

# A demo campaign, so the console's next best offer and lift show something (created once; a 409 means it exists).
token="$(curl -fsS -u demo-marketer:demo-marketer-demo-secret -d grant_type=client_credentials -d 'scope=campaigns:write' "$AUTH_ISSUER/token" | sed -E 's/.*"access_token":"([^"]+)".*/\1/')" || token=""
if [[ -n "$token" ]]; then
  status="$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:${PORTS[4]}/v1/campaigns" \
    -H "authorization: Bearer $token" -H 'content-type: application/json' \
    -d '{"id":"demo-welcome","name":"Welcome offer (demo)","status":"active","segmentId":"purchase-stage-or-beyond","purpose":"marketing","channels":["call-centre","email"],"goal":{"event":"Offer Accepted"},"attributionWindowDays":30,"startAt":"2026-01-01T00:00:00.000Z","holdoutShare":0.1,"modules":{"product":{"options":[{"id":"care-kit","weight":1,"attributes":{"sku":"CARE-1"}}]}}}')"
  say "demo campaign demo-welcome: HTTP $status (201 created, 409 already there)"
fi

say "starting demo traffic (DEMO_RATE=${DEMO_RATE:-20}/s; log: $LOG_DIR/demo-traffic.log)"
INGESTION_URL="http://127.0.0.1:${PORTS[0]}" CAMPAIGN_URL="http://127.0.0.1:${PORTS[4]}" AUTH_ISSUER="$AUTH_ISSUER" nohup node libs/testing/dist/cli/demo-traffic.js >>"$LOG_DIR/demo-traffic.log" 2>&1 </dev/null &
echo $! >"$RUN_DIR/demo-traffic.pid"
STARTED+=(demo-traffic)
# Everything is up: from here on Ctrl-C stops the traffic and the services (below).
trap - EXIT

cleanup() {
  say "stopping demo traffic and services (servers keep running; npm stop stops them too)"
  bash "$ROOT/deploy/local/down.sh" --services-only
}
trap cleanup INT TERM

say "segment membership changes follow (Ctrl-C to stop):"
FROM_BEGINNING=true node libs/testing/dist/cli/tail-segments.js &
wait $!
