"""Store faults as typed errors: what happened to the database, in one Chinese line, with what to do.

Every database error that reaches a command is turned into a `StoreError` at the store's edge
(`Store.reading` / `Store.writing` / `open_store`), so the command line prints one line and exits with
the fault's code instead of a traceback. A transaction that fails is rolled back whole: what a fault
interrupts was never half-written, and the next run picks up where this one stopped.

Exit codes (1 and 2 are the commands' own: findings / not a report, unreadable input or internal error):

| code | exit | fault |
|---|---|---|
| `store_unavailable` | 3 | the store cannot be opened (bad URL, not a database, other error) |
| `store_unreachable` | 3 | the PostgreSQL server cannot be reached or refuses the login |
| `store_missing` | 3 | a command that only reads names a store that does not exist |
| `store_newer_schema` | 4 | the store was made by a newer gongkai (unknown Alembic revision) |
| `store_read_only` | 5 | the database file, its directory or its file system is read-only |
| `store_full` | 6 | the disk (or the database's size limit) is full |
| `store_locked` | 7 | another process holds the database's lock past the wait |
"""

from __future__ import annotations

import errno
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

EXIT_CODES: dict[str, int] = {
    "store_unavailable": 3,
    "store_unreachable": 3,
    "store_missing": 3,
    "store_newer_schema": 4,
    "store_read_only": 5,
    "store_full": 6,
    "store_locked": 7,
}

TIMEOUT_ENV = "GONGKAI_DB_TIMEOUT"
DEFAULT_TIMEOUT = 120.0


def lock_timeout() -> float:
    """Seconds a writer waits for another process's lock (`GONGKAI_DB_TIMEOUT`, default 120)."""
    try:
        value = float(os.environ.get(TIMEOUT_ENV, DEFAULT_TIMEOUT))
    except ValueError:
        return DEFAULT_TIMEOUT
    return value if value >= 0 else DEFAULT_TIMEOUT


