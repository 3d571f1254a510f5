#!/usr/bin/env bash
# The transaction core's figures in one run on this machine: the switch driven flat out and at a fixed rate
# over ISO 8583 (payments), inquiries alone, and pgbench single-row inserts against the same PostgreSQL for
# the ratio. Each load run starts a fresh switch; every run ends with the journal check.
# Usage: bench/transaction-core.sh [seconds per run, default 60]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds=${1:-60}
rate=${RATE:-13500}

run() { echo; echo "== ./switch loadgen $*"; ./switch loadgen "$@" | grep -v "^ *[0-9]* s \|warming up"; }

run --warmup 10 --seconds "$seconds" --connections 4 --window 32
run --warmup 10 --seconds "$seconds" --connections 4 --window 32 --rate "$rate"
run --warmup 10 --seconds 30 --connections 4 --window 32 --inquiry-percent 100 --invalid-percent 0

echo; echo "== pgbench: single-row inserts, 8 clients, 15 s, same PostgreSQL"
source scripts/devenv.sh
devenv_up
trap devenv_down_started EXIT
bin=$(pg_bin)
as_pg "$bin/psql" -h "$PG_RUN" -p "$SWITCH_PG_PORT" -U postgres -qc "drop table if exists bench_insert; create table bench_insert (id bigserial primary key, reference text not null, amount bigint not null)" switch
echo "insert into bench_insert (reference, amount) values (md5(random()::text), 1000);" > .local/bench_insert.sql
as_pg "$bin/pgbench" -h "$PG_RUN" -p "$SWITCH_PG_PORT" -U postgres -n -c 8 -j 2 -T 15 -f "$PWD/.local/bench_insert.sql" switch | grep -E "^(tps|latency average)"
as_pg "$bin/psql" -h "$PG_RUN" -p "$SWITCH_PG_PORT" -U postgres -qc "drop table bench_insert" switch
