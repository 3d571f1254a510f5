#!/usr/bin/env bash
# PostgreSQL's time per approved payment, statement by statement: a PostgreSQL of its own (.local/pg-stat, port 55450)
# with pg_stat_statements (nested statements tracked too: a trigger's or a function's queries appear on their own lines
# and inside their caller's time), a fresh database per run, the switch of each checkout given started in turn and
# driven flat out over ISO 8583 (4 connections x 32, the load generator's usual mix) after a warm-up; statistics are
# reset after the warm-up. Prints, per checkout, approved payments a second and the statements' planning + execution
# time per approval (µs), the top 12; the load generator's own journal check is left out.
# Usage: bench/pg-per-statement.sh [seconds, default 20] [checkout ...; default this one]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds=${1:-20}
shift || true
checkouts=("${@:-.}")

export SWITCH_PG_DIR=$PWD/.local/pg-stat SWITCH_PG_PORT=${SWITCH_PG_STAT_PORT:-55450} SWITCH_PG_DATABASE=switch_pg_stat
export SWITCH_PG_EXTRA_OPTIONS="-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all -c pg_stat_statements.track_planning=on"
source scripts/devenv.sh
devenv_up
trap devenv_down_started EXIT
./switch migrate >/dev/null 2>&1 || true  # builds this checkout
export Switch__HttpUrl=${Switch__HttpUrl:-http://127.0.0.1:18470} Switch__Iso__Port=${Switch__Iso__Port:-15870}
export Switch__Postgres__ConnectionString="Host=127.0.0.1;Port=$SWITCH_PG_PORT;Username=postgres;Database=$SWITCH_PG_DATABASE;Maximum Pool Size=100"
sql() { devenv_psql -qAtX "$@"; }

for checkout in "${checkouts[@]}"; do
  label=$(git -C "$checkout" rev-parse --short HEAD)
  log=.local/pg-per-statement-$label.log
  sql -c "drop database if exists $SWITCH_PG_DATABASE with (force)" postgres
  sql -c "create database $SWITCH_PG_DATABASE" postgres
  sql -c "create extension if not exists pg_stat_statements" "$SWITCH_PG_DATABASE"
  switch_dll=src/Switch/Switch.Host/bin/Release/net10.0/switch.dll loadgen_dll=bench/Switch.LoadGen/bin/Release/net10.0/loadgen.dll
  (cd "$checkout" && exec dotnet $switch_dll migrate) >"$log.migrate" 2>&1
  runtime=$(grep -E '^[A-Za-z_][A-Za-z0-9_]*=' "$checkout/${switch_dll%/*}/switch.env" 2>/dev/null || true)
  (cd "$checkout" && exec env $runtime dotnet $switch_dll serve) >"$log.switch" 2>&1 &
  pid=$!
  for i in $(seq 1 240); do
    curl -sf "$Switch__HttpUrl/health/live" >/dev/null 2>&1 && break
    kill -0 $pid 2>/dev/null || { echo "the switch of $checkout did not start; see $log.switch" >&2; exit 1; }
    sleep 0.5
  done
  (cd "$checkout" && dotnet $loadgen_dll --seconds 5) >"$log.warmup" 2>&1
  before=$(sql -c "select count(*) from payments where response_code = '00'" "$SWITCH_PG_DATABASE")
  sql -c "select pg_stat_statements_reset()" "$SWITCH_PG_DATABASE" >/dev/null
  (cd "$checkout" && dotnet $loadgen_dll --seconds "$seconds") >"$log" 2>&1
  approved=$(( $(sql -c "select count(*) from payments where response_code = '00'" "$SWITCH_PG_DATABASE") - before ))
  kill -TERM $pid; wait $pid 2>/dev/null || true
  echo "== $checkout ($label): $(grep -m1 '^measured' "$log")"
  sql -F $'\t' -c "
    select round(((total_plan_time + total_exec_time) * 1000 / $approved)::numeric, 1) as us_per_approval, calls,
           round(((total_plan_time + total_exec_time) * 1000 / greatest(calls, 1))::numeric, 1) as us_per_call,
           left(regexp_replace(query, '\s+', ' ', 'g'), 100)
      from pg_stat_statements
     where dbid = (select oid from pg_database where datname = current_database())
       and query not like '%pg_stat_statements%' and query not like '%p.reference like%'
       and query not like 'select count(*) from payments%'
     order by 1 desc limit 12" "$SWITCH_PG_DATABASE" | awk -F'\t' '{ printf "%8s µs %9s calls %9s µs/call  %s\n", $1, $2, $3, $4 }'
done
