"""`kehoach export --format parquet` read back with pyarrow and DuckDB.

The sample plans of corpus/ are imported into a temporary data directory and
exported twice, as CSV and as Parquet. Every cell of the Parquet file, read by
pyarrow and by DuckDB, is turned into the CSV's text form and compared with
the CSV cell of the same row and column: an empty CSV cell is a null (an empty
list for the list columns), lists are joined with '; ', dates are YYYY-MM-DD
and numbers are written as the CSV writes them.

The kehoach binary is $KEHOACH_BIN, else target/debug/kehoach of this
repository (under $CARGO_TARGET_DIR when that is set; `cargo build -p kehoach`). Needs pytest, pyarrow and duckdb; the
test is skipped when pyarrow or duckdb cannot be imported.
"""

import csv
import datetime
import decimal
import os
import pty
import subprocess
from pathlib import Path

import pytest

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
duckdb = pytest.importorskip("duckdb")

REPO = Path(__file__).resolve().parents[2]

# The columns whose Parquet type is not a nullable string, with the type
# pyarrow and DuckDB give them and whether they can be null.
INT64 = ("int64", "BIGINT")
TYPES = {
    "plan_id": ("string", "VARCHAR", False),
    "path": ("string", "VARCHAR", False),
    "year": (*INT64, True),
    "date": ("date32[day]", "DATE", True),
    "seq": (*INT64, False),
    "level": (*INT64, False),
    "parent": (*INT64, True),
    "lead_units": ("list<item: string not null>", "VARCHAR[]", False),
    "support_units": ("list<item: string not null>", "VARCHAR[]", False),
    "due_by": ("date32[day]", "DATE", True),
    "targets": ("list<item: string not null>", "VARCHAR[]", False),
    "target_count": (*INT64, False),
    "target_value": ("double", "DOUBLE", True),
}
STRING = ("string", "VARCHAR", True)
LISTS = {"lead_units", "support_units", "targets"}


def kehoach_bin() -> Path:
    """$KEHOACH_BIN, else the debug build of this checkout (under $CARGO_TARGET_DIR
    when set, as scripts/test.sh builds it); a missing binary fails the test."""
    env = os.environ.get("KEHOACH_BIN")
    if env:
        path = Path(env)
    else:
        target = Path(os.environ.get("CARGO_TARGET_DIR") or REPO / "target")
        if not target.is_absolute():
            target = REPO / target
        path = target / "debug" / "kehoach"
    assert path.is_file(), f"no kehoach binary at {path}: build it with `cargo build -p kehoach` or set KEHOACH_BIN"
    return path


