"""Ingest: files → read, extract, check, resolve (in worker processes) → the store (a writing thread of
this process).

Each file is stored in a batch transaction together with its original, cells, findings and log entry,
so a killed process leaves only whole reports, and the next run skips every file whose content
(SHA-256) is already stored: this process reads and hashes every file, and hands only new content to
the workers. A failing file is logged and never stops the batch. What comes back from a worker is
plain rows (`Prepared`), never the report objects, so little is pickled between processes.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import queue
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

from gongkai.ingest.prepare import extractor_version, prepare, warm_up
from gongkai.ingest.resolve import set_overrides
from gongkai.store import Prepared, Store

__all__ = ["Failure", "Summary", "ingest", "prepare"]


@dataclass
class Failure:
    path: str | None
    reason: str
    message: str


@dataclass
class Summary:
    run_id: str
    read: int = 0
    stored: int = 0
    new_versions: int = 0
    duplicates: int = 0
    failed: list[Failure] = field(default_factory=list)
    seconds: float = 0.0
    report_ids: list[int] = field(default_factory=list)
    shas: dict[str, str] = field(default_factory=dict)  # path → SHA-256 of every file stored or duplicate

    @property
    def rate(self) -> float:
        return self.read / self.seconds if self.seconds else 0.0

    def to_json(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "read": self.read, "stored": self.stored, "new_versions": self.new_versions,
                "duplicates": self.duplicates, "failed": [f.__dict__ for f in self.failed],
                "seconds": round(self.seconds, 3), "reports_per_second": round(self.rate, 1)}

    def text(self) -> str:
        lines = [f"读取 {self.read} 个文件：入库 {self.stored}（其中新版本 {self.new_versions}），"
                 f"重复 {self.duplicates}，失败 {len(self.failed)}。"
                 f"用时 {self.seconds:.1f} 秒（{self.rate:.0f} 份/秒）。"]
        if self.failed:
            lines.append("失败原因：")
            by_reason: dict[str, int] = {}
            for f in self.failed:
                by_reason[f.reason] = by_reason.get(f.reason, 0) + 1
            lines += [f"  {reason}：{n} 个" for reason, n in sorted(by_reason.items(), key=lambda kv: -kv[1])]
            lines += [f"  - {f.path}：{f.message}（{f.reason}）" for f in self.failed[:50]]
            if len(self.failed) > 50:
                lines.append(f"  …… 另有 {len(self.failed) - 50} 个失败文件，见 ingest_log 表")
        return "\n".join(lines)


# --- worker side --------------------------------------------------------------------------------

def _init_worker(overrides: str | None) -> None:
    set_overrides(overrides)
    extractor_version()


def _work(chunk: list[tuple[str | None, bytes]]) -> list[Prepared]:
    return [prepare(data, path) for path, data in chunk]


# --- parent side --------------------------------------------------------------------------------

Progress = Callable[[int], None]


def _read_files(paths: Iterable[str]) -> Iterator[tuple[str, bytes | None, str | None]]:
    for path in paths:
        try:
            with open(path, "rb") as fh:
                yield path, fh.read(), None
        except OSError as exc:
            yield path, None, f"无法读取文件：{exc.strerror or exc}"


class _Writer:
    """Buffers prepared reports and log entries; a thread of its own writes them in batches.

    The store's time is mostly waiting (on the disk, on PostgreSQL), during which the sqlite3 and psycopg
    drivers release the GIL: written from a thread, it overlaps with reading files and handing them to
    the workers, instead of stalling both. Batches are written in order, one at a time; at most two wait."""

    def __init__(self, store: Store, summary: Summary, batch_size: int, advance: Progress) -> None:
        self.store, self.summary, self.batch_size, self.advance = store, summary, batch_size, advance
        self.items: list[tuple[Prepared, bytes]] = []
        self.log: list[dict[str, Any]] = []
        self.pending = 0
        self.last = time.monotonic()
        self.lock = threading.Lock()  # the summary is updated from both threads
        self.queue: queue.Queue[tuple[list[tuple[Prepared, bytes]], list[dict[str, Any]], int] | None] = \
            queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="gongkai-ingest-writer", daemon=True)
        self.thread.start()

    def add(self, p: Prepared, data: bytes) -> None:
        if p.ok:
            self.items.append((p, data))
        else:
            self.fail(p.path, p.reason or "failed", p.message or "", p.sha256)
            return
        self.pending += 1
        self.maybe_flush()

    def fail(self, path: str | None, reason: str, message: str, sha: str | None = None) -> None:
        with self.lock:
            self.summary.failed.append(Failure(path, reason, message))
        self.log.append({"path": path, "sha256": sha, "status": "failed", "reason": reason, "message": message})
        self.pending += 1
        self.maybe_flush()

    def duplicate(self, path: str, sha: str) -> None:
        with self.lock:
            self.summary.duplicates += 1
            self.summary.shas[path] = sha
        self.log.append({"path": path, "sha256": sha, "status": "duplicate"})
        self.pending += 1
        self.maybe_flush()

    def maybe_flush(self) -> None:
        if self.pending >= self.batch_size or time.monotonic() - self.last > 1.0:
            self.flush()

    def flush(self) -> None:
        """Hand the buffered batch to the writing thread (waiting while two batches are queued)."""
        self._raise()
        if self.pending:
            self.queue.put((self.items, self.log, self.pending))
        self.items, self.log, self.pending = [], [], 0
        self.last = time.monotonic()

    def close(self) -> None:
        """Write what is buffered and wait for the writing thread; its error, if any, is raised here."""
        try:
            self.flush()
        finally:
            self.stop()
        self._raise()

    def stop(self) -> None:
        """Let the writing thread finish the batches handed to it, and end it."""
        if self.thread.is_alive():
            self.queue.put(None)
            self.thread.join()

    def _raise(self) -> None:
        if self.error is not None:
            raise self.error

    def _run(self) -> None:
        while (batch := self.queue.get()) is not None:
            if self.error is None:
                try:
                    self._write(*batch)
                except BaseException as exc:  # raised in the ingesting thread at its next flush
                    self.error = exc

    def _write(self, items: list[tuple[Prepared, bytes]], log: list[dict[str, Any]], pending: int) -> None:
        saved = self.store.save_batch(self.summary.run_id, items, log)
        with self.lock:
            for (p, _data), s in zip(items, saved, strict=True):
                if p.path is not None:
                    self.summary.shas[p.path] = p.sha256
                if s.status == "duplicate":
                    self.summary.duplicates += 1
                else:
                    self.summary.stored += 1
                    self.summary.new_versions += s.status == "new_version"
                    if s.report_id is not None:
                        self.summary.report_ids.append(s.report_id)
        self.advance(pending)


def ingest(store: Store, paths: Iterable[str], *, workers: int | None = None, overrides: str | None = None,
           batch_size: int = 100, chunk_size: int = 8, on_total: Callable[[int], None] | None = None,
           advance: Progress | None = None) -> Summary:
    """Ingest files into `store`. `workers=0` runs everything in this process."""
    files = list(paths)
    if on_total is not None:
        on_total(len(files))
    summary = Summary(run_id=uuid.uuid4().hex[:12], read=len(files))
    started = time.monotonic()
    writer = _Writer(store, summary, batch_size, advance or (lambda n: None))
    known = store.known_shas()
    workers = (os.cpu_count() or 1) if workers is None else workers

    def accepted() -> Iterator[tuple[str, bytes]]:
        """Files to process: unreadable and already-stored ones are settled here."""
        for path, data, error in _read_files(files):
            if data is None:
                writer.fail(path, "unreadable", error or "")
                continue
            sha = hashlib.sha256(data).hexdigest()
            if sha in known:
                writer.duplicate(path, sha)
                continue
            known.add(sha)
            yield path, data

    try:
        if workers <= 0:
            set_overrides(overrides)
            for path, data in accepted():
                writer.add(prepare(data, path), data)
        else:
            if multiprocessing.get_start_method() == "fork":
                warm_up()  # once here rather than in every worker
            _run_pool(accepted(), writer, workers, overrides, chunk_size)
    except BaseException:
        writer.stop()  # what was handed to it is written whole; the rest is not
        raise
    writer.close()
    summary.seconds = time.monotonic() - started
    return summary


def _chunks(items: Iterator[tuple[str, bytes]], size: int) -> Iterator[list[tuple[str, bytes]]]:
    chunk: list[tuple[str, bytes]] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _run_pool(items: Iterator[tuple[str, bytes]], writer: _Writer, workers: int, overrides: str | None,
              chunk_size: int) -> None:
    """Feed chunks to worker processes, a bounded number in flight. A worker that dies (a reader
    crashing the interpreter) breaks the pool: it is replaced and the chunks it took down are retried
    one file at a time, then alone; a file that takes down a pool on its own is failed with
    `worker_crashed`."""
    chunks = _chunks(items, chunk_size)
    retry: list[tuple[list[tuple[str, bytes]], int]] = []  # (single-file chunk, crashes seen)
    limit = workers * 16
    exhausted = False
    while not exhausted or retry:
        broken: list[tuple[list[tuple[str, bytes]], int]] = []
        inflight: dict[Future[list[Prepared]], tuple[list[tuple[str, bytes]], int]] = {}
        pool = ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(overrides,))
        try:
            while True:
                while len(inflight) < limit and not broken:
                    if any(c >= 1 for _, c in inflight.values()):
                        break  # a suspect that crashed a pool before runs alone, so a crash is its own
                    if retry:
                        if retry[-1][1] >= 1 and inflight:
                            break
                        chunk, crashes = retry.pop()
                    else:
                        chunk, crashes = next(chunks, None), 0
                        if chunk is None:
                            exhausted = True
                            break
                    try:
                        inflight[pool.submit(_work, chunk)] = (chunk, crashes)
                    except BrokenProcessPool:
                        broken.append((chunk, crashes))
                if not inflight:
                    break
                done, _ = wait(inflight, timeout=1.0, return_when=FIRST_COMPLETED)
                for fut in done:
                    chunk, crashes = inflight.pop(fut)
                    try:
                        results = fut.result()
                    except BrokenProcessPool:
                        broken.append((chunk, crashes))
                        continue
                    except Exception as exc:  # an error pickling a result, etc.
                        for path, _data in chunk:
                            writer.fail(path, "worker_failed", f"处理进程出错：{type(exc).__name__}: {exc}")
                        continue
                    for (_path, data), p in zip(chunk, results, strict=True):
                        writer.add(p, data)
                if not done:
                    writer.maybe_flush()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        for chunk, crashes in broken:
            if len(chunk) > 1:
                retry += [([item], 0) for item in chunk]
            elif crashes >= 1:
                writer.fail(chunk[0][0], "worker_crashed", "处理该文件时处理进程异常退出（两次），已跳过")
            else:
                retry.append((chunk, crashes + 1))
