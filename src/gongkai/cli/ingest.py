"""`gongkai ingest`: read, extract, check and store reports (worker processes, progress bar, summary)."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from gongkai.cli import app
from gongkai.cli.jobs import (
    DEFAULT_MEMORY_TEXT,
    DEFAULT_SIZE_TEXT,
    DEFAULT_TIMEOUT,
    MaxMemoryOption,
    MaxSizeOption,
    TimeoutOption,
    limits_from,
)
from gongkai.cli.store_common import WORKERS_HELP, DbOption, OrgansOption, store_or_exit
from gongkai.labels import kind_words

if TYPE_CHECKING:
    from gongkai.bounded import Limits
    from gongkai.ingest import Summary
    from gongkai.store import Store

ClusterOption = Annotated[
    str | None,
    typer.Option("--cluster", envvar="GONGKAI_CLUSTER", show_envvar=True,
                 help="Dask 调度器地址（如 tcp://主机:8786）：在该集群上处理"),
]

_SEVERITY = {"error": "错误", "warning": "警告", "info": "提示"}
_KIND = kind_words()


def findings_text(store: Store, shas: list[str]) -> str:
    """The stored findings of these originals' reports, one block per report."""
    out = []
    for rep, fs in store.findings_of(shas):
        state = ("当前版本" if rep.is_current else "已被新版本取代" if rep.is_best
                 else "同一版本的另一原件，统计采用本版读取最好的原件")
        place = " ".join(x for x in (rep.province, rep.city, rep.county) if x) or "未定位"
        out.append(f"\n== {rep.organ or '（未识别机关）'} {rep.year or '?'} 年度（报告 #{rep.id}，第 {rep.version} 版，"
                   f"{state}；{rep.path}）")
        kind = _KIND.get(rep.organ_kind or "", rep.organ_kind)
        parent = f"，上级：{rep.parent}" if rep.parent else ""
        out.append(f"  机关：{kind}，{place}（{rep.region_code or '无代码'}）{parent}")
        if not fs:
            out.append("  核查通过，未发现问题。")
        for f in fs:
            where = f" 第{f.line}行" if f.line is not None else ""
            out.append(f"  [{_SEVERITY.get(f.severity, f.severity)}] {f.code}{where}：{f.message}")
    return "\n".join(out).lstrip("\n")


_SHOWN_REVISIONS = 10


def revisions_text(store: Store, report_ids: list[int]) -> str:
    """What each new version changed against the version before it (the first few; the rest counted)."""
    from gongkai.store.history import history

    out = ["新版本（与同一机关同一年度已入库的报告数字不同）："]
    for rid in report_ids[:_SHOWN_REVISIONS]:
        h = history(store, rid)
        v = next((v for v in h.versions if any(r.report_id == rid for r in v.readings)), None) if h else None
        if h is None or v is None:
            continue
        out.append(f"  {h.organ or '（未识别机关）'} {h.year} 年度第 {v.number} 版：与第 {v.number - 1} 版相比 "
                   f"{len(v.changes)} 格不同（gongkai versions {rid} 查看）")
    if len(report_ids) > _SHOWN_REVISIONS:
        out.append(f"  ……另有 {len(report_ids) - _SHOWN_REVISIONS} 份")
    return "\n".join(out)


def _is_the_store(path: str, url: str) -> bool:
    """The store's own files (an embedded store kept in the folder being ingested, with its -wal/-shm/-journal):
    not reports, never read as inputs."""
    if not url.startswith("sqlite:///"):
        return False
    import os

    own = os.path.realpath(url.removeprefix("sqlite:///"))
    return any(os.path.realpath(path) == own + suffix for suffix in ("", "-wal", "-shm", "-journal"))


def cluster_rate(done: int, failed: int, started: float) -> str:
    """The bar's text for a cluster run: files done, failed, reports per second."""
    import time

    rate = done / max(time.monotonic() - started, 1e-9)
    return f"完成 {done}，失败 {failed}，{rate:.1f} 份/秒"


