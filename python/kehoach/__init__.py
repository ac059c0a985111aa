"""kehoach: Vietnamese government plans (Kế hoạch) as data.

Read plans (DOCX, DOC, PDF, scanned PDF, images, text and web-page exports)
into ``kehoach/plan@1`` records, import them into a searchable index, compare
plans and follow numeric targets across years and issuers.

Example::

    import kehoach

    plan = kehoach.extract("plans/37-KH-UBND.docx")
    print(plan["meta"]["number"], len(plan["tasks"]))

    for path, result in kehoach.extract_many(["plans/"]):
        if isinstance(result, kehoach.ExtractError):
            print("failed:", result)

    idx = kehoach.Index("kehoach-data")
    idx.import_paths(["plans/"])
    hits = idx.search("ho so truc tuyen", year=2024)["hits"]
    df = kehoach.tasks_frame(idx)          # needs pandas

Records are plain dicts and lists: the same JSON ``kehoach extract --json``
prints (see docs/PLAN_JSON.md).
"""

from __future__ import annotations

import json
import os
from typing import Any, Dict, Iterable, Iterator, List, Optional, Tuple, Union

from . import _kehoach
from ._errors import ExtractError, KehoachError, StoreError
from .frames import targets_frame, tasks_frame

__version__: str = _kehoach.__version__

__all__ = [
    "ExtractError",
    "Index",
    "KehoachError",
    "StoreError",
    "diff",
    "extract",
    "extract_many",
    "targets_frame",
    "tasks_frame",
]

#: A ``kehoach/plan@1`` record.
Plan = Dict[str, Any]
#: A file system path.
PathLike = Union[str, "os.PathLike[str]"]
#: A year, an inclusive range of years, or ``"2020..2025"``.
Years = Union[int, str, Tuple[int, int], range, None]


def extract(
    source: Union[bytes, bytearray, PathLike],
    *,
    name: Optional[str] = None,
    timeout: Optional[float] = None,
) -> Plan:
    """Read one document into its ``kehoach/plan@1`` record.

    ``source`` is a path (``str`` or ``os.PathLike``) or the document's bytes;
    the format is found from the content, not the name. ``name`` is the
    ``source.path`` the record carries (default: the path as given, or
    ``"<bytes>"``). ``timeout`` is the time budget in seconds (default 120).

    Raises ``ExtractError`` (with ``.path``, ``.kind`` and ``.reason``) when
    the document cannot be read: missing, damaged, over a limit, timed out.

    Example::

        >>> import kehoach
        >>> plan = kehoach.extract("corpus/000_9b75833fe1e96175.txt")
        >>> plan["meta"]["number"], plan["meta"]["year"]
        ('17/KH-UBND', 2024)
        >>> [t["content"] for t in plan["tasks"] if t["targets"]][:1]
        ['Thực hiện 100% số hoá hồ sơ, ...']
        >>> with open("plan.docx", "rb") as f:
        ...     plan = kehoach.extract(f.read(), name="plan.docx")
    """
    return json.loads(_kehoach.extract(source, name, timeout))


class Extraction(Iterator[Tuple[str, Union[Plan, ExtractError]]]):
    """The results of :func:`extract_many`: ``(path, plan or ExtractError)``
    in input order, read in parallel in Rust while Python consumes them."""

    def __init__(self, native: Any) -> None:
        self._native = native

    def __iter__(self) -> "Extraction":
        return self

    def __next__(self) -> Tuple[str, Union[Plan, ExtractError]]:
        path, js, err, _sha = next(self._native)
        return path, (json.loads(js) if js is not None else err)

    def __len__(self) -> int:
        """How many documents the extraction reads in all."""
        return len(self._native)


def extract_many(
    paths: Union[PathLike, Iterable[PathLike]],
    workers: Optional[int] = None,
    *,
    timeout: Optional[float] = None,
) -> Extraction:
    """Read many documents in parallel (Rust threads, the GIL released).

    ``paths`` are files or directories (walked like ``kehoach extract DIR``:
    sorted, hidden entries and kehoach data directories skipped). Returns an
    iterator of ``(path, plan)`` or ``(path, ExtractError)`` in input order;
    one bad file never stops the others. At most a few documents per worker
    are held at a time, so memory stays flat over any number of files.
    ``workers`` defaults to one per core; ``timeout`` is each document's time
    budget in seconds.

    Example::

        >>> ok = failed = 0
        >>> for path, result in kehoach.extract_many(["corpus/"], workers=4):
        ...     if isinstance(result, kehoach.ExtractError):
        ...         failed += 1
        ...     else:
        ...         ok += 1
    """
    if isinstance(paths, (str, bytes, os.PathLike)):
        paths = [paths]
    return Extraction(_kehoach.extract_many([os.fspath(p) for p in paths], workers, timeout))


def diff(a: Plan, b: Plan, *, all: bool = False) -> Dict[str, Any]:
    """The differences between two plan records (``kehoach diff A B --json``):
    tasks aligned by content, changed targets, deadlines, units and wording,
    added and removed tasks. ``all=True`` lists unchanged pairs too."""
    return json.loads(_kehoach.diff_plans(json.dumps(a), json.dumps(b), all))


