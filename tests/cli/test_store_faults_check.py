"""`gongkai check` looks up last year's report in the store: a store that exists but cannot be opened
stops the command with the store's one-line message and exit code, not a per-file internal error."""

from __future__ import annotations

import socket
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from tests.cli.test_store_faults import assert_fault, gongkai, write_reports


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_check_against_an_unreachable_store(tmp_path: Path, jobs: str) -> None:
    files = write_reports(tmp_path / "in", 2)
    url = f"postgresql://gongkai:secret@127.0.0.1:{_closed_port()}/gongkai"
    res = gongkai("check", "-j", jobs, "--db", url, *map(str, files))
    assert_fault(res, "store_unreachable", 3, "无法连接数据库服务器")


def test_check_against_a_newer_store(tmp_path: Path) -> None:
    files = write_reports(tmp_path / "in", 1)
    db = tmp_path / "store.db"
    assert gongkai("ingest", "--db", str(db), "-j", "0", "--no-progress", str(files[0])).returncode == 0
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute("UPDATE alembic_version SET version_num = 'ffff_newer'")
    res = gongkai("check", "-j", "1", "--db", str(db), str(files[0]))
    assert_fault(res, "store_newer_schema", 4, "更新版本的 gongkai")
