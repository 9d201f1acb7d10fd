#!/usr/bin/env bash
# `npm run chaos`: the fault-injection suite (libs/bench/src/chaos) on servers of its own, so that
# stopping FerretDB or Redis never touches the shared servers of deploy/local:
#   Kafka :19092 (controller :19093), FerretDB :27117, Redis :16379, under .local-servers/chaos
#   (binaries from the shared cache .local-servers/cache, installed there on first use).
# Ports and home: CHAOS_KAFKA_PORT, CHAOS_KAFKA_CONTROLLER_PORT, CHAOS_MONGO_PORT, CHAOS_REDIS_PORT,
# CHAOS_SERVERS_HOME; Toxiproxy's API on CHAOS_TOXIPROXY_PORT (18474), its MongoDB and Kafka proxies on
# CHAOS_MONGO_PROXY_PORT (27118) and CHAOS_KAFKA_PROXY_PORT (19095, to the broker's second listener
# CHAOS_KAFKA_PROXIED_PORT, 19094). CHAOS_SHORT=true (the default when CI=true) runs the short form; other
# CHAOS_* settings: libs/bench/src/config/chaos.config.ts. The servers are stopped at the end
# unless CHAOS_KEEP_SERVERS=true.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT="$PWD"

export LOCAL_SERVERS_CACHE="${LOCAL_SERVERS_CACHE:-$ROOT/.local-servers/cache}"
export LOCAL_SERVERS_HOME="${CHAOS_SERVERS_HOME:-$ROOT/.local-servers/chaos}"
export KAFKA_PORT="${CHAOS_KAFKA_PORT:-19092}" KAFKA_CONTROLLER_PORT="${CHAOS_KAFKA_CONTROLLER_PORT:-19093}"
export MONGO_PORT="${CHAOS_MONGO_PORT:-27117}" REDIS_PORT="${CHAOS_REDIS_PORT:-16379}"
if [[ "${CI:-}" == "true" ]]; then export CHAOS_SHORT="${CHAOS_SHORT:-true}"; fi

# A second Kafka listener for the clients that go through Toxiproxy (the services, in the
# latency and dropped-connection scenarios); the suite's own readers keep the direct one.
export KAFKA_PROXIED_PORT="${CHAOS_KAFKA_PROXIED_PORT:-19094}" KAFKA_PROXIED_ADVERTISED_PORT="${CHAOS_KAFKA_PROXY_PORT:-19095}"
export TOXIPROXY_PORT="${CHAOS_TOXIPROXY_PORT:-18474}"

say() { printf 'chaos: %s\n' "$*" >&2; }

# Toxiproxy only when a selected scenario needs it (the full form, or a latency / dropped
# connection scenario named in CHAOS_SCENARIOS): the short form of CI does not build it.
needs_proxy=false
if [[ -n "${CHAOS_SCENARIOS:-}" ]]; then
  [[ "$CHAOS_SCENARIOS" =~ (latency|dropped) ]] && needs_proxy=true
elif [[ "${CHAOS_SHORT:-false}" != "true" ]]; then
  needs_proxy=true
fi

if [[ ! -d node_modules ]]; then npm install --no-audit --no-fund; fi
npx tsc -b tsconfig.build.json

stop_servers() {
  if [[ "${CHAOS_KEEP_SERVERS:-false}" != "true" ]]; then
    say "stopping the chaos servers"
    if [[ "$needs_proxy" == "true" ]]; then bash deploy/local/toxiproxy.sh stop || true; fi
    bash deploy/local/servers.sh stop || true
  fi
}
trap stop_servers EXIT

say "starting servers of its own under $LOCAL_SERVERS_HOME"
server_env="$(bash deploy/local/servers.sh start)"
eval "$server_env"
export KAFKA_BROKERS MONGO_URL REDIS_URL
if [[ "$needs_proxy" == "true" ]]; then
  bash deploy/local/toxiproxy.sh start
  export CHAOS_TOXIPROXY_URL="http://127.0.0.1:$TOXIPROXY_PORT"
fi

node libs/bench/dist/cli/chaos.js