def _years(year: Years) -> Optional[Tuple[int, int]]:
    if year is None:
        return None
    if isinstance(year, bool):
        raise TypeError("year must be a year, a (first, last) pair or 'YYYY..YYYY'")
    if isinstance(year, int):
        return (year, year)
    if isinstance(year, range):
        if len(year) == 0:
            raise ValueError("year: the range is empty")
        return (year[0], year[-1])
    if isinstance(year, str):
        text = year.strip()
        for sep in ("..", "-"):
            if sep in text:
                a, b = text.split(sep, 1)
                lo, hi = int(a), int(b)
                break
        else:
            lo = hi = int(text)
    else:
        lo, hi = (int(v) for v in year)
    if lo > hi:
        raise ValueError(f"year {year!r}: the range is empty")
    return (lo, hi)


class Index:
    """A data directory: the search index and plan store ``kehoach import``
    and ``kehoach serve`` use. Created when missing (unless ``create=False``).

    Example::

        >>> idx = kehoach.Index("kehoach-data")
        >>> idx.import_paths(["corpus/"])["imported"]
        5
        >>> idx.search("ho so truc tuyen", year=2024, limit=3)["total"]
        12
    """

    def __init__(self, path: PathLike, *, create: bool = True) -> None:
        self._native = _kehoach.Index(os.fspath(path), create)

    @property
    def path(self) -> str:
        """The data directory."""
        return os.fspath(self._native.path)

    def __repr__(self) -> str:
        plans, tasks = self._native.counts()
        return f"Index({self.path!r}: {plans} plans, {tasks} tasks)"

    def import_paths(
        self,
        paths: Union[PathLike, Iterable[PathLike]],
        *,
        workers: Optional[int] = None,
        timeout: Optional[float] = None,
        exclude: Iterable[str] = (),
        include_hidden: bool = False,
    ) -> Dict[str, Any]:
        """Import files, directories and zip archives (``kehoach import``).

        Incremental: bytes already imported are ``unchanged``; a path imported
        before with new bytes replaces its records. Documents that cannot be
        read are listed in ``failures`` (with ``file``, ``reason``, ``kind``);
        the others are imported. Returns the summary ``kehoach import --json``
        prints. Raises ``StoreError`` when the index cannot be written (for
        example while another import holds it).
        """
        if isinstance(paths, (str, bytes, os.PathLike)):
            paths = [paths]
        return json.loads(
            self._native.import_paths(
                [os.fspath(p) for p in paths],
                workers,
                timeout,
                list(exclude),
                include_hidden,
            )
        )

    def search(
        self,
        query: str = "",
        *,
        year: Years = None,
        issuer: Optional[str] = None,
        lead: Optional[str] = None,
        place: Optional[str] = None,
        kind: Optional[str] = None,
        due_before: Optional[str] = None,
        limit: int = 20,
        offset: int = 0,
        facets: bool = False,
    ) -> Dict[str, Any]:
        """Search tasks across every imported plan, diacritics optional.

        ``query``: words, ``"phrases"`` and ``-exclusions`` (empty: every
        task). Filters: ``year`` (2024, (2020, 2025) or "2020..2025"),
        ``issuer`` (words of the name, or a code such as ``SYT``), ``lead``
        (words of the lead unit), ``place``, ``kind`` (deadline kind: date,
        month, quarter, year, continuous, …), ``due_before`` (YYYY-MM-DD).
        Returns ``{"total", "total_exact", "hits": [...], "facets": {...}}``
        (facets when ``facets=True``); each hit has the plan and the task.
        """
        return json.loads(
            self._native.search(
                query,
                _years(year),
                issuer,
                lead,
                place,
                kind,
                due_before,
                limit,
                offset,
                facets,
            )
        )

    def plans(self) -> List[Dict[str, Any]]:
        """Every imported plan: id, file_path, file_sha256, tasks and the head
        (schema, source, meta, warnings)."""
        return json.loads(self._native.plans())

    def plan(self, id: str) -> Plan:
        """One imported plan's full record, by id (or a unique start of one,
        at least 4 hex digits). Raises ``KeyError`` when no plan has it."""
        return json.loads(self._native.plan(id))

    def diff(self, a: str, b: str, *, all: bool = False) -> Dict[str, Any]:
        """The differences between two imported plans, by id (see :func:`diff`)."""
        return json.loads(self._native.diff(a, b, all))

    def targets(
        self,
        query: str = "",
        *,
        year: Years = None,
        issuer: Optional[str] = None,
        lead: Optional[str] = None,
        kind: Optional[str] = None,
        due_before: Optional[str] = None,
    ) -> List[Dict[str, Any]]:
        """Target timelines (``kehoach targets QUERY --json``): every target
        whose metric contains the words of ``query``, as one series per issuer
        and metric, each with its points by year (year, issuer, plan_id, path,
        seq, metric, op, value, unit, text)."""
        return json.loads(
            self._native.targets(query, _years(year), issuer, lead, kind, due_before)
        )

    def counts(self) -> Tuple[int, int]:
        """``(plans, tasks)`` in the index."""
        return tuple(self._native.counts())  # type: ignore[return-value]
