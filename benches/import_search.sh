#!/usr/bin/env bash
# Import and search benchmark on a generated corpus.
#
#   benches/import_search.sh                 # ~1M task records (25,000 plans)
#   PLANS=2000 benches/import_search.sh      # a quick run
#
# Prints: corpus size, import time, records/s, MB/s, peak RSS, index size, and
# search latency percentiles over the fixed query mix in benches/queries.jsonl
# (run in-process against one opened index by `kehoach search --bench-queries`; matches
# are counted exactly up to 10,000, as `kehoach search` does, unless EXACT_TOTAL=1).
# Environment: BIN (the kehoach binary to measure; a release build when unset), PLANS
# (25000), SEED (1), ROUNDS (20), SEARCH_RUNS (2: the search benchmark is repeated to
# show the noise), EXACT_TOTAL (1: count every match, `--exact-total`), JOBS (cores), WORK (a temp dir, removed at the end unless KEEP=1).
# The load average is printed before each phase: on a shared machine the figures vary
# with it. Not part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."

PLANS="${PLANS:-25000}"
SEED="${SEED:-1}"
ROUNDS="${ROUNDS:-20}"
SEARCH_RUNS="${SEARCH_RUNS:-2}"
WORK="${WORK:-$(mktemp -d -t kehoach-bench.XXXXXX)}"
JOBS_ARG=()
SEARCH_ARGS=()
if [ "${EXACT_TOTAL:-0}" = 1 ]; then SEARCH_ARGS=(--exact-total); fi
if [ -n "${JOBS:-}" ]; then JOBS_ARG=(--jobs "$JOBS"); fi
cleanup() { if [ "${KEEP:-0}" != 1 ]; then rm -rf "$WORK"; fi; }
trap cleanup EXIT

if [ -z "${BIN:-}" ]; then
    cargo build --release -p kehoach >&2
    BIN="${CARGO_TARGET_DIR:-target}/release/kehoach"
fi

echo "== corpus: $PLANS plans (seed $SEED) in $WORK"
python3 scripts/gen_corpus.py --out "$WORK/corpus" --plans "$PLANS" --seed "$SEED"
CORPUS_MB=$(du -sm "$WORK/corpus" | cut -f1)

load() { echo "load average: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown), cores: $(nproc 2>/dev/null || echo unknown)"; }

echo "== import"
load
TIME_ARGS=()
if [ -x /usr/bin/time ]; then TIME_ARGS=(/usr/bin/time -v -o "$WORK/time.txt"); fi
set +e
"${TIME_ARGS[@]}" "$BIN" import "$WORK/corpus" --data "$WORK/data" --json --quiet "${JOBS_ARG[@]}" > "$WORK/import.json"
STATUS=$?
set -e
echo "import exit status: $STATUS (0 ok, 1 some files failed)"
python3 - "$WORK" "$CORPUS_MB" <<'PY'
import json, re, sys
work, corpus_mb = sys.argv[1], sys.argv[2]
s = json.load(open(f"{work}/import.json"))
rss = None
try:
    t = open(f"{work}/time.txt").read()
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", t)
    rss = int(m.group(1)) / 1024 if m else None
except OSError:
    pass
print(f"files seen        {s['files_seen']} (imported {s['imported']}, failed {s['failed']})")
print(f"plans / tasks     {s['plans']} / {s['tasks']}")
print(f"corpus            {corpus_mb} MB")
print(f"elapsed           {s['elapsed_s']:.1f} s")
print(f"records/s         {s['tasks_per_s']:.0f}")
print(f"MB/s              {s['mb_per_s']:.1f}")
print(f"peak RSS          {rss:.0f} MB" if rss else "peak RSS          (no /usr/bin/time)")
print(f"index size        {s['index_bytes'] / 1e6:.1f} MB")
PY

echo "== search ($ROUNDS rounds over benches/queries.jsonl, $SEARCH_RUNS runs)"
for _ in $(seq "$SEARCH_RUNS"); do
    load
    "$BIN" search --data "$WORK/data" --bench-queries benches/queries.jsonl --bench-rounds "$ROUNDS" "${SEARCH_ARGS[@]}"
done
