#!/usr/bin/env bash
# Installs what the value-model benchmark needs beside Node, idempotently: a Python virtual
# environment with lifetimes, the reference open implementation of BG/NBD and Gamma-Gamma (pinned
# in lifetimes/requirements.txt), which also ships the public CDNOW sample the benchmark fits.
#
#   services/value-scoring/bench/setup.sh   # prints the venv's python
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
home="${LOCAL_SERVERS_HOME:-$root/.local-servers}"
venv="$home/venvs/value-bench"

# shellcheck source=../../../deploy/local/python-venv.sh
source "$root/deploy/local/python-venv.sh"
ensure_python_venv "$venv" "$here/lifetimes/requirements.txt" lifetimes
printf 'PYTHON=%s\n' "$venv/bin/python"
