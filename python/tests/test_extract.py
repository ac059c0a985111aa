"""kehoach.extract and extract_many against the command line's --json."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import kehoach
from conftest import ROOT, cli_extract, cli_plan, run_cli

#: Folders of documents: the corpus, every fixture kind and the real set.
DOC_DIRS = [
    "corpus",
    "fixtures/plans",
    "fixtures/variants",
    "fixtures/docx",
    "fixtures/pdf",
    "fixtures/real",
    "fixtures/scans/ccitt",
    "fixtures/bad",
]
# The other scans (the corpus page by page at 300 and 200 dpi, and the
# colour, sideways and dense cases: 143 pages) take minutes of OCR on each
# side; they go through the same code as the scans above (the CCITT scan,
# and the real set's scan and the PDF read by OCR). KEHOACH_TEST_ALL_SCANS=1
# compares them too.
if os.environ.get("KEHOACH_TEST_ALL_SCANS") == "1":
    DOC_DIRS += ["fixtures/scans/300", "fixtures/scans/200", "fixtures/scans/cases"]


def documents() -> list[Path]:
    """Every input document of those folders (not gold records, manifests or
    READMEs; JSON only among the bad inputs)."""
    files = []
    for d in DOC_DIRS:
        for p in sorted((ROOT / d).rglob("*")):
            parts = p.relative_to(ROOT).parts
            if not p.is_file() or "gold" in parts or p.name in ("README.md", "manifest.json"):
                continue
            if p.suffix == ".json" and d != "fixtures/bad":
                continue
            files.append(p)
    return files


def rel(p: Path) -> str:
    return str(p.relative_to(ROOT))


@pytest.fixture(scope="module")
def cli_plans() -> dict:
    """Every document through `kehoach extract --jsonl` (once per session):
    plans by source path, failure reasons by path, repeats by path."""
    files = [rel(p) for p in documents()]
    c = cli_extract(files)
    pick = lambda d: {f: d[f] for f in files if f in d}  # noqa: E731
    return {"files": files, "plans": pick(c["plans"]), "failed": pick(c["failed"]), "same": pick(c["same"])}


def test_there_are_documents_of_every_kind(cli_plans):
    kinds = {Path(f).suffix for f in cli_plans["files"]}
    assert {".txt", ".docx", ".pdf", ".doc", ".zip"} <= kinds
    assert len(cli_plans["plans"]) >= 60
    assert len(cli_plans["failed"]) >= 10  # fixtures/bad


def test_extract_equals_the_cli_for_every_document(cli_plans):
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        results = dict(kehoach.extract_many(cli_plans["files"]))
    finally:
        os.chdir(cwd)
    assert len(results) == len(cli_plans["files"])
    compared = 0
    for path in cli_plans["files"]:
        got = results[path]
        if path in cli_plans["failed"]:
            assert isinstance(got, kehoach.ExtractError), path
            assert got.path == path
            assert got.reason == cli_plans["failed"][path], path
            continue
        assert isinstance(got, dict), f"{path}: {got}"
        want = cli_plan(path)
        assert got == want, path
        compared += 1
    assert compared == len(cli_plans["plans"]) + len(cli_plans["same"])


def test_extract_one_file_bytes_and_pathlike(root):
    path = root / "corpus" / "000_9b75833fe1e96175.txt"
    want = json.loads(run_cli("extract", rel(path), "--json").stdout)
    cwd = os.getcwd()
    os.chdir(root)
    try:
        assert kehoach.extract(rel(path)) == want
        assert kehoach.extract(Path(rel(path))) == want
    finally:
        os.chdir(cwd)
    from_bytes = kehoach.extract(path.read_bytes(), name=rel(path))
    assert from_bytes == want
    anonymous = kehoach.extract(bytearray(path.read_bytes()))
    assert anonymous["source"]["path"] == "<bytes>"
    assert anonymous["tasks"] == want["tasks"]


def test_a_corrupt_file_raises_extract_error(root, tmp_path):
    bad = tmp_path / "broken.docx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(kehoach.ExtractError) as e:
        kehoach.extract(bad)
    assert e.value.path == str(bad)
    assert e.value.kind == "reader"
    assert "not a DOCX file" in e.value.reason
    assert str(bad) in str(e.value)
    with pytest.raises(kehoach.ExtractError) as e:
        kehoach.extract(tmp_path / "missing.txt")
    assert e.value.kind == "io"
    with pytest.raises(ValueError):
        kehoach.extract(12345)  # type: ignore[arg-type]


def test_extract_many_goes_on_after_bad_files(root, tmp_path):
    good = sorted((root / "corpus").glob("*.txt"))
    (tmp_path / "bad.pdf").write_bytes(b"%PDF-1.4 truncated")
    inputs = [good[0], tmp_path / "bad.pdf", tmp_path / "missing.txt", *good[1:]]
    results = list(kehoach.extract_many(inputs, workers=2))
    assert [p for p, _ in results] == [str(p) for p in inputs]
    kinds = [type(r).__name__ for _, r in results]
    assert kinds == ["dict", "ExtractError", "ExtractError"] + ["dict"] * (len(good) - 1)
    assert results[2][1].kind == "io"


def test_native_extract_many_names_results_and_gives_json_with_sha(root, tmp_path):
    """The native iterator the cluster import uses: results under the names
    given (plans' source.path too), plan JSON as printed, the bytes' sha256."""
    import hashlib
    import json

    from kehoach import _kehoach

    good = sorted((root / "corpus").glob("*.txt"))[:2]
    (tmp_path / "bad.pdf").write_bytes(b"%PDF-1.4 truncated")
    inputs = [str(good[0]), str(tmp_path / "bad.pdf"), str(good[1])]
    names = ["a/one.txt", "a/bad.pdf", "b/two.txt"]
    out = list(_kehoach.extract_many(inputs, 2, None, None, names))
    assert [o[0] for o in out] == names
    (n0, js0, err0, sha0), (n1, js1, err1, sha1), (_, js2, _, sha2) = out
    assert isinstance(js0, bytes)  # written to shards as it is
    plan = json.loads(js0)
    assert err0 is None and plan["source"]["path"] == "a/one.txt"
    assert sha0 == plan["source"]["sha256"] == hashlib.sha256(good[0].read_bytes()).hexdigest()
    assert js1 is None and sha1 is None and err1.path == "a/bad.pdf"
    assert json.loads(js2)["source"]["path"] == "b/two.txt" and sha2
    with pytest.raises(ValueError, match="one name per path"):
        _kehoach.extract_many(inputs, 2, None, None, names[:1])


def test_extract_many_walks_directories_and_is_lazy(root):
    it = kehoach.extract_many(root / "corpus")
    n = len(it)
    assert n == len([p for p in (root / "corpus").rglob("*") if p.is_file()])
    first = next(it)
    assert first[0].endswith(".txt") and isinstance(first[1], dict)
    del it  # dropping a half-read extraction stops its workers


def test_extract_error_pickles():
    import pickle

    e = kehoach.ExtractError("a.pdf", "limit", "too many pages")
    back = pickle.loads(pickle.dumps(e))
    assert (back.path, back.kind, back.reason) == ("a.pdf", "limit", "too many pages")
    assert str(back) == "a.pdf: too many pages"


def test_help_shows_an_example():
    doc = kehoach.extract.__doc__ or ""
    assert "Example" in doc and "kehoach.extract(" in doc
    assert "Example" in (kehoach.extract_many.__doc__ or "")
