#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the test suite: installs Debian's server package when it is missing,
# starts a cluster in a temporary folder on a loopback port, and stops it again.
#   source .ci/postgres.sh; postgres_start   # exports DATABUNKER_TEST_POSTGRES and PG_TEST_DIR
#   postgres_stop
#   postgres_halt fast; postgres_run           # the fault suite: the same cluster stopped and started again
# The test suite sources it too (POSTGRES_NO_INSTALL=1) when no server is named, so that a plain
# 'dotnet test' on a machine with PostgreSQL installed runs the PostgreSQL suites as well.
# initdb refuses to run as root, so as root the cluster runs as the 'postgres' user the package creates.
# The port is the first free one from 15432 unless DATABUNKER_TEST_POSTGRES_PORT names one; with
# DATABUNKER_TEST_OWNER_PID set, a watcher stops the cluster when that process ends.

postgres_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$dir" ] && [ "${POSTGRES_NO_INSTALL:-}" = "1" ]; then
    return 1
  fi
  if [ -z "$dir" ]; then
    echo "::: installing PostgreSQL from Debian's packages" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq postgresql >&2
    dir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
  echo "$dir"
}

as_cluster_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# The first loopback port from $1 (default 15432, below Linux's ephemeral range, so that no client socket
# takes it meanwhile) that no socket uses: none listening, connected or in TIME-WAIT.
postgres_free_port() {
  local port=${1:-15432}
  while port_in_use "$port"; do
    port=$((port + 1))
  done
  echo "$port"
}

port_in_use() {
  if command -v ss >/dev/null; then
    [ -n "$(ss -Htan "( sport = :$1 )" 2>/dev/null)" ]
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
  fi
}

# Stops the cluster when process $1 (the test run) ends, however it ends: a cancelled or killed run leaves
# neither a server nor its folder behind.
postgres_watch() {
  local owner=$1
  setsid bash -c "while kill -0 $owner 2>/dev/null; do sleep 2; done; source '$(realpath "${BASH_SOURCE[0]}")'; \
    PG_TEST_DIR='$PG_TEST_DIR' PG_TEST_BIN='$PG_TEST_BIN' postgres_stop" </dev/null >/dev/null 2>&1 &
}

postgres_start() {
  local bin port
  bin=$(postgres_bin) || return 1
  PG_TEST_DIR=$(mktemp -d /tmp/databunker-pg.XXXXXX)
  chmod 755 "$PG_TEST_DIR"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$PG_TEST_DIR"
  port=${DATABUNKER_TEST_POSTGRES_PORT:-$(postgres_free_port)}
  as_cluster_owner "$bin/initdb" -D "$PG_TEST_DIR/data" -U databunker --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  PG_TEST_BIN=$bin PG_TEST_PORT=$port
  if ! postgres_run; then
    echo "PostgreSQL did not start on 127.0.0.1:$port; its log says:" >&2
    tail -n 20 "$PG_TEST_DIR/server.log" >&2 || true
    rm -rf "$PG_TEST_DIR"
    return 1
  fi
  export PG_TEST_DIR PG_TEST_BIN PG_TEST_PORT
  if [ -n "${DATABUNKER_TEST_OWNER_PID:-}" ]; then
    postgres_watch "$DATABUNKER_TEST_OWNER_PID"
  fi
  export DATABUNKER_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=databunker;Database=postgres"
  echo "::: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data in $PG_TEST_DIR)"
}

# Starts the server of the cluster in $PG_TEST_DIR on $PG_TEST_PORT: at creation, and again after postgres_halt.
# Throwaway: no fsync, enough connections for the parallel tests' pools. PG_TEST_OPTIONS adds or overrides
# settings (the fault suite, which stops the server under load, wants synchronous_commit=on).
postgres_run() {
  as_cluster_owner "$PG_TEST_BIN/pg_ctl" -D "$PG_TEST_DIR/data" -l "$PG_TEST_DIR/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $PG_TEST_PORT -k $PG_TEST_DIR -c max_connections=400 -c fsync=off -c synchronous_commit=off -c full_page_writes=off ${PG_TEST_OPTIONS:-}" start >/dev/null
}

# Stops the server and keeps the cluster, for the fault suite: mode fast (sessions ended by the server) or
# immediate (as a crash).
postgres_halt() {
  as_cluster_owner "$PG_TEST_BIN/pg_ctl" -D "$PG_TEST_DIR/data" -m "${1:-fast}" -w stop >/dev/null
}

postgres_stop() {
  if [ -n "${PG_TEST_DIR:-}" ] && [ -d "$PG_TEST_DIR/data" ]; then
    as_cluster_owner "$PG_TEST_BIN/pg_ctl" -D "$PG_TEST_DIR/data" -m immediate stop >/dev/null || true
    rm -rf "$PG_TEST_DIR"
  fi
}