def _on_cluster(store: Store, inputs: list[str], cluster: str, organs: str | None, batch: int, limits: Limits,
                problems: list[tuple[str, str, str]], bar: Any, task: Any) -> Summary:
    """Ingest through the Dask cluster, with its progress on the bar; a cluster that cannot be reached exits 2."""
    import time

    from gongkai.ingest.cluster import ClusterError, ingest_cluster

    started = time.monotonic()
    try:
        return ingest_cluster(store, inputs, cluster=cluster, overrides=organs, batch_size=batch, limits=limits,
                              problems=problems, on_total=lambda n: bar.update(task, total=n),
                              advance=lambda n: bar.advance(task, n),
                              on_progress=lambda d, f: bar.update(task, rate=cluster_rate(d, f, started)))
    except ClusterError as exc:
        bar.stop()
        print(f"错误：{exc}", file=sys.stderr)
        raise typer.Exit(2) from None


@app.command()
def ingest(
    paths: Annotated[list[str] | None, typer.Argument(help="文件、目录、通配符或 @列表文件")] = None,
    db: DbOption = None,
    organs: OrgansOption = None,
    workers: Annotated[int | None, typer.Option("--workers", "-j", help=WORKERS_HELP)] = None,
    batch: Annotated[int, typer.Option("--batch", help="每个事务写入的文件数")] = 100,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="显示进度条")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出汇总")] = False,
    show_findings: Annotated[bool, typer.Option("--findings", help="汇总后列出这些文件在库中的核查结果")] = False,
    retry_failed: Annotated[bool, typer.Option("--retry-failed", help="重试此前失败且至今未入库的文件")] = False,
    timeout: TimeoutOption = DEFAULT_TIMEOUT,
    max_memory: MaxMemoryOption = DEFAULT_MEMORY_TEXT,
    max_size: MaxSizeOption = DEFAULT_SIZE_TEXT,
    cluster: ClusterOption = None,
) -> None:
    """读取、提取、核查并入库年度报告；原件按 SHA-256 存档，重复内容只存一次。

    每个文件在处理进程中读取，有处理时限、内存与大小上限（见 docs/limits.md）；超过限制或使处理进程
    异常退出的文件记为失败（附原因），其余文件照常入库。
    退出码：0 全部入库或重复；1 有文件失败（原因见汇总，可用 --retry-failed 重试）；2 参数有误；
    3–7 数据库故障（见 docs/store.md）。

    给出 --cluster（GONGKAI_CLUSTER）时在 Dask 集群上处理（docs/cluster.md）；
    输入也可以是 fsspec 地址或前缀（如 s3://桶/目录/），由集群工作进程读取。
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from gongkai.bounded import expand
    from gongkai.ingest import ingest as run_ingest
    from gongkai.ingest.cluster import is_url

    limits = limits_from(timeout, max_memory, max_size)
    if not paths and not retry_failed:
        raise typer.BadParameter("请给出要入库的文件或目录，或使用 --retry-failed", param_hint="PATHS")
    store = store_or_exit(db)
    inputs = list(paths or [])
    if retry_failed:
        from gongkai.ingest.failures import paths_to_retry

        inputs += paths_to_retry(store)
        if not inputs:
            print("没有需要重试的失败文件。", file=sys.stderr)
            raise typer.Exit(0)
    problems: list[tuple[str, str, str]] = []
    urls = [p for p in inputs if cluster and is_url(p)]  # listed by the cluster path itself (fsspec)
    files = [f for f in expand([p for p in inputs if p not in urls], problems) if not _is_the_store(f, store.url)]
    console = Console(stderr=True)
    show = progress and console.is_terminal
    bar = Progress(TextColumn("入库"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[rate]}"),
                   TimeRemainingColumn(), console=console, disable=not show)
    with store, bar:
        task = bar.add_task("ingest", total=None, rate="")

        def on_total(n: int) -> None:
            bar.update(task, total=n)

        def advance(n: int) -> None:
            bar.advance(task, n)

        if cluster:
            summary = _on_cluster(store, files + urls, cluster, organs, batch, limits, problems, bar, task)
        else:
            summary = run_ingest(store, files, workers=workers, overrides=organs, batch_size=batch,
                                 on_total=on_total, advance=advance, limits=limits, problems=problems)
    if as_json:
        print(json.dumps(summary.to_json(), ensure_ascii=False))
    else:
        print(summary.text())
        if summary.revisions:
            print(revisions_text(store, summary.revisions))
        print(f"数据库：{store.display_url()}", file=sys.stderr)
        if show_findings:
            print(findings_text(store, list(dict.fromkeys(summary.shas.values()))))
    raise typer.Exit(1 if summary.failed else 0)
