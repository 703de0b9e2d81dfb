"""Bounded work per file in `ingest`: a file that hangs, balloons or is not a regular file is failed with its
reason while every good file of the same run is stored; a worker killed from outside loses nothing; failed
files can be tried again (`--retry-failed`), names that are not UTF-8 included."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from sqlalchemy import select
from storekit import write_reports

from gongkai.bounded import Limits, display_path, expand
from gongkai.ingest import ingest
from gongkai.ingest.failures import failed_files
from gongkai.store import Store, ingest_log, open_store, reports

CLI = [sys.executable, "-c", "from gongkai.cli import main; main()"]
SLOW_COPIES = 2000  # a seed report repeated: several seconds of reading, over a limit of one second


def slow_file(path: Path, copies: int = SLOW_COPIES) -> Path:
    """A text file far bigger than any report: seconds of work and tens of MiB of memory to read."""
    seed = sorted((Path(__file__).parents[1] / "fixtures" / "seeds").iterdir())[0]
    path.write_bytes(seed.read_bytes() * copies)
    return path


def _failed_by_name(store: Store) -> dict[str, str]:
    with store.reading() as conn:
        rows = conn.execute(select(ingest_log.c.path, ingest_log.c.reason).where(ingest_log.c.status == "failed"))
        return {Path(p).name: r for p, r in rows}


def _stored_names(store: Store) -> set[str]:
    with store.reading() as conn:
        return {Path(p).name for p in conn.execute(select(reports.c.path)).scalars()}


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_bad_files_fail_with_their_reason_and_every_good_one_is_stored(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    good = write_reports(folder, 6, distinct=True)
    os.mkfifo(folder / "pipe.txt")
    (folder / "zero.txt").symlink_to("/dev/zero")
    slow_file(folder / "slow.txt")
    with open(folder / "huge.txt", "wb") as fh:  # sparse: refused by its size, never read
        fh.truncate(21 << 20)
    problems: list[tuple[str, str, str]] = []
    files = list(expand([str(folder)], problems))
    started = time.monotonic()
    s = ingest(store, files, workers=2, limits=Limits(timeout=1, memory=1 << 30, max_size=20 << 20))
    assert time.monotonic() - started < 30  # the FIFO did not block, the slow file was stopped
    assert s.stored == len(good) == 6
    assert _stored_names(store) == {p.name for p in good}
    assert _failed_by_name(store) == {"pipe.txt": "not_a_regular_file", "zero.txt": "not_a_regular_file",
                                      "slow.txt": "timeout", "huge.txt": "too_large"}
    assert {Path(f.path or "").name: f.reason for f in s.failed} == _failed_by_name(store)
    text = s.text()
    assert "处理超时（超过 1 秒）" in text and "命名管道" in text and "设备文件" in text and "文件过大" in text


def test_a_file_over_the_memory_limit_fails_and_the_rest_is_stored(tmp_path: Path) -> None:
    """Through the command, as users run it: a worker forked from a small parent (forked from the test runner,
    its memory would include the runner's freed heap, which the limit on address space cannot see)."""
    folder = tmp_path / "in"
    good = write_reports(folder, 4, distinct=True)
    slow_file(folder / "balloon.txt", SLOW_COPIES // 2)
    db = tmp_path / "store.db"
    done = subprocess.run([*CLI, "ingest", str(folder), "--db", str(db), "-j", "1", "--max-memory", "30M",
                           "--timeout", "0", "--no-progress"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "内存超过上限（30 MiB）" in done.stdout + done.stderr
    store = open_store(str(db))
    try:
        assert _stored_names(store) == {p.name for p in good}
        assert _failed_by_name(store) == {"balloon.txt": "memory_limit"}
    finally:
        store.close()


def _children(pid: int) -> list[int]:
    try:
        return [c.pid for c in psutil.Process(pid).children()]
    except psutil.NoSuchProcess:
        return []


def test_workers_killed_mid_run_lose_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    good = write_reports(folder, 30, distinct=True)
    slow_file(folder / "slow.txt", SLOW_COPIES // 4)  # keeps a worker busy for seconds: there is something to kill
    db = tmp_path / "store.db"
    proc = subprocess.Popen([*CLI, "ingest", str(folder), "--db", str(db), "-j", "2",
                             "--timeout", "0", "--no-progress"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    killed: list[int] = []
    deadline = time.monotonic() + 60
    while not killed and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.3)
        workers = _children(proc.pid)
        if len(workers) >= 2:
            time.sleep(0.5)
            for pid in _children(proc.pid):
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
    out, err = proc.communicate(timeout=120)
    assert killed, "no worker was seen"
    assert proc.returncode == 0, out + err
    assert "Traceback" not in err
    store = open_store(f"sqlite:///{db}")
    with store:
        assert _stored_names(store) == {p.name for p in good} | {"slow.txt"}
        assert _failed_by_name(store) == {}


def test_retry_failed_reads_failed_files_again_names_that_are_not_utf8_included(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    good = write_reports(folder, 3, distinct=True)
    gbk = os.path.join(os.fsencode(folder), "报告".encode("gbk") + b".txt")
    with open(gbk, "wb") as fh:
        fh.write(good[0].read_bytes() + "\n附：本报告另存一份。\n".encode())
    db = str(tmp_path / "store.db")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*CLI, "ingest", "--db", db, "--no-progress", "-j", "2",
                               *args], capture_output=True, text=True, timeout=120)

    first = run(str(folder), "--max-size", "1K")  # every file too large
    assert first.returncode == 1, first.stderr
    assert "\\xb1\\xa8\\xb8\\xe6.txt" in first.stdout and "too_large" in first.stdout
    assert "Traceback" not in first.stderr
    with open_store(db) as store:
        assert len(failed_files(store)) == 4
    again = run("--retry-failed")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "入库 4" in again.stdout
    with open_store(db) as store:
        assert failed_files(store) == []
        with store.reading() as conn:
            paths = set(conn.execute(select(reports.c.path)).scalars())
    assert display_path(os.fsdecode(gbk)) in paths
    nothing = run("--retry-failed")
    assert nothing.returncode == 0 and "没有需要重试的失败文件" in nothing.stderr


def test_a_directory_that_cannot_be_listed_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "in"
    write_reports(folder, 2)
    locked = folder / "locked"
    locked.mkdir()
    (locked / "hidden.txt").write_text("x", encoding="utf-8")
    real = os.scandir

    def scandir(path: object = ".") -> object:
        if str(path) == str(locked):
            raise PermissionError(13, "Permission denied", str(locked))
        return real(path)  # type: ignore[arg-type]

    if os.geteuid() == 0:  # root reads a mode-000 directory: refuse it the way the system would
        monkeypatch.setattr(os, "scandir", scandir)
    else:
        locked.chmod(0)
    try:
        problems: list[tuple[str, str, str]] = []
        files = list(expand([str(folder)], problems))
    finally:
        locked.chmod(0o755)
    assert len(files) == 2
    assert problems == [(str(locked), "unreadable_directory", "无法列出目录内容（没有权限），其中的文件未处理")]


def test_a_store_kept_in_the_folder_being_ingested_is_not_an_input(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    good = write_reports(folder, 2, distinct=True)
    db = folder / "store.db"
    for _ in range(2):  # the second run finds the store, and its -wal/-shm files, in the folder
        done = subprocess.run([*CLI, "ingest", str(folder), "--db", str(db), "--no-progress"], capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr
        assert f"读取 {len(good)} 个文件" in done.stdout and "失败 0" in done.stdout
