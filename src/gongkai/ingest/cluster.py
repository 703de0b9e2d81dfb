"""Ingest and reparse on a Dask cluster (dask.distributed): the same per-file work as the local path, mapped
over a scheduler's workers, with the store written by this process exactly as today.

Design (docs/cluster.md): this process (the client) lists the files — local paths, or an fsspec URL or prefix
(`file:///…`, `s3://bucket/reports/`) — and never reads them. It submits one task per heavy file
(PDF, Word, pictures) and one per small chunk of light ones, the most expensive first, at most a window of tasks
at a time. A task runs on a worker: it opens its files itself (through fsspec; a plain path with the local
checks of `gongkai.bounded`), hashes them, skips content already stored (the stored hashes are sent to every
worker once), and prepares the rest in a child process under the per-file time and memory limits of
`gongkai.bounded` (the child is forked once per worker thread and kept, so what it loads stays loaded): a file
that hangs, balloons or kills its child is reported failed with its reason. Results come back as plain rows
(`Prepared`) with the file's bytes, as they complete, to the ingest's own `_Writer`, which stores them in
batches: nothing half-stored, duplicates by content hash, one current version per organ and year, safe
concurrent writers on PostgreSQL — unchanged. A task whose worker dies is run
again by the scheduler on another worker; a chunk that still fails is split into single files, and only a
single file that fails again is reported (`worker_crashed`).
"""

from __future__ import annotations

import contextlib
import hashlib
import multiprocessing
import os
import signal
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from gongkai.bounded import (
    _HEAVY_EXT,
    CRASHED,
    MEMORY,
    TIMEOUT,
    TOO_LARGE,
    UNREADABLE,
    Failed,
    Limits,
    Refused,
    _context,
    _worker_main,
    display_path,
    expand,
    read_regular,
)
from gongkai.ingest import Summary, _setup, _work_one, _Writer
from gongkai.ingest.prepare import extractor_version
from gongkai.ingest.reparse import ReparseSummary, write_reparsed
from gongkai.store import Prepared, Store

CLUSTER_ENV = "GONGKAI_CLUSTER"
_CHUNK_FILES = 8  # light files per task: few round trips, results still flow
_CHUNK_BYTES = 1 << 20
_HEAVY_WEIGHT = 50  # a byte of PDF, Word or picture costs about this many bytes of text (benchmarks/bench_cluster.py)
_MiB = 1 << 20

Work = Callable[[tuple[str | None, bytes]], Prepared]


class ClusterError(RuntimeError):
    """The cluster cannot be reached, or was lost during the run (what was stored stays; run it again)."""


@dataclass(frozen=True)
class Source:
    """A file to ingest as the client lists it: `path` is shown and stored, `url` is what a worker opens."""

    path: str
    url: str
    size: int

    @property
    def heavy(self) -> bool:
        return self.path.lower().endswith((*_HEAVY_EXT, ".docx"))

    @property
    def cost(self) -> int:
        return self.size * (_HEAVY_WEIGHT if self.heavy else 1)


@dataclass
class Outcome:
    """What a task found for one file: prepared (with its bytes, to be stored), already stored, or failed."""

    path: str
    sha: str | None = None
    prepared: Prepared | None = None
    data: bytes | None = None
    code: str | None = None
    message: str | None = None
    duplicate: bool = False


@dataclass
class ClusterSummary(Summary):
    scheduler: str = ""
    workers: int = 0
    tasks: int = 0
    retried: int = 0  # tasks split into single files after their worker died

    def to_json(self) -> dict[str, Any]:
        return {**super().to_json(), "cluster": {"scheduler": self.scheduler, "workers": self.workers,
                                                 "tasks": self.tasks, "retried": self.retried}}

    def text(self) -> str:
        extra = f"，其中 {self.retried} 个因工作进程退出而拆分重跑" if self.retried else ""
        return (super().text() + f"\n集群 {self.scheduler}：{self.workers} 个工作进程，"
                f"任务 {self.tasks} 个{extra}。")


# --- listing (client) ---------------------------------------------------------------------------

def is_url(path: str) -> bool:
    return "://" in path


