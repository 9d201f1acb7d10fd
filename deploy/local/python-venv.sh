# shellcheck shell=bash
# Python virtual environments for the benchmarks and conformance tests (Splink, lifetimes,
# segment-analytics-python), installed idempotently on a fresh machine. Source it, do not run it.
#
#   ensure_python_venv VENV REQUIREMENTS LABEL
#     creates VENV with the pinned REQUIREMENTS (a pip requirements file), or creates it again
#     when REQUIREMENTS changed since (the copy kept in VENV/requirements.txt); python3 and its
#     venv module come from Debian's packages when missing. Progress goes to stderr.
#   apt_install PACKAGE...   Debian packages, as root or through sudo.

if [[ -n "${_PYTHON_VENV_LIB_LOADED:-}" ]]; then
  return 0
fi
_PYTHON_VENV_LIB_LOADED=1

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "need root (or sudo) to run: $*" >&2
    return 1
  fi
}

_apt_updated=false
apt_install() {
  if [[ $_apt_updated == false ]]; then
    as_root apt-get update -qq >&2
    _apt_updated=true
  fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "$@" >&2
}

ensure_python_venv() {
  local venv="$1" requirements="$2" label="$3"
  if ! command -v python3 >/dev/null; then apt_install python3 python3-venv; fi
  if [[ -x "$venv/bin/python" ]] && cmp -s "$requirements" "$venv/requirements.txt"; then
    return 0
  fi
  echo "installing $label into $venv (first run takes a minute)" >&2
  rm -rf "$venv"
  mkdir -p "$(dirname "$venv")"
  if ! python3 -m venv "$venv" >&2; then
    rm -rf "$venv"
    apt_install python3-venv
    python3 -m venv "$venv" >&2
  fi
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$requirements" >&2
  cp "$requirements" "$venv/requirements.txt"
}
