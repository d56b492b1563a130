# Shared by scripts/demo and bench/*: start the emulator on a free loopback port, stop it on
# exit, and act as a fresh account on it. Source this file; it defines functions only.

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Starts the emulator in the background; sets EMULATOR_ENDPOINT and stops it on exit.
start_emulator() {
  bash "$root/scripts/emulator-setup"
  local out
  out=$(mktemp)
  "$root/.venv/bin/python" "$root/emulator/launch.py" >"$out" 2>/dev/null &
  EMULATOR_PID=$!
  trap 'kill "$EMULATOR_PID" 2>/dev/null; wait "$EMULATOR_PID" 2>/dev/null || true' EXIT
  local port
  port=$(announced_port "$out" "the emulator") || return 1
  EMULATOR_ENDPOINT="http://127.0.0.1:$port"
}

# The port a process started with its output in file $1 announces (`PORT n`, as launch.py
# and faults.py print it), waiting up to 10 s; $2 names it in the error. Removes the file.
announced_port() {
  for _ in $(seq 100); do
    if grep -q '^PORT ' "$1"; then break; fi
    sleep 0.1
  done
  local port
  port=$(awk '/^PORT /{print $2}' "$1")
  rm -f "$1"
  [ -n "$port" ] || { echo "$2 did not start" >&2; return 1; }
  echo "$port"
}

# Exports credentials for a fresh, empty account on the emulator (BASELINE_ACCOUNT_ID).
use_fresh_account() {
  unset AWS_PROFILE AWS_DEFAULT_PROFILE
  export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true
  eval "$("$root/.venv/bin/python" "$root/emulator/account.py" "$EMULATOR_ENDPOINT" "$@")"
}

# Writes the default baseline, pinned to the current account, to $1.
pinned_baseline() {
  sed "s/\"123456789012\"/\"$BASELINE_ACCOUNT_ID\"/" "$root/baseline.yaml" >"$1"
}

# Starts emulator/faults.py in front of the emulator with ARGS (e.g. `--rate 0 --latency 100`,
# `--log FILE`); sets PROXY_ENDPOINT. stop_proxy stops it; so does the exit trap.
start_proxy() {
  local out
  out=$(mktemp)
  "$root/.venv/bin/python" "$root/emulator/faults.py" --upstream "$EMULATOR_ENDPOINT" "$@" \
    >"$out" 2>/dev/null &
  PROXY_PID=$!
  trap 'kill "$PROXY_PID" "$EMULATOR_PID" 2>/dev/null; wait 2>/dev/null || true' EXIT
  local port
  port=$(announced_port "$out" "the proxy") || return 1
  PROXY_ENDPOINT="http://127.0.0.1:$port"
}

stop_proxy() {
  kill "$PROXY_PID" 2>/dev/null
  wait "$PROXY_PID" 2>/dev/null || true
}
