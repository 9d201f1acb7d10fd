#!/usr/bin/env bash
# Helm (the Kubernetes package manager), built with the machine's Go from the Go module proxy.
# Only the chart's validation uses it (deploy/kubernetes/validate.sh: helm lint, helm template);
# nothing here talks to a cluster.
#
#   deploy/local/helm.sh install | path
#
# `path` prints the binary's path on stdout (building it first when missing).
# Environment: LOCAL_SERVERS_HOME and LOCAL_SERVERS_CACHE (see lib.sh).
set -euo pipefail

SERVER_NAME=helm
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

HELM_VERSION=v3.21.4
HELM_MODULE=helm.sh/helm/v3
HELM_BIN_DIR="$CACHE_DIR/helm-$HELM_VERSION"
HELM_BIN="$HELM_BIN_DIR/helm"

cmd_install() {
  if [[ -x "$HELM_BIN" ]]; then
    log "Helm $HELM_VERSION already built ($HELM_BIN)"
    return 0
  fi
  require_cmd go
  local started build_log="$LOG_DIR/helm-build.log"
  started="$(now_s)"
  log "building Helm $HELM_VERSION with $(go env GOVERSION) (a few minutes on first use)"
  mkdir -p "$HELM_BIN_DIR/gobin"
  # go install module@version builds the released module as it is, from the module proxy.
  if ! GOBIN="$HELM_BIN_DIR/gobin" CGO_ENABLED=0 GOFLAGS=-mod=mod \
    go install -trimpath "$HELM_MODULE/cmd/helm@$HELM_VERSION" >"$build_log" 2>&1; then
    tail -n 30 "$build_log" >&2
    die "go install failed (log: $build_log)"
  fi
  mv -f "$HELM_BIN_DIR/gobin/helm" "$HELM_BIN"
  rmdir "$HELM_BIN_DIR/gobin" 2>/dev/null || true
  log "built $HELM_BIN in $(($(now_s) - started))s"
}

case "${1:-}" in
  install) with_lock helm cmd_install ;;
  path)
    [[ -x "$HELM_BIN" ]] || with_lock helm cmd_install
    printf '%s\n' "$HELM_BIN"
    ;;
  *) usage "$0" 'install|path' ;;
esac
