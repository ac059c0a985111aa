"""pandas DataFrames of tasks and targets (pandas is an optional extra:
``pip install './python[pandas]'``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Iterable, Iterator, List, Union

if TYPE_CHECKING:  # pragma: no cover
    import pandas

    from . import Index

#: Columns of :func:`tasks_frame`, in order.
TASK_COLUMNS = [
    "plan_id",
    "path",
    "plan_number",
    "doc_type",
    "issuer",
    "issuer_code",
    "place",
    "year",
    "date",
    "title",
    "seq",
    "number",
    "section",
    "level",
    "parent",
    "appendix",
    "content",
    "lead",
    "support",
    "lead_units",
    "support_units",
    "deadline",
    "due_kind",
    "due_by",
    "product",
    "targets",
]

#: Columns of :func:`targets_frame`, in order.
TARGET_COLUMNS = [
    "plan_id",
    "path",
    "plan_number",
    "issuer",
    "issuer_code",
    "place",
    "year",
    "date",
    "seq",
    "content",
    "lead",
    "metric",
    "op",
    "value",
    "unit",
    "text",
]


def _pandas():
    try:
        import pandas
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError(
            "tasks_frame/targets_frame need pandas: pip install pandas "
            "(or the package's extra: pip install './python[pandas]')"
        ) from e
    return pandas


def _plans(source: Any) -> Iterator[Dict[str, Any]]:
    """Plan records from an Index, one plan dict, or an iterable of plan dicts
    (or of ``(path, plan)`` pairs as ``extract_many`` yields; failures skipped)."""
    if hasattr(source, "plans") and hasattr(source, "plan"):
        for summary in source.plans():
            yield source.plan(summary["id"])
        return
    if isinstance(source, dict):
        yield source
        return
    for item in source:
        if isinstance(item, tuple) and len(item) == 2:
            item = item[1]
        if isinstance(item, dict):
            yield item


def _plan_id(plan: Dict[str, Any]) -> str:
    return (plan.get("source") or {}).get("sha256", "")[:16]


def _head(plan: Dict[str, Any]) -> Dict[str, Any]:
    meta = plan.get("meta") or {}
    return {
        "plan_id": _plan_id(plan),
        "path": (plan.get("source") or {}).get("path"),
        "plan_number": meta.get("number"),
        "doc_type": meta.get("doc_type"),
        "issuer": meta.get("issuer"),
        "issuer_code": meta.get("issuer_code"),
        "place": meta.get("place"),
        "year": meta.get("year"),
        "date": meta.get("date"),
        "title": meta.get("title"),
    }


def _task_rows(plans: Iterable[Dict[str, Any]]) -> List[Dict[str, Any]]:
    rows = []
    for plan in plans:
        head = _head(plan)
        for t in plan.get("tasks") or []:
            due = t.get("due") or {}
            row = dict(head)
            row.update(
                seq=t.get("seq"),
                number=t.get("number"),
                section=t.get("section"),
                level=t.get("level"),
                parent=t.get("parent"),
                appendix=t.get("appendix"),
                content=t.get("content"),
                lead=t.get("lead"),
                support=t.get("support"),
                lead_units=list(t.get("lead_units") or []),
                support_units=list(t.get("support_units") or []),
                deadline=t.get("deadline"),
                due_kind=due.get("kind"),
                due_by=due.get("by"),
                product=t.get("product"),
                targets=list(t.get("targets") or []),
            )
            rows.append(row)
    return rows


def _typed(df: "pandas.DataFrame", dates: List[str], ints: List[str]) -> "pandas.DataFrame":
    pd = _pandas()
    for c in dates:
        df[c] = pd.to_datetime(df[c], format="%Y-%m-%d", errors="coerce")
    for c in ints:
        df[c] = df[c].astype("Int64")
    return df


def tasks_frame(source: Union["Index", Dict[str, Any], Iterable[Any]]) -> "pandas.DataFrame":
    """One row per task, the plan's fields repeated on each row.

    ``source`` is an :class:`Index` (every imported plan), one plan record, a
    list of plan records, or the output of :func:`extract_many` (failures are
    skipped). ``date`` and ``due_by`` are dates (``datetime64``; no date:
    ``NaT``), ``year``/``seq``/``level``/``parent`` nullable integers,
    ``lead_units``/``support_units`` lists of str and ``targets`` a list of
    target dicts (metric, op, value, unit, text). ``plan_id`` is the first 16
    hex digits of the source's SHA-256, as in the index.

    Example::

        >>> df = kehoach.tasks_frame(idx)
        >>> df[df.due_by < "2025-01-01"].groupby("issuer").size()
    """
    pd = _pandas()
    df = pd.DataFrame(_task_rows(_plans(source)), columns=TASK_COLUMNS)
    return _typed(df, ["date", "due_by"], ["year", "seq", "level", "parent"])


def targets_frame(source: Union["Index", Dict[str, Any], Iterable[Any]]) -> "pandas.DataFrame":
    """One row per numeric target: the plan (id, path, number, issuer, place,
    year, date), the task (seq, content, lead) and the target (metric, op,
    value, unit, text). ``source`` as for :func:`tasks_frame`.

    Example::

        >>> t = kehoach.targets_frame(idx)
        >>> t[t.metric.str.contains("hài lòng")].pivot_table(
        ...     index="issuer", columns="year", values="value", aggfunc="max")
    """
    pd = _pandas()
    rows = []
    for plan in _plans(source):
        head = _head(plan)
        for t in plan.get("tasks") or []:
            for g in t.get("targets") or []:
                rows.append(
                    {
                        "plan_id": head["plan_id"],
                        "path": head["path"],
                        "plan_number": head["plan_number"],
                        "issuer": head["issuer"],
                        "issuer_code": head["issuer_code"],
                        "place": head["place"],
                        "year": head["year"],
                        "date": head["date"],
                        "seq": t.get("seq"),
                        "content": t.get("content"),
                        "lead": t.get("lead"),
                        "metric": g.get("metric"),
                        "op": g.get("op"),
                        "value": g.get("value"),
                        "unit": g.get("unit"),
                        "text": g.get("text"),
                    }
                )
    df = pd.DataFrame(rows, columns=TARGET_COLUMNS)
    df["value"] = df["value"].astype("float64")
    return _typed(df, ["date"], ["year", "seq"])
