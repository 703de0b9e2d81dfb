"""Bounded work per file: each file is read in a worker process with a time limit and a memory limit,
only regular files are read, up to a size limit, and a file that hangs, balloons or kills its worker is
reported as failed while every other file is still processed.

Why our own supervisor rather than `concurrent.futures`: a task of a `ProcessPoolExecutor` cannot be
cancelled once it runs, and a dead worker breaks the whole pool. Here every worker has a pipe of its own
and is handed work only while idle, so the parent never blocks writing to a busy worker; the parent
keeps the clock, kills (SIGKILL, with the worker's subprocesses: its process group) a worker whose file
runs over its time, and starts another. A chunk of small files goes to a worker at once and results come
back one file at a time, so the file a worker died on is known exactly: it is retried once alone (a worker
killed from outside loses nothing), the files after it are handed out again.

Light on purpose (no store, no reader imported): `parse` and `check` use it too. See docs/limits.md.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import re
import signal
import stat
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, Generic, NamedTuple, TypeVar

T = TypeVar("T")
R = TypeVar("R")

MiB = 1 << 20
GiB = 1 << 30
DEFAULT_TIMEOUT = 120.0
DEFAULT_MEMORY = 1 * GiB  # a 50 MB text file needs ~2 GiB: refused as memory_limit, not read into swap
DEFAULT_MAX_SIZE = 200 * MiB
# Files read by OCR, LibreOffice or a PDF library take longer and more memory: they get more, by size.
_HEAVY_MAGIC = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*", b"BM", b"\xd0\xcf\x11\xe0",
                b"RIFF")
_HEAVY_EXT = (".pdf", ".doc", ".wps", ".png", ".jpg", ".jpeg", ".gif", ".tif", ".tiff", ".bmp", ".webp", ".ofd")
_HEAVY_MAX_FACTOR = 8.0

# Failure codes (stable) and what a user is told (Chinese).
TIMEOUT, MEMORY, CRASHED, NOT_REGULAR, TOO_LARGE, UNREADABLE, UNREADABLE_DIR = (
    "timeout", "memory_limit", "worker_crashed", "not_a_regular_file", "too_large", "unreadable",
    "unreadable_directory")


@dataclass(frozen=True)
class Limits:
    """Per-file limits. `timeout` (seconds) and `memory` (bytes of address space a worker may add to
    what it holds when it starts) are for ordinary files; `max_size` refuses bigger files unread.
    0 means no limit."""

    timeout: float = DEFAULT_TIMEOUT
    memory: int = DEFAULT_MEMORY
    max_size: int = DEFAULT_MAX_SIZE

    def for_file(self, path: str | None, size: int, head: bytes = b"") -> tuple[float, int]:
        """(time limit, memory limit) of one file: PDFs, pictures and Word 97 files get twice the time
        plus the base per 5 MiB (at most 8×), and twice the memory."""
        heavy = head.startswith(_HEAVY_MAGIC) or (path or "").lower().endswith(_HEAVY_EXT)
        if not heavy:
            return self.timeout, self.memory
        factor = min(_HEAVY_MAX_FACTOR, 2.0 + size / (5 * MiB))
        return self.timeout * factor, self.memory * 2


def parse_size(text: str) -> int:
    """`200M`, `2G`, `512K`, `1048576` (bytes), `0` (no limit) → bytes."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*", text, re.IGNORECASE)
    if m is None:
        raise ValueError(f"无法识别的大小：{text!r}（例如 200M、2G）")
    scale = {"": 1, "k": 1 << 10, "m": MiB, "g": GiB, "t": 1 << 40}[m.group(2).lower()]
    return int(float(m.group(1)) * scale)


def display_path(path: str) -> str:
    """A path as shown and stored: bytes of a name that is not UTF-8 (a GBK name from a Windows zip)
    as `\\xb1\\xa8`, exact and printable; the original (surrogate-escaped) path is kept for reading."""
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        return os.fsencode(path).decode("utf-8", "backslashreplace")


def real_path(shown: str) -> str:
    """The inverse of `display_path` for a path that does not exist as shown (`--retry-failed`)."""
    if "\\x" not in shown or os.path.lexists(shown):
        return shown
    raw = re.sub(rb"\\x([0-9a-f]{2})", lambda m: bytes([int(m.group(1), 16)]), shown.encode("utf-8"))
    return os.fsdecode(raw)


