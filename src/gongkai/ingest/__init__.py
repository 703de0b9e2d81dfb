"""Ingest: files → read, extract, check, resolve (in worker processes) → the store (a writing thread of
this process).

Each file is stored in a batch transaction together with its original, cells, findings and log entry,
so a killed process leaves only whole reports, and the next run skips every file whose content
(SHA-256) is already stored: this process reads and hashes every file, and hands only new content to
the workers. A failing file is logged and never stops the batch: each file is read in a worker under
a time and a memory limit (`gongkai.bounded`), only regular files up to a size limit are read, and a
file that hangs, balloons or kills its worker is failed with its reason. What comes back from a worker is
plain rows (`Prepared`), never the report objects, so little is pickled between processes.
"""

from __future__ import annotations

import hashlib
import os
import queue
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from gongkai.bounded import MEMORY, Failed, Limits, Refused, Supervisor, display_path, read_regular
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
    other_originals: int = 0  # stored readings of a report stored already in another medium (same version)
    duplicates: int = 0
    failed: list[Failure] = field(default_factory=list)
    seconds: float = 0.0
    report_ids: list[int] = field(default_factory=list)
    revisions: list[int] = field(default_factory=list)  # report ids of new versions (figures that differ)
    shas: dict[str, str] = field(default_factory=dict)  # path → SHA-256 of every file stored or duplicate

    @property
    def rate(self) -> float:
        return self.read / self.seconds if self.seconds else 0.0

    def to_json(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "read": self.read, "stored": self.stored, "new_versions": self.new_versions,
                "other_originals": self.other_originals,
                "duplicates": self.duplicates, "failed": [f.__dict__ for f in self.failed],
                "seconds": round(self.seconds, 3), "reports_per_second": round(self.rate, 1)}

    def text(self) -> str:
        also = f"，已入库报告的其他格式原件 {self.other_originals}" if self.other_originals else ""
        lines = [f"读取 {self.read} 个文件：入库 {self.stored}（其中新版本 {self.new_versions}{also}），"
                 f"重复 {self.duplicates}，失败 {len(self.failed)}。"
                 f"用时 {self.seconds:.1f} 秒（{self.rate:.0f} 份/秒）。"]
        if self.failed:
            lines.append("失败原因：")
            by_reason: dict[str, int] = {}
            for f in self.failed:
                by_reason[f.reason] = by_reason.get(f.reason, 0) + 1
            lines += [f"  {reason}：{n} 个" for reason, n in sorted(by_reason.items(), key=lambda kv: -kv[1])]
            lines += [f"  - {f.path}：{f.message}（{f.reason}）" for f in self.failed]
            lines.append("可用 gongkai ingest --retry-failed 重试失败的文件。")
        return "\n".join(lines)


# --- worker side --------------------------------------------------------------------------------

def _init_worker(overrides: str | None) -> None:
    set_overrides(overrides)
    extractor_version()


def _setup(overrides: str | None) -> None:
    """Run in this process before workers fork (they inherit it), else in each worker."""
    set_overrides(overrides)
    warm_up()


def _work(chunk: list[tuple[str | None, bytes]]) -> list[Prepared]:
    return [prepare(data, path) for path, data in chunk]


def _work_one(item: tuple[str | None, bytes]) -> Prepared:
    return prepare(item[1], item[0])


def _describe(item: tuple[str | None, bytes]) -> tuple[str | None, int, bytes]:
    return item[0], len(item[1]), item[1][:8]


# --- parent side --------------------------------------------------------------------------------

Progress = Callable[[int], None]


def _read_files(paths: Iterable[str], max_size: int) -> Iterator[tuple[str, bytes | None, Refused | None]]:
    """(path, bytes, None) of each regular file within the size limit, else (path, None, why)."""
    for path in paths:
        try:
            yield path, read_regular(path, max_size), None
        except Refused as exc:
            yield path, None, exc

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
                    if s.status == "new_version" and s.report_id is not None:
                        self.summary.new_versions += 1
                        self.summary.revisions.append(s.report_id)
                    self.summary.other_originals += s.status == "same_report"
                    if s.report_id is not None:
                        self.summary.report_ids.append(s.report_id)
        self.advance(pending)


def ingest(store: Store, paths: Iterable[str], *, workers: int | None = None, overrides: str | None = None,
           batch_size: int = 100, chunk_size: int = 8, on_total: Callable[[int], None] | None = None,
           advance: Progress | None = None, limits: Limits | None = None,
           problems: Iterable[tuple[str, str, str]] = ()) -> Summary:
    """Ingest files into `store` under `limits` (see `gongkai.bounded`). `workers=0` runs everything in
    this process: only the file checks (regular file, size) apply then, not the time and memory limits.
    `problems`: (path, code, message) found while listing the inputs (a directory that cannot be read),
    recorded as failures."""
    limits = limits or Limits()
    files = list(paths)
    if on_total is not None:
        on_total(len(files))
    summary = Summary(run_id=uuid.uuid4().hex[:12], read=len(files))
    started = time.monotonic()
    writer = _Writer(store, summary, batch_size, advance or (lambda n: None))
    known = store.known_shas()
    workers = (os.cpu_count() or 1) if workers is None else workers
    shas: dict[str, str] = {}  # shown path → SHA-256 of files handed to the workers, until they come back

    def accepted() -> Iterator[tuple[str, bytes]]:
        """Files to process, by the path shown and stored: refused and already-stored ones are settled here."""
        for path, data, refused in _read_files(files, limits.max_size):
            shown = display_path(path)
            if data is None:
                assert refused is not None
                writer.fail(shown, refused.code, refused.message)
                continue
            sha = hashlib.sha256(data).hexdigest()
            if sha in known:
                writer.duplicate(shown, sha)
                continue
            known.add(sha)
            shas[shown] = sha
            yield shown, data

    try:
        for where, code, message in problems:
            writer.fail(display_path(where), code, message)
        if workers <= 0:
            set_overrides(overrides)
            for path, data in accepted():
                try:
                    writer.add(prepare(data, path), data)
                except MemoryError:
                    writer.fail(path, MEMORY, "处理时内存不足，已跳过", shas.get(path))
        else:
            _run_bounded(accepted(), writer, workers, overrides, chunk_size, limits, shas)
    except BaseException:
        writer.stop()  # what was handed to it is written whole; the rest is not
        raise
    writer.close()
    summary.seconds = time.monotonic() - started
    return summary


def _run_bounded(items: Iterator[tuple[str, bytes]], writer: _Writer, workers: int, overrides: str | None,
                 chunk_size: int, limits: Limits, shas: dict[str, str]) -> None:
    """Hand the files to bounded workers (`gongkai.bounded.Supervisor`): a file that runs over its
    time or memory, or takes its worker down twice, is failed with its reason; the others go on."""
    inflight: dict[int, tuple[str, bytes]] = {}

    def tracked() -> Iterator[tuple[str, bytes]]:
        for n, item in enumerate(items):
            inflight[n] = item
            yield item

    sup: Supervisor[tuple[str, bytes], Prepared] = Supervisor(
        _work_one, workers=workers, limits=limits, describe=_describe, setup=_setup, setup_args=(overrides,),
        chunk_files=chunk_size)
    for index, result in sup.run(tracked(), idle=writer.maybe_flush):
        path, data = inflight.pop(index)
        sha = shas.pop(path, None)
        if isinstance(result, Failed):
            writer.fail(path, result.code, result.message, sha)
        else:
            writer.add(result, data)
