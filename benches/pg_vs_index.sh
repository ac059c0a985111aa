#!/usr/bin/env bash
# The PostgreSQL store next to the embedded index, on the same machine and the
# same generated corpus: import time, and search latency over the query mix of
# benches/queries.jsonl (p50, p99).
#
#   benches/pg_vs_index.sh                  # ~1M task records (25,000 plans)
#   PLANS=2000 benches/pg_vs_index.sh       # a quick run
#
# The corpus is generated, then imported into each store twice: from the
# documents (read, extract, write: what `kehoach import` costs), and from plan
# records extracted once into NDJSON shards (`kehoach import --from-shards`, as
# after a cluster import: the stores' writing alone).
# Environment: BIN (the kehoach binary; a release build when unset), PLANS
# (25000), SEED (1), ROUNDS (10), JOBS (cores), KEHOACH_BENCH_PG (a PostgreSQL
# connection string; when unset a throw-away server is started on loopback with
# scripts/pg_cluster.sh, tuned as below), WORK (a temp dir, removed at the end
# unless KEEP=1). Not part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."

PLANS="${PLANS:-25000}"
SEED="${SEED:-1}"
ROUNDS="${ROUNDS:-10}"
WORK="${WORK:-$(mktemp -d -t kehoach-pgbench.XXXXXX)}"
JOBS_ARG=()
if [ -n "${JOBS:-}" ]; then JOBS_ARG=(--jobs "$JOBS"); fi
PG="${KEHOACH_BENCH_PG:-}"
STARTED=""
cleanup() {
    if [ -n "$STARTED" ]; then bash scripts/pg_cluster.sh stop "$PG"; fi
    if [ "${KEEP:-0}" != 1 ]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT

if [ -z "${BIN:-}" ]; then
    cargo build --release -p kehoach >&2
    BIN="${CARGO_TARGET_DIR:-target}/release/kehoach"
fi
if [ -z "$PG" ]; then
    PG=$(bash scripts/pg_cluster.sh start | tail -1)
    STARTED=1
    psql "$PG" -q -c "ALTER SYSTEM SET shared_buffers = '1GB'" \
        -c "ALTER SYSTEM SET work_mem = '64MB'" \
        -c "ALTER SYSTEM SET maintenance_work_mem = '512MB'" \
        -c "ALTER SYSTEM SET max_wal_size = '8GB'" \
        -c "ALTER SYSTEM SET max_parallel_workers_per_gather = 2" >/dev/null
    DATA=$(sed -n 's/.*port=\([0-9]*\).*/\1/p' <<<"$PG")
    DIR=$(cat "${TMPDIR:-/tmp}/kehoach-pg-$DATA.dir")
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)/pg_ctl" -D "$DIR/data" -w restart -l "$DIR/server.log" >/dev/null
    else
        "$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)/pg_ctl" -D "$DIR/data" -w restart -l "$DIR/server.log" >/dev/null
    fi
fi
load() { echo "load average: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown), cores: $(nproc 2>/dev/null || echo unknown)"; }

echo "== corpus: $PLANS plans (seed $SEED) in $WORK"
python3 scripts/gen_corpus.py --out "$WORK/corpus" --plans "$PLANS" --seed "$SEED"
mkdir -p "$WORK/shards"
"$BIN" extract "$WORK/corpus" --jsonl 2>/dev/null \
    | split -n r/4 --additional-suffix=.ndjson - "$WORK/shards/part-"
echo "$(cat "$WORK"/shards/*.ndjson | wc -l) plan records in 4 shards"

run_import() {  # name, what to import (a folder, or --from-shards DIR), then the store options
    local name=$1; shift
    load
    local t0 t1
    t0=$(date +%s.%N)
    "$BIN" import "$@" --json --quiet > "$WORK/import-$name.json"
    t1=$(date +%s.%N)
    python3 - "$WORK/import-$name.json" "$name" "$t0" "$t1" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
wall = float(sys.argv[4]) - float(sys.argv[3])
print(f"{sys.argv[2]:9} import: {s['plans']} plans, {s['tasks']} tasks in {wall:.1f} s "
      f"({s['tasks'] / max(wall, 1e-6):.0f} tasks/s), stored {s['index_bytes'] / 1e6:.0f} MB")
PY
}

"$BIN" db init --db "$PG" >/dev/null
echo "== import of the documents (read, extract, write)"
run_import index "$WORK/corpus" --data "$WORK/data"
run_import postgres "$WORK/corpus" --db "$PG"
echo "== import of the plan records (--from-shards: the writing alone, into new stores)"
psql "$PG" -q -c "TRUNCATE plans, tasks, targets, warnings, term_stats" >/dev/null
run_import index-shards --from-shards "$WORK/shards" --data "$WORK/data2"
run_import postgres-shards --from-shards "$WORK/shards" --db "$PG"
psql "$PG" -q -c "VACUUM ANALYZE" >/dev/null

echo "== search ($ROUNDS rounds over benches/queries.jsonl; matches counted up to 10,000)"
for store in index postgres; do
    load
    if [ "$store" = index ]; then ARGS=(--data "$WORK/data"); else ARGS=(--db "$PG"); fi
    echo "-- $store"
    "$BIN" search "${ARGS[@]}" --bench-queries benches/queries.jsonl --bench-rounds "$ROUNDS"
done
