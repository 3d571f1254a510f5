#!/usr/bin/env bash
# The transaction core's figures in one run on this machine: the switch driven flat out and at a fixed rate
# over ISO 8583 (payments), inquiries alone, and pgbench single-row inserts against the same PostgreSQL for
# the ratio. Each load run starts a fresh switch; every run ends with the journal check.
# The runs use their own database, created empty, so the figures do not depend on how many runs came before:
# the journal's unique index grows with every payment, and a journal of millions of rows is slower to insert into.
# Usage: [RATES='10000 13500'] bench/transaction-core.sh [seconds per run, default 60]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds=${1:-60}
rates=${RATES:-10000 13500}

export SWITCH_PG_DATABASE=switch_bench
source scripts/devenv.sh
devenv_up
trap devenv_down_started EXIT
devenv_psql -qc "drop database if exists $SWITCH_PG_DATABASE" postgres
devenv_psql -qc "create database $SWITCH_PG_DATABASE" postgres

run() { echo; echo "== ./switch loadgen $*"; ./switch loadgen "$@" | grep -v "^ *[0-9]* s \|warming up"; }

run --warmup 10 --seconds "$seconds" --connections 4 --window 32
for rate in $rates; do
  run --warmup 10 --seconds "$seconds" --connections 4 --window 32 --rate "$rate"
done
run --warmup 10 --seconds 30 --connections 4 --window 32 --inquiry-percent 100 --invalid-percent 0

echo; echo "== pgbench: single-row inserts, 8 clients, 15 s, same PostgreSQL"
devenv_psql -qc "create table bench_insert (id bigserial primary key, reference text not null, amount bigint not null)" $SWITCH_PG_DATABASE
echo "insert into bench_insert (reference, amount) values (md5(random()::text), 1000);" > .local/bench_insert.sql
as_pg "$(pg_bin)/pgbench" -h "$PG_RUN" -p "$SWITCH_PG_PORT" -U postgres -n -c 8 -j 2 -T 15 -f "$PWD/.local/bench_insert.sql" $SWITCH_PG_DATABASE | grep -E "^(tps|latency average)"
devenv_psql -qc "drop table bench_insert" $SWITCH_PG_DATABASE
