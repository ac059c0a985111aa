#!/usr/bin/env bash
# Sets up kehoach and runs the main job on the bundled corpus:
#   1. installs missing system packages (when run as root on Debian/Ubuntu),
#   2. builds the release binary,
#   3. extracts every plan in corpus/ to out/<stem>.json and prints a summary,
#   4. scores the extraction against the hand-checked records (fixtures/gold),
#   5. imports the corpus into ./kehoach-data and runs a sample search,
#   6. installs the Python package (pip install ./python[pandas]) and reads
#      the corpus from Python (KEHOACH_PYTHON=0 skips this step).
# Usage: scripts/quickstart.sh
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v python3 >/dev/null 2>&1 || need+=(python3)
command -v cc >/dev/null 2>&1 || need+=(gcc)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
  else
    echo "please install: ${need[*]}" >&2
    exit 2
  fi
fi
command -v cargo >/dev/null 2>&1 || { echo "a Rust toolchain (cargo) is required: https://rustup.rs" >&2; exit 2; }

echo "== building"
cargo build --release --locked -p kehoach
BIN="${CARGO_TARGET_DIR:-target}/release/kehoach"

echo "== extracting corpus/ to out/"
rm -rf out
"$BIN" extract corpus/ --out out/

echo "== scoring against fixtures/gold"
python3 scripts/score.py fixtures/gold out/

echo "== importing corpus/ into ./kehoach-data"
"$BIN" import corpus/ --data kehoach-data

echo "== search: thanh toan truc tuyen"
"$BIN" search "thanh toan truc tuyen" --data kehoach-data --limit 5

if [ "${KEHOACH_PYTHON:-1}" != 0 ]; then
  echo "== installing the Python package (pip install ./python[pandas])"
  python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore './python[pandas]'
  python3 - <<'PY'
import kehoach
ok = [p for _, p in kehoach.extract_many(["corpus/"]) if isinstance(p, dict)]
df = kehoach.tasks_frame(ok)
print(f"python: kehoach {kehoach.__version__}: {len(ok)} plans, {len(df)} tasks in a DataFrame")
PY
fi
