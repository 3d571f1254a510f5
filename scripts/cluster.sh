# Several switch nodes of one cluster on this machine, for ./switch demo --nodes N and bench/failover.sh. Sourced after
# scripts/devenv.sh, with CLI_DLL set. Node i listens on consecutive ports from the usual ones: ISO 8583
# ${Switch__Iso__Port:-5800}+i, HTTP ${Switch__HttpUrl:-http://127.0.0.1:8080}'s port +i, Akka ${Switch__Cluster__Port:-2551}+i;
# every node gets every node as a seed, in the same order. Node i logs to ${CLUSTER_LOG}-node<i>.log, a new file each start.
CLUSTER_LOG=${CLUSTER_LOG:-.local/cluster}
cluster_nodes=0
cluster_pids=()

cluster_iso_port() { echo $(( ${Switch__Iso__Port:-5800} + $1 )); }
cluster_http_url() { local base=${Switch__HttpUrl:-http://127.0.0.1:8080}; echo "${base%:*}:$(( ${base##*:} + $1 ))"; }
cluster_akka_port() { echo $(( ${Switch__Cluster__Port:-2551} + $1 )); }
cluster_log() { echo "${CLUSTER_LOG}-node$1.log"; }

cluster_start_node() {
  local i=$1 j seeds=()
  for j in $(seq 0 $((cluster_nodes - 1))); do
    seeds+=("Switch__Cluster__SeedNodes__$j=akka.tcp://switch@127.0.0.1:$(cluster_akka_port "$j")")
  done
  env "${seeds[@]}" Switch__Iso__Port="$(cluster_iso_port "$i")" Switch__HttpUrl="$(cluster_http_url "$i")" \
    Switch__Cluster__Hostname=127.0.0.1 Switch__Cluster__Port="$(cluster_akka_port "$i")" \
    dotnet "$CLI_DLL" serve >>"$(cluster_log "$i")" 2>&1 &
  cluster_pids[$i]=$!
}

# Waits until node i answers /health/ready (an Up member of the cluster); fails if it exits first.
cluster_wait_ready() {
  local i=$1 n
  for n in $(seq 1 240); do
    curl -sf "$(cluster_http_url "$i")/health/ready" >/dev/null 2>&1 && return 0
    kill -0 "${cluster_pids[$i]}" 2>/dev/null || { echo "node $i did not start; see $(cluster_log "$i")" >&2; return 1; }
    sleep 0.5
  done
  echo "node $i was not ready within 2 minutes; see $(cluster_log "$i")" >&2
  return 1
}

cluster_start() {
  local i
  cluster_nodes=$1
  mkdir -p "$(dirname "$CLUSTER_LOG")"
  # A node's log is emptied when the cluster starts and kept across its restarts (a restart appends to it).
  for i in $(seq 0 $((cluster_nodes - 1))); do : >"$(cluster_log "$i")"; cluster_start_node "$i"; done
  for i in $(seq 0 $((cluster_nodes - 1))); do cluster_wait_ready "$i" || return 1; done
}

# SIGTERM to every node still running (each drains and leaves), then waits for them.
cluster_stop() {
  local pid
  for pid in "${cluster_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${cluster_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}

# The node whose current log says it holds the bank's position actor (its last start rebuilt it), or nothing.
cluster_host_of() {
  # The running node whose log last says it rebuilt the bank's position (logs outlive restarts, so the latest wins).
  local bank=$1 i at latest="" host=""
  for i in $(seq 0 $((cluster_nodes - 1))); do
    kill -0 "${cluster_pids[$i]}" 2>/dev/null || continue
    at=$(grep "Position of bank $bank rebuilt" "$(cluster_log "$i")" | tail -1 | cut -c8-31)
    if [ -n "$at" ] && [[ "$at" > "$latest" ]]; then latest=$at; host=$i; fi
  done
  [ -z "$host" ] || echo "$host"
  return 0
}