class StoreError(Exception):
    """A fault of the store itself (not of one input): `code` is stable, `message` one Chinese line."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message

    @property
    def exit_code(self) -> int:
        return EXIT_CODES.get(self.code, 3)

    def line(self) -> str:
        """What the command line prints."""
        return f"{self.message}（{self.code}）"

    def __str__(self) -> str:
        return self.line()


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _at(url: str) -> str:
    """The store as a user typed it, in brackets: the file of a SQLite URL, a PostgreSQL URL without its
    password; nothing when it is not known."""
    if not url:
        return ""
    where = url
    if url.startswith("sqlite:///"):
        where = url.removeprefix("sqlite:///").split("?", 1)[0]
    else:
        try:
            from sqlalchemy.engine import make_url

            where = make_url(url).render_as_string(hide_password=True)
        except Exception:
            where = url.split("@", 1)[-1]  # never print a password
    return f"（{where}）"


def full(url: str) -> StoreError:
    return StoreError("store_full",
                      f"数据库所在磁盘已满或数据库已达大小上限，写入中止{_at(url)}。"
                      "已入库的数据完好，未完成的批次已整体撤销；请腾出空间后重新运行，已入库的文件会自动跳过。")


def read_only(url: str) -> StoreError:
    return StoreError("store_read_only",
                      f"数据库是只读的，无法写入{_at(url)}：文件或所在目录没有写权限，或位于只读文件系统。"
                      "请给数据库文件及其目录写权限，或用 --db 指定可写的位置；库中数据未被改动。")


def locked(url: str) -> StoreError:
    return StoreError("store_locked",
                      f"数据库被另一个进程锁定，等待 {lock_timeout():g} 秒后仍无法写入{_at(url)}。"
                      "请等其他 gongkai 进程结束后重新运行"
                      f"（或用环境变量 {TIMEOUT_ENV} 设定更长的等待秒数）；库中数据未被改动。")


def unreachable(url: str, reason: str) -> StoreError:
    return StoreError("store_unreachable",
                      f"无法连接数据库服务器{_at(url)}：{reason}。"
                      "请确认 PostgreSQL 已启动、主机、端口、用户名和密码正确，然后重新运行。")


def newer_schema(url: str, found: str, known: str | None) -> StoreError:
    return StoreError("store_newer_schema",
                      f"数据库由更新版本的 gongkai 创建{_at(url)}：结构版本 {found}，本程序只认识到 {known}。"
                      "请升级 gongkai 后再使用此数据库；库中数据未被改动。")


def missing(url: str) -> StoreError:
    return StoreError("store_missing",
                      f"数据库不存在{_at(url)}。请检查 --db 或 GONGKAI_DB 的路径；新建数据库请用 gongkai ingest。")


def unavailable(url: str, reason: str) -> StoreError:
    return StoreError("store_unavailable",
                      f"无法使用数据库{_at(url)}：{reason}。"
                      "请检查 --db 是否指向 gongkai 的数据库；库中已提交的数据不受影响。")


def _sqlite_path(url: str) -> Path | None:
    if not url.startswith("sqlite:///"):
        return None
    db = url.removeprefix("sqlite:///").split("?", 1)[0]
    return None if db in ("", ":memory:") else Path(db)


def _not_writable(path: Path | None) -> bool:
    """The SQLite file or the directory that must hold its journal cannot be written."""
    if path is None:
        return False
    target = path if path.exists() else path.parent
    return not os.access(target, os.W_OK) or not os.access(path.parent, os.W_OK | os.X_OK)


def _from_sqlite(err: sqlite3.Error, url: str) -> StoreError:
    code = getattr(err, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    text = str(err).lower()
    if primary == sqlite3.SQLITE_FULL or "disk is full" in text:
        return full(url)
    if primary == sqlite3.SQLITE_READONLY or "readonly database" in text:
        return read_only(url)
    if primary in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) or "database is locked" in text:
        return locked(url)
    if primary == sqlite3.SQLITE_CANTOPEN or "unable to open database" in text:
        path = _sqlite_path(url)
        if _not_writable(path):
            return read_only(url)
    return unavailable(url, _first_line(err))


def _from_psycopg(err: Exception, url: str) -> StoreError:
    state = getattr(err, "sqlstate", None) or ""
    if state == "53100":  # disk_full
        return full(url)
    if state == "25006":  # read_only_sql_transaction (a standby, or default_transaction_read_only)
        return read_only(url)
    if state in ("55P03", "57014"):  # lock_not_available, query_canceled (lock_timeout / statement_timeout)
        return locked(url)
    if not state or state.startswith(("08", "28", "3D", "57P")):  # connection, login, no such database, shutdown
        return unreachable(url, _first_line(err))
    return unavailable(url, _first_line(err))


def from_os(err: OSError, url: str) -> StoreError:
    if err.errno == errno.ENOSPC or err.errno == errno.EDQUOT:
        return full(url)
    if err.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return read_only(url)
    return unavailable(url, _first_line(err))


def classify(exc: BaseException, url: str) -> StoreError | None:
    """The store fault behind a database error (SQLAlchemy, sqlite3, psycopg, the OS), or None when
    `exc` is not one (a bug elsewhere stays a bug)."""
    if isinstance(exc, StoreError):
        return exc
    orig = getattr(exc, "orig", None)
    if isinstance(orig, BaseException) and orig is not exc:
        inner = classify(orig, url)
        if inner is not None:
            return inner
    if isinstance(exc, sqlite3.Error):
        return _from_sqlite(exc, url)
    module = type(exc).__module__ or ""
    if module.startswith("psycopg"):
        return _from_psycopg(exc, url)  # type: ignore[arg-type]
    if module.startswith("sqlalchemy"):
        from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

        if isinstance(exc, (ArgumentError, NoSuchModuleError)):
            return unavailable(url, _first_line(exc))
        if isinstance(exc, DBAPIError):
            return unavailable(url, _first_line(exc))
    return None


@contextmanager
def translated(url: str) -> Iterator[None]:
    """Raise database errors inside the block as `StoreError`; everything else as it was."""
    try:
        yield
    except StoreError:
        raise
    except Exception as exc:
        err = classify(exc, url)
        if err is None:
            raise
        raise err from exc
