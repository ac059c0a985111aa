#!/usr/bin/env bash
# Runs the cargo-fuzz targets one after the other, seeded from corpus/ and fixtures/.
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#        FUZZ_PREBUILT=1 scripts/fuzz.sh …   (run the binaries of `cargo fuzz build` without rebuilding)
# Needs cargo-fuzz (`cargo install cargo-fuzz`). cargo-fuzz uses nightly-only compiler
# flags; on a stable toolchain RUSTC_BOOTSTRAP=1 enables them.
# Crash inputs land in fuzz/artifacts/<target>/; copy each one, once fixed, to
# fixtures/fuzz-regressions/<target>/ so that `cargo test -p kehoach --test fuzz_regressions`
# replays it.
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-180}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(normalize fold read_text parse_due_targets read_docx read_pdf)
fi
export RUSTC_BOOTSTRAP=1

seed() {
  local t="$1" dir="fuzz/corpus/$1"
  mkdir -p "$dir"
  case "$t" in
    read_text)
      cp corpus/*.txt fixtures/plans/*.txt fixtures/variants/* "$dir"/ 2>/dev/null || true ;;
    read_docx)
      cp fixtures/docx/*.docx "$dir"/ 2>/dev/null || true ;;
    read_pdf)
      for f in fixtures/pdf/*/*.pdf; do cp "$f" "$dir/$(basename "$(dirname "$f")")_$(basename "$f")"; done ;;
    *)
      # One seed per line of the plans: headers, task rows, deadlines, targets.
      python3 - "$dir" corpus/*.txt <<'PY'
import hashlib, sys
out = sys.argv[1]
for path in sys.argv[2:]:
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if line:
            data = line.encode()
            open(f"{out}/{hashlib.sha1(data).hexdigest()}", "wb").write(data)
PY
      ;;
  esac
  # Earlier crash inputs are seeds too.
  cp fixtures/fuzz-regressions/"$t"/* "$dir"/ 2>/dev/null || true
}

for t in "${targets[@]}"; do
  seed "$t"
  echo "== fuzz $t for ${secs}s"
  opts=(-max_total_time="$secs" -rss_limit_mb=2048 -timeout=20 -print_final_stats=1 -artifact_prefix="artifacts/$t/")
  # Non-UTF-8 text goes through legacy-encoding detection (about 1 MB/s):
  # short inputs keep the text reader's executions per second useful.
  [ "$t" = read_text ] && opts+=(-max_len=4096)
  mkdir -p "fuzz/artifacts/$t"
  if [ "${FUZZ_PREBUILT:-0}" = 1 ]; then
    # Reuse the binaries of an earlier `cargo fuzz build` as they are.
    (cd fuzz && "target/x86_64-unknown-linux-gnu/release/$t" "corpus/$t" "${opts[@]}")
  else
    (cd fuzz && cargo fuzz run "$t" "corpus/$t" -- "${opts[@]}")
  fi 2>&1 | tee "fuzz/$t.log" | grep -E "^(stat::|==|SUMMARY|Done)|panicked|deadly|Test unit written" || true
done