class Refused(Exception):
    """A file not read at all: not a regular file, too large, unreadable."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def _describe_mode(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "目录"
    if stat.S_ISFIFO(mode):
        return "命名管道（FIFO）"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "设备文件"
    if stat.S_ISSOCK(mode):
        return "套接字"
    return "特殊文件"


def _os_error(exc: OSError) -> Refused:
    if isinstance(exc, FileNotFoundError):
        return Refused(UNREADABLE, "文件不存在")
    if isinstance(exc, PermissionError):
        return Refused(UNREADABLE, "没有读取该文件的权限")
    return Refused(UNREADABLE, f"无法读取文件：{exc.strerror or exc}")


def _open_regular(path: str, max_size: int) -> tuple[int, int]:
    """Open `path` (links followed) without blocking on a FIFO; (fd, size) of a regular file within the
    size limit, else `Refused`."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise _os_error(exc) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise Refused(NOT_REGULAR, f"不是普通文件（{_describe_mode(st.st_mode)}），未读取")
        if max_size and st.st_size > max_size:
            raise Refused(TOO_LARGE, f"文件过大（{st.st_size / MiB:.1f} MiB，上限 {max_size / MiB:.0f} MiB），未读取")
    except BaseException:
        os.close(fd)
        raise
    return fd, st.st_size


def check_regular(path: str, max_size: int) -> tuple[int, bytes]:
    """(size, first bytes) of a regular file within the size limit, else `Refused`."""
    fd, size = _open_regular(path, max_size)
    try:
        return size, os.read(fd, 8)
    except OSError as exc:
        raise _os_error(exc) from None
    finally:
        os.close(fd)


def read_regular(path: str, max_size: int) -> bytes:
    """The bytes of a regular file within the size limit (a file growing past it is refused too)."""
    fd, size = _open_regular(path, max_size)
    try:
        with os.fdopen(fd, "rb", buffering=0, closefd=True) as fh:
            data = fh.read(size + 1)  # what fstat said (a read of max_size would allocate it up front)
            if len(data) > size:  # the file grows as it is read
                more = fh.read(max_size + 1 - len(data)) if max_size else fh.readall()
                data += more or b""
    except OSError as exc:
        raise _os_error(exc) from None
    if max_size and len(data) > max_size:
        raise Refused(TOO_LARGE, f"文件过大（读取中超过上限 {max_size / MiB:.0f} MiB），未读取")
    return data


# --- finding the files ----------------------------------------------------------------------------

def expand(paths: Iterable[str], problems: list[tuple[str, str, str]]) -> Iterator[str]:
    """The PATH arguments as files (a directory: its files, recursively), but a directory that cannot be
    listed is added to `problems` as (path, code, message) instead of being skipped silently, and
    everything in a directory that is not a directory is listed (a FIFO or a link to a device is then
    refused with its reason, not passed over)."""
    import glob

    for arg in paths:
        if arg.startswith("@") and Path(arg[1:]).is_file():
            lines = Path(arg[1:]).read_text("utf-8", errors="surrogateescape").splitlines()
            yield from expand([ln.strip() for ln in lines if ln.strip() and not ln.startswith("#")], problems)
            continue
        p = Path(arg)
        if p.is_dir():
            yield from _walk(p, problems)
        elif not p.exists() and any(ch in arg for ch in "*?["):
            yield from sorted(f for f in glob.glob(arg, recursive=True) if not Path(f).is_dir())
        else:
            yield arg


def _walk(top: Path, problems: list[tuple[str, str, str]]) -> Iterator[str]:
    found: list[Path] = []

    def onerror(exc: OSError) -> None:
        where = exc.filename if isinstance(exc.filename, str) else str(top)
        why = "没有权限" if isinstance(exc, PermissionError) else (exc.strerror or str(exc))
        problems.append((where, UNREADABLE_DIR, f"无法列出目录内容（{why}），其中的文件未处理"))

    for root, dirs, files in os.walk(top, onerror=onerror):
        base = Path(root)
        found += [base / name for name in files if not name.startswith(".")]
        found += [base / d for d in dirs if (base / d).is_symlink() and not (base / d).is_dir()]
    yield from (str(f) for f in sorted(found))


