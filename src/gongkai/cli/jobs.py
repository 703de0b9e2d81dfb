"""The per-file work of `parse` and `check` in worker processes, results in input order as they come.

The workers do all of a file's work, down to the finished output text, so the parent only writes
lines. Every file, with `-j 1` and a single input too, is read in a worker under the limits of
`gongkai.bounded` (time, memory, size; `--timeout`, `--max-memory`, `--max-size`): a file that runs
over them, or kills its worker, gets an error line of its own and the others go on. See docs/limits.md.
"""

from __future__ import annotations

import contextlib
import gc
import os
import threading
import traceback
from collections.abc import Callable, Iterator, Sequence
from typing import Annotated, Any, TypeVar

import typer

from gongkai.bounded import (
    DEFAULT_TIMEOUT,
    Failed,
    Limits,
    Refused,
    Supervisor,
    check_regular,
    display_path,
    parse_size,
)
from gongkai.bounded import in_order as _ordered

T = TypeVar("T")

JobsOption = Annotated[
    int | None,
    typer.Option("--jobs", "-j", min=1, help="并行处理的进程数（默认 CPU 核数；1 = 在本进程中逐个处理）"),
]
TimeoutOption = Annotated[
    float,
    typer.Option("--timeout", envvar="GONGKAI_TIMEOUT", min=0, show_envvar=True,
                 help="每个文件的处理时限（秒；0 = 不限；PDF、图片、Word 97 文件按大小放宽，最多 8 倍）"),
]
MaxMemoryOption = Annotated[
    str,
    typer.Option("--max-memory", envvar="GONGKAI_MAX_MEMORY", show_envvar=True,
                 help="处理每个文件可用的内存（如 1G、512M；0 = 不限；PDF、图片等为 2 倍）"),
]
MaxSizeOption = Annotated[
    str,
    typer.Option("--max-size", envvar="GONGKAI_MAX_SIZE", show_envvar=True,
                 help="读取文件的大小上限（如 200M；0 = 不限；更大的文件不读取）"),
]
DEFAULT_MEMORY_TEXT, DEFAULT_SIZE_TEXT = "1G", "200M"
INTERNAL_ERROR = "internal_error"
EXIT_BROKEN = 2
LIMITS = Limits()  # of this command; set before workers start (they inherit it)
_MAX_CHUNK = 32  # files per task: few round trips, and results still flow while later chunks are read


def default_jobs() -> int:
    """The CPUs this process may run on (its affinity mask, not every CPU of the machine)."""
    count: Callable[[], int | None] | None = getattr(os, "process_cpu_count", None)  # Python 3.13+
    if count is not None:
        return count() or 1
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def internal_error_message(exc: BaseException) -> str:
    """What a user is told when the program failed on one file: the exception and where it was raised."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = ""
    if frames:
        last = frames[-1]
        parts = last.filename.replace("\\", "/").split("/")
        where = f"（{'/'.join(parts[-2:])}:{last.lineno}）"
    return f"程序内部错误，未能处理此文件：{type(exc).__name__}: {exc}{where}"


def limits_from(timeout: float, max_memory: str, max_size: str) -> Limits:
    """The command's limits from its options (a size that cannot be read is a usage error, exit 2)."""
    try:
        return Limits(timeout=timeout, memory=parse_size(max_memory), max_size=parse_size(max_size))
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


def refuse_special(path: str) -> None:
    """Raise `Refused` for what must not be read: not a regular file (FIFO, device), over the size limit."""
    check_regular(path, LIMITS.max_size)


def _describe(path: str) -> tuple[str | None, int, bytes]:
    """Name, size and first bytes of an input (for its time and memory limits); nothing is refused here."""
    try:
        size, head = check_regular(path, 0)
    except Refused:
        return path, 0, b""
    return path, size, head


def _setup_with(limits: Limits, setup: Callable[..., None] | None, *args: Any) -> None:
    global LIMITS
    LIMITS = limits
    if setup is not None:
        setup(*args)
    gc.freeze()  # what setup imports is long-lived: out of the collector's sight, shared with forked workers


def in_order(work: Callable[[str], T], items: Sequence[str], jobs: int | None,
             setup: Callable[..., None] | None = None, setup_args: tuple[Any, ...] = (), *,
             limits: Limits | None = None, failed: Callable[[str, Failed], T] | None = None) -> Iterator[T]:
    """`work` over `items` in `jobs` worker processes under `limits`, yielding each result in input order
    as soon as it and those before it are done. `setup(*setup_args)` runs first in this process (it
    imports what `work` needs, so forked workers inherit it, and sets the command's options). A file
    the workers gave up on (time, memory, a crash) gives `failed(path, why)`."""
    limits = limits or Limits(timeout=DEFAULT_TIMEOUT)
    jobs = max(1, min(default_jobs() if jobs is None else jobs, len(items)))
    sup: Supervisor[str, T] = Supervisor(work, workers=jobs, limits=limits, describe=_describe, setup=_setup_with,
                                         setup_args=(limits, setup, *setup_args),
                                         chunk_files=max(1, min(_MAX_CHUNK, len(items) // (jobs * 16))))
    for index, result in _ordered(sup.run(items)):
        if isinstance(result, Failed):
            if failed is None:
                raise RuntimeError(f"{display_path(items[index])}: {result.message}")
            yield failed(items[index], result)
        else:
            yield result


# A bar appears only once the work has taken this long (seconds; GONGKAI_PROGRESS_DELAY sets another): fast
# runs do not pay for importing Rich (~75 ms) or see a flash of a bar; a scan read by OCR (seconds a table) does.
BAR_DELAY = 1.5


def _bar_delay() -> float:
    try:
        return max(0.0, float(os.environ.get("GONGKAI_PROGRESS_DELAY", BAR_DELAY)))
    except ValueError:
        return BAR_DELAY


class _LateBar:
    """A progress bar started from a timer thread once the delay has passed, if the work is not done."""

    def __init__(self, label: str, total: int) -> None:
        self.label, self.total, self.done = label, total, 0
        self.lock = threading.Lock()
        self.bar: Any = None
        self.closed = False
        self.timer = threading.Timer(_bar_delay(), self.start)
        self.timer.daemon = True

    def start(self) -> None:
        with self.lock:
            if self.closed or self.done >= self.total:
                return
            self.bar = progress_bar(self.label)
            self.bar.start()
            self.task = self.bar.add_task(self.label, total=self.total, completed=self.done)

    def advance(self, n: int) -> None:
        with self.lock:
            self.done += n
            if self.bar is not None:
                self.bar.advance(self.task, n)
                if self.done >= self.total:  # erase it before the last result is printed
                    self.bar.stop()
                    self.bar = None

    def close(self) -> None:
        self.timer.cancel()
        with self.lock:
            self.closed = True
            if self.bar is not None:
                self.bar.stop()
                self.bar = None


@contextlib.contextmanager
def progress(label: str, total: int, enabled: bool) -> Iterator[Callable[[int], None]]:
    """A progress bar for `total` items on stderr when `enabled` and stderr is a terminal, shown once the
    work has taken `BAR_DELAY` seconds; yields `advance(n)`. Call `advance` before printing an item's
    result (the bar is erased when the last one is done), and write to `sys.stderr` as looked up at the
    time (while the bar shows, it prints above it)."""
    if not enabled or total <= 0:
        yield lambda n: None
        return
    late = _LateBar(label, total)
    late.timer.start()
    try:
        yield late.advance
    finally:
        late.close()


def progress_bar(label: str, enabled: bool = True) -> Any:
    """A progress bar on stderr (Rich), shown only on a terminal: `with bar: task = bar.add_task(…)`.
    Standard output is left alone (Rich would send it to the bar's console, stderr): results piped to a
    file stay in the file."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    console = Console(stderr=True)
    return Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=console,
                    disable=not (enabled and console.is_terminal), transient=True, redirect_stdout=False)
