#!/bin/sh
# The input walk of `extract` and `import`: 100,000 files in 5,000 folders.
#
# Times, best of 5 with a warm cache: `find` (the floor), the hand-written
# walk that `ignore`'s walker replaced (kept in the unit tests for this), and
# the new walk; then `kehoach import --dry-run` end to end (walk plus reading
# every file's first bytes).
#
#   benches/walk.sh            # release build (the figures in the README)
#   PROFILE=dev benches/walk.sh
set -eu
cd "$(dirname "$0")/.."
PROFILE=${PROFILE:-release}
tree=$(mktemp -d /tmp/kehoach-walk-bench.XXXXXX)
trap 'rm -rf "$tree"' EXIT INT TERM
echo "creating 100000 files in 5000 folders under $tree"
i=0
while [ $i -lt 5000 ]; do
  d="$tree/$(printf %02d $((i % 50)))/$(printf %04d $i)"
  mkdir -p "$d"
  for f in 00 01 02 03 04 05 06 07 08 09 10 11 12 13 14 15 16 17 18 19; do echo x > "$d/plan-$f.txt"; done
  i=$((i + 1))
done

best() { # best wall time of 5 runs of "$@", in seconds
  b=999
  for _ in 1 2 3 4 5; do
    s=$(date +%s.%N); "$@" > /dev/null; e=$(date +%s.%N)
    b=$(echo "$s $e $b" | awk '{t = $2 - $1; print (t < $3 ? t : $3)}')
  done
  echo "$b"
}
echo "find:                      $(best find "$tree" -type f) s"
KEHOACH_WALK_BENCH_DIR=$tree cargo test -q -p kehoach --profile "$PROFILE" --bin kehoach \
  walk::tests::bench_walk -- --ignored --nocapture 2>/dev/null | grep walk-bench
cargo build -q -p kehoach --profile "$PROFILE"
dir=target/$([ "$PROFILE" = dev ] && echo debug || echo "$PROFILE")
echo "kehoach import --dry-run:  $(best "$dir/kehoach" import --dry-run --json "$tree") s"