# --- the supervisor -------------------------------------------------------------------------------

class Failed(NamedTuple):
    """A file the worker machinery gave up on: its code (timeout, memory_limit, worker_crashed …) and message."""

    code: str
    message: str


@dataclass
class _Task(Generic[T]):
    index: int
    item: T
    timeout: float
    memory: int
    size: int
    crashes: int = 0


@dataclass
class _Slot:
    proc: Any
    conn: Connection
    tasks: deque[_Task[Any]] = field(default_factory=deque)
    started: float = 0.0  # when the head task's clock started
    chunks: deque[list[int]] = field(default_factory=deque)  # [files left, results received] per chunk sent

    def may_prefetch(self) -> bool:
        """One more chunk may be sent: the worker has read its only chunk (a result of it came back), so the
        pipe towards it is empty and a small chunk fits in it without the parent waiting."""
        return len(self.chunks) == 1 and self.chunks[0][1] > 0

    def received(self) -> None:
        self.chunks[0][0] -= 1
        self.chunks[0][1] += 1
        if self.chunks[0][0] <= 0:
            self.chunks.popleft()

    def clear(self) -> list[_Task[Any]]:
        tasks = list(self.tasks)
        self.tasks.clear()
        self.chunks.clear()
        return tasks


def _set_memory(limit: int) -> None:
    """Cap this process's address space at what it holds now plus `limit` (0: no cap). The hard limit is
    left alone, so the next file can get a cap of its own; subprocesses (OCR, LibreOffice) inherit it."""
    try:
        import resource
    except ImportError:  # not POSIX
        return
    soft = resource.RLIM_INFINITY
    if limit:
        try:
            with open("/proc/self/statm") as fh:
                held = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError):
            held = 0
        soft = held + limit
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (soft, resource.getrlimit(resource.RLIMIT_AS)[1]))


def _die_with_parent() -> None:
    """Linux: SIGKILL this worker when the parent dies, even in the middle of a file."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _worker(conn: Connection, work: Callable[[Any], Any], setup: Callable[..., None] | None,
            setup_args: tuple[Any, ...], parent: int) -> None:
    """A worker's loop: receive a chunk, send one result per file. Ends on EOF or when the parent is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the parent, which stops the workers
    with contextlib.suppress(OSError):
        os.setpgid(0, 0)  # its own process group: a timeout kills its subprocesses too
    _die_with_parent()
    if os.getppid() != parent:
        return
    if setup is not None:
        setup(*setup_args)
    try:
        while True:
            if not conn.poll(1.0):
                if os.getppid() != parent:
                    return
                continue
            chunk = conn.recv()
            if chunk is None:
                return
            cap = -1
            for item, memory in chunk:
                if memory != cap:  # the files of a chunk mostly share their cap: set once
                    _set_memory(memory)
                    cap = memory
                try:
                    out: tuple[str, Any] = ("ok", work(item))
                except MemoryError:
                    out = ("memory", None)
                except Exception as exc:  # a bug; the work functions catch their own errors
                    out = ("error", f"{type(exc).__name__}: {exc}")
                try:
                    conn.send(out)
                except MemoryError:
                    conn.send(("memory", None))
                except Exception as exc:  # a result that cannot be pickled
                    conn.send(("error", f"{type(exc).__name__}: {exc}"))
                if out[0] == "memory":
                    return  # a fresh worker for what follows
    except (EOFError, OSError, KeyboardInterrupt):
        return


def _worker_main(*args: Any) -> None:
    try:
        _worker(*args)
    finally:
        os._exit(0)  # no atexit handlers, no flushing of buffers inherited from the parent


def _buffer_size(conn: Connection) -> int:
    """The send buffer of a worker's pipe (a socket pair on POSIX): what can be written without waiting."""
    import socket

    try:
        with socket.socket(fileno=os.dup(conn.fileno())) as sock:
            return int(sock.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF))
    except OSError:
        return 0


def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)


