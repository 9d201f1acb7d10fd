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

log() { printf 'bench:value-model setup: %s\n' "$*" >&2; }

stamp="$venv/.requirements.sha256"
wanted="$(sha256sum "$here/lifetimes/requirements.txt" | cut -d' ' -f1)"
if [[ ! -x "$venv/bin/python" || "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]]; then
  log "creating $venv with lifetimes (first run takes a minute)"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/lifetimes/requirements.txt"
  printf '%s' "$wanted" >"$stamp"
fi
printf 'PYTHON=%s\n' "$venv/bin/python"
