"""Exceptions raised by kehoach."""

from __future__ import annotations


class KehoachError(Exception):
    """Base class of kehoach's own errors."""


class ExtractError(KehoachError):
    """A document could not be read into a plan.

    Attributes:
        path: the document's name (a path, ``ARCHIVE.zip!/entry``, or the
            ``name`` given with bytes).
        kind: what kind of failure: ``io``, ``limit``, ``timed_out``,
            ``reader`` (damaged, unsupported, not a document), ``panic``
            (a reader failed unexpectedly) or ``not_a_plan``.
        reason: what went wrong, for people.
    """

    def __init__(self, path: str, kind: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.kind = kind
        self.reason = reason

    def __reduce__(self):  # picklable, for multiprocessing and cluster workers
        return (type(self), (self.path, self.kind, self.reason))


class StoreError(KehoachError):
    """The index or plan store of a data directory failed (locked by an
    import in another process, written by an incompatible version, I/O)."""
