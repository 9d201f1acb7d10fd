# shellcheck shell=bash
# Shared helpers for the deploy/local/*.sh server scripts. Source it, do not run it.
#
# Layout (everything under LOCAL_SERVERS_HOME, default <repo root>/.local-servers, git-ignored):
#   cache/              downloaded jars, built binaries
#   data/<server>/      server data (overridable: KAFKA_DATA_DIR, FERRETDB_DATA_DIR, REDIS_DATA_DIR)
#   logs/<server>.log   server output
#   run/<server>.pid    pid of the running server (plus generated config and lock files)
#
# Messages go to stderr, prefixed with the server name; stdout is kept for machine-readable
# output (servers.sh prints `export` lines there).

if [[ -n "${_LOCAL_SERVERS_LIB_LOADED:-}" ]]; then
  return 0
fi
_LOCAL_SERVERS_LIB_LOADED=1

LOCAL_SCRIPTS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$LOCAL_SCRIPTS_DIR/../.." && pwd)"

LOCAL_SERVERS_HOME="${LOCAL_SERVERS_HOME:-$REPO_ROOT/.local-servers}"
mkdir -p "$LOCAL_SERVERS_HOME"
LOCAL_SERVERS_HOME="$(cd "$LOCAL_SERVERS_HOME" && pwd)"
export LOCAL_SERVERS_HOME

# LOCAL_SERVERS_CACHE lets private server homes (outage tests, npm run chaos) share one cache.
CACHE_DIR="${LOCAL_SERVERS_CACHE:-$LOCAL_SERVERS_HOME/cache}"
DATA_ROOT="$LOCAL_SERVERS_HOME/data"
LOG_DIR="$LOCAL_SERVERS_HOME/logs"
RUN_DIR="$LOCAL_SERVERS_HOME/run"
mkdir -p "$CACHE_DIR" "$DATA_ROOT" "$LOG_DIR" "$RUN_DIR"

# Name used as the message prefix; each script sets it.
SERVER_NAME="${SERVER_NAME:-local}"

log() {
  printf '%s: %s\n' "$SERVER_NAME" "$*" >&2
}

die() {
  printf '%s: ERROR: %s\n' "$SERVER_NAME" "$*" >&2
  exit 1
}

require_cmd() {
  local cmd
  for cmd in "$@"; do
    command -v "$cmd" >/dev/null 2>&1 || die "'$cmd' is required but not on PATH"
  done
}

