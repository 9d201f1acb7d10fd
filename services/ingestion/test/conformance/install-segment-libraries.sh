#!/usr/bin/env bash
# What the Segment library conformance tests (segment-libraries.int-spec.ts) need beyond npm
# packages, installed idempotently on a fresh machine (the npm libraries, @segment/analytics-node,
# @segment/analytics-next and playwright-core, are pinned devDependencies):
# - segment-analytics-python, pinned with its dependencies in requirements.txt, in a virtual
#   environment under .local-servers/segment-python (reinstalled when requirements.txt changes);
# - Chromium from Debian's packages (/usr/bin/chromium), which playwright-core drives
#   (`npx playwright install` cannot download browsers here).
# Prints the virtual environment's python on its last line.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../../.." && pwd)"
venv="$root/.local-servers/segment-python"
requirements="$here/requirements.txt"

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "need root (or sudo) to run: $*" >&2
    return 1
  fi
}

apt_updated=false
apt_install() {
  if [[ $apt_updated == false ]]; then
    as_root apt-get update -qq >&2
    apt_updated=true
  fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "$@" >&2
}

if ! command -v python3 >/dev/null; then apt_install python3 python3-venv; fi
if [[ ! -x "$venv/bin/python" ]] || ! cmp -s "$requirements" "$venv/requirements.txt"; then
  echo "installing segment-analytics-python into $venv" >&2
  rm -rf "$venv"
  mkdir -p "$(dirname "$venv")"
  if ! python3 -m venv "$venv" >&2; then
    rm -rf "$venv"
    apt_install python3-venv
    python3 -m venv "$venv" >&2
  fi
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$requirements" >&2
  cp "$requirements" "$venv/requirements.txt"
fi

if [[ ! -x /usr/bin/chromium ]]; then
  echo "installing Chromium from the distribution's packages" >&2
  apt_install chromium
fi

echo "$venv/bin/python"
