"""Shared helpers of the Python tests: the repository, the kehoach binary."""

from __future__ import annotations

import json
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


#: What `kehoach extract --jsonl` printed for each file (the scans among the
#: inputs take most of the test time: each file is read once per session).
_CLI: dict = {"plans": {}, "failed": {}, "same": {}}


def cli_extract(files: list) -> dict:
    """`kehoach extract --jsonl` over `files` (paths relative to the
    repository), each file read once per test session: plans by source path,
    failure reasons by path, and for an input with the bytes of an earlier
    one of the same run, that one's path ("same bytes as …; read once")."""
    seen = _CLI["plans"].keys() | _CLI["failed"].keys() | _CLI["same"].keys()
    todo = [f for f in files if f not in seen]
    if todo:
        out = run_cli("extract", "--jsonl", *todo, check=False)
        assert out.returncode in (0, 1), out.stderr
        for line in out.stdout.splitlines():
            plan = json.loads(line)
            _CLI["plans"][plan["source"]["path"]] = plan
        for line in out.stderr.splitlines():
            assert line.startswith("kehoach: "), line
            body = line[len("kehoach: ") :]
            path = next(f for f in sorted(todo, key=len, reverse=True) if body.startswith(f + ": "))
            reason = body[len(path) + 2 :]
            if reason.startswith("same bytes as ") and reason.endswith("; read once"):
                _CLI["same"][path] = reason[len("same bytes as ") : -len("; read once")]
            else:
                _CLI["failed"][path] = reason
    return _CLI


def cli_plan(path: str) -> dict:
    """The plan `kehoach extract` gives for `path` (after [`cli_extract`]):
    its own, or that of the earlier input with the same bytes under its path."""
    if path in _CLI["plans"]:
        return _CLI["plans"][path]
    want = dict(_CLI["plans"][_CLI["same"][path]])
    want["source"] = dict(want["source"], path=path)
    return want


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT
