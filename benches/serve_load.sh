#!/usr/bin/env bash
# Load figure of `kehoach serve`: requests/s and latency percentiles of /api/search.
#
#   benches/serve_load.sh                    # 3,000 generated plans, 10 s per run
#   PLANS=5000 DURATION=20s benches/serve_load.sh
#
# Generates a corpus (scripts/gen_corpus.py), imports it, starts `kehoach serve` on a free
# loopback port, and runs wrk (Debian package `wrk`) against it twice: the query mix of
# benches/queries.jsonl as /api/search requests, then the same mix with facet counts
# (what the search page asks for). Prints wrk's figures and stops the server.
# Environment: PLANS (3000), SEED (1), DURATION (10s), THREADS (2), CONNECTIONS (16),
# WORK (a temp dir, removed at the end unless KEEP=1). Traffic goes to 127.0.0.1 only.
# Not part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."

PLANS="${PLANS:-3000}"
SEED="${SEED:-1}"
DURATION="${DURATION:-10s}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-16}"
WORK="${WORK:-$(mktemp -d -t kehoach-serve-load.XXXXXX)}"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  if [ "${KEEP:-0}" != 1 ]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT

command -v wrk >/dev/null 2>&1 || { echo "wrk is missing (apt-get install -y wrk)" >&2; exit 2; }

cargo build --release -p kehoach >&2
BIN="${CARGO_TARGET_DIR:-target}/release/kehoach"

echo "== corpus: $PLANS plans (seed $SEED) in $WORK"
python3 scripts/gen_corpus.py --out "$WORK/corpus" --plans "$PLANS" --seed "$SEED" >/dev/null
"$BIN" import "$WORK/corpus" --data "$WORK/data" --quiet >/dev/null
"$BIN" plans --data "$WORK/data" --json | python3 -c \
  'import json,sys; p=json.load(sys.stdin); n=sum(x["tasks"] for x in p); print("index:", len(p), "plans,", n, "tasks")'

echo "== server"
START=$(date +%s.%N)
"$BIN" serve --data "$WORK/data" --addr 127.0.0.1:0 > "$WORK/serve.out" 2> "$WORK/serve.err" &
SERVER_PID=$!
URL=""
for _ in $(seq 1 100); do
  URL=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$WORK/serve.out" 2>/dev/null | head -1 || true)
  [ -n "$URL" ] && break
  sleep 0.05
done
[ -n "$URL" ] || { echo "the server did not start:" >&2; cat "$WORK/serve.err" >&2; exit 1; }
READY=$(date +%s.%N)
python3 -c "print(f'listening at $URL after {($READY - $START) * 1000:.0f} ms')"

# The request mix: every query of benches/queries.jsonl as an /api/search URL.
python3 - "$WORK" <<'PY'
import json, sys, urllib.parse
work = sys.argv[1]
paths = []
for line in open("benches/queries.jsonl", encoding="utf-8"):
    line = line.strip()
    if not line or line.startswith("#"):
        continue
    q = json.loads(line)
    params = {"q": q["q"], "limit": "10"}
    for k in ("year", "issuer", "lead", "due_before", "kind"):
        if q.get(k):
            params[k] = q[k]
    paths.append("/api/search?" + urllib.parse.urlencode(params))
for name, extra in (("plain", ""), ("facets", "&facets=1")):
    with open(f"{work}/{name}.lua", "w", encoding="utf-8") as f:
        f.write("local paths = {\n")
        for p in paths:
            f.write(f"  {json.dumps(p + extra)},\n")
        f.write("}\nlocal i = 0\nrequest = function()\n  i = i + 1\n"
                "  return wrk.format(\"GET\", paths[(i % #paths) + 1])\nend\n")
print(f"{len(paths)} distinct search requests")
PY

# Warm up (page cache, first searches).
wrk -t1 -c2 -d2s -s "$WORK/plain.lua" "$URL" >/dev/null

for mix in plain facets; do
  echo "== wrk: /api/search, $mix mix, $THREADS threads, $CONNECTIONS connections, $DURATION"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$WORK/$mix.lua" "$URL" | tee "$WORK/$mix.txt"
done

echo "== summary"
for mix in plain facets; do
  rps=$(awk '/Requests\/sec/ {print $2}' "$WORK/$mix.txt")
  p50=$(awk '$1 == "50%" {print $2}' "$WORK/$mix.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$WORK/$mix.txt")
  errs=$(grep -E 'Non-2xx|Socket errors' "$WORK/$mix.txt" | tr '\n' ' ' || true)
  echo "$mix: ${rps} requests/s, p50 ${p50}, p99 ${p99} ${errs}"
done
