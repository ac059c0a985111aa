"""Import plans on a Ray cluster: ``python -m kehoach.cluster import``.

The driver lists the inputs (files, directories walked, ``@paths.txt`` lists
of paths), leaves out those whose bytes (SHA-256) the output directory's
manifest already holds, splits the rest into batches and runs one Ray task
per batch. Each task reads its batch with :func:`kehoach.extract_many` and
writes the plan records as one NDJSON shard (one ``kehoach/plan@1`` record a
line), atomically and under a name derived from the batch, so a retried task
writes the same shard and never a second copy. The driver appends a line per
input to ``manifest.jsonl`` only after the batch's shard is in place: a run
that stops half way is completed by running it again, which redoes exactly
the batches without manifest lines.

The workers open the inputs by path: the inputs (and the output directory)
must be on storage every node sees at the same path, and the driver reads
them too (to hash them). ``kehoach import --from-shards DIR`` then builds the
index from the shards without reading the documents again.

Example::

    python -m kehoach.cluster import /shared/plans @/shared/more.txt \\
        --out /shared/out --address auto
    kehoach import --from-shards /shared/out --data kehoach-data
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import logging
import os
import re
import sys
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, Set, Tuple

#: The manifest of an output directory: one JSON line per input done.
MANIFEST = "manifest.jsonl"
#: Shards are ``shard-<hash of the batch>.ndjson``; temporary files start with a dot.
SHARD_PREFIX = "shard-"
SHARD_EXT = ".ndjson"
#: A test hook: seconds each batch task sleeps before it starts (read on the workers).
SLEEP_ENV = "KEHOACH_CLUSTER_TEST_SLEEP"

EXIT_OK = 0
EXIT_PARTIAL = 1
EXIT_ERROR = 2


@dataclass(frozen=True)
class Input:
    """One input file: ``name`` as listed (the ``source.path`` its record
    carries), ``path`` the absolute path workers open, ``sha256`` of its bytes."""

    name: str
    path: str
    sha256: str


@dataclass
class Totals:
    """What a run did, by input."""

    seen: int = 0
    imported: int = 0
    failed: int = 0
    skipped: int = 0
    lost_batches: int = 0
    failures: List[Tuple[str, str, str]] = field(default_factory=list)


# ---------------------------------------------------------------- listing


def _walk_dir(root: Path, skip: Set[Path]) -> Iterator[Path]:
    """Files under ``root``, depth first and sorted by name; hidden entries,
    kehoach data directories and the ``skip`` directories left out."""
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except OSError as e:
        raise OSError(f"{root}: cannot list: {e.strerror or e}") from e
    for entry in entries:
        if entry.name.startswith("."):
            continue
        p = Path(entry.path)
        if entry.is_dir():
            data_dir = (p / "FORMAT").is_file() or (p / "index" / "meta.json").is_file()
            if data_dir or p.resolve() in skip:
                continue
            yield from _walk_dir(p, skip)
        elif entry.is_file():
            yield p


def list_inputs(inputs: Sequence[str], skip: Iterable[Path] = ()) -> List[str]:
    """The input files named by ``inputs``: files as given, directories walked
    (sorted, hidden entries skipped), ``@FILE`` a text file of paths (one a
    line; blank lines and lines starting with ``#`` ignored; relative paths
    are relative to the current directory). A path that does not exist is
    kept: it fails as an input, with the reason. Each file is listed once."""
    skip_dirs = {Path(s).resolve() for s in skip}
    out: List[str] = []
    seen: Set[str] = set()

    def add(name: str) -> None:
        key = os.path.abspath(name)
        if key not in seen:
            seen.add(key)
            out.append(name)

    def one(arg: str) -> None:
        p = Path(arg)
        if p.is_dir():
            if p.resolve() in skip_dirs:
                return
            for f in _walk_dir(p, skip_dirs):
                add(str(f))
        else:
            add(arg)

    for arg in inputs:
        if arg.startswith("@"):
            with open(arg[1:], encoding="utf-8") as f:
                for line in f:
                    line = line.strip()
                    if line and not line.startswith("#"):
                        one(line)
        else:
            one(arg)
    return out


def sha256_files(paths: Sequence[str]) -> List[Optional[str]]:
    """Hex SHA-256 of each file's bytes (``None`` where a file cannot be
    read). Hashed in Rust without the GIL: the driver imports Ray meanwhile."""
    from kehoach import _kehoach

    return _kehoach.sha256_files(list(paths))


# ---------------------------------------------------------------- output directory


def read_manifest(out: Path) -> List[Dict[str, Any]]:
    """The manifest's lines (a torn last line, left by a crash, is ignored)."""
    path = out / MANIFEST
    if not path.exists():
        return []
    lines = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            try:
                lines.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return lines


def _fsync_dir(path: Path) -> None:
    """Syncs a directory, so that a rename in it is on disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomically(path: Path, data: bytes) -> None:
    """Writes ``data`` to ``path``: a temporary (hidden) name in the same
    directory, fsync, rename, fsync of the directory. Readers see the old
    file or the whole new one, never a part."""
    tmp = path.parent / f".tmp-{path.name}-{uuid.uuid4().hex}"
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    _fsync_dir(path.parent)


def shard_name(batch: Sequence[Input]) -> str:
    """The shard of a batch, named by a hash of its inputs (names and bytes):
    the same batch always writes the same shard."""
    h = hashlib.sha256()
    for i in batch:
        h.update(f"{i.name}\0{i.sha256}\n".encode())
    return f"{SHARD_PREFIX}{h.hexdigest()[:32]}{SHARD_EXT}"


def clean_orphans(out: Path, manifest: List[Dict[str, Any]]) -> int:
    """Removes the shards no manifest line names (written by a run that
    stopped before it recorded them; their batches are redone) and left-over
    temporary files. Returns how many files were removed."""
    named = {line.get("shard") for line in manifest}
    removed = 0
    for p in out.iterdir():
        is_shard = p.name.startswith(SHARD_PREFIX) and p.name.endswith(SHARD_EXT)
        orphan = is_shard and p.name not in named
        if orphan or p.name.startswith(".tmp-"):
            p.unlink()
            removed += 1
    return removed


# ---------------------------------------------------------------- the task


def _entry_of(result_path: str, abs_path: str) -> Optional[str]:
    """The part of an extraction result's path after the input's path: ``""``
    for the input itself, ``"!/inner"`` for an archive entry; ``None`` when
    the result is of another input."""
    if result_path == abs_path:
        return ""
    if result_path.startswith(abs_path + "!/"):
        return result_path[len(abs_path) :]
    return None


def _node_id() -> str:
    """The Ray node this runs on (its id's first 12 hex digits), or ``""``
    outside Ray (asking Ray's runtime context there would start a local Ray)."""
    try:
        import ray

        if not ray.is_initialized():
            return ""
        return ray.get_runtime_context().get_node_id()[:12]
    except Exception:
        return ""


def run_batch(
    out_dir: str,
    shard: str,
    batch: List[Tuple[str, str, str]],
    workers: int,
    timeout: Optional[float],
) -> List[Dict[str, Any]]:
    """One batch, on a worker: reads ``batch`` (name, absolute path, sha256)
    in parallel as :func:`kehoach.extract_many` does, writes the plan records
    to the shard ``out_dir/shard`` atomically and returns a manifest line per
    input."""
    sleep = os.environ.get(SLEEP_ENV)
    if sleep:
        time.sleep(float(sleep))
    # The OCR reader's thread pool follows the CPUs the task asked Ray for
    # (as Ray sets OMP_NUM_THREADS), not the node's cores: a node of 16 CPUs
    # runs 16 tasks, which would otherwise start 16 OCR threads each.
    os.environ.setdefault("RAYON_NUM_THREADS", str(max(1, workers)))
    node = _node_id()
    lines: List[Dict[str, Any]] = [
        {"path": name, "sha256": sha, "shard": None, "status": "ok", "records": [], "node": node}
        for name, _, sha in batch
    ]
    records: List[bytes] = []
    i = 0
    # The native iterator gives each plan as the JSON written to the shard
    # (UTF-8 bytes), already carrying the input's name as its source path: no
    # parsing, decoding or re-encoding here.
    from kehoach import _kehoach

    results = _kehoach.extract_many(
        [p for _, p, _ in batch], workers, timeout, None, [name for name, _, _ in batch]
    )
    for entry_name, js, err, sha in results:
        # Results come in input order; an archive gives one per entry.
        while i < len(batch) and _entry_of(entry_name, batch[i][0]) is None:
            i += 1
        if i == len(batch):
            raise RuntimeError(f"an extraction result of no input of the batch: {entry_name}")
        line = lines[i]
        if js is None:
            line["status"] = "failed"
            line.setdefault("errors", []).append({"path": entry_name, "kind": err.kind, "reason": err.reason})
            continue
        records.append(js)
        records.append(b"\n")
        line["records"].append([entry_name, sha])
    for line in lines:
        errors = line.pop("errors", None)
        if errors:
            line["kind"] = errors[0]["kind"]
            first = errors[0]
            more = len(errors) - 1
            line["reason"] = first["reason"] if not more else f"{first['path']}: {first['reason']} (and {more} more)"
        elif not line["records"]:
            line["status"] = "failed"
            line["kind"] = "not_a_plan"
            line["reason"] = "no document found in it"
    if records:
        write_atomically(Path(out_dir) / shard, b"".join(records))
        for line in lines:
            if line["records"]:
                line["shard"] = shard
    return lines


# ---------------------------------------------------------------- the driver


class RunError(Exception):
    """The run cannot start (exit status 2)."""


@contextlib.contextmanager
def _locked(out: Path) -> Iterator[None]:
    """Holds the output directory's lock: one driver at a time."""
    import fcntl

    with open(out / ".lock", "w") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RunError(f"{out} is used by another run") from None
        yield


# The start of a plan record as the extractor writes it: the schema, then the
# source's path and sha256 (a record written otherwise is parsed in full).
_RECORD_HEAD = re.compile(rb'^\{"schema":"[^"]*","source":\{"path":("(?:[^"\\]|\\.)*"),"sha256":"([0-9a-f]{64})"')


def _record_key(line: bytes) -> Optional[Tuple[str, str]]:
    """(source path, sha256) of one shard line, or ``None`` when it is no plan record."""
    m = _RECORD_HEAD.match(line)
    try:
        if m:
            return json.loads(m.group(1)), m.group(2).decode("ascii")
        src = json.loads(line)["source"]
        return src["path"], src["sha256"]
    except (ValueError, KeyError, TypeError):
        return None


def verify(out: Path) -> List[str]:
    """Checks that the shards hold exactly one record for each record the
    manifest names (by path and SHA-256) and nothing else. Returns the
    problems found (none: all is well)."""
    manifest = read_manifest(out)
    expected: Counter = Counter()
    shards: Set[str] = set()
    for line in manifest:
        for path, sha in line.get("records", []):
            expected[(path, sha)] += 1
        if line.get("shard"):
            shards.add(line["shard"])
    found: Counter = Counter()
    problems: List[str] = []
    for shard in sorted(shards):
        try:
            with open(out / shard, "rb") as f:
                for n, text in enumerate(f, 1):
                    key = _record_key(text)
                    if key is None:
                        problems.append(f"{shard}:{n}: not a plan record")
                    else:
                        found[key] += 1
        except OSError as e:
            problems.append(f"{shard}: cannot read: {e.strerror or e}")
    for key in sorted(set(expected) | set(found)):
        want, got = expected[key], found[key]
        if want == 0:
            problems.append(f"{key[0]}: {got} record(s) in the shards that no manifest line names")
        elif got != 1 or want != 1:
            problems.append(f"{key[0]}: {got} record(s) in the shards, the manifest names it {want} time(s)")
    return problems


def _batches(items: List[Input], size: int) -> List[List[Input]]:
    """``items`` in consecutive batches of ``size`` (the last may be shorter)."""
    return [items[i : i + size] for i in range(0, len(items), size)]


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def plan_batches(items: List[Input], size: int, slots: int) -> List[List[Input]]:
    """``items`` in consecutive batches of at most ``size``, and of fewer when
    there are few items, so that each of the cluster's ``slots`` (tasks that
    can run at once) gets about four: five large scans are five tasks spread
    over the nodes, not one task on one node while the others idle. The
    batches with the most bytes come first (the largest are not left for the
    end, when the other nodes would wait for them); equal ones keep their
    order."""
    per = max(1, min(size, -(-len(items) // (4 * max(1, slots)))))
    batches = _batches(items, per)
    weight = [sum(_size(i.path) for i in b) for b in batches]
    order = sorted(range(len(batches)), key=lambda k: -weight[k])
    return [batches[k] for k in order]


def _list_and_hash(inputs: Sequence[str], out: Path) -> Tuple[List[str], List[Optional[str]]]:
    """The input files and the SHA-256 of each (``None``: unreadable)."""
    names = list_inputs(inputs, skip=[out])
    return names, sha256_files(names)


#: Ray's setting of how long a leaving driver waits for its task events.
_RAY_FLUSH_ENV = "RAY_task_events_shutdown_flush_timeout_ms"


def _connect(address: Optional[str]) -> Tuple[Optional[Exception], float]:
    """Imports Ray and reaches the cluster (or starts a local Ray). Returns
    the error (``None``: connected) and the seconds ``ray.init`` took."""
    # When the driver leaves, Ray waits for its last task events (the
    # dashboard's task list) to reach the cluster: about 0.25 s of most runs.
    # The manifest is the record of what was done; unless the user asks
    # otherwise, the driver does not wait for those events.
    os.environ.setdefault(_RAY_FLUSH_ENV, "0")
    import ray

    t0 = time.monotonic()
    try:
        ray.init(address=address, logging_level=logging.WARNING, log_to_driver=False)
    except Exception as e:
        return e, time.monotonic() - t0
    took = time.monotonic() - t0
    return None, took


def run_import(args: argparse.Namespace) -> int:
    """``import``: the whole run. Returns the exit status."""
    # Absolute: the workers write the shards there from their own directories.
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    with _locked(out):
        manifest = read_manifest(out)
        removed = clean_orphans(out, manifest)
        if removed:
            print(f"kehoach.cluster: removed {removed} unrecorded shard(s) of an earlier run", file=sys.stderr)
        done: Dict[str, str] = {line["sha256"]: line["status"] for line in manifest if line.get("sha256")}

        # With a cluster to reach, the inputs are listed and hashed in the
        # background while Ray is imported and the cluster reached (a second
        # or more) and starts its worker processes: neither waits for the
        # other. A local Ray is started only when there is something to read.
        init_error: Optional[Exception] = None
        init_took = 0.0
        if args.address:
            with ThreadPoolExecutor(max_workers=1) as background:
                listing = background.submit(_list_and_hash, args.inputs, out)
                init_error, init_took = _connect(args.address)
                names, shas = listing.result()
        else:
            names, shas = _list_and_hash(args.inputs, out)
        totals = Totals(seen=len(names))
        todo: List[Input] = []
        this_run: Set[str] = set()
        unreadable: List[Dict[str, Any]] = []
        for name, sha in zip(names, shas):
            if sha is None:
                reason = "cannot read: no such file" if not os.path.exists(name) else "cannot read"
                unreadable.append(
                    {"path": name, "sha256": None, "shard": None, "status": "failed", "kind": "io", "reason": reason}
                )
                continue
            status = done.get(sha)
            if sha in this_run or status == "ok" or (status == "failed" and not args.retry_failed):
                totals.skipped += 1
                continue
            this_run.add(sha)
            todo.append(Input(name=name, path=os.path.abspath(name), sha256=sha))
        for line in unreadable:
            totals.failed += 1
            totals.failures.append((line["path"], line["kind"], line["reason"]))

        print(
            f"kehoach.cluster: {len(names)} input(s), {totals.skipped} already done, {len(todo)} to read",
            file=sys.stderr,
        )
        if todo:
            import ray

            # By reference to this module as installed (not as __main__), so
            # that the workers import it rather than unpickle a copy.
            from kehoach.cluster import run_batch as batch_fn

            if not args.address:
                init_error, init_took = _connect(None)
            if init_error is not None:
                where = f"the Ray cluster at {args.address}" if args.address else "a local Ray"
                raise RunError(f"cannot start or reach {where}: {init_error}") from init_error
            cpus = int(ray.cluster_resources().get("CPU", 1))
            batches = plan_batches(todo, args.batch_size, cpus // args.workers_per_task)
            print(
                f"kehoach.cluster: {len(batches)} batch(es) of up to {max(map(len, batches))} input(s) "
                f"on {cpus} CPU(s)",
                file=sys.stderr,
            )
            t1 = time.monotonic()
            task = ray.remote(max_retries=3, retry_exceptions=True, num_cpus=args.workers_per_task)(batch_fn)
            _run_batches(task, out, batches, args, totals)
            took = max(time.monotonic() - t1, 1e-9)
            print(
                f"kehoach.cluster: {len(todo)} input(s) read in {took:.2f} s ({len(todo) / took:.1f}/s) "
                f"on {cpus} CPU(s); reaching the cluster took {init_took:.2f} s",
                file=sys.stderr,
            )
        with open(out / MANIFEST, "a", encoding="utf-8") as f:
            for line in unreadable:
                f.write(json.dumps(line, ensure_ascii=False) + "\n")
            f.flush()
            os.fsync(f.fileno())

    print(
        f"inputs seen {totals.seen}, imported {totals.imported}, failed {totals.failed}, "
        f"skipped {totals.skipped} (already done)"
    )
    for path, kind, reason in totals.failures:
        print(f"kehoach: {path}: {reason}", file=sys.stderr)
    status = EXIT_PARTIAL if totals.failed or totals.lost_batches else EXIT_OK
    # The check reads the shards while this driver leaves the cluster.
    with ThreadPoolExecutor(max_workers=1) as background:
        checked = background.submit(verify, out)
        if "ray" in sys.modules:
            sys.modules["ray"].shutdown()
        problems = checked.result()
    if problems:
        print(f"shards check failed ({len(problems)}):")
        for p in problems:
            print(f"  {p}")
        status = EXIT_PARTIAL
    else:
        print(f"shards check: one record per imported input ({out})")
    return status


def _run_batches(
    task: Any, out: Path, batches: List[List[Input]], args: argparse.Namespace, totals: Totals
) -> None:
    """Runs the batch tasks (a bounded number at a time) and records each
    finished batch in the manifest."""
    import ray

    cpus = int(ray.cluster_resources().get("CPU", 1))
    # Four per slot: a node that finishes a batch finds the next one queued
    # for it (with two, the queue could be empty while the driver records a
    # batch, and the node was handed back and idled until Ray placed another).
    in_flight_max = max(4, 4 * cpus // max(1, args.workers_per_task))
    pending: Dict[Any, Tuple[int, List[Input], float]] = {}
    queue = list(enumerate(batches, 1))
    queue.reverse()
    finished = 0
    with open(out / MANIFEST, "a", encoding="utf-8") as manifest:
        while queue or pending:
            while queue and len(pending) < in_flight_max:
                n, batch = queue.pop()
                items = [(i.name, i.path, i.sha256) for i in batch]
                ref = task.remote(str(out), shard_name(batch), items, args.workers_per_task, args.timeout)
                pending[ref] = (n, batch, time.monotonic())
            ready, _ = ray.wait(list(pending), num_returns=1)
            ref = ready[0]
            n, batch, started = pending.pop(ref)
            finished += 1
            try:
                lines = ray.get(ref)
            except Exception as e:  # the task failed after its retries
                totals.lost_batches += 1
                totals.failed += len(batch)
                for i in batch:
                    totals.failures.append((i.name, "lost", f"batch {n} failed: {type(e).__name__}"))
                print(f"kehoach.cluster: batch {n} ({len(batch)} inputs) failed: {e}", file=sys.stderr)
                continue
            for line in lines:
                manifest.write(json.dumps(line, ensure_ascii=False) + "\n")
            manifest.flush()
            os.fsync(manifest.fileno())
            ok = sum(1 for line in lines if line["status"] == "ok")
            totals.imported += ok
            totals.failed += len(lines) - ok
            for line in lines:
                if line["status"] != "ok":
                    totals.failures.append((line["path"], line.get("kind", ""), line.get("reason", "")))
            shard = next((line["shard"] for line in lines if line["shard"]), "no shard")
            node = lines[0].get("node") if lines else ""
            print(
                f"kehoach.cluster: batch {n} done ({finished}/{len(batches)}): {ok} ok, "
                f"{len(lines) - ok} failed, {shard}, node {node}, {time.monotonic() - started:.1f} s",
                file=sys.stderr,
            )


def main(argv: Optional[Sequence[str]] = None) -> int:
    """The command line: ``python -m kehoach.cluster import ...``."""
    parser = argparse.ArgumentParser(
        prog="python -m kehoach.cluster",
        description="Read plans on a Ray cluster into NDJSON shards (then: kehoach import --from-shards DIR).",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    imp = sub.add_parser(
        "import",
        help="read inputs into shards",
        description="Read plans on a Ray cluster into NDJSON shards of DIR, resumably. "
        "Inputs and DIR must be on storage every node sees at the same path.",
    )
    imp.add_argument(
        "inputs", nargs="+", metavar="INPUT", help="files, directories, or @FILE (a list of paths, one a line)"
    )
    imp.add_argument("--out", required=True, metavar="DIR", help="the output directory (shards and manifest.jsonl)")
    imp.add_argument(
        "--address", metavar="ADDRESS", help="the Ray cluster (HOST:PORT or auto); default: start a local Ray"
    )
    imp.add_argument("--batch-size", type=int, default=32, metavar="N", help="inputs per task, at most (default 32; fewer when there are few inputs)")
    imp.add_argument(
        "--workers-per-task", type=int, default=1, metavar="N", help="extraction and OCR threads (and CPUs) per task (default 1)"
    )
    imp.add_argument(
        "--timeout", type=float, default=None, metavar="SECS", help="time budget of one document (default 120)"
    )
    imp.add_argument(
        "--retry-failed", action="store_true", help="read again the inputs the manifest lists as failed"
    )
    args = parser.parse_args(argv)
    if args.batch_size < 1 or args.workers_per_task < 1:
        parser.error("--batch-size and --workers-per-task must be at least 1")
    try:
        return run_import(args)
    except (OSError, RunError) as e:
        print(f"kehoach.cluster: {e}", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    code = main()
    # Everything is written and synced (shards, manifest) and Ray is left:
    # skip the interpreter's tear-down of Ray's modules and threads (a
    # third of a second or more).
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