def list_sources(inputs: Iterable[str], problems: list[tuple[str, str, str]]) -> list[Source]:
    """Files of the inputs with their sizes, from listings only (no file is read here): an fsspec URL is a
    file or a prefix (every file under it); anything else is expanded as the local path is today."""
    out: list[Source] = []
    for arg in inputs:
        if is_url(arg):
            out += _list_url(arg, problems)
        else:
            out += [_local(p) for p in expand([arg], problems)]
    return out


def _local(path: str) -> Source:
    try:
        size = os.stat(path).st_size
    except OSError:
        size = 0  # the worker reports why it cannot be read
    return Source(display_path(path), path, size)


def _list_url(url: str, problems: list[tuple[str, str, str]]) -> list[Source]:
    import fsspec

    try:
        fs, root = fsspec.core.url_to_fs(url)
        found = fs.find(root, detail=True) if fs.isdir(root) else {root: fs.info(root)}
    except Exception as exc:  # no such prefix, no permission, unknown protocol
        problems.append((url, UNREADABLE, f"无法列出 {url}：{type(exc).__name__}: {exc}"))
        return []
    out = []
    for name, info in sorted(found.items()):
        if info.get("type", "file") != "file" or os.path.basename(name).startswith("."):
            continue
        full = fs.unstrip_protocol(name)
        out.append(Source(full, full, int(info.get("size") or 0)))
    return out


def plan(sources: list[Source], chunk_files: int = _CHUNK_FILES, chunk_bytes: int = _CHUNK_BYTES) -> list[list[Source]]:
    """Tasks, most expensive first: a heavy file alone, light files in chunks of a few."""
    tasks: list[list[Source]] = []
    chunk: list[Source] = []
    for s in sorted(sources, key=lambda s: -s.cost):
        if s.heavy:
            tasks.append([s])
            continue
        if chunk and (len(chunk) >= chunk_files or sum(c.size for c in chunk) + s.size > chunk_bytes):
            tasks.append(chunk)
            chunk = []
        chunk.append(s)
    if chunk:
        tasks.append(chunk)
    return tasks


# --- the task (worker) --------------------------------------------------------------------------

@contextlib.contextmanager
def _may_fork() -> Iterator[None]:
    """Dask marks its worker processes daemonic, and multiprocessing refuses children to a daemonic process.
    The bounded child dies with its worker anyway (PR_SET_PDEATHSIG, `gongkai.bounded`)."""
    config = multiprocessing.current_process()._config  # type: ignore[attr-defined]
    was = config.get("daemon")
    config["daemon"] = False
    try:
        yield
    finally:
        config["daemon"] = was


def _read_source(s: Source, max_size: int) -> bytes:
    if not is_url(s.url):
        return read_regular(s.url, max_size)
    import fsspec

    try:
        with fsspec.open(s.url, "rb") as fh:
            data = fh.read(max_size + 1) if max_size else fh.read()
    except FileNotFoundError:
        raise Refused(UNREADABLE, "文件不存在") from None
    except Exception as exc:
        raise Refused(UNREADABLE, f"无法读取文件：{type(exc).__name__}: {exc}") from None
    if max_size and len(data) > max_size:
        raise Refused(TOO_LARGE, f"文件过大（超过上限 {max_size / _MiB:.0f} MiB），未读取")
    return data


