"""kehoach.Index against the command line on the same data directory."""

from __future__ import annotations

import json

import pytest

import kehoach
from conftest import ROOT, run_cli


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    data = tmp_path_factory.mktemp("idx") / "data"
    idx = kehoach.Index(data)
    summary = idx.import_paths([ROOT / "corpus"])
    assert summary["imported"] == 5 and summary["failed"] == 0
    return idx


def cli_json(idx, *args):
    return json.loads(run_cli(*args, "--data", idx.path, "--json").stdout)


def test_import_is_incremental_and_reports_failures(index, tmp_path):
    again = index.import_paths(ROOT / "corpus")
    assert (again["imported"], again["unchanged"]) == (0, 5)
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4 nothing")
    (tmp_path / "note.txt").write_text("hello", encoding="utf-8")
    s = index.import_paths([tmp_path])
    assert s["failed"] == 2 and s["imported"] == 0
    kinds = sorted(f["kind"] for f in s["failures"])
    assert kinds == ["not_a_plan", "reader"]
    assert index.counts() == (5, 204)


def test_plans_and_plan_equal_the_cli(index):
    plans = index.plans()
    assert plans == cli_json(index, "plans")
    first = plans[0]["id"]
    assert index.plan(first) == cli_json(index, "show", first)
    assert index.plan(first[:6])["source"]["sha256"].startswith(first)
    with pytest.raises(KeyError):
        index.plan("ffffffffffffffff")
    with pytest.raises(ValueError):
        index.plan("not-an-id")


def test_search_equals_the_cli(index):
    got = index.search("ho so truc tuyen", year=2024, limit=5)
    want = cli_json(index, "search", "ho so truc tuyen", "--year", "2024", "--limit", "5")
    assert got["total"] == want["total"] > 0
    assert [(h["plan"]["id"], h["task"]["seq"]) for h in got["hits"]] == [
        (h["plan"]["id"], h["task"]["seq"]) for h in want["hits"]
    ]
    faceted = index.search("", facets=True, limit=0)
    assert faceted["total"] == 204 and "issuer" in faceted["facets"]
    assert index.search("hồ sơ", year="2020..2030")["total"] >= got["total"]
    assert index.search("hồ sơ", year=(2024, 2024))["total"] == index.search("hồ sơ", year=2024)["total"]
    with pytest.raises(ValueError):
        index.search("x", year="2025..2020")


def test_diff_and_targets_equal_the_cli(index):
    a, b = (p["id"] for p in index.plans()[:2])
    assert index.diff(a, b) == cli_json(index, "diff", a, b)
    series = index.targets("hài lòng")
    assert series == cli_json(index, "targets", "hài lòng")["series"]
    assert series and all(s["points"] for s in series)
    plan_a, plan_b = index.plan(a), index.plan(b)
    assert kehoach.diff(plan_a, plan_b) == index.diff(a, b)


def test_a_locked_index_is_a_store_error(index, tmp_path):
    data = tmp_path / "data"
    idx = kehoach.Index(data)
    with pytest.raises(kehoach.StoreError):
        kehoach.Index(tmp_path / "nothing-here", create=False)
    assert idx.counts() == (0, 0)
    assert "0 plans" in repr(idx)
