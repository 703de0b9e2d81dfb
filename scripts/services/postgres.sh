# shellcheck shell=bash
# PostgreSQL for the store's tests (sourced by scripts/test.sh): a throwaway server of Debian's
# `postgresql` package on 127.0.0.1 (port $GONGKAI_PG_PORT, default 54329, data in $GONGKAI_PG_DIR),
# a `gongkai` user and a `gongkai_test` database; exports GONGKAI_TEST_PG_URL so the store tests run
# against it as well as SQLite. Set GONGKAI_SKIP_PG=1 to skip (the PostgreSQL tests then skip).

_gongkai_pg_start() {
  local bin port dir as_pg url
  bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  if [ -z "$bin" ]; then
    echo "postgres: installing Debian's postgresql" >&2
    local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq || return 1
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends postgresql >/dev/null || return 1
    bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
    [ -n "$bin" ] || return 1
  fi
  port="${GONGKAI_PG_PORT:-54329}"
  dir="${GONGKAI_PG_DIR:-/var/tmp/gongkai-pg}"
  if [ "$(id -u)" -eq 0 ]; then as_pg=(runuser -u postgres --); else as_pg=(); fi
  if ! "$bin/pg_isready" -q -h 127.0.0.1 -p "$port"; then
    if [ ! -s "$dir/PG_VERSION" ]; then
      mkdir -p "$dir" || return 1
      [ "$(id -u)" -ne 0 ] || chown postgres: "$dir" || return 1
      "${as_pg[@]}" "$bin/initdb" -D "$dir" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null \
        || return 1
    fi
    "${as_pg[@]}" "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 \
      -o "-h 127.0.0.1 -p $port -k $dir -c max_connections=200" start >/dev/null || return 1
  fi
  local psql=("$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -qtA -v ON_ERROR_STOP=1)
  [ "$("${psql[@]}" -c "select 1 from pg_roles where rolname='gongkai'")" = 1 ] \
    || "${psql[@]}" -c "create role gongkai login password 'gongkai' createdb" || return 1
  [ "$("${psql[@]}" -c "select 1 from pg_database where datname='gongkai_test'")" = 1 ] \
    || "${psql[@]}" -c "create database gongkai_test owner gongkai" || return 1
  url="postgresql+psycopg://gongkai:gongkai@127.0.0.1:$port/gongkai_test"
  export GONGKAI_TEST_PG_URL="$url"
  echo "postgres: $("$bin/postgres" --version) on 127.0.0.1:$port, GONGKAI_TEST_PG_URL=$url" >&2
}

if [ "${GONGKAI_SKIP_PG:-0}" != 1 ]; then
  _gongkai_pg_start || { echo "postgres: could not start the test server (set GONGKAI_SKIP_PG=1 to skip)" >&2; false; }
fi
