"""The per-file work of `parse` and `check` in worker processes, results in input order as they come.

The workers do all of a file's work, down to the finished output text, so the parent only writes
lines. `-j 1` (and a single input) runs in this process, without a pool: nothing to start.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from typing import Annotated, Any, TypeVar

import typer

T = TypeVar("T")

JobsOption = Annotated[
    int | None,
    typer.Option("--jobs", "-j", min=1, help="并行处理的进程数（默认 CPU 核数；1 = 在本进程中逐个处理）"),
]
INTERNAL_ERROR = "internal_error"
EXIT_BROKEN = 2
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


def _start_worker(setup: Callable[..., None] | None, args: tuple[Any, ...]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the parent, which stops the pool
    if setup is not None:
        setup(*args)


def in_order(work: Callable[[str], T], items: Sequence[str], jobs: int | None,
             setup: Callable[..., None] | None = None, setup_args: tuple[Any, ...] = ()) -> Iterator[T]:
    """`work` over `items` in `jobs` processes, yielding each result in input order as soon as it and
    those before it are done. `setup(*setup_args)` runs first in this process and in every worker
    (it imports what `work` needs, so forked workers inherit it, and sets the command's options)."""
    if setup is not None:
        setup(*setup_args)
    gc.freeze()  # what setup imported is long-lived: out of the collector's sight, shared with forked workers
    jobs = min(default_jobs() if jobs is None else jobs, len(items))
    if jobs <= 1:
        yield from map(work, items)
        return
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    chunksize = max(1, min(_MAX_CHUNK, len(items) // (jobs * 16)))
    pool = ProcessPoolExecutor(jobs, initializer=_start_worker, initargs=(setup, setup_args))
    try:
        yield from pool.map(work, items, chunksize=chunksize)
    except BrokenProcessPool:
        print("处理进程意外退出（worker_crashed），其余输入未处理。可用 -j 1 找出出错的文件。", file=sys.stderr)
        raise typer.Exit(EXIT_BROKEN) from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
