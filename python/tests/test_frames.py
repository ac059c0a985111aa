"""tasks_frame and targets_frame."""

from __future__ import annotations

import pytest

import kehoach
from conftest import ROOT

pd = pytest.importorskip("pandas")


@pytest.fixture(scope="module")
def plans():
    return [p for _, p in kehoach.extract_many(ROOT / "corpus")]


def test_tasks_frame_has_one_row_per_task(plans):
    df = kehoach.tasks_frame(plans)
    assert len(df) == sum(len(p["tasks"]) for p in plans)
    assert list(df.columns) == kehoach.frames.TASK_COLUMNS
    assert str(df["due_by"].dtype).startswith("datetime64")
    assert str(df["year"].dtype) == "Int64"
    row = df[(df.plan_number == "17/KH-UBND") & (df.seq == 21)].iloc[0]
    assert row["due_by"] == pd.Timestamp("2024-12-15")
    assert row["issuer"] == "UBND xã An Dương"
    assert isinstance(row["targets"], list) and row["targets"][0]["value"] == 100.0
    assert isinstance(row["lead_units"], list)
    # The plan's fields repeat on every task row.
    assert df[df.plan_number == "17/KH-UBND"]["year"].eq(2024).all()


def test_frames_take_an_index_a_plan_or_extract_many(plans, tmp_path):
    idx = kehoach.Index(tmp_path / "data")
    idx.import_paths(ROOT / "corpus")
    from_index = kehoach.tasks_frame(idx)
    from_plans = kehoach.tasks_frame(plans)
    key = ["plan_id", "seq"]
    a = from_index.sort_values(key).reset_index(drop=True)
    b = from_plans.sort_values(key).reset_index(drop=True)
    assert a.drop(columns=["path"]).equals(b.drop(columns=["path"]))
    assert len(kehoach.tasks_frame(plans[0])) == len(plans[0]["tasks"])
    pairs = kehoach.extract_many(ROOT / "corpus")
    assert len(kehoach.tasks_frame(pairs)) == len(from_plans)


def test_targets_frame_has_one_row_per_target(plans):
    t = kehoach.targets_frame(plans)
    assert len(t) == sum(len(task["targets"]) for p in plans for task in p["tasks"])
    assert list(t.columns) == kehoach.frames.TARGET_COLUMNS
    assert t["value"].dtype == "float64"
    sat = t[t.metric.str.contains("hài lòng", case=False)]
    assert len(sat) > 0 and set(sat.op) <= {">=", "=", ">", "<=", "<", "~"}
