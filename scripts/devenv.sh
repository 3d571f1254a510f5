# Private PostgreSQL and Redis for development and tests, sourced by ./switch.
# Idempotent: installs what is missing, reuses servers that are already up, and stops only what it started.
# Data lives in .local/ (ignored by git). Ports can be moved with SWITCH_PG_PORT and SWITCH_REDIS_PORT, and the
# database named with SWITCH_PG_DATABASE (default switch; the tests and the benchmark use their own). With
# SWITCH_PG_FRESH set, the database is dropped and created empty. With SWITCH_PG_STANDBY set (./switch devenv up
# --standby) a second PostgreSQL (port SWITCH_PG_STANDBY_PORT, default the primary's + 10) streams the primary's WAL as
# its synchronous standby, and the connection string lists both servers (unless SWITCH_PG_ONE_SERVER is set, as
# ./switch test sets it: tests that cut or proxy PostgreSQL need one address); SWITCH_PG_DIR moves the servers' data,
# and SWITCH_PG_EXTRA_OPTIONS adds server settings (-c name=value ...) to a server this script starts.

SWITCH_ROOT=${SWITCH_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
SWITCH_LOCAL=$SWITCH_ROOT/.local
SWITCH_PG_PORT=${SWITCH_PG_PORT:-55432}
SWITCH_REDIS_PORT=${SWITCH_REDIS_PORT:-56379}
SWITCH_PG_DATABASE=${SWITCH_PG_DATABASE:-switch}
SWITCH_PG_STANDBY_PORT=${SWITCH_PG_STANDBY_PORT:-$((SWITCH_PG_PORT + 10))}
SWITCH_PG_DIR=${SWITCH_PG_DIR:-$SWITCH_LOCAL/pg}
PG_DATA=$SWITCH_PG_DIR/data
PG_RUN=$SWITCH_PG_DIR/run
PG_LOG=$SWITCH_PG_DIR/postgres.log
PG_STANDBY_DATA=$SWITCH_PG_DIR/standby
PG_STANDBY_RUN=$SWITCH_PG_DIR/standby-run
PG_STANDBY_LOG=$SWITCH_PG_DIR/standby.log
REDIS_DIR=$SWITCH_LOCAL/redis
DEVENV_STARTED=()

devenv_log() { echo "[devenv] $*" >&2; }

pg_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }
  done
  return 1
}

# Runs a command as the postgres user when we are root (initdb and postgres refuse to run as root).
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

