#!/usr/bin/env bash
# kehoach.extract_many (Python) against `kehoach extract DIR --out` on the same files.
#
#   benches/python_extract_many.sh              # 1,000 generated text plans; memory over 10,000
#   PLANS=2000 ROUNDS=5 benches/python_extract_many.sh
#
# Builds the release binary and a release wheel (into a virtual environment in
# a temp dir), generates PLANS text plans (scripts/gen_corpus.py, deterministic),
# then, ROUNDS times, alternating which goes first:
#   cli:    kehoach extract DIR --out OUT        (one JSON file per plan)
#   python: for path, plan in kehoach.extract_many([DIR]): ...   (plan dicts)
# and prints the best and median wall times, plans/s and the ratio python / cli.
# Then it reads MEMORY_PLANS (10,000) plans with extract_many and prints the
# process's resident memory after every 1,000: it should stay flat.
# Environment: BIN (release kehoach), PLANS (1000), ROUNDS (5), MEMORY_PLANS (10000),
# WORKERS (cores), WORK (temp dir, removed unless KEEP=1). Prints the load average:
# on a shared machine the figures vary with it. Not part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."

PLANS="${PLANS:-1000}"
ROUNDS="${ROUNDS:-5}"
MEMORY_PLANS="${MEMORY_PLANS:-10000}"
WORK="${WORK:-$(mktemp -d -t kehoach-pybench.XXXXXX)}"
cleanup() { if [ "${KEEP:-0}" != 1 ]; then rm -rf "$WORK"; fi; }
trap cleanup EXIT

if [ -z "${BIN:-}" ]; then
    cargo build --release -p kehoach >&2
    BIN="${CARGO_TARGET_DIR:-target}/release/kehoach"
fi
python3 -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install -q "maturin>=1.7,<2" >&2
"$WORK/venv/bin/maturin" build --release -q -m python/Cargo.toml -o "$WORK/wheel" >&2
"$WORK/venv/bin/pip" install -q --no-deps "$WORK"/wheel/kehoach-*.whl >&2
PY="$WORK/venv/bin/python"

python3 scripts/gen_corpus.py --out "$WORK/plans" --plans "$PLANS" --seed 1 >/dev/null
python3 scripts/gen_corpus.py --out "$WORK/many" --plans "$MEMORY_PLANS" --seed 2 >/dev/null
MB=$(du -sm "$WORK/plans" | cut -f1)
echo "plans: $PLANS text plans ($MB MB); cores: $(nproc); load: $(cut -d' ' -f1-3 /proc/loadavg)"

cat > "$WORK/run.py" <<'PY'
import sys, time
import kehoach
workers = int(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[2] else None
t0 = time.perf_counter()
plans = tasks = failed = 0
for path, res in kehoach.extract_many([sys.argv[1]], workers):
    if isinstance(res, kehoach.ExtractError):
        failed += 1
    else:
        plans += 1
        tasks += len(res["tasks"])
print(f"{time.perf_counter() - t0:.4f} {plans} {tasks} {failed}")
PY

now() { date +%s.%N; }
cli_times=() py_times=()
for r in $(seq 1 "$ROUNDS"); do
    run_cli() {
        rm -rf "$WORK/out"
        t0=$(now)
        "$BIN" extract "$WORK/plans" --out "$WORK/out" >/dev/null
        t1=$(now)
        cli_times+=("$(echo "$t1 - $t0" | bc)")
    }
    run_py() {
        t0=$(now)
        out=$("$PY" "$WORK/run.py" "$WORK/plans" "${WORKERS:-}")
        t1=$(now)
        py_times+=("$(echo "$t1 - $t0" | bc)")
        py_out="$out"
    }
    if [ $((r % 2)) = 1 ]; then run_cli; run_py; else run_py; run_cli; fi
done
read -r _ py_plans py_tasks py_failed <<<"$py_out"
cli_plans=$(find "$WORK/out" -name '*.json' | wc -l)
echo "cli wrote $cli_plans plans; python read $py_plans plans ($py_tasks tasks, $py_failed failed)"
stats() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {printf "%.3f %.3f", a[1], a[int((NR+1)/2)]}'; }
read -r cli_best cli_med <<<"$(stats "${cli_times[@]}")"
read -r py_best py_med <<<"$(stats "${py_times[@]}")"
awk -v p="$PLANS" -v cb="$cli_best" -v cm="$cli_med" -v pb="$py_best" -v pm="$py_med" 'BEGIN {
    printf "kehoach extract --out: best %.3f s, median %.3f s (%.0f plans/s)\n", cb, cm, p / cb
    printf "extract_many:          best %.3f s, median %.3f s (%.0f plans/s)\n", pb, pm, p / pb
    printf "ratio python / cli: best %.2f, median %.2f\n", pb / cb, pm / cm }'
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"

"$PY" - "$WORK/many" <<'PY'
import resource, sys
import kehoach

def rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0

n = 0
marks = []
for path, res in kehoach.extract_many([sys.argv[1]]):
    n += 1
    if n % 1000 == 0:
        marks.append((n, rss_mb()))
print("memory over", n, "plans (resident MB after every 1,000):")
print("  " + ", ".join(f"{k}: {m:.0f}" for k, m in marks))
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
first = marks[0][1] if marks else 0
last = marks[-1][1] if marks else 0
print(f"  first {first:.0f} MB, last {last:.0f} MB, growth {last - first:+.0f} MB, peak {peak:.0f} MB")
PY
