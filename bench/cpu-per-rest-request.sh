#!/usr/bin/env bash
# The switch's own CPU time per REST request: the switch process's user + system time (/proc/<pid>/stat) over a load
# run of the load generator's REST mode, divided by the requests it answered. One bank (100001), the load generator's
# usual mix (20% inquiries, 5% invalid payments), its rate limit (banks.api_rate_limit) lifted to 1,000,000 a second
# in a database of its own created empty for each run. Each run starts a fresh switch, sends a warm-up run first (not
# counted: the JIT compiles the REST paths then), then the measured run, and ends with the load generator's journal
# check. With a second checkout (built in Release) the two run in turn, pair by pair, so the machine's drift from
# minute to minute affects both alike. Each switch runs with its own build's switch.env (beside switch.dll), as
# ./switch starts it.
# Usage: bench/cpu-per-rest-request.sh [seconds per run, default 15] [pairs, default 5] [baseline checkout]
# Environment: REST_CLIENTS (default 4), REST_WINDOW (16), RATE (0: flat out), WARMUP seconds (5); THIS_ENV and
# BASELINE_ENV, variables for one side's switch only, e.g. to weigh a runtime setting on one build:
#   THIS_ENV=DOTNET_gcServer=0 bench/cpu-per-rest-request.sh 15 5 .
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds=${1:-15}
pairs=${2:-5}
baseline=${3:-}
clients=${REST_CLIENTS:-4} window=${REST_WINDOW:-16} rate=${RATE:-0} warmup=${WARMUP:-5}

export SWITCH_PG_DATABASE=switch_cpu_rest
source scripts/devenv.sh
devenv_up
trap devenv_down_started EXIT
./switch migrate >/dev/null 2>&1 || true  # builds this checkout
export Switch__HttpUrl=${Switch__HttpUrl:-http://127.0.0.1:18480} Switch__Iso__Port=${Switch__Iso__Port:-15880}

clock_ticks=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# One run of the checkout in $1: prints "<label> <µs of switch CPU per request> <answered> <requests/s> <p99>".
run() {
  local checkout=$1 label=$2 settings=$3 log=.local/cpu-per-rest-request-$2.log
  local switch_dll=src/Switch/Switch.Host/bin/Release/net10.0/switch.dll loadgen_dll=bench/Switch.LoadGen/bin/Release/net10.0/loadgen.dll
  local load=(--connections 0 --rest-clients "$clients" --rest-window "$window" --rate "$rate")
  devenv_psql -qc "drop database if exists $SWITCH_PG_DATABASE" postgres
  devenv_psql -qc "create database $SWITCH_PG_DATABASE" postgres
  (cd "$checkout" && exec dotnet $switch_dll migrate) >"$log.migrate" 2>&1
  devenv_psql -qc "update banks set api_rate_limit = 1000000" "$SWITCH_PG_DATABASE"
  local runtime; runtime=$(grep -E '^[A-Za-z_][A-Za-z0-9_]*=' "$checkout/${switch_dll%/*}/switch.env" 2>/dev/null || true)
  (cd "$checkout" && exec env $runtime $settings dotnet $switch_dll serve) >"$log.switch" 2>&1 &
  local pid=$! i
  for i in $(seq 1 240); do
    curl -sf "$Switch__HttpUrl/health" >/dev/null 2>&1 && break
    kill -0 $pid 2>/dev/null || { echo "the $label switch did not start; see $log.switch" >&2; return 1; }
    sleep 0.5
  done
  (cd "$checkout" && dotnet $loadgen_dll --seconds "$warmup" "${load[@]}") >"$log.warmup" 2>&1 \
    || { echo "the $label warm-up failed; see $log.warmup" >&2; kill -TERM $pid; wait $pid || true; return 1; }
  local before; before=$(cpu_ticks $pid)
  (cd "$checkout" && dotnet $loadgen_dll --seconds "$seconds" "${load[@]}") >"$log" 2>&1 \
    || { echo "the $label load run failed; see $log" >&2; kill -TERM $pid; wait $pid || true; return 1; }
  local after; after=$(cpu_ticks $pid)
  kill -TERM $pid; wait $pid 2>/dev/null || true
  # Every request the load generator counted, less those it gave up on (code "none").
  local answered; answered=$(awk '/^answers/ { on = 1; next } on && /^  / { gsub(",", "", $4); if ($3 != "none") n += $4 } END { print n + 0 }' "$log")
  local per_second p99
  per_second=$(grep -o -m1 '= [0-9,]*/s' "$log" | grep -o '[0-9,]*/s' || echo '?')
  p99=$(grep -m1 '^latency  *all ' "$log" | grep -o 'p99 [0-9.]* ms' || echo '?')
  awk -v l="$label" -v t=$((after - before)) -v hz="$clock_ticks" -v n="$answered" -v ps="$per_second" -v p="$p99" \
    'BEGIN { printf "%-9s %6.1f us CPU/request  %8d answered  %s requests  %s\n", l, t / hz * 1e6 / n, n, ps, p }'
}

for pair in $(seq 1 "$pairs"); do
  [ -z "$baseline" ] || run "$baseline" baseline "${BASELINE_ENV:-}"
  run . this "${THIS_ENV:-}"
done