devenv_install() {
  local missing=()
  pg_bin >/dev/null || missing+=(postgresql)
  command -v redis-server >/dev/null || missing+=(redis-server)
  [ ${#missing[@]} -eq 0 ] && return 0
  devenv_log "installing ${missing[*]} (apt-get)"
  local sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

# psql as the superuser on the private server; arguments as for psql.
devenv_psql() { as_pg "$(pg_bin)/psql" -h "$PG_RUN" -p "$SWITCH_PG_PORT" -U postgres "$@"; }

pg_running() { [ -f "$PG_DATA/postmaster.pid" ] && as_pg "$(pg_bin)/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; }

devenv_pg_up() {
  local bin; bin=$(pg_bin)
  mkdir -p "$PG_RUN"
  if [ ! -f "$PG_DATA/PG_VERSION" ]; then
    devenv_log "initdb $PG_DATA"
    mkdir -p "$PG_DATA"
    [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$SWITCH_PG_DIR"
    as_pg "$bin/initdb" -D "$PG_DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$SWITCH_PG_DIR"
  if ! pg_running; then
    devenv_log "starting PostgreSQL on port $SWITCH_PG_PORT"
    # fsync stays on: an approval must survive a crash. The rest is sized for a developer machine. Under payment load
    # the journal writes WAL fast: with the default 1 GB a checkpoint starts every minute or two and its sync stalls
    # commits for a few hundred milliseconds, so checkpoints get room, and full-page images are compressed.
    # Commit timestamps let the switch find, at start, approvals committed after their bank was answered 91.
    if ! as_pg "$bin/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 start -o "$(pg_options "$SWITCH_PG_PORT" "$PG_RUN")" >/dev/null; then
      devenv_log "PostgreSQL did not start; the end of its log:"; tail -20 "$PG_LOG" >&2; return 1
    fi
    DEVENV_STARTED+=(pg)
  fi
  if [ -n "${SWITCH_PG_FRESH:-}" ]; then
    # Forced: a test host killed mid-run may still hold connections.
    devenv_psql -qc "drop database if exists \"$SWITCH_PG_DATABASE\" with (force)" postgres
  fi
  if ! devenv_psql -tAc "select 1 from pg_database where datname='$SWITCH_PG_DATABASE'" | grep -q 1; then
    as_pg "$bin/createdb" -h "$PG_RUN" -p "$SWITCH_PG_PORT" -U postgres "$SWITCH_PG_DATABASE"
  fi
}

# The servers' settings, the same for the primary and its standby (a promoted standby must serve as the primary did).
pg_options() {
  echo "-p $1 -k $2 -c listen_addresses=127.0.0.1 -c max_connections=200 -c shared_buffers=256MB -c max_wal_size=4GB -c checkpoint_timeout=15min -c wal_compression=on -c track_commit_timestamp=on ${SWITCH_PG_EXTRA_OPTIONS:-}"
}

standby_running() { [ -f "$PG_STANDBY_DATA/postmaster.pid" ] && as_pg "$(pg_bin)/pg_ctl" -D "$PG_STANDBY_DATA" status >/dev/null 2>&1; }

# The standby: a copy of the primary (pg_basebackup) that streams its WAL, named 'standby' to the primary, which then
# waits for it to hold each commit before answering it (synchronous_standby_names; synchronous_commit stays on).
# The primary's database must exist first: with a synchronous standby named and none connected, a commit waits. A
# standby that cannot catch up (it was down while the primary recycled the WAL it needs) is made again.
devenv_standby_up() {
  devenv_standby_start && standby_streaming || {
    devenv_log "the standby cannot catch up with the primary: making it again"
    devenv_standby_down
    rm -rf "$PG_STANDBY_DATA"
    devenv_standby_start && standby_streaming
  } || { devenv_log "the standby does not stream from the primary; the end of its log:"; tail -20 "$PG_STANDBY_LOG" >&2; return 1; }
  devenv_psql -qc "alter system set synchronous_standby_names = 'standby'" -c "select pg_reload_conf()" postgres >/dev/null
}

devenv_standby_start() {
  local bin; bin=$(pg_bin)
  mkdir -p "$PG_STANDBY_RUN"
  [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$SWITCH_PG_DIR"
  if [ ! -f "$PG_STANDBY_DATA/PG_VERSION" ]; then
    devenv_log "pg_basebackup of the primary into $PG_STANDBY_DATA"
    as_pg "$bin/pg_basebackup" -h 127.0.0.1 -p "$SWITCH_PG_PORT" -U postgres -D "$PG_STANDBY_DATA" -X stream -c fast -R || return 1
    echo "primary_conninfo = 'host=127.0.0.1 port=$SWITCH_PG_PORT user=postgres application_name=standby'" \
      | as_pg tee -a "$PG_STANDBY_DATA/postgresql.auto.conf" >/dev/null
  fi
  if ! standby_running; then
    devenv_log "starting the PostgreSQL standby on port $SWITCH_PG_STANDBY_PORT"
    if ! as_pg "$bin/pg_ctl" -D "$PG_STANDBY_DATA" -l "$PG_STANDBY_LOG" -w -t 60 start -o "$(pg_options "$SWITCH_PG_STANDBY_PORT" "$PG_STANDBY_RUN")" >/dev/null; then
      devenv_log "the standby did not start; the end of its log:"; tail -20 "$PG_STANDBY_LOG" >&2; return 1
    fi
    DEVENV_STARTED+=(standby)
  fi
}

# Whether the standby streams from the primary, waiting up to 10 s for it to connect.
standby_streaming() {
  local i
  for i in $(seq 1 100); do
    devenv_psql -tAc "select 1 from pg_stat_replication where application_name = 'standby' and state = 'streaming'" postgres | grep -q 1 && return 0
    sleep 0.1
  done
  return 1
}

# Without a standby streaming, the primary must not wait for one: its commits would hang.
devenv_standby_off() {
  [ -n "$(devenv_psql -tAc 'show synchronous_standby_names' postgres)" ] || return 0
  devenv_psql -tAc "select 1 from pg_stat_replication where application_name = 'standby' and state = 'streaming'" postgres | grep -q 1 && return 0
  devenv_log "no standby streaming: the primary stops waiting for one"
  devenv_psql -qc "alter system reset synchronous_standby_names" -c "select pg_reload_conf()" postgres >/dev/null
}

devenv_standby_down() {
  standby_running || return 0
  devenv_log "stopping the PostgreSQL standby"
  as_pg "$(pg_bin)/pg_ctl" -D "$PG_STANDBY_DATA" -m fast -w stop >/dev/null
}

redis_running() { redis-cli -p "$SWITCH_REDIS_PORT" ping 2>/dev/null | grep -q PONG; }

devenv_redis_up() {
  redis_running && return 0
  mkdir -p "$REDIS_DIR"
  devenv_log "starting Redis on port $SWITCH_REDIS_PORT"
  # Redis is a cache and rate limiter here; its loss costs speed, never money, so no persistence.
  redis-server --port "$SWITCH_REDIS_PORT" --bind 127.0.0.1 --dir "$REDIS_DIR" --daemonize yes \
    --pidfile "$REDIS_DIR/redis.pid" --logfile "$REDIS_DIR/redis.log" --save "" --appendonly no >/dev/null
  local i
  for i in $(seq 1 50); do redis_running && break; sleep 0.1; done
  redis_running || { devenv_log "Redis did not start; the end of its log:"; tail -20 "$REDIS_DIR/redis.log" >&2; return 1; }
  DEVENV_STARTED+=(redis)
}

# The key-encryption key under which the switch stores MAC keys and its receipt secret: for development, a private
# file made on first use (32 random bytes in base64, readable by this user only; .local/ is never committed).
# A KEK already given in the environment wins. Losing the file makes the stored keys unreadable: the switch then
# refuses to start until the database is recreated (rm -rf .local/pg) or the file is restored.
devenv_kek() {
  [ -n "${Switch__Secrets__Key:-}" ] || [ -n "${Switch__Secrets__KeyFile:-}" ] && return 0
  local file=$SWITCH_LOCAL/secrets/kek
  if [ ! -s "$file" ]; then
    mkdir -p "$SWITCH_LOCAL/secrets" && chmod 700 "$SWITCH_LOCAL/secrets"
    (umask 077 && head -c 32 /dev/urandom | base64 >"$file.tmp" && mv "$file.tmp" "$file")
    devenv_log "made a development key-encryption key in $file"
  fi
  export Switch__Secrets__KeyFile="$file"
}

devenv_export() {
  export Switch__Postgres__ConnectionString="Host=127.0.0.1;Port=$SWITCH_PG_PORT;Username=postgres;Database=$SWITCH_PG_DATABASE;Maximum Pool Size=100"
  if [ -z "${SWITCH_PG_ONE_SERVER:-}" ] && standby_running; then
    # Both servers; the switch uses whichever is the primary, and finds the standby once it is promoted.
    export Switch__Postgres__ConnectionString="Host=127.0.0.1:$SWITCH_PG_PORT,127.0.0.1:$SWITCH_PG_STANDBY_PORT;Target Session Attributes=primary;Host Recheck Seconds=1;Username=postgres;Database=$SWITCH_PG_DATABASE;Maximum Pool Size=100"
  fi
  export Switch__Redis__ConnectionString="127.0.0.1:$SWITCH_REDIS_PORT"
  devenv_kek
}

devenv_up() {
  devenv_install && devenv_pg_up || return 1
  if [ -n "${SWITCH_PG_STANDBY:-}" ]; then devenv_standby_up; else devenv_standby_off; fi || return 1
  devenv_redis_up && devenv_export
}

devenv_pg_down() {
  pg_running || return 0
  devenv_log "stopping PostgreSQL"
  as_pg "$(pg_bin)/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null
}

devenv_redis_down() {
  redis_running || return 0
  devenv_log "stopping Redis"
  redis-cli -p "$SWITCH_REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
}

# Stops only the servers this command started, so servers kept up with './switch devenv up' stay up.
devenv_down_started() {
  local s
  for s in "${DEVENV_STARTED[@]}"; do
    case $s in pg) devenv_pg_down ;; standby) devenv_standby_down ;; redis) devenv_redis_down ;; esac
  done
  DEVENV_STARTED=()
}

devenv_status() {
  if pg_running; then echo "PostgreSQL: up on 127.0.0.1:$SWITCH_PG_PORT (data $PG_DATA)"; else echo "PostgreSQL: down"; fi
  if standby_running; then echo "PostgreSQL standby: up on 127.0.0.1:$SWITCH_PG_STANDBY_PORT (data $PG_STANDBY_DATA)"; fi
  if redis_running; then echo "Redis: up on 127.0.0.1:$SWITCH_REDIS_PORT"; else echo "Redis: down"; fi
}
