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
  go_build_tool Helm "$HELM_VERSION" "$HELM_MODULE/cmd/helm" "$HELM_BIN"
}

case "${1:-}" in
  install) with_lock helm cmd_install ;;
  path)
    [[ -x "$HELM_BIN" ]] || with_lock helm cmd_install
    printf '%s\n' "$HELM_BIN"
    ;;
  *) usage "$0" 'install|path' ;;
esac
