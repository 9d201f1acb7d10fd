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

# shellcheck source=../../../../deploy/local/python-venv.sh
source "$root/deploy/local/python-venv.sh"

ensure_python_venv "$venv" "$requirements" segment-analytics-python

if [[ ! -x /usr/bin/chromium ]]; then
  echo "installing Chromium from the distribution's packages" >&2
  apt_install chromium
fi

echo "$venv/bin/python"