def run(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([str(kehoach_bin()), *args], cwd=REPO, capture_output=True, **kw)


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """(CSV header, CSV rows, Parquet path, data dir) of the corpus."""
    tmp = tmp_path_factory.mktemp("kehoach")
    data = tmp / "data"
    out = run("import", "corpus", "--data", str(data), "-q")
    assert out.returncode == 0, out.stderr.decode()
    csv_path, parquet_path = tmp / "tasks.csv", tmp / "tasks.parquet"
    for fmt, path in (("csv", csv_path), ("parquet", parquet_path)):
        out = run("export", "--data", str(data), "--format", fmt, "--out", str(path))
        assert out.returncode == 0, out.stderr.decode()
    with open(csv_path, encoding="utf-8-sig", newline="") as f:
        header, *rows = list(csv.reader(f))
    assert len(rows) > 100, f"{len(rows)} tasks in the corpus"
    return header, rows, parquet_path, data


def fmt_num(v: float) -> str:
    """A number as the CSV writes it: whole numbers without a fraction,
    others in the shortest form that reads back, never in exponent form."""
    if v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return format(decimal.Decimal(repr(v)), "f")


def as_csv_text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        raise AssertionError(f"unexpected boolean {v!r}")
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return fmt_num(v)
    if isinstance(v, datetime.date):
        return v.isoformat()
    if isinstance(v, (list, tuple)):
        assert all(isinstance(item, str) for item in v), v
        return "; ".join(v)
    assert isinstance(v, str), repr(v)
    return v


def assert_rows_match_csv(header, csv_rows, rows, reader):
    """Every cell of `rows` (tuples in column order) against the CSV."""
    assert len(rows) == len(csv_rows), reader
    cells = 0
    for i, (row, want) in enumerate(zip(rows, csv_rows)):
        assert len(row) == len(header) == len(want)
        for name, value, text in zip(header, row, want):
            where = f"{reader}: row {i}, column {name}"
            nullable = TYPES.get(name, STRING)[2]
            if name in LISTS:
                assert isinstance(value, list), where
            elif value is None:
                assert nullable, f"{where}: null in a column that is never null"
                assert text == "", f"{where}: null but the CSV has {text!r}"
            else:
                assert text != "" or not nullable, f"{where}: {value!r} where the CSV cell is empty"
            assert as_csv_text(value) == text, where
            cells += 1
    return cells


def test_pyarrow_reads_the_csv_rows_and_types(exported):
    header, csv_rows, path, _ = exported
    table = pq.read_table(path)
    assert table.column_names == header
    for field in table.schema:
        arrow_type, _, nullable = TYPES.get(field.name, STRING)
        assert str(field.type) == arrow_type, field
        assert field.nullable == nullable, field
    rows = [tuple(r[name] for name in header) for r in table.to_pylist()]
    cells = assert_rows_match_csv(header, csv_rows, rows, "pyarrow")
    assert cells == len(csv_rows) * len(header)
    meta = pq.ParquetFile(path).metadata
    assert meta.num_rows == len(csv_rows)
    assert meta.num_row_groups == -(-len(csv_rows) // 8192)
    assert meta.row_group(0).column(0).compression == "SNAPPY"
    # Typed values really are there.
    for name in ("date", "due_by", "year", "target_value"):
        assert table.column(name).null_count < len(csv_rows), name
    assert any(len(units) > 1 for units in table.column("lead_units").to_pylist())


def test_duckdb_reads_the_csv_rows_and_types(exported):
    header, csv_rows, path, _ = exported
    quoted = str(path).replace("'", "''")
    rel = duckdb.sql(f"select * from read_parquet('{quoted}')")
    assert rel.columns == header
    for name, ty in zip(rel.columns, rel.types):
        assert str(ty) == TYPES.get(name, STRING)[1], name
    rows = rel.fetchall()
    cells = assert_rows_match_csv(header, csv_rows, rows, "duckdb")
    assert cells == len(csv_rows) * len(header)
    # Queries on the types: dates compare as dates, lists have lengths.
    [(late,)] = duckdb.sql(
        f"select count(*) from read_parquet('{quoted}') where due_by > date '2024-06-30'"
    ).fetchall()
    due_by = header.index("due_by")
    assert late == sum(1 for r in csv_rows if r[due_by] and r[due_by] > "2024-06-30")
    [(units,)] = duckdb.sql(
        f"select sum(len(lead_units)) from read_parquet('{quoted}')"
    ).fetchall()
    lead_units = header.index("lead_units")
    assert units == sum(len(r[lead_units].split("; ")) for r in csv_rows if r[lead_units])


def test_parquet_is_refused_on_a_terminal_and_written_to_a_pipe(exported):
    _, csv_rows, path, data = exported
    leader, follower = pty.openpty()
    try:
        out = subprocess.run(
            [str(kehoach_bin()), "export", "--data", str(data), "--format", "parquet"],
            cwd=REPO,
            stdout=follower,
            stderr=subprocess.PIPE,
        )
    finally:
        os.close(follower)
        os.close(leader)
    assert out.returncode == 2
    assert b"Parquet is binary" in out.stderr and b"-o FILE.parquet" in out.stderr
    # Into a pipe: the same file as with --out.
    out = run("export", "--data", str(data), "--format", "parquet")
    assert out.returncode == 0, out.stderr.decode()
    assert out.stdout == path.read_bytes()
    assert pq.read_table(pa.BufferReader(out.stdout)).num_rows == len(csv_rows)
