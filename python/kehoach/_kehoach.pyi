"""The native module (Rust). Use the functions of ``kehoach`` instead."""

import os
from typing import Iterator, List, Optional, Sequence, Tuple, Union

from ._errors import ExtractError

__version__: str

_Path = Union[str, "os.PathLike[str]"]

def extract(
    source: Union[bytes, bytearray, _Path],
    name: Optional[str] = None,
    timeout: Optional[float] = None,
) -> str: ...

class Extraction(Iterator[Tuple[str, Optional[bytes], Optional[ExtractError], Optional[str]]]):
    def __iter__(self) -> "Extraction": ...
    def __next__(self) -> Tuple[str, Optional[bytes], Optional[ExtractError], Optional[str]]: ...
    def __len__(self) -> int: ...

def extract_many(
    paths: Sequence[_Path],
    workers: Optional[int] = None,
    timeout: Optional[float] = None,
    window: Optional[int] = None,
    names: Optional[Sequence[str]] = None,
) -> Extraction: ...
def diff_plans(a: str, b: str, all: bool = False) -> str: ...
def sha256_files(paths: Sequence[_Path], threads: Optional[int] = None) -> List[Optional[str]]: ...

class Index:
    def __init__(self, path: _Path, create: bool = True) -> None: ...
    @property
    def path(self) -> str: ...
    def import_paths(
        self,
        paths: Sequence[_Path],
        workers: Optional[int] = None,
        timeout: Optional[float] = None,
        exclude: Sequence[str] = ...,
        include_hidden: bool = False,
        commit_every: int = 0,
    ) -> str: ...
    def search(
        self,
        query: str = "",
        years: Optional[Tuple[int, int]] = None,
        issuer: Optional[str] = None,
        lead: Optional[str] = None,
        place: Optional[str] = None,
        kind: Optional[str] = None,
        due_before: Optional[str] = None,
        limit: int = 20,
        offset: int = 0,
        facets: bool = False,
    ) -> str: ...
    def plans(self) -> str: ...
    def plan(self, id: str) -> str: ...
    def diff(self, a: str, b: str, all: bool = False) -> str: ...
    def targets(
        self,
        query: str = "",
        years: Optional[Tuple[int, int]] = None,
        issuer: Optional[str] = None,
        lead: Optional[str] = None,
        kind: Optional[str] = None,
        due_before: Optional[str] = None,
    ) -> str: ...
    def counts(self) -> Tuple[int, int]: ...
