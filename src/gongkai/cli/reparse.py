"""`gongkai reparse`: re-extract every stored original with the current extractor."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer

from gongkai.cli import app
from gongkai.cli.ingest import ClusterOption
from gongkai.cli.jobs import (
    DEFAULT_MEMORY_TEXT,
    DEFAULT_TIMEOUT,
    MaxMemoryOption,
    TimeoutOption,
    limits_from,
    progress_bar,
)
from gongkai.cli.store_common import WORKERS_HELP, DbOption, OrgansOption, store_or_exit

if TYPE_CHECKING:
    from gongkai.bounded import Limits
    from gongkai.ingest.reparse import ReparseSummary
    from gongkai.store import Store


def _on_cluster(store: Store, cluster: str, organs: str | None, outdated: bool, limits: Limits,
                advance: Callable[[int], None]) -> ReparseSummary:
    """Reparse through the Dask cluster; a cluster that cannot be reached exits 2."""
    from gongkai.ingest.cluster import ClusterError, reparse_cluster

    try:
        return reparse_cluster(store, cluster=cluster, overrides=organs, outdated_only=outdated, limits=limits,
                               advance=advance)
    except ClusterError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        raise typer.Exit(2) from None


@app.command()
def reparse(
    db: DbOption = None,
    organs: OrgansOption = None,
    outdated: Annotated[bool, typer.Option("--outdated", help="只处理由旧版本提取器提取的报告")] = False,
    workers: Annotated[int | None, typer.Option("--workers", "-j", help=WORKERS_HELP)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出汇总")] = False,
    timeout: TimeoutOption = DEFAULT_TIMEOUT,
    max_memory: MaxMemoryOption = DEFAULT_MEMORY_TEXT,
    missing_ok: Annotated[bool, typer.Option(
        "--missing-ok", help="数据库还不存在时视为没有需要重新提取的报告（供脚本在首次入库前调用）")] = False,
    cluster: ClusterOption = None,
) -> None:
    """用当前的提取器重新提取库中存档的全部原件（不再读取原始文件），更新报告、单元格与核查结果。

    给出 --cluster（或 GONGKAI_CLUSTER）时在 Dask 集群上提取：原件由本进程发给
    工作进程（无需访问数据库），结果仍由本进程分批写入（见 docs/cluster.md）。
    """
    from gongkai.ingest.reparse import reparse as run_reparse
    from gongkai.store import StoreError

    limits = limits_from(timeout, max_memory, "0")
    try:
        store = store_or_exit(db, create=False)
    except StoreError as exc:
        if not (missing_ok and exc.code == "store_missing"):
            raise
        print("数据库还不存在，没有需要重新提取的报告。")
        raise typer.Exit(0) from None
    with store, progress_bar("重新提取") as bar:
        task = bar.add_task("reparse", total=store.counts().get("originals"))
        if cluster:
            summary = _on_cluster(store, cluster, organs, outdated, limits, lambda n: bar.advance(task, n))
        else:
            summary = run_reparse(store, workers=workers, overrides=organs, outdated_only=outdated, limits=limits,
                                  advance=lambda n: bar.advance(task, n))
    print(json.dumps(summary.to_json(), ensure_ascii=False) if as_json else summary.text())
    raise typer.Exit(1 if summary.failed else 0)
