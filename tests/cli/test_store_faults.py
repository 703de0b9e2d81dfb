"""Faults of the store as a user meets them: disk full, read-only file or directory, a locked database,
an unreachable PostgreSQL, a store from a newer gongkai, a mistyped `--db`. Each ends with one Chinese
line on stderr, its documented exit code and no traceback; the data already stored stays whole and the
next run completes. (`docs/store.md`, "When the store fails".)"""

from __future__ import annotations

import os
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest

from gongkai.render.layouts import render_text
from gongkai.render.synthetic import synthesize

ORGANS = ("长沙县人民政府", "浏阳市人民政府", "长沙市教育局", "岳阳县人民政府", "宁乡市财政局", "岳阳市财政局")
RUN = "from gongkai.cli import main; main()"
# Disk full without a small file system: every SQLite connection of the command gets a page limit.
LIMITED = """
import sys
from sqlalchemy import event
from sqlalchemy.engine import Engine

PAGES = int(sys.argv.pop(1))


@event.listens_for(Engine, "connect")
def _limit(dbapi_conn, _record):
    dbapi_conn.execute(f"PRAGMA max_page_count={PAGES}")


from gongkai.cli import main
main()
"""


def write_reports(folder: Path, n: int, first: int = 0) -> list[Path]:
    """`n` distinct generated reports (no two of one organ and year)."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(first, first + n):
        rep = synthesize("2021", random.Random(i), organ=ORGANS[i % len(ORGANS)], year=2021 + i // len(ORGANS))
        path = folder / f"r{i:03d}.txt"
        path.write_text(render_text(rep, "cells"), encoding="utf-8")
        out.append(path)
    return out


def gongkai(*args: str, code: str = RUN, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})


def assert_fault(res: subprocess.CompletedProcess[str], code: str, exit_code: int, words: str) -> None:
    """One line on stderr (ingest also names its store on a line of its own), in Chinese, ending in the
    fault's code; the documented exit code; no traceback."""
    assert "Traceback" not in res.stderr, res.stderr
    assert res.returncode == exit_code, (res.returncode, res.stderr)
    lines = [line for line in res.stderr.splitlines() if line.strip()]
    faults = [line for line in lines if line.endswith(f"（{code}）")]
    assert len(faults) == 1, res.stderr
    assert words in faults[0], faults[0]
    assert len(lines) == 1, res.stderr


def contents(db: Path) -> tuple[int, int, int, str]:
    """Reports, cells, reports without cells, integrity check: a fault must leave whole reports only."""
    with closing(sqlite3.connect(db)) as conn:
        reports = conn.execute("SELECT count(*) FROM reports").fetchone()[0]
        cells = conn.execute("SELECT count(*) FROM cells").fetchone()[0]
        bare = conn.execute("SELECT count(*) FROM reports WHERE id NOT IN (SELECT report_id FROM cells)").fetchone()[0]
        orphans = conn.execute("SELECT count(*) FROM originals WHERE sha256 NOT IN (SELECT sha256 FROM reports)"
                               ).fetchone()[0]
        check = conn.execute("PRAGMA integrity_check").fetchone()[0]
    assert bare == 0 and orphans == 0
    return reports, cells, bare, check


def cells_by_original(db: Path) -> dict[str, int]:
    """Cells stored per original (by its SHA-256)."""
    with closing(sqlite3.connect(db)) as conn:
        return dict(conn.execute("SELECT r.sha256, count(*) FROM reports r JOIN cells c ON c.report_id = r.id "
                                 "GROUP BY r.sha256").fetchall())


