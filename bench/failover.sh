#!/usr/bin/env bash
# Failover of a three-node cluster on this machine, under load over all three nodes (ISO 8583, bank 100001).
#   bench/failover.sh [kills, default 10] [rate, default 2000]
#     Every 20 s or so (a restarted node must be ready first) the node holding bank 100001's position actor is killed (kill -9) and started again 10 s later;
#     for each kill: the time from the kill to the first approval of a payment of that bank sent after it. Prints each,
#     then the median and the max.
#   bench/failover.sh --fault-free [seconds, default 600]
#     Flat-out load with no fault; counts the nodes the split-brain resolver downed (there should be none).
#   bench/failover.sh --rolling [rounds, default 1] [rate, default 2000]
#     A rolling restart under load: each node in turn is asked to stop (SIGTERM: it drains, signs its banks off and
#     leaves), started again once it has exited, and the next is stopped once it is ready; then the answers by code
#     (a restart that costs anything shows as 91 or 96).
# Runs on a database of its own (switch_failover), created empty. Node logs: .local/failover-node<i>.log.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export SWITCH_PG_DATABASE=switch_failover SWITCH_PG_FRESH=1
CLI_DLL=src/Switch/Switch.Host/bin/Release/net10.0/switch.dll
LOADGEN_DLL=bench/Switch.LoadGen/bin/Release/net10.0/loadgen.dll
source scripts/devenv.sh
./switch --help >/dev/null  # builds
devenv_up
unset SWITCH_PG_FRESH
source scripts/cluster.sh
CLUSTER_LOG=.local/failover
trap 'cluster_stop; devenv_down_started' EXIT
export Switch__Iso__Port=${Switch__Iso__Port:-15900} Switch__HttpUrl=${Switch__HttpUrl:-http://127.0.0.1:18500} Switch__Cluster__Port=${Switch__Cluster__Port:-12551}
approvals=.local/failover-approvals.log

cluster_start 3
# A cap no run reaches: what is measured is the cluster, not the cap.
devenv_psql -qc "update banks set net_debit_cap = 1000000000000000 where code = '100001'" "$SWITCH_PG_DATABASE"

if [ "${1:-}" = --fault-free ]; then
  seconds=${2:-600}
  dotnet "$LOADGEN_DLL" --nodes 3 --connections 6 --window 32 --inquiry-percent 0 --invalid-percent 0 --seconds "$seconds" \
    >.local/failover-loadgen.log 2>&1 || true
  grep -E '^measured|^journal' .local/failover-loadgen.log
  downed=$(cat .local/failover-node*.log | grep -c 'SBR took decision' || true)
  exited=0
  for pid in "${cluster_pids[@]}"; do kill -0 "$pid" 2>/dev/null || exited=$((exited + 1)); done
  echo "fault-free ${seconds} s flat out: ${downed} downing decisions, ${exited} nodes exited"
  exit 0
fi

if [ "${1:-}" = --rolling ]; then
  rounds=${2:-1}
  rate=${3:-2000}
  dotnet "$LOADGEN_DLL" --nodes 3 --connections 6 --window 32 --rate "$rate" --inquiry-percent 0 --invalid-percent 0 \
    --seconds $((rounds * 120 + 30)) >.local/failover-loadgen.log 2>&1 &
  loadgen=$!
  sleep 15
  for round in $(seq 1 "$rounds"); do
    for node in 0 1 2; do
      started=$(date +%s%3N)
      kill -TERM "${cluster_pids[$node]}"
      wait "${cluster_pids[$node]}" 2>/dev/null && code=0 || code=$?
      cluster_start_node "$node"
      cluster_wait_ready "$node"
      echo "round $round: node $node stopped (exit $code) and ready again after $(( ($(date +%s%3N) - started) / 1000 )) s"
    done
  done
  wait $loadgen || true
  grep -E '^measured|^journal' .local/failover-loadgen.log || true
  sed -n '/^answers/,/^[^ a]/p' .local/failover-loadgen.log | grep -E '^  ' || true
  exit 0
fi

kills=${1:-10}
rate=${2:-2000}
dotnet "$LOADGEN_DLL" --nodes 3 --connections 6 --window 32 --rate "$rate" --inquiry-percent 0 --invalid-percent 0 \
  --seconds $((kills * 40 + 20)) --approvals-log "$approvals" >.local/failover-loadgen.log 2>&1 &
loadgen=$!
kill_times=()
for k in $(seq 1 "$kills"); do
  sleep 10
  victim=$(cluster_host_of 100001)
  [ -n "$victim" ] || { echo "no node holds bank 100001's position yet" >&2; victim=$((k % 3)); }
  kill -KILL "${cluster_pids[$victim]}"
  kill_times+=("$(date +%s%3N)")
  wait "${cluster_pids[$victim]}" 2>/dev/null || true
  sleep 10
  cluster_start_node "$victim"
  cluster_wait_ready "$victim"
done
wait $loadgen || true
grep -E '^measured|^journal|^  9|^answers' .local/failover-loadgen.log || true

resumed=()
for kill in "${kill_times[@]}"; do
  # The first approval of bank 100001 for a payment sent after the kill: when the bank was served again.
  resumed+=("$(awk -v k="$kill" '$1 == "100001" && $2 > k && (first == "" || $3 < first) { first = $3 } END { if (first == "") print "none"; else printf "%.1f", (first - k) / 1000 }' "$approvals")")
  echo "kill ${#resumed[@]}: bank 100001's payments resumed after ${resumed[-1]} s"
done
printf '%s\n' "${resumed[@]}" | grep -v none | sort -n | awk '{ v[NR] = $1 } END {
  m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
  printf "over %d kills: median %.1f s, max %.1f s\n", NR, m, v[NR] }'