# Absolute form of a path (need not exist yet).
abs_path() {
  case "$1" in
    /*) printf '%s\n' "$1" ;;
    *) printf '%s\n' "$PWD/$1" ;;
  esac
}

# Seconds since the epoch, for timings.
now_s() {
  date +%s
}

# sha256 of the given files' contents, in order (used as a "rebuild needed?" stamp).
files_hash() {
  cat "$@" | sha256sum | cut -d' ' -f1
}

# --- locking -------------------------------------------------------------------------------

# with_lock NAME CMD...: run CMD while holding an exclusive lock on run/NAME.lock, so that two
# concurrent invocations (e.g. parallel test workers) do not start the same server twice.
# The lock lives on fd 9; start_detached closes it for the servers. If CMD fails, set -e ends
# the script and the lock goes with the process.
with_lock() {
  local name="$1"
  shift
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$RUN_DIR/$name.lock"
    flock -w 900 9 || die "timed out waiting for lock $RUN_DIR/$name.lock"
  fi
  "$@"
  exec 9>&-
}

# --- pid handling --------------------------------------------------------------------------

pid_file_for() {
  printf '%s/%s.pid\n' "$RUN_DIR" "$1"
}

# read_pid NAME: print the pid recorded for NAME (nothing if none).
read_pid() {
  local file
  file="$(pid_file_for "$1")"
  if [[ -s "$file" ]]; then
    tr -dc '0-9' <"$file"
  fi
}

# pid_matches PID PATTERN: true if PID is alive and its command line contains PATTERN
# (guards against a pid from a killed session having been reused by another process).
pid_matches() {
  local pid="$1" pattern="$2" cmdline
  [[ -n "$pid" ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  if [[ -r "/proc/$pid/cmdline" ]]; then
    cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)"
    [[ "$cmdline" == *"$pattern"* ]] || return 1
  fi
  return 0
}

# running_pid NAME PATTERN: print the pid if the server is running; remove a stale pid file.
running_pid() {
  local name="$1" pattern="$2" pid
  pid="$(read_pid "$name")"
  if [[ -n "$pid" ]] && pid_matches "$pid" "$pattern"; then
    printf '%s\n' "$pid"
    return 0
  fi
  if [[ -e "$(pid_file_for "$name")" ]]; then
    log "removing stale pid file (pid ${pid:-?} is not running)"
    rm -f "$(pid_file_for "$name")"
  fi
  return 1
}

# start_detached NAME LOGFILE CMD...: start CMD fully detached from the calling shell (own
# session, stdin from /dev/null, output appended to LOGFILE, lock fd closed) and record its pid.
start_detached() {
  local name="$1" logfile="$2"
  shift 2
  {
    printf '\n===== %s: starting at %s =====\n' "$name" "$(date '+%Y-%m-%d %H:%M:%S')"
    printf '%q ' "$@"
    printf '\n'
  } >>"$logfile"
  # In a non-interactive shell the background job is not a process-group leader, so setsid
  # does not fork and $! is the server's own pid.
  nohup setsid "$@" </dev/null >>"$logfile" 2>&1 9>&- &
  local pid=$!
  printf '%s\n' "$pid" >"$(pid_file_for "$name")"
  disown "$pid" 2>/dev/null || true
}

# stop_pid NAME PATTERN [TIMEOUT_S]: SIGTERM, wait, then SIGKILL; removes the pid file.
stop_pid() {
  local name="$1" pattern="$2" timeout="${3:-30}" pid waited=0
  if ! pid="$(running_pid "$name" "$pattern")"; then
    log "not running"
    rm -f "$(pid_file_for "$name")"
    return 0
  fi
  log "stopping (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do
    if ((waited >= timeout * 5)); then
      log "still running after ${timeout}s, sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      break
    fi
    sleep 0.2
    waited=$((waited + 1))
  done
  rm -f "$(pid_file_for "$name")"
  log "stopped"
}

# --- health --------------------------------------------------------------------------------

# port_open HOST PORT: true if a TCP connection to HOST:PORT succeeds.
port_open() {
  # shellcheck disable=SC2016 # expanded by the inner bash
  timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null
}

# port_free_or_die HOST PORT WHAT: fail early if something else already listens there.
port_free_or_die() {
  if port_open "$1" "$2"; then
    die "port $1:$2 is already in use by another process (set $3 to use another port)"
  fi
}

# wait_until NAME PID TIMEOUT_S LOGFILE CHECK...: poll CHECK until it succeeds; fail if PID dies
# or the timeout passes, printing the end of LOGFILE.
wait_until() {
  local name="$1" pid="$2" timeout="$3" logfile="$4"
  shift 4
  local start
  start="$(now_s)"
  while true; do
    if "$@" >/dev/null 2>&1; then
      return 0
    fi
    if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then
      log "process $pid exited during startup; last lines of $logfile:"
      tail -n 40 "$logfile" >&2 || true
      rm -f "$(pid_file_for "$name")"
      return 1
    fi
    if (($(now_s) - start >= timeout)); then
      log "not healthy after ${timeout}s; last lines of $logfile:"
      tail -n 40 "$logfile" >&2 || true
      return 1
    fi
    sleep 1
  done
}

# go_build_tool LABEL VERSION PACKAGE BINARY: build a Go command from the module proxy into
# BINARY, once (`go install PACKAGE@VERSION` builds the released module as it is).
go_build_tool() {
  local label="$1" version="$2" package="$3" binary="$4"
  if [[ -x "$binary" ]]; then
    log "$label $version already built ($binary)"
    return 0
  fi
  require_cmd go
  local started gobin build_log
  build_log="$LOG_DIR/$(basename "$binary")-build.log"
  gobin="$(dirname "$binary")/gobin"
  started="$(now_s)"
  log "building $label $version with $(go env GOVERSION) (a few minutes on first use)"
  mkdir -p "$gobin"
  if ! GOBIN="$gobin" CGO_ENABLED=0 GOFLAGS=-mod=mod go install -trimpath "$package@$version" >"$build_log" 2>&1; then
    tail -n 30 "$build_log" >&2
    die "go install failed (log: $build_log)"
  fi
  mv -f "$gobin/$(basename "$package")" "$binary"
  rmdir "$gobin" 2>/dev/null || true
  log "built $binary in $(($(now_s) - started))s"
}

# usage NAME ACTIONS: print usage and exit 2.
usage() {
  printf 'usage: %s {%s}\n' "$1" "$2" >&2
  exit 2
}