class _Resident:
    """A bounded child kept between the tasks of one worker thread, so what it loads (the OCR engine, the
    converters, the formats' caches) stays loaded, as a local ingest's worker does. It runs the child loop of
    `gongkai.bounded` (one file at a time here); this thread keeps the clock: a file over its time is killed
    with the child, a child that dies on a file is replaced and the file tried once more, then failed."""

    def __init__(self, work: Work, overrides: str | None) -> None:
        self.work, self.overrides = work, overrides
        self.proc: Any = None
        self.conn: Any = None

    def _start(self) -> None:
        _setup(self.overrides)  # loaded here once, inherited by every child forked after
        ctx = _context()
        parent_end, child_end = ctx.Pipe(duplex=True)
        self.proc = ctx.Process(target=_worker_main, name="gongkai-cluster-child", daemon=True,
                                args=(child_end, self.work, None, (), os.getpid()))
        with _may_fork():
            self.proc.start()
        child_end.close()
        self.conn = parent_end

    def stop(self) -> None:
        if self.proc is None:
            return
        for kill in (lambda: os.killpg(self.proc.pid, signal.SIGKILL), lambda: os.kill(self.proc.pid, signal.SIGKILL)):
            with contextlib.suppress(OSError):
                kill()
        self.proc.join(5)
        self.conn.close()
        self.proc = self.conn = None

    def run(self, path: str | None, data: bytes, limits: Limits) -> Prepared | Failed:
        timeout, memory = limits.for_file(path, len(data), data[:8])
        for _attempt in range(2):
            if self.proc is None or not self.proc.is_alive():
                self.stop()
                self._start()
            try:
                self.conn.send([((path, data), memory)])
                if not self.conn.poll(timeout or None):
                    self.stop()
                    return Failed(TIMEOUT, f"处理超时（超过 {timeout:.0f} 秒），已终止并跳过")
                kind, value = self.conn.recv()
            except (EOFError, OSError):  # the child died on this file: once more in a fresh one
                self.stop()
                continue
            if kind == "ok":
                return value
            self.stop()  # after a memory error the child ends itself
            if kind == "memory":
                limit = f"{memory / _MiB:.0f} MiB" if memory else "可用内存"
                return Failed(MEMORY, f"处理时内存超过上限（{limit}），已跳过")
            return Failed(CRASHED, f"处理进程出错：{value}")
        return Failed(CRASHED, "处理该文件时处理进程异常退出（两次），已跳过")


_RESIDENT = threading.local()


def _resident(work: Work, overrides: str | None) -> _Resident:
    """This worker thread's bounded child, a new one for another work function or organ overrides."""
    current: _Resident | None = getattr(_RESIDENT, "child", None)
    if current is None or current.work is not work or current.overrides != overrides:
        if current is not None:
            current.stop()
        current = _RESIDENT.child = _Resident(work, overrides)
    return current


def run_task(sources: list[Source], known: set[str], limits: Limits, overrides: str | None,
             work: Work = _work_one) -> list[Outcome]:
    """One task on a worker: read and hash its files, skip stored content, prepare the rest under the limits."""
    out: list[Outcome] = []
    child = _resident(work, overrides)
    for s in sources:
        try:
            data = _read_source(s, limits.max_size)
        except Refused as exc:
            out.append(Outcome(s.path, code=exc.code, message=exc.message))
            continue
        sha = hashlib.sha256(data).hexdigest()
        if sha in known:
            out.append(Outcome(s.path, sha, duplicate=True))
            continue
        result = child.run(s.path, data, limits)
        if isinstance(result, Failed):
            out.append(Outcome(s.path, sha, code=result.code, message=result.message))
        else:
            out.append(Outcome(s.path, sha, prepared=result, data=data))
    return out


def reparse_task(items: list[tuple[str | None, bytes, str]], limits: Limits, overrides: str | None) -> list[Prepared]:
    """Re-extract stored originals on a worker, under the limits (as `gongkai reparse` does locally)."""
    child = _resident(_work_one, overrides)
    out = []
    for path, data, sha in items:
        result = child.run(path, data, limits)
        if isinstance(result, Failed):
            result = Prepared(sha, path, len(data), "application/octet-stream", ok=False, reason=result.code,
                              message=result.message)
        out.append(result)
    return out


# --- the client ---------------------------------------------------------------------------------

def connect(cluster: Any) -> tuple[Any, bool]:
    """(client, whether this call opened it): a scheduler address, or a `distributed.Client` already open."""
    if not isinstance(cluster, str):
        return cluster, False
    try:
        from distributed import Client
    except ImportError:
        raise ClusterError("未安装 dask.distributed：请安装 gongkai[cluster]（pip install -e '.[cluster]'）") from None
    try:
        return Client(cluster, timeout=10, set_as_default=False), True
    except Exception as exc:
        raise ClusterError(f"无法连接集群调度器 {cluster}：{type(exc).__name__}: {exc}") from None


