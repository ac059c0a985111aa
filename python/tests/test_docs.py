"""docs/python.md: its worked example runs as written, from a checkout's root."""

from __future__ import annotations

import os
import re

import pytest

from conftest import ROOT

pytest.importorskip("pandas")
pytest.importorskip("matplotlib")


def test_the_worked_example_runs(tmp_path, capsys):
    text = (ROOT / "docs" / "python.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert len(blocks) >= 5
    # A checkout's root, with a fresh data directory.
    (tmp_path / "corpus").symlink_to(ROOT / "corpus")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        scope: dict = {}
        for block in blocks:
            exec(compile(block, "docs/python.md", "exec"), scope)
    finally:
        os.chdir(cwd)
    out = capsys.readouterr().out
    assert "5 plans imported, 0 failed" in out
    assert (tmp_path / "satisfaction.png").stat().st_size > 1000
    assert len(scope["sat"]) > 0
    assert scope["counts"]["ok"] == 5
