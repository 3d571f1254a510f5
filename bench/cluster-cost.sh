#!/usr/bin/env bash
# One node against three on this machine, side by side: the same flat-out load over ISO 8583 (payments of bank 100001
# only, 6 connections x 32 in flight) against a single node, then against a three-node cluster with the connections
# spread over all three, in turn, pair by pair. The bank's position actor lives on one node, so two requests in three
# cross to it: on two shared cores three nodes cannot be faster, and the difference is what the cluster costs.
#   bench/cluster-cost.sh [seconds per run, default 30] [pairs, default 3]
# Each line: approvals a second and p99 as the load generator printed them, and the switch processes' CPU time (all
# nodes together) per approval. Each run has a database of its own (switch_cluster_cost), created empty.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds=${1:-30}
pairs=${2:-3}
export SWITCH_PG_DATABASE=switch_cluster_cost
CLI_DLL=src/Switch/Switch.Host/bin/Release/net10.0/switch.dll
LOADGEN_DLL=bench/Switch.LoadGen/bin/Release/net10.0/loadgen.dll
source scripts/devenv.sh
./switch --help >/dev/null  # builds
devenv_up
source scripts/cluster.sh
CLUSTER_LOG=.local/cluster-cost
trap 'cluster_stop; devenv_down_started' EXIT
export Switch__Iso__Port=${Switch__Iso__Port:-15960} Switch__HttpUrl=${Switch__HttpUrl:-http://127.0.0.1:18560} Switch__Cluster__Port=${Switch__Cluster__Port:-12651}
set -a; source src/Switch/Switch.Host/bin/Release/net10.0/switch.env; set +a

clock_ticks=$(getconf CLK_TCK)
nodes_ticks() { local pid; for pid in "${cluster_pids[@]}"; do awk '{print $14 + $15}' "/proc/$pid/stat"; done | awk '{ t += $1 } END { print t }'; }

# One run against $1 nodes: prints "<nodes> node(s)  <approved/s>  <p99>  <µs of switch CPU per approval>".
run() {
  local nodes=$1 log=.local/cluster-cost-loadgen-$1.log
  devenv_psql -qc "drop database if exists $SWITCH_PG_DATABASE with (force)" postgres
  devenv_psql -qc "create database $SWITCH_PG_DATABASE" postgres
  cluster_pids=()
  cluster_start "$nodes"
  # A cap no run reaches: what is measured is the cluster, not the cap.
  devenv_psql -qc "update banks set net_debit_cap = 1000000000000000" "$SWITCH_PG_DATABASE"
  local before after
  before=$(nodes_ticks)
  dotnet "$LOADGEN_DLL" --nodes "$nodes" --connections 6 --window 32 --inquiry-percent 0 --invalid-percent 0 --seconds "$seconds" >"$log" 2>&1 \
    || { echo "the load run against $nodes node(s) failed; see $log" >&2; return 1; }
  after=$(nodes_ticks)
  cluster_stop
  local approved per_second p99
  approved=$(devenv_psql -tAc "select count(*) from payments where response_code = '00'" "$SWITCH_PG_DATABASE")
  per_second=$(grep -o -m1 'approved payments [0-9,]*/s' "$log" | grep -o '[0-9,]*/s' || echo '?')
  p99=$(grep -m1 '^latency  *all ' "$log" | grep -o 'p99 [0-9.]* ms' || echo '?')
  awk -v n="$nodes" -v t=$((after - before)) -v hz="$clock_ticks" -v a="$approved" -v ps="$per_second" -v p="$p99" \
    'BEGIN { printf "%d node(s)  %9s approved  %-14s %6.1f us switch CPU/approval\n", n, ps, p, t / hz * 1e6 / a }'
}

for pair in $(seq 1 "$pairs"); do
  run 1
  run 3
done