def _window(client: Any) -> int:
    """Tasks in flight: enough to keep every worker thread busy, few enough to bound what comes back."""
    with contextlib.suppress(Exception):
        return max(16, 4 * sum(client.nthreads().values()))
    return 16


class _Flow:
    """Tasks submitted a window at a time, in plan order (tasks split after a crash go first); results as
    they complete."""

    def __init__(self, client: Any, submit: Callable[[Any], Any], tasks: Iterator[Any], window: int) -> None:
        self.client, self.submit, self.tasks, self.window = client, submit, tasks, window
        self.front: deque[Any] = deque()
        self.inflight: dict[str, Any] = {}

    def _next(self) -> Any:
        return self.front.popleft() if self.front else next(self.tasks, None)

    def run(self) -> Iterator[tuple[Any, Any]]:
        """(task, future) of each task as it finishes (`future.status` says how)."""
        from distributed import as_completed

        done = as_completed(loop=self.client.loop)
        self._top_up(done)
        for fut in done:
            task = self.inflight.pop(fut.key)
            yield task, fut
            fut.release()
            self._top_up(done)

    def _top_up(self, done: Any) -> None:
        while len(self.inflight) < self.window and (task := self._next()) is not None:
            fut = self.submit(task)
            self.inflight[fut.key] = task
            done.add(fut)


def _lost(fut: Any) -> BaseException | None:
    """The task's error, or raise `ClusterError` if the cluster itself went away (cancelled)."""
    if fut.status == "error":
        return fut.exception()
    raise ClusterError("与集群的连接中断或任务被取消：已入库的报告完整保留，再次运行即从中断处继续")


def ingest_cluster(store: Store, paths: Iterable[str], *, cluster: Any, overrides: str | None = None,
                   batch_size: int = 100, on_total: Callable[[int], None] | None = None,
                   advance: Callable[[int], None] | None = None, limits: Limits | None = None,
                   problems: Iterable[tuple[str, str, str]] = (),
                   on_progress: Callable[[int, int], None] | None = None, work: Work = _work_one) -> ClusterSummary:
    """Ingest files or fsspec URLs into `store` through a Dask cluster (a scheduler address or a Client).
    `on_progress(files done, failed)` after each task; `work` replaces the per-file function (tests)."""
    limits = limits or Limits()
    listing_problems = list(problems)
    sources = list_sources(paths, listing_problems)
    if on_total is not None:
        on_total(len(sources) + len(listing_problems))
    client, own = connect(cluster)
    summary = ClusterSummary(run_id=uuid.uuid4().hex[:12], read=len(sources), scheduler=str(client.scheduler.address),
                             workers=len(client.nthreads()))
    started = time.monotonic()
    writer = _Writer(store, summary, batch_size, advance or (lambda n: None))
    try:
        for where, code, message in listing_problems:
            writer.fail(display_path(where), code, message)
        todo = []
        for s in sources:
            if limits.max_size and s.size > limits.max_size:
                writer.fail(s.path, TOO_LARGE, f"文件过大（{s.size / _MiB:.1f} MiB，上限 {limits.max_size / _MiB:.0f} "
                                               "MiB），未读取")
            else:
                todo.append(s)
        _run_ingest(client, plan(todo), store.known_shas(), writer, summary, limits, overrides, work, on_progress)
    except BaseException:
        writer.stop()  # what was handed to it is written whole; the rest is not
        raise
    finally:
        if own:
            client.close()
    writer.close()
    summary.seconds = time.monotonic() - started
    return summary


