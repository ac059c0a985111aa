#!/usr/bin/env bash
# Cluster import (two Ray nodes of one CPU each, on this machine) against
# `kehoach import --jobs 2` on the same inputs.
#
#   benches/cluster_vs_import.sh              # 60 scanned pages and 2,000 text plans
#   PLANS=500 BATCH=16 benches/cluster_vs_import.sh
#   SETS=text benches/cluster_vs_import.sh    # one set only (scans, text)
#   ROUNDS=5 benches/cluster_vs_import.sh     # rounds per set (default 3)
#
# Inputs: the scanned corpus (fixtures/scans/300: 5 PDFs, 60 pages) and PLANS
# generated text plans (scripts/gen_corpus.py, deterministic). For each set it
# times, one after the other, in each of ROUNDS rounds (the host's speed drifts
# between minutes: alternating the two gives both the same minutes):
#   import:  kehoach import DIR --jobs 2 --data D              (read + index)
#   cluster: python -m kehoach.cluster import DIR --out S      (read on the nodes, shards)
#   shards:  kehoach import --from-shards S --data D2           (index the shards)
# and prints each round and the medians: docs/s and the ratios cluster/import
# and (cluster + shards)/import of the throughput. The first cluster run of the
# first set uses the worker processes the nodes started with; every later run
# is a new Ray job, which starts its own (docs/cluster.md). The cluster is a
# head and one more node, `--num-cpus=1` each, on loopback, started before the
# timings (its start is not timed).
# Needs: ray in the python3 on PATH (pip install ray) and tesseract. Builds
# the release binary (BIN; built when unset) and installs a release build of
# the kehoach package into that python3 (the Ray workers import it from
# there; `scripts/test.sh` installs a debug build, about ten times slower).
# Prints the load average: on a shared machine the figures vary with it.
# Not part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."

PLANS="${PLANS:-2000}"
SETS="${SETS:-scans text}"
BATCH="${BATCH:-32}"
ROUNDS="${ROUNDS:-3}"
WORK="$(mktemp -d -t kehoach-cluster-bench.XXXXXX)"
if [ -z "${BIN:-}" ]; then
    cargo build --release -p kehoach >&2
    BIN="${CARGO_TARGET_DIR:-target}/release/kehoach"
fi
python3 -c "import ray" || { echo "needs ray (pip install ray)" >&2; exit 2; }
python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore "maturin>=1.7,<2" >&2
maturin build --release -q -m python/Cargo.toml -o "$WORK/wheel" >&2
python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore --force-reinstall --no-deps "$WORK"/wheel/kehoach-*.whl >&2

export RAY_USAGE_STATS_ENABLED=0 RAY_AUTH_MODE=disabled
# Each node starts its worker processes when it starts (docs/cluster.md), not
# when the first batch reaches it.
export RAY_enable_worker_prestart=1
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT=$(port)
ADDR="127.0.0.1:$PORT"
TMPRAY="$(mktemp -d /tmp/khb.XXXX)"
common=(--num-cpus=1 --node-ip-address=127.0.0.1 --disable-usage-stats --temp-dir="$TMPRAY")
setsid ray start --block --head --port="$PORT" --include-dashboard=false "${common[@]}" \
    --dashboard-port="$(port)" --ray-client-server-port="$(port)" --dashboard-agent-listen-port="$(port)" \
    --metrics-export-port="$(port)" >/dev/null 2>&1 &
HEAD_PID=$!
cleanup() {
    kill -TERM -- "-$HEAD_PID" 2>/dev/null || true
    [ -n "${NODE_PID:-}" ] && kill -TERM -- "-$NODE_PID" 2>/dev/null || true
    sleep 2
    kill -KILL -- "-$HEAD_PID" 2>/dev/null || true
    [ -n "${NODE_PID:-}" ] && kill -KILL -- "-$NODE_PID" 2>/dev/null || true
    pkill -KILL -f "$TMPRAY" 2>/dev/null || true
    rm -rf "$WORK" "$TMPRAY"
}
trap cleanup EXIT
nodes() { ray status --address="$ADDR" 2>/dev/null | sed -n '/Active:/,/Pending:/p' | grep -c 'node_' || true; }
for _ in $(seq 120); do [ "$(nodes)" -ge 1 ] && break; sleep 0.5; done
setsid ray start --block --address="$ADDR" "${common[@]}" --dashboard-agent-listen-port="$(port)" \
    --metrics-export-port="$(port)" >/dev/null 2>&1 &
