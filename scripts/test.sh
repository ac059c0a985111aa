#!/usr/bin/env bash
# Runs every check the project has: formatting, lints, and all tests.
# Usage: scripts/test.sh        (CI runs this through .ci/run)
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages some tests need (python3 for the contract scorer, Chromium for the browser test).
need=()
command -v python3 >/dev/null 2>&1 || need+=(python3)
# GNU time measures the peak memory of the bad-input import test.
[ -x /usr/bin/time ] || need+=(time)
# Headless Chromium and chromedriver for the browser test of `kehoach serve`.
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
# The OCR engine with its Vietnamese model, and pdftoppm, for the scanned-plan tests.
command -v tesseract >/dev/null 2>&1 || need+=(tesseract-ocr)
[ -e /usr/share/tesseract-ocr/5/tessdata/vie.traineddata ] || [ -e /usr/share/tesseract-ocr/4.00/tessdata/vie.traineddata ] || need+=(tesseract-ocr-vie)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
# PostgreSQL (server and the unaccent extension) for the tests of the database store.
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
ls /usr/share/postgresql/*/extension/unaccent.control >/dev/null 2>&1 || need+=(postgresql-contrib)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${need[@]}"
  else
    echo "missing: ${need[*]} (install them, e.g. with apt-get)" >&2
    exit 2
  fi
fi

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== cargo test"
# A throw-away PostgreSQL server on loopback for the database store's tests
# (they read KEHOACH_TEST_PG; without it they are skipped, saying so).
if [ -z "${KEHOACH_TEST_PG:-}" ]; then
  KEHOACH_TEST_PG=$(bash scripts/pg_cluster.sh start | tail -1)
  export KEHOACH_TEST_PG
  trap 'bash scripts/pg_cluster.sh stop "$KEHOACH_TEST_PG"' EXIT
fi
echo "PostgreSQL for the tests: $KEHOACH_TEST_PG"
cargo test --workspace --locked
echo "== the web server's API tests again, on the PostgreSQL store"
KEHOACH_SERVE_TEST_DB="$KEHOACH_TEST_PG" cargo test --locked -p kehoach-serve --test api

echo "== python package"
# The wheel is built with the dev profile (it reuses the test build); the
# Python tests compare it with the kehoach binary built above.
PIP=(python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore)
"${PIP[@]}" "maturin>=1.7,<2" "pytest>=7" pandas pyarrow duckdb matplotlib ray
WHEELS="${CARGO_TARGET_DIR:-target}/wheels"
rm -rf "$WHEELS"
# `cargo test` above built the kehoach binary the Python tests compare with;
# building it again with `-p kehoach` would recompile the workspace with
# other features.
[ -x "${CARGO_TARGET_DIR:-target}/debug/kehoach" ] || cargo build --locked -p kehoach
maturin build --locked --profile dev -q -m python/Cargo.toml -o "$WHEELS"
"${PIP[@]}" --force-reinstall --no-deps "$WHEELS"/kehoach-*.whl
# The Python tests read the same scans through the command line, the module
# and the cluster: OCR once (the first reading fills the cache).
KEHOACH_OCR_CACHE="$(mktemp -d -t kehoach-ocr.XXXXXX)" python3 -m pytest -q --durations=8 python/tests
