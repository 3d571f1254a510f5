#!/usr/bin/env bash
# The switch's own CPU time per approved payment, flat out over ISO 8583 (4 connections x 32 in flight): the switch
# process's user + system time (/proc/<pid>/stat) over the load run, divided by the payments approved in it. Each run
# starts a fresh switch on a database of its own created empty, and ends with the load generator's journal check.
# With a second checkout (built in Release) the two run in turn, pair by pair, so the machine's drift from minute to
# minute affects both alike; each line gives the run's approvals a second and p99 as the load generator printed them.
# Usage: bench/cpu-per-payment.sh [seconds per run, default 20] [pairs, default 5] [baseline checkout]
# THIS_ENV and BASELINE_ENV: variables for one side's switch only, e.g. to weigh a runtime setting on one build:
#   THIS_ENV=DOTNET_gcServer=0 bench/cpu-per-payment.sh 20 5 .
# THIS_SETUP and BASELINE_SETUP: a command run in that side's checkout once its switch answers, before the load (not
# counted), e.g. to give billers adapters so that the switch notifies them (bench/README.md, notification cost).
# Each switch runs with its own build's switch.env (beside switch.dll), as ./switch starts it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds=${1:-20}
pairs=${2:-5}
baseline=${3:-}

export SWITCH_PG_DATABASE=switch_cpu
source scripts/devenv.sh
devenv_up
trap devenv_down_started EXIT
./switch migrate >/dev/null 2>&1 || true  # builds this checkout
export Switch__HttpUrl=${Switch__HttpUrl:-http://127.0.0.1:18480} Switch__Iso__Port=${Switch__Iso__Port:-15880}

clock_ticks=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# PostgreSQL's: its processes' own time, plus what its ended processes used (counted in the postmaster's children times).
pg_ticks() {
  local postmaster; postmaster=$(head -1 "$PG_DATA/postmaster.pid")
  { awk '{print $14 + $15 + $16 + $17}' "/proc/$postmaster/stat"
    for child in $(pgrep -P "$postmaster"); do awk '{print $14 + $15}' "/proc/$child/stat" 2>/dev/null || true; done
  } | awk '{ total += $1 } END { print total }'
}

# One run of the checkout in $1: prints "<label> <µs of switch CPU per approval> <µs of PostgreSQL CPU per approval>
# <approved> <approved/s> <p99>".
run() {
  local checkout=$1 label=$2 settings=$3 log=.local/cpu-per-payment-$2.log
  devenv_psql -qc "drop database if exists $SWITCH_PG_DATABASE" postgres
  devenv_psql -qc "create database $SWITCH_PG_DATABASE" postgres
  local runtime; runtime=$(grep -E '^[A-Za-z_][A-Za-z0-9_]*=' "$checkout/src/Switch/Switch.Host/bin/Release/net10.0/switch.env" 2>/dev/null || true)
  (cd "$checkout" && exec env $runtime $settings dotnet src/Switch/Switch.Host/bin/Release/net10.0/switch.dll serve) >"$log.switch" 2>&1 &
  local pid=$! i
  for i in $(seq 1 240); do
    curl -sf "$Switch__HttpUrl/health" >/dev/null 2>&1 && break
    kill -0 $pid 2>/dev/null || { echo "the $label switch did not start; see $log.switch" >&2; return 1; }
    sleep 0.5
  done
  local setup; if [ "$label" = this ]; then setup=${THIS_SETUP:-}; else setup=${BASELINE_SETUP:-}; fi
  [ -z "$setup" ] || (cd "$checkout" && eval "$setup") >"$log.setup" 2>&1 || { echo "the $label setup failed; see $log.setup" >&2; kill -TERM $pid; wait $pid || true; return 1; }
  local before pg_before; before=$(cpu_ticks $pid) pg_before=$(pg_ticks)
  (cd "$checkout" && dotnet bench/Switch.LoadGen/bin/Release/net10.0/loadgen.dll --seconds "$seconds" --connections 4 --window 32) >"$log" 2>&1 \
    || { echo "the $label load run failed; see $log" >&2; kill -TERM $pid; wait $pid || true; return 1; }
  local after pg_after; after=$(cpu_ticks $pid) pg_after=$(pg_ticks)
  kill -TERM $pid; wait $pid 2>/dev/null || true
  local approved; approved=$(devenv_psql -tAc "select count(*) from payments where response_code = '00'" "$SWITCH_PG_DATABASE")
  local per_second p99
  per_second=$(grep -o -m1 'approved payments [0-9,]*/s' "$log" | grep -o '[0-9,]*/s' || echo '?')
  p99=$(grep -m1 '^latency  *all ' "$log" | grep -o 'p99 [0-9.]* ms' || echo '?')
  awk -v l="$label" -v t=$((after - before)) -v pg=$((pg_after - pg_before)) -v hz="$clock_ticks" -v n="$approved" -v ps="$per_second" -v p="$p99" \
    'BEGIN { printf "%-9s %6.1f us CPU/approval  %6.1f us PostgreSQL  %8d approved  %s approved  %s\n", l, t / hz * 1e6 / n, pg / hz * 1e6 / n, n, ps, p }'
}

for pair in $(seq 1 "$pairs"); do
  [ -z "$baseline" ] || run "$baseline" baseline "${BASELINE_ENV:-}"
  run . this "${THIS_ENV:-}"
done
