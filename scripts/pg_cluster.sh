#!/usr/bin/env bash
# Starts a throw-away PostgreSQL cluster on loopback for the tests and prints
# its connection string on stdout (the last line). The cluster lives in a new
# temporary directory and runs as the `postgres` user when started by root.
#
#   KEHOACH_TEST_PG=$(scripts/pg_cluster.sh start)     # prints host=127.0.0.1 port=… user=postgres dbname=kehoach_test
#   scripts/pg_cluster.sh stop "$KEHOACH_TEST_PG"      # stops it and removes its directory
#
# Needs the server binaries of Debian's `postgresql` package (initdb, pg_ctl)
# and `postgresql-contrib` (the unaccent extension).
set -euo pipefail

bindir() {
    local d
    d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
    [ -n "$d" ] || { echo "no PostgreSQL server binaries (apt-get install postgresql)" >&2; exit 2; }
    echo "$d"
}

as_pg() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

case "${1:-}" in
start)
    BIN=$(bindir)
    DIR=$(mktemp -d -t kehoach-pg.XXXXXX)
    chmod 755 "$DIR"
    if [ "$(id -u)" = 0 ]; then chown postgres "$DIR"; fi
    PORT=$(free_port)
    as_pg "$BIN/initdb" -D "$DIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 \
        || { cat "$DIR/initdb.log" >&2; exit 2; }
    as_pg "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w \
        -o "-c listen_addresses=127.0.0.1 -c port=$PORT -c unix_socket_directories=$DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50" \
        start >/dev/null || { cat "$DIR/server.log" >&2; exit 2; }
    as_pg "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres kehoach_test
    echo "host=127.0.0.1 port=$PORT user=postgres dbname=kehoach_test"
    echo "$DIR" >"$DIR/../kehoach-pg-$PORT.dir"
    ;;
stop)
    PORT=$(sed -n 's/.*port=\([0-9]*\).*/\1/p' <<<"${2:-}")
    MARK="${TMPDIR:-/tmp}/kehoach-pg-$PORT.dir"
    [ -f "$MARK" ] || exit 0
    DIR=$(cat "$MARK")
    as_pg "$(bindir)/pg_ctl" -D "$DIR/data" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$DIR" "$MARK"
    ;;
*)
    echo "usage: $0 start | stop CONNINFO" >&2
    exit 2
    ;;
esac
