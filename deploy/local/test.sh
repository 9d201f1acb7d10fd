#!/usr/bin/env bash
# The project's one test command (`npm test`): lint (module boundaries included), type-check,
# the Kubernetes chart's validation, unit tests, then integration tests against real Kafka,
# MongoDB-compatible and Redis servers (named by KAFKA_BROKERS/MONGO_URL/REDIS_URL, else Docker
# via testcontainers, else the local servers of deploy/local, installed and started on first use).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
export TZ=UTC

step() { printf '\n=== %s\n' "$*" >&2; }

if [[ ! -d node_modules ]]; then
  step "installing npm dependencies"
  npm install --no-audit --no-fund
fi

step "lint"
# The module-boundary rule reads Nx's project graph; compute it first (no daemon in CI).
export NX_DAEMON=false NX_NO_CLOUD=true
npx nx show projects >/dev/null
npx eslint . --max-warnings=0
npx prettier --check . --log-level warn

step "type-check (build, then tests)"
npx tsc -b tsconfig.build.json
npm run --silent build:web
npx tsc -p tsconfig.spec.json

step "Kubernetes chart: helm lint, render, Kubernetes and KEDA schemas"
# Builds Helm from the Go module proxy on first use (cached in .local-servers/cache).
bash deploy/kubernetes/validate.sh

step "unit tests"
npx jest -c jest.config.js --ci

step "integration tests"
npx jest -c jest.int.config.js --ci

# The short form of the fault-injection suite (npm run chaos) on servers of its own; in CI, or
# when asked (CHAOS=true): it needs ports 19092/19093/27117/16379 free.
if [[ "${CI:-}" == "true" || "${CHAOS:-}" == "true" ]]; then
  step "fault injection (short form)"
  CHAOS_SHORT=true bash deploy/local/chaos.sh
fi