class Supervisor(Generic[T, R]):
    """Runs `work` over items in `workers` processes under `limits`; see the module docstring."""

    def __init__(self, work: Callable[[T], R], *, workers: int, limits: Limits,
                 describe: Callable[[T], tuple[str | None, int, bytes]],
                 setup: Callable[..., None] | None = None, setup_args: tuple[Any, ...] = (),
                 chunk_files: int = 8, chunk_bytes: int = 4 * MiB) -> None:
        self.work, self.workers, self.limits, self.describe = work, max(1, workers), limits, describe
        self.setup, self.setup_args = setup, setup_args
        self.chunk_files, self.chunk_bytes = max(1, chunk_files), chunk_bytes
        self.ctx = _context()
        self.forking = self.ctx.get_start_method() == "fork"
        self.slots: list[_Slot] = []
        self.retry: deque[_Task[T]] = deque()
        self.started = 0  # workers started, replacements included
        self.prefetch_bytes = 0  # how big a chunk sent ahead to a busy worker may be (from its pipe's buffer)

    # -- workers --

    def _start(self) -> _Slot:
        for stream in (sys.stdout, sys.stderr):  # a forked child must not inherit unwritten output
            with contextlib.suppress(Exception):
                stream.flush()
        parent_end, child_end = self.ctx.Pipe(duplex=True)
        setup = None if self.forking else self.setup  # forked workers inherit what setup did here
        proc = self.ctx.Process(target=_worker_main, name="gongkai-worker", daemon=True,
                                args=(child_end, self.work, setup, self.setup_args, os.getpid()))
        proc.start()
        child_end.close()  # only the worker holds its end: its death is EOF here
        self.started += 1
        if not self.prefetch_bytes:
            self.prefetch_bytes = _buffer_size(parent_end) // 2 - 4096
        return _Slot(proc, parent_end)

    def _kill(self, slot: _Slot) -> None:
        pid = slot.proc.pid
        if pid is not None:
            with contextlib.suppress(OSError):
                os.killpg(pid, signal.SIGKILL)  # the worker and its subprocesses (its own group)
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        slot.proc.join(5)
        slot.conn.close()

    def _replace(self, slot: _Slot) -> None:
        self._kill(slot)
        self.slots[self.slots.index(slot)] = self._start()

    def close(self) -> None:
        for slot in self.slots:
            with contextlib.suppress(OSError):
                slot.conn.send(None)
        for slot in self.slots:
            slot.proc.join(1)
            if slot.proc.is_alive():
                self._kill(slot)
            else:
                slot.conn.close()
        self.slots = []

    # -- running --

    def _task(self, index: int, item: T) -> _Task[T]:
        try:
            path, size, head = self.describe(item)
        except Exception:
            path, size, head = None, 0, b""
        timeout, memory = self.limits.for_file(path, size, head)
        return _Task(index, item, timeout, memory, size)

    def _chunk(self, source: Iterator[tuple[int, T]], prefetch: bool = False) -> list[_Task[T]]:
        """The next chunk: a file retried after a crash alone, else files up to the chunk's size (for a
        chunk sent ahead to a busy worker, up to what its pipe holds)."""
        if self.retry and self.retry[0].crashes:
            return [] if prefetch else [self.retry.popleft()]
        budget = self.prefetch_bytes if prefetch else self.chunk_bytes
        out: list[_Task[T]] = []
        total = 0
        while len(out) < self.chunk_files and total < budget:
            if self.retry:
                if self.retry[0].crashes:
                    break  # a suspect runs alone, next
                task = self.retry.popleft()
            else:
                nxt = next(source, None)
                if nxt is None:
                    break
                task = self._task(*nxt)
            if prefetch and total + task.size > budget:
                self.retry.appendleft(task)  # for the next idle worker
                break
            out.append(task)
            total += task.size
        return out

    def _give(self, slot: _Slot, chunk: list[_Task[T]]) -> bool:
        if not slot.tasks:
            slot.started = time.monotonic()
        slot.tasks.extend(chunk)
        slot.chunks.append([len(chunk), 0])
        try:
            slot.conn.send([(t.item, t.memory) for t in chunk])
            return True
        except (OSError, ValueError):  # the worker died
            return False

    def _lost(self, slot: _Slot, code: str | None = None) -> Iterator[tuple[T, Any]]:
        """A worker died (or was killed for `code`): its head file is failed or retried, the rest re-queued."""
        tasks = slot.clear()
        exitcode = slot.proc.exitcode
        self._replace(slot)
        if not tasks:
            return
        head, rest = tasks[0], tasks[1:]
        self.retry.extendleft(reversed(rest))
        if code == TIMEOUT:
            yield head.index, Failed(TIMEOUT, f"处理超时（超过 {head.timeout:.0f} 秒），已终止并跳过")
        elif head.crashes == 0:
            head.crashes = 1
            self.retry.appendleft(head)
        else:
            how = f"信号 {-exitcode}" if isinstance(exitcode, int) and exitcode < 0 else f"退出码 {exitcode}"
            yield head.index, Failed(CRASHED, f"处理该文件时处理进程异常退出（两次，{how}），已跳过")

    def _receive(self, slot: _Slot) -> Iterator[tuple[int, Any]]:
        """Results waiting on a worker's pipe; a closed pipe (the worker died) settles its files."""
        try:
            while slot.tasks and slot.conn.poll():
                kind, value = slot.conn.recv()
                task = slot.tasks.popleft()
                slot.received()
                slot.started = time.monotonic()
                if kind == "ok":
                    yield task.index, value
                elif kind == "memory":  # the worker ends after it: the files after it go to another
                    limit = f"{task.memory / MiB:.0f} MiB" if task.memory else "可用内存"
                    self.retry.extendleft(reversed(slot.clear()))
                    self._replace(slot)
                    yield task.index, Failed(MEMORY, f"处理时内存超过上限（{limit}），已跳过")
                    return
                else:
                    yield task.index, Failed(CRASHED, f"处理进程出错：{value}")
        except (EOFError, OSError):
            yield from self._lost(slot)
            return
        if slot.tasks and not slot.proc.is_alive() and not slot.conn.poll():
            yield from self._lost(slot)

    def run(self, items: Iterable[T], idle: Callable[[], None] | None = None) -> Iterator[tuple[int, R | Failed]]:
        """(index, result or `Failed`) for every item, in the order they finish."""
        if self.setup is not None and self.forking:
            self.setup(*self.setup_args)
        source = iter(enumerate(items))
        self.slots = []
        try:
            self.slots = [self._start() for _ in range(self.workers)]
            while True:
                for slot in list(self.slots):
                    if not slot.tasks or slot.may_prefetch():
                        chunk = self._chunk(source, prefetch=bool(slot.tasks))
                        if chunk and not self._give(slot, chunk):
                            # The worker is gone: the new chunk goes back uncharged; a file it was on is
                            # charged with the crash, as when its death is seen on the pipe.
                            for _ in chunk:
                                slot.tasks.pop()
                            slot.chunks.pop()
                            self.retry.extendleft(reversed(chunk))
                            if slot.tasks:
                                yield from self._lost(slot)
                            else:
                                self._replace(slot)
                busy = [s for s in self.slots if s.tasks]
                if not busy:
                    if self.retry:
                        continue
                    return  # every slot idle and nothing left to hand out
                now = time.monotonic()
                deadlines = [s.started + s.tasks[0].timeout for s in busy if s.tasks[0].timeout]
                wait_for = min([1.0, *(d - now for d in deadlines)])
                ready = wait([s.conn for s in busy] + [s.proc.sentinel for s in busy], max(0.0, wait_for))
                for slot in busy:
                    if slot.conn in ready or slot.proc.sentinel in ready:
                        yield from self._receive(slot)
                now = time.monotonic()
                for slot in list(self.slots):
                    if slot.tasks and slot.tasks[0].timeout and now > slot.started + slot.tasks[0].timeout:
                        yield from self._receive(slot)  # a result that arrived just in time counts
                        if slot in self.slots and slot.tasks and now > slot.started + slot.tasks[0].timeout:
                            yield from self._lost(slot, TIMEOUT)
                if not ready and idle is not None:
                    idle()
        finally:
            self.close()


def in_order(results: Iterator[tuple[int, R]]) -> Iterator[tuple[int, R]]:
    """Results that come as (index, result) in any order, yielded by index as soon as each is next."""
    waiting: dict[int, R] = {}
    nxt = 0
    for index, result in results:
        waiting[index] = result
        while nxt in waiting:
            yield nxt, waiting.pop(nxt)
            nxt += 1