NODE_PID=$!
for _ in $(seq 120); do [ "$(nodes)" -ge 2 ] && break; sleep 0.5; done
echo "ray: $(nodes) nodes of 1 CPU on $ADDR"

python3 scripts/gen_corpus.py --out "$WORK/text" --plans "$PLANS" --seed 3 >/dev/null
mkdir -p "$WORK/scans" && cp fixtures/scans/300/*.pdf "$WORK/scans/"

now() { date +%s.%N; }
# One round: import, then the cluster, then the shards into an index; prints
# "import cluster shards" seconds.
round() {
    local name=$1 dir=$2 r=$3 t0 t1 t2 t3
    t0=$(now)
    "$BIN" import "$dir" --jobs 2 --data "$WORK/idx-$name-$r" -q >/dev/null
    t1=$(now)
    python3 -m kehoach.cluster import "$dir" --out "$WORK/shards-$name-$r" --address "$ADDR" --batch-size "$BATCH" >/dev/null 2>"$WORK/cluster-$name-$r.log"
    t2=$(now)
    "$BIN" import --from-shards "$WORK/shards-$name-$r" --data "$WORK/idx2-$name-$r" -q >/dev/null
    t3=$(now)
    awk -v t0="$t0" -v t1="$t1" -v t2="$t2" -v t3="$t3" 'BEGIN { printf "%.3f %.3f %.3f\n", t1 - t0, t2 - t1, t3 - t2 }'
}
run_set() {
    local name=$1 dir=$2 docs r
    docs=$(find "$dir" -type f | wc -l)
    echo "== $name: $docs documents, $ROUNDS round(s); load $(cut -d' ' -f1-3 /proc/loadavg)"
    : >"$WORK/times-$name"
    for r in $(seq "$ROUNDS"); do
        round "$name" "$dir" "$r" >>"$WORK/times-$name"
        # The driver's own figure: reading on the cluster once it is reached.
        grep -o 'input(s) read in .*' "$WORK/cluster-$name-$r.log" | sed "s/^/  round $r, cluster: /" || true
    done
    python3 - "$docs" "$WORK/times-$name" <<'PY'
import statistics, sys
n = int(sys.argv[1])
rounds = [tuple(map(float, line.split())) for line in open(sys.argv[2])]
for r, (i, c, s) in enumerate(rounds, 1):
    print(f"  round {r}: import {i:.2f} s, cluster {c:.2f} s (ratio {i / c:.2f}), + from-shards {s:.2f} s (ratio {i / (c + s):.2f})")
i, c, s = (statistics.median(x) for x in zip(*rounds))
# The ratios are taken within each round (the same minutes), then their median.
ratio = statistics.median(a / b for a, b, _ in rounds)
ratio_all = statistics.median(a / (b + d) for a, b, d in rounds)
print(f"  kehoach import --jobs 2: {i:.2f} s ({n / i:.1f} docs/s), median")
print(f"  cluster, 2 nodes x 1 CPU: {c:.2f} s ({n / c:.1f} docs/s), median; throughput ratio {ratio:.2f} (median of the rounds')")
print(f"  + import --from-shards: {s:.2f} s; together {c + s:.2f} s, ratio {ratio_all:.2f}")
PY
    "$BIN" plans --data "$WORK/idx-$name-1" --json | python3 -c 'import json,sys; print("  plans in the index:", len(json.load(sys.stdin)), end="; ")'
    "$BIN" plans --data "$WORK/idx2-$name-1" --json | python3 -c 'import json,sys; print("from the shards:", len(json.load(sys.stdin)))'
}
for set in $SETS; do run_set "$set" "$WORK/$set"; done
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
