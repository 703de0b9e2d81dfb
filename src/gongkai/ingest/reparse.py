"""Re-extract every stored original with the current extractor, without reading the sources again.

Each report keeps its id, original and version history; its fields, cells and findings are
replaced in one transaction per batch. A report whose organ or year changes moves to its new
organ/year group and both groups are renumbered (the most recently stored stays current).
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from gongkai.bounded import Failed, Limits, Supervisor
from gongkai.ingest import Failure, _describe, _setup, _work_one
from gongkai.ingest.prepare import extractor_version, prepare
from gongkai.ingest.resolve import set_overrides
from gongkai.store import Prepared, Store


@dataclass
class ReparseSummary:
    run_id: str
    extractor_version: str
    seen: int = 0
    updated: int = 0
    moved: int = 0
    failed: list[Failure] = field(default_factory=list)
    seconds: float = 0.0

    def text(self) -> str:
        lines = [f"重新提取 {self.seen} 份原件（提取器版本 {self.extractor_version}）：更新 {self.updated}，"
                 f"其中机关或年度改变 {self.moved}，失败 {len(self.failed)}（保留原提取结果）。"
                 f"用时 {self.seconds:.1f} 秒。"]
        lines += [f"  - {f.path}：{f.message}（{f.reason}）" for f in self.failed[:50]]
        return "\n".join(lines)

    def to_json(self) -> dict:
        return {"run_id": self.run_id, "extractor_version": self.extractor_version, "seen": self.seen,
                "updated": self.updated, "moved": self.moved, "failed": [f.__dict__ for f in self.failed],
                "seconds": round(self.seconds, 3)}


def _bounded(items: list[tuple[str | None, bytes, str]], workers: int, overrides: str | None,
             limits: Limits) -> list[Prepared]:
    """Prepare a batch in bounded workers; a file over its limits, or that kills its worker, comes back failed."""
    sup: Supervisor[tuple[str | None, bytes], Prepared] = Supervisor(
        _work_one, workers=workers, limits=limits, describe=_describe, setup=_setup, setup_args=(overrides,),
        chunk_files=max(1, len(items) // (workers * 4)))
    out: list[Prepared | None] = [None] * len(items)
    for index, result in sup.run([(path, data) for path, data, _sha in items]):
        if isinstance(result, Failed):
            path, data, sha = items[index]
            result = Prepared(sha, path, len(data), "application/octet-stream", ok=False, reason=result.code,
                              message=result.message)
        out[index] = result
    return [p for p in out if p is not None]


def write_reparsed(store: Store, summary: ReparseSummary, results: list[Prepared]) -> None:
    """One transaction for a batch of re-extractions: each reading replaced, the organ-year groups whose readings
    changed settled again, the log written (shared by the local and the cluster runs)."""
    if not results:
        return
    log: list[dict[str, Any]] = []
    groups: set[tuple[str, int]] = set()  # organ-year groups whose readings changed, and those moved
    moved_groups: set[tuple[str, int]] = set()
    with store.writing() as conn:
        for p in results:
            summary.seen += 1
            if not p.ok:
                summary.failed.append(Failure(p.path, p.reason or "failed", p.message or ""))
                log.append({"path": p.path, "sha256": p.sha256, "status": "failed", "reason": p.reason,
                            "message": p.message})
                continue
            report_id, moved, touched = store.replace_extraction(conn, p)
            (moved_groups if moved else groups).update(touched)
            if report_id is not None:
                summary.updated += 1
                summary.moved += moved
                log.append({"path": p.path, "sha256": p.sha256, "status": "reparsed", "report_id": report_id})
        store.settle_groups(conn, groups, moved_groups)
        store.log(conn, summary.run_id, log)


def reparse(store: Store, *, workers: int | None = None, overrides: str | None = None, outdated_only: bool = False,
            batch_size: int = 100, advance: Callable[[int], None] | None = None,
            limits: Limits | None = None) -> ReparseSummary:
    version = extractor_version()
    summary = ReparseSummary(uuid.uuid4().hex[:12], version)
    started = time.monotonic()
    workers = (os.cpu_count() or 1) if workers is None else workers
    limits = limits or Limits()
    if workers <= 0:
        set_overrides(overrides)
    for batch in store.iter_originals(batch_size, only_outdated=version if outdated_only else None):
        if workers <= 0:
            results = [prepare(data, path) for _sha, path, data in batch]
        else:
            results = _bounded([(path, data, sha) for sha, path, data in batch], workers, overrides, limits)
        write_reparsed(store, summary, results)
        if advance is not None:
            advance(len(batch))
    summary.seconds = time.monotonic() - started
    return summary
