"""`gongkai versions`: the versions of a stored report, their originals, and what a revision changed."""

from __future__ import annotations

import json
import sys
from pathlib import PurePath
from typing import TYPE_CHECKING, Annotated, Any

import typer

from gongkai.cli import app
from gongkai.cli.store_common import DbOption, store_or_exit

if TYPE_CHECKING:
    from gongkai.store.history import History

_MEDIA = {"text/plain": "文本", "text/html": "网页", "application/pdf": "PDF",
          "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word",
          "application/msword": "Word", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel"}
_SHOWN_CHANGES = 20  # a revision's changed figures listed; the rest counted


def _medium(media_type: str | None) -> str:
    if media_type and media_type.startswith("image/"):
        return "图片"
    return _MEDIA.get(media_type or "", media_type or "未知")


def _figure(v: float | None) -> str:
    if v is None:
        return "（未读出）"
    return str(int(v)) if float(v).is_integer() else str(v)


def history_text(h: History) -> list[str]:
    from gongkai.check.labels import cell_label

    n_orig = sum(len(v.readings) for v in h.versions)
    out = [f"{h.organ or '（未识别机关）'} {h.year or '未识别'} 年度：{len(h.versions)} 个版本，{n_orig} 个原件。"]
    for v in h.versions:
        current = any(r.is_current for r in v.readings)
        out.append(f"第 {v.number} 版{'（当前版本）' if current else ''}"
                   + (f"，{len(v.readings)} 个原件，统计与导出采用标 * 者：" if len(v.readings) > 1 else "："))
        for r in v.readings:
            name = PurePath(r.path).name if r.path else r.sha256[:16]
            out.append(f"  {'*' if r.is_best else ' '} 报告 #{r.report_id} {_medium(r.media_type)} {name}：读出 "
                       f"{r.cells_read} 格，错误 {r.n_errors}，警告 {r.n_warnings}")
        if v.number > 1:
            if not v.changes:
                out.append(f"  与第 {v.number - 1} 版相比：读出的数字相同。")
            else:
                out.append(f"  与第 {v.number - 1} 版相比 {len(v.changes)} 格不同：")
                fmt = v.best.format or "2021"
                for ch in v.changes[:_SHOWN_CHANGES]:
                    label = cell_label(fmt if fmt in ("2021", "2019") else "2021", ch.table, ch.row, ch.column)
                    out.append(f"    {label}：{_figure(ch.before)} → {_figure(ch.after)}")
                if len(v.changes) > _SHOWN_CHANGES:
                    out.append(f"    ……另有 {len(v.changes) - _SHOWN_CHANGES} 格（--json 列出全部）")
    return out


def history_json(h: History) -> dict[str, Any]:
    return {"organ": h.organ, "year": h.year, "versions": [
        {"version": v.number, "current": any(r.is_current for r in v.readings),
         "originals": [{"report_id": r.report_id, "sha256": r.sha256, "path": r.path, "media_type": r.media_type,
                        "cells_read": r.cells_read, "errors": r.n_errors, "warnings": r.n_warnings,
                        "best": r.is_best, "stored_at": r.stored_at.isoformat()} for r in v.readings],
         "changes": [{"table_key": c.table, "row_key": c.row, "column_key": c.column, "before": c.before,
                      "after": c.after} for c in v.changes]} for v in h.versions]}


@app.command()
def versions(
    ref: Annotated[str, typer.Argument(help="报告编号（库内），或原件 SHA-256（至少前 8 位）")],
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出")] = False,
) -> None:
    """列出一份报告（同一机关、同一年度）的各个版本、每个版本的原件（网页、Word、PDF 等），以及修订改动的数字。"""
    from gongkai.export.original import OriginalNotFound, report_id_of
    from gongkai.store.history import history

    store = store_or_exit(db, create=False)
    with store:
        try:
            h = history(store, report_id_of(store, ref))
        except OriginalNotFound:
            h = None
    if h is None:
        print(f"库中没有找到报告：{ref}", file=sys.stderr)
        raise typer.Exit(1)
    if as_json:
        print(json.dumps(history_json(h), ensure_ascii=False, indent=2))
    else:
        print("\n".join(history_text(h)))