def _run_ingest(client: Any, tasks: list[list[Source]], known: set[str], writer: _Writer, summary: ClusterSummary,
                limits: Limits, overrides: str | None, work: Work,
                on_progress: Callable[[int, int], None] | None) -> None:
    [known_f] = client.scatter([known], broadcast=True, hash=False)
    seen: set[str] = set(known)
    done = 0

    def submit(task: list[Source]) -> Any:
        key = f"gongkai-ingest-{uuid.uuid4().hex}"
        return client.submit(run_task, task, known_f, limits, overrides, work, key=key, pure=False)

    summary.tasks = len(tasks)
    flow = _Flow(client, submit, iter(tasks), _window(client))
    for task, fut in flow.run():
        if fut.status == "finished":
            for o in fut.result():
                _settle(o, writer, seen)
            done += len(task)
        elif len(task) > 1:  # its worker died (again): each file alone, so only the culprit fails
            summary.retried += 1
            summary.tasks += len(task)
            flow.front.extend([s] for s in task)
        else:
            exc = _lost(fut)
            writer.fail(task[0].path, CRASHED, f"处理该文件时集群工作进程异常退出，已跳过（{type(exc).__name__}）")
            done += 1
        if on_progress is not None:
            on_progress(done, len(summary.failed))
    with contextlib.suppress(Exception):
        client.cancel([known_f])


def _settle(o: Outcome, writer: _Writer, seen: set[str]) -> None:
    """Hand one file's outcome to the writer; content that came back twice in this run is a duplicate."""
    if o.code is not None:
        writer.fail(o.path, o.code, o.message or "", o.sha)
    elif o.duplicate or (o.sha is not None and o.sha in seen):
        assert o.sha is not None
        writer.duplicate(o.path, o.sha)
    else:
        assert o.prepared is not None and o.data is not None and o.sha is not None
        seen.add(o.sha)
        writer.add(o.prepared, o.data)


# --- reparse ------------------------------------------------------------------------------------

def reparse_cluster(store: Store, *, cluster: Any, overrides: str | None = None, outdated_only: bool = False,
                    batch_size: int = 100, advance: Callable[[int], None] | None = None,
                    limits: Limits | None = None) -> ReparseSummary:
    """`gongkai reparse` through a Dask cluster: stored originals are sent to the workers (they need no access
    to the store), re-extracted under the limits, and written here one transaction per batch, as locally."""
    version = extractor_version()
    summary = ReparseSummary(uuid.uuid4().hex[:12], version)
    started = time.monotonic()
    limits = limits or Limits()
    client, own = connect(cluster)
    buffered: list[Prepared] = []
    try:
        originals = store.iter_originals(batch_size, only_outdated=version if outdated_only else None)

        def submit(task: list[tuple[str | None, bytes, str]]) -> Any:
            return client.submit(reparse_task, task, limits, overrides, key=f"gongkai-reparse-{uuid.uuid4().hex}",
                                 pure=False)

        for task, fut in _Flow(client, submit, _reparse_tasks(originals), _window(client)).run():
            if fut.status == "finished":
                buffered += fut.result()
            else:
                exc = _lost(fut)
                buffered += [Prepared(sha, path, len(data), "application/octet-stream", ok=False, reason=CRASHED,
                                      message=f"处理该文件时集群工作进程异常退出（{type(exc).__name__}）")
                             for path, data, sha in task]
            if len(buffered) >= batch_size:
                _write_reparsed(store, summary, buffered, advance)
                buffered = []
        _write_reparsed(store, summary, buffered, advance)
    finally:
        if own:
            client.close()
    summary.seconds = time.monotonic() - started
    return summary


Original = tuple[str, str | None, bytes]  # (sha, path, bytes) as the store gives them
ReparseItem = tuple[str | None, bytes, str]


def _reparse_tasks(batches: Iterator[list[Original]]) -> Iterator[list[ReparseItem]]:
    """Tasks of a few originals each, made from the store's batches as they are needed (not all read at once)."""
    for batch in batches:
        chunk: list[tuple[str | None, bytes, str]] = []
        for sha, path, data in batch:
            if chunk and (len(chunk) >= _CHUNK_FILES or sum(len(c[1]) for c in chunk) + len(data) > _CHUNK_BYTES):
                yield chunk
                chunk = []
            chunk.append((path, data, sha))
        if chunk:
            yield chunk


def _write_reparsed(store: Store, summary: ReparseSummary, results: list[Prepared],
                    advance: Callable[[int], None] | None) -> None:
    """A batch of re-extractions written as the local reparse writes it."""
    write_reparsed(store, summary, results)
    if advance is not None and results:
        advance(len(results))
