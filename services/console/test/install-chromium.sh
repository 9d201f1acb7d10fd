#!/usr/bin/env bash
# What the console's browser tests need beyond npm packages (playwright-core and axe-core are
# pinned devDependencies): Chromium from Debian's packages (/usr/bin/chromium), which
# playwright-core drives (`npx playwright install` cannot download browsers here). Idempotent;
# the same approach as services/ingestion/test/conformance/install-segment-libraries.sh.
set -euo pipefail
if [[ -x /usr/bin/chromium ]]; then exit 0; fi
as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "need root (or sudo) to run: $*" >&2
    return 1
  fi
}
echo "installing Chromium from the distribution's packages" >&2
as_root apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends chromium >&2
