"""Shared helpers of the Python tests: the repository, the kehoach binary."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def kehoach_bin() -> str:
    """The kehoach binary: $KEHOACH_BIN, else the debug build of this checkout."""
    env = os.environ.get("KEHOACH_BIN")
    if env:
        return env
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    if not target.is_absolute():
        target = ROOT / target
    for profile in ("debug", "release"):
        p = target / profile / "kehoach"
        if p.is_file():
            return str(p)
    found = shutil.which("kehoach")
    if found:
        return found
    pytest.skip("no kehoach binary: build it with `cargo build -p kehoach` or set KEHOACH_BIN")
    raise AssertionError  # unreachable


def run_cli(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        [kehoach_bin(), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=check,
    )


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT
