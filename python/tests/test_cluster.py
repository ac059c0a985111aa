"""python -m kehoach.cluster on a real Ray cluster of two nodes on loopback:
records as the command line extracts them, the manifest, resuming, shards
into an index, and a node lost while batches run."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, Iterator, List

import pytest

from conftest import ROOT, cli_extract, cli_plan, run_cli

pytest.importorskip("ray")

#: The bad input: a damaged Word document.
BAD = "fixtures/bad/truncated.docx"
#: A test hook of kehoach.cluster: seconds each batch sleeps (read on the workers).
SLEEP_ENV = "KEHOACH_CLUSTER_TEST_SLEEP"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """A head and one more node on loopback, each `ray start --block` in a
    process group of its own (stopped by its id, nothing else touched)."""

    def __init__(self, sleep: float) -> None:
        self.temp = Path(tempfile.mkdtemp(prefix="khr", dir="/tmp"))
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        # A cluster of its own: no token to share, no usage report, every
        # port free (other Ray clusters of the machine are left alone).
        self.env = dict(
            os.environ,
            **{
                SLEEP_ENV: str(sleep),
                "RAY_USAGE_STATS_ENABLED": "0",
                "RAY_AUTH_MODE": "disabled",
                # As docs/cluster.md starts nodes: workers up with the node.
                "RAY_enable_worker_prestart": "1",
            },
        )
        self.procs: List[subprocess.Popen] = []
        try:
            self.head = self._start(
                "--head",
                f"--port={self.port}",
                "--include-dashboard=false",
                f"--dashboard-port={free_port()}",
                f"--ray-client-server-port={free_port()}",
            )
            self._wait_nodes(1)
            self.worker = self._start(f"--address={self.address}")
            self._wait_nodes(2)
        except BaseException:
            self.stop()
            raise

    def _start(self, *args: str) -> subprocess.Popen:
        cmd = ["ray", "start", "--block", "--num-cpus=1", "--node-ip-address=127.0.0.1", "--disable-usage-stats"]
        cmd += [f"--temp-dir={self.temp}", f"--dashboard-agent-listen-port={free_port()}"]
        cmd += [f"--metrics-export-port={free_port()}", *args]
        p = subprocess.Popen(
            cmd, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        self.procs.append(p)
        return p

    def alive_nodes(self) -> int:
        out = subprocess.run(
            ["ray", "status", f"--address={self.address}"], capture_output=True, text=True, env=self.env
        )
        active = out.stdout.split("Active:", 1)[-1].split("Pending:", 1)[0] if "Active:" in out.stdout else ""
        return len(re.findall(r"\bnode_[0-9a-f]+", active))

    def _wait_nodes(self, n: int, timeout: float = 60) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.alive_nodes() >= n:
                return
            time.sleep(0.5)
        raise AssertionError(f"the Ray cluster did not reach {n} node(s)")

    def kill_worker(self) -> None:
        """Kills the second node (its raylet and its workers), as a lost machine."""
        with_group(self.worker, signal.SIGKILL)

    def stop(self) -> None:
        for p in reversed(self.procs):
            with_group(p, signal.SIGTERM)
        end = time.monotonic() + 5
        for p in self.procs:
            try:
                p.wait(timeout=max(0.1, end - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            with_group(p, signal.SIGKILL)
            p.wait()
        # Processes of this cluster that left their group: found by its temp dir.
        time.sleep(1)
        out = subprocess.run(["ps", "-eo", "pid=,args="], capture_output=True, text=True).stdout
        for line in out.splitlines():
            pid, _, args = line.strip().partition(" ")
            if str(self.temp) in args and int(pid) != os.getpid():
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except ProcessLookupError:
                    pass
        shutil.rmtree(self.temp, ignore_errors=True)


def with_group(p: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(p.pid, sig)
    except ProcessLookupError:
        pass


def cluster_import(c: "Cluster", *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kehoach.cluster", "import", *args, "--address", c.address],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=c.env,
        timeout=300,
    )


def summary(out: str) -> Dict[str, int]:
    m = re.search(r"inputs seen (\d+), imported (\d+), failed (\d+), skipped (\d+)", out)
    assert m, out
    return dict(zip(("seen", "imported", "failed", "skipped"), map(int, m.groups())))


def manifest(out: Path) -> List[dict]:
    return [json.loads(line) for line in (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]


def shard_records(out: Path) -> List[dict]:
    return [
        json.loads(line)
        for shard in sorted(out.glob("shard-*.ndjson"))
        for line in shard.read_text(encoding="utf-8").splitlines()
    ]


def inputs() -> List[str]:
    """The corpus, the fixtures of every kind (text, DOCX, text PDF, a scan)
    and the real documents (DOCX, text and scanned PDF, web page text)."""
    real = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "fixtures/real").iterdir() if p.name.startswith("r"))
    kinds = ["fixtures/plans", "fixtures/docx", "fixtures/pdf/lo", "fixtures/pdf/cairo", "fixtures/pdf/unruled"]
    return ["corpus", *kinds, "fixtures/scans/ccitt", *real, BAD]


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    c = Cluster(sleep=0)
    try:
        yield c
    finally:
        c.stop()


def test_import_on_two_nodes(cluster: Cluster, tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = inputs()
    # --out relative to the driver's directory: the workers, which run
    # elsewhere, still write the shards there.
    run = cluster_import(cluster, *args, "--out", os.path.relpath(out, ROOT), "--batch-size", "4")
    assert run.returncode == 1, run.stderr  # the bad file
    s = summary(run.stdout)
    assert "shards check: one record per imported input" in run.stdout, run.stdout
    assert re.search(r"batch \d+ done", run.stderr)
    assert len({line["node"] for line in manifest(out) if line["status"] == "ok"}) == 2

    # Every good input's record is what `kehoach extract FILE --json` prints.
    files = sorted({line["path"] for line in manifest(out)})
    cli = cli_extract(files)
    imported = {line["path"] for line in manifest(out) if line["status"] == "ok"}
    records = shard_records(out)
    got = {r["source"]["path"]: r for r in records}
    assert len(got) == len(records) == s["imported"]
    assert set(got) == imported and len(got) >= 20
    assert imported == {f for f in files if f not in cli["failed"]}
    for path in imported:
        assert got[path] == cli_plan(path), path
    # The bad file is in the manifest as failed, with the kind and reason.
    bad = [line for line in manifest(out) if line["path"] == BAD]
    assert len(bad) == 1 and bad[0]["status"] == "failed" and bad[0]["kind"] == "reader", bad
    assert s == {"seen": len(files), "imported": len(files) - 1, "failed": 1, "skipped": 0}

    # Again: nothing to read.
    again = cluster_import(cluster, *args, "--out", str(out))
    assert again.returncode == 0, again.stderr
    assert summary(again.stdout) == {"seen": len(files), "imported": 0, "failed": 0, "skipped": len(files)}
    assert len(shard_records(out)) == len(records)

    # A run that stopped after a shard was written, before the driver
    # recorded it: the next run reads exactly that batch again, once.
    lines = manifest(out)
    lost = next(line["shard"] for line in lines if line["shard"])
    kept = [line for line in lines if line["shard"] != lost]
    (out / "manifest.jsonl").write_text("".join(json.dumps(line) + "\n" for line in kept), encoding="utf-8")
    redo = cluster_import(cluster, *args, "--out", str(out))
    assert redo.returncode == 0, redo.stdout + redo.stderr
    n_lost = len(lines) - len(kept)
    assert summary(redo.stdout) == {
        "seen": len(files), "imported": n_lost, "failed": 0, "skipped": len(files) - n_lost
    }
    assert "shards check: one record per imported input" in redo.stdout
    assert sorted(json.dumps(r, sort_keys=True) for r in shard_records(out)) == sorted(
        json.dumps(r, sort_keys=True) for r in records
    )

    # The shards into an index: the plans of importing the files directly.
    from_shards = run_cli("import", "--from-shards", str(out), "--data", str(tmp_path / "a"), "--json", "-q")
    direct = run_cli("import", *args, "--data", str(tmp_path / "b"), "--json", "-q", check=False)
    a, b = json.loads(from_shards.stdout), json.loads(direct.stdout)
    assert a["index_plans"] == b["index_plans"] == len(files) - 1
    assert a["index_tasks"] == b["index_tasks"]
    assert plans(tmp_path / "a") == plans(tmp_path / "b")


def plans(data: Path) -> set:
    """(path, sha256) of every plan of a data directory."""
    listed = json.loads(run_cli("plans", "--data", str(data), "--json").stdout)
    return {(p["file_path"], p["file_sha256"]) for p in listed}


def test_a_lost_node_is_redone(tmp_path: Path) -> None:
    """The second node is killed while batches run: its batches are redone on
    the head; every input is imported once, no record twice."""
    c = Cluster(sleep=2)
    try:
        out = tmp_path / "out"
        args = ["corpus", "fixtures/plans"]
        cmd = [sys.executable, "-m", "kehoach.cluster", "import", *args, "--out", str(out)]
        cmd += ["--batch-size", "1", "--address", c.address]
        p = subprocess.Popen(cmd, cwd=ROOT, env=c.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert p.stderr is not None
        seen, nodes = [], set()
        for line in p.stderr:  # until both nodes have finished a batch
            seen.append(line)
            m = re.search(r"batch \d+ done .* node (\w+)", line)
            if m:
                nodes.add(m.group(1))
            if len(nodes) == 2:
                break
        c.kill_worker()
        stdout, stderr = p.communicate(timeout=240)
        stderr = "".join(seen) + stderr
        if p.returncode != 0:
            # The run may lose a batch for good; running it again completes it.
            rerun = cluster_import(c, *args, "--out", str(out))
            assert rerun.returncode == 0, rerun.stdout + rerun.stderr
            stdout += rerun.stdout
        assert "shards check: one record per imported input" in stdout, stdout + stderr
        n = len(list((ROOT / "corpus").iterdir())) + len(list((ROOT / "fixtures/plans").iterdir()))
        ok = [line for line in manifest(out) if line["status"] == "ok"]
        assert len(ok) == n and len({line["sha256"] for line in ok}) == n, stderr
        records = shard_records(out)
        assert len(records) == n
        assert len({(r["source"]["path"], r["source"]["sha256"]) for r in records}) == n
        # Both nodes read batches; the second one was lost with batches left.
        assert len(nodes) == 2, stderr
        assert len([line for line in seen if "done" in line]) < n, stderr
    finally:
        c.stop()


# ---------------------------------------------------------------- the driver's pieces, without a cluster


def test_inputs_are_listed_once(tmp_path: Path) -> None:
    from kehoach.cluster import list_inputs

    (tmp_path / "d" / "sub").mkdir(parents=True)
    (tmp_path / "d" / "b.txt").write_text("b")
    (tmp_path / "d" / "sub" / "a.txt").write_text("a")
    (tmp_path / "d" / ".hidden.txt").write_text("h")
    (tmp_path / "d" / "data").mkdir()
    (tmp_path / "d" / "data" / "FORMAT").write_text("kehoach-index 1")
    paths = tmp_path / "paths.txt"
    paths.write_text(f"# a list\n\n{tmp_path / 'd' / 'b.txt'}\n{tmp_path / 'missing.txt'}\n")
    got = list_inputs([str(tmp_path / "d"), f"@{paths}"])
    d = tmp_path / "d"
    assert got == [str(d / "b.txt"), str(d / "sub" / "a.txt"), str(tmp_path / "missing.txt")]
    assert list_inputs([str(tmp_path / "d")], skip=[tmp_path / "d" / "sub"]) == [str(d / "b.txt")]


def test_inputs_are_hashed_in_order_and_unreadable_ones_named(tmp_path: Path) -> None:
    import hashlib

    from kehoach.cluster import sha256_files

    files = []
    for n, size in enumerate([0, 5, 70_000, 200_001] * 3):
        f = tmp_path / f"{n}.bin"
        f.write_bytes(bytes((i * 7 + n) % 256 for i in range(size)))
        files.append(str(f))
    files.insert(3, str(tmp_path / "missing.txt"))
    files.append(str(tmp_path))  # a directory is not a file to hash
    want = [hashlib.sha256(Path(f).read_bytes()).hexdigest() if Path(f).is_file() else None for f in files]
    assert sha256_files(files) == want
    assert sha256_files([]) == []


def test_few_inputs_are_spread_over_the_slots_largest_first(tmp_path: Path) -> None:
    from kehoach.cluster import Input, plan_batches

    def inputs(sizes: List[int]) -> List["Input"]:
        out = []
        for n, size in enumerate(sizes):
            f = tmp_path / f"{len(sizes)}-{n}.pdf"
            f.write_bytes(b"x" * size)
            out.append(Input(f.name, str(f), f"{n:064x}"))
        return out

    # Five scans on two slots: five tasks, not one, the largest first.
    five = inputs([10, 9, 17, 10, 14])
    got = plan_batches(five, 32, 2)
    assert [[i.name for i in b] for b in got] == [["5-2.pdf"], ["5-4.pdf"], ["5-0.pdf"], ["5-3.pdf"], ["5-1.pdf"]]
    # Many inputs: batches of the size asked for, every input once, in order within a batch.
    many = inputs([100] * 2000)
    got = plan_batches(many, 32, 2)
    assert len(got) == 63 and max(len(b) for b in got) == 32
    assert sorted(i.name for b in got for i in b) == sorted(i.name for i in many)
    assert got[0] == many[:32]
    # About four batches a slot in between, and never none.
    assert len(plan_batches(inputs([1] * 40), 32, 2)) == 8
    assert plan_batches([], 32, 2) == [] and len(plan_batches(five, 32, 0)) == 3  # no slot counts as one


def test_a_task_reads_scans_on_the_cpus_it_asked_for(tmp_path: Path) -> None:
    """The OCR reader's pool of a task follows --workers-per-task (unless set)."""
    code = (
        "import os, sys\n"
        "from kehoach.cluster import run_batch\n"
        "run_batch(sys.argv[1], 'shard-x.ndjson', [], int(sys.argv[2]), None)\n"
        "print(os.environ.get('RAYON_NUM_THREADS'))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "RAYON_NUM_THREADS"}
    run = lambda *a, e=env: subprocess.run(  # noqa: E731
        [sys.executable, "-c", code, str(tmp_path), *a], env=e, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert run("1") == "1" and run("3") == "3"
    assert run("1", e={**env, "RAYON_NUM_THREADS": "5"}) == "5"


def test_records_are_keyed_by_their_head_or_in_full() -> None:
    from kehoach.cluster import _record_key

    sha = "ab" * 32
    written = json.dumps({"schema": "kehoach/plan@1", "source": {"path": 'a "b"\\ế.txt', "sha256": sha}, "meta": {}})
    assert _record_key(written.replace(", ", ",").replace(": ", ":").encode()) == ('a "b"\\ế.txt', sha)
    # Written otherwise (spaces, other key order): parsed in full.
    other = json.dumps({"source": {"sha256": sha, "path": "x.txt"}, "schema": "kehoach/plan@1"})
    assert _record_key(other.encode()) == ("x.txt", sha)
    assert _record_key(b"{not json") is None and _record_key(b'{"schema": 1}') is None


def test_shards_are_named_by_their_batch_and_checked(tmp_path: Path) -> None:
    from kehoach.cluster import Input, clean_orphans, read_manifest, shard_name, verify, write_atomically

    a, b = Input("a.txt", "/x/a.txt", "1" * 64), Input("b.txt", "/x/b.txt", "2" * 64)
    assert shard_name([a, b]) == shard_name([Input("a.txt", "/y/a.txt", "1" * 64), b])
    assert shard_name([a, b]) != shard_name([b, a]) != shard_name([a])
    rec = {"source": {"path": "a.txt", "sha256": "1" * 64}}
    shard = shard_name([a])
    write_atomically(tmp_path / shard, (json.dumps(rec) + "\n").encode())
    assert [p.name for p in tmp_path.iterdir()] == [shard]
    line = {"path": "a.txt", "sha256": "1" * 64, "shard": shard, "status": "ok", "records": [["a.txt", "1" * 64]]}
    (tmp_path / "manifest.jsonl").write_text(json.dumps(line) + "\n" + '{"torn', encoding="utf-8")
    assert read_manifest(tmp_path) == [line]
    assert verify(tmp_path) == []
    # A record twice is found.
    write_atomically(tmp_path / shard, (json.dumps(rec) + "\n").encode() * 2)
    assert verify(tmp_path) == ["a.txt: 2 record(s) in the shards, the manifest names it 1 time(s)"]
    # Shards no manifest line names, and temporary files, are removed.
    (tmp_path / shard_name([b])).write_text("{}\n")
    (tmp_path / ".tmp-x").write_text("")
    assert clean_orphans(tmp_path, read_manifest(tmp_path)) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["manifest.jsonl", shard]


def test_one_run_at_a_time(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    import fcntl

    from kehoach.cluster import main

    with open(tmp_path / ".lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert main(["import", str(ROOT / "corpus"), "--out", str(tmp_path)]) == 2
    assert "is used by another run" in capsys.readouterr().err