def page_count(db: Path) -> int:
    with closing(sqlite3.connect(db)) as conn:
        return int(conn.execute("PRAGMA page_count").fetchone()[0])


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite store holding four reports, made once by `ingest` in a directory that did not exist
    (ingest, unlike the commands that only read, creates its store)."""
    root = tmp_path_factory.mktemp("template")
    db = root / "new" / "store.db"
    write_reports(root / "first", 4)
    res = gongkai("ingest", "--db", str(db), "-j", "0", "--no-progress", str(root / "first"))
    assert res.returncode == 0, res.stderr
    assert contents(db)[0] == 4
    return db


@pytest.fixture
def stored(template: Path, tmp_path: Path) -> Path:
    """A copy of the template store of four reports, for one test to damage."""
    db = tmp_path / "store.db"
    shutil.copyfile(template, db)
    return db


@pytest.fixture(scope="module")
def more(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    """Thirty more reports, and the cells of each (by SHA-256) when stored with room to spare."""
    root = tmp_path_factory.mktemp("more")
    write_reports(root / "in", 30, first=100)
    reference = root / "reference.db"
    res = gongkai("ingest", "--db", str(reference), "-j", "0", "--no-progress", str(root / "in"))
    assert res.returncode == 0, res.stderr
    return root / "in", cells_by_original(reference)


def test_disk_full_during_ingest(stored: Path, more: tuple[Path, dict[str, int]]) -> None:
    folder, full = more
    before = contents(stored)
    room = page_count(stored) + 150  # room for a few batches of 5, not for 30 reports
    res = gongkai(str(room), "ingest", "--db", str(stored), "-j", "2", "--no-progress", "--batch", "5", str(folder),
                  code=LIMITED)
    assert_fault(res, "store_full", 6, "磁盘已满")
    assert "腾出空间后重新运行" in res.stderr
    after = contents(stored)
    assert after[3] == "ok"
    partial = {sha: n for sha, n in cells_by_original(stored).items() if sha in full}
    assert 0 < len(partial) < 30  # some batches were written, the rest not at all
    assert all(full[sha] == n for sha, n in partial.items())  # each report stored is whole

    again = gongkai("ingest", "--db", str(stored), "-j", "0", "--no-progress", str(folder))
    assert again.returncode == 0, again.stderr
    assert contents(stored)[0] == before[0] + 30
    assert {sha: n for sha, n in cells_by_original(stored).items() if sha in full} == full


def test_newer_schema(stored: Path) -> None:
    with closing(sqlite3.connect(stored)) as conn, conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    before = contents(stored)
    write_reports(stored.parent / "in", 1, first=400)
    res = gongkai("ingest", "-j", "0", "--no-progress", str(stored.parent / "in"), "--db", str(stored))
    assert_fault(res, "store_newer_schema", 4, "更新版本的 gongkai")
    assert "9999_from_the_future" in res.stderr
    with closing(sqlite3.connect(stored)) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [("9999_from_the_future",)]
    assert contents(stored) == before


def test_locked_database(stored: Path, tmp_path: Path) -> None:
    write_reports(tmp_path / "more", 3, first=200)
    before = contents(stored)
    holder = sqlite3.connect(stored, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        res = gongkai("ingest", "--db", str(stored), "-j", "0", "--no-progress", str(tmp_path / "more"),
                      env={"GONGKAI_DB_TIMEOUT": "0.5"})
        assert_fault(res, "store_locked", 7, "被另一个进程锁定")
        assert "GONGKAI_DB_TIMEOUT" in res.stderr
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert contents(stored) == before
    again = gongkai("ingest", "--db", str(stored), "-j", "0", "--no-progress", str(tmp_path / "more"))
    assert again.returncode == 0, again.stderr
    assert contents(stored)[0] == before[0] + 3


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_unreachable_postgresql(tmp_path: Path) -> None:
    url = f"postgresql://gongkai:secret@127.0.0.1:{_closed_port()}/gongkai"
    res = gongkai("ingest", "-j", "0", "--no-progress", str(tmp_path), "--db", url)
    assert_fault(res, "store_unreachable", 3, "无法连接数据库服务器")
    assert "secret" not in res.stderr  # the password is never printed


@pytest.mark.parametrize("command", ["stats", "export"])
def test_missing_store_is_not_created_by_reading_commands(tmp_path: Path, command: str) -> None:
    db = tmp_path / "typo.db"
    args = {"stats": ["stats"], "export": ["export", "--out", str(tmp_path / "x.csv")]}[command]
    res = gongkai(*args, "--db", str(db))
    assert_fault(res, "store_missing", 3, "数据库不存在")
    assert str(db) in res.stderr
    assert not db.exists()
    assert not (tmp_path / "x.csv").exists()


# --- read-only: chmod for an ordinary user; root writes through permissions, so a read-only bind mount -------------

def _can_mount() -> bool:
    try:
        return subprocess.run(["unshare", "-m", "sh", "-c", "mount --bind / / 2>/dev/null && echo ok"],
                              capture_output=True, text=True, timeout=10).stdout.strip() == "ok"
    except (OSError, subprocess.SubprocessError):
        return False


@contextmanager
def read_only(path: Path) -> Iterator[list[str]]:
    """Make `path` (a file or a directory) read-only for the command; yields the command's prefix."""
    if os.geteuid() != 0:
        mode = path.stat().st_mode
        path.chmod(mode & ~0o222)
        try:
            yield []
        finally:
            path.chmod(mode)
        return
    if not _can_mount():
        pytest.skip("running as root, where chmod does not stop writes, and mount namespaces "
                    "(unshare -m) are not allowed here to make a read-only bind mount")
    script = f'mount --bind "{path}" "{path}" && mount -o remount,bind,ro "{path}" && exec "$0" "$@"'
    yield ["unshare", "-m", "sh", "-c", script]


def _run_prefixed(prefix: list[str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*prefix, sys.executable, "-c", RUN, *args], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("what", ["file", "directory"])
def test_read_only_store(stored: Path, tmp_path: Path, what: str) -> None:
    write_reports(tmp_path / "more", 2, first=300)
    before = contents(stored)
    target = stored if what == "file" else stored.parent
    with read_only(target) as prefix:
        res = _run_prefixed(prefix, "ingest", "--db", str(stored), "-j", "0", "--no-progress", str(tmp_path / "more"))
        assert_fault(res, "store_read_only", 5, "数据库是只读的")
    assert contents(stored) == before
    again = gongkai("ingest", "--db", str(stored), "-j", "0", "--no-progress", str(tmp_path / "more"))
    assert again.returncode == 0, again.stderr
    assert contents(stored)[0] == before[0] + 2


def test_reparse_of_a_missing_store_is_a_fault_unless_the_caller_says_it_may_be_missing(tmp_path: Path) -> None:
    """The main job re-extracts before its first ingest: `--missing-ok` makes a store not yet made 'nothing to do'."""
    db = tmp_path / "new.db"
    assert_fault(gongkai("reparse", "--db", str(db)), "store_missing", 3, "数据库不存在")
    res = gongkai("reparse", "--outdated", "--missing-ok", "--db", str(db))
    assert res.returncode == 0 and "没有需要重新提取的报告" in res.stdout
    assert not db.exists()
