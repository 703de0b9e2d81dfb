"""A readable summary of one report, in Chinese, for `gongkai parse`."""

from __future__ import annotations

from gongkai.formats import get_format, narrative_figures, sections
from gongkai.model import TABLE_KEYS, Number, Provenance, Report, TableData

_STRAY = {"extra_row": "格式中没有这一行", "unplaced": "无法对位", "ambiguous": "无法唯一拆分或数字多于列数"}
_BASIS = {"tables": "依据表格识别", "citation": "依据所引格式文件识别（表格缺失）",
          "year": "报告年度早于2019年，按旧格式", None: "未能识别"}


def where(p: Provenance) -> str:
    parts = []
    if p.page is not None:
        parts.append(f"第{p.page}页")
    if p.table is not None:
        parts.append(f"表{p.table}第{p.row}行第{p.col}列")
    elif p.line is not None:
        parts.append(f"第{p.line}行")
    return "".join(parts) or "位置未知"


def _fmt(v: object) -> str:
    return "空缺" if v is None else str(v)


def _sum(table: TableData, cells: tuple[tuple[str, str, str], ...]) -> Number | None:
    values = [table.value(row, col) for _, row, col in cells]
    return None if any(v is None for v in values) else sum(v for v in values if v is not None)


def summary_text(report: Report, recognised: bool = True) -> str:
    m = report.meta
    lines = [f"== {report.source.path}"]
    if not recognised:
        lines.append("  ！未识别为政府信息公开工作年度报告：没有找到标题、章节或表格。")
    lines.append(f"  标题：{_fmt(m.title)}")
    lines.append(f"  机关：{_fmt(m.organ)}　年度：{_fmt(m.year)}　发布日期：{_fmt(m.published)}")
    lines.append(f"  格式：{_fmt(m.format)}（{_BASIS.get(report.reading.format_basis, '')}）"
                 + ("　含繁体字" if report.reading.traditional else ""))
    present = [s.label.split("、", 1)[0] for s in sections() if report.sections.get(s.key)]
    absent = [s.label for s in sections() if s.key not in report.section_headings]
    lines.append(f"  章节：有内容 {'、'.join(present) or '无'}" + (f"；缺少 {'、'.join(absent)}" if absent else ""))
    fmt = get_format(m.format) if m.format in ("2019", "2021") else None
    for key in TABLE_KEYS:
        table = report.table(key)
        tdef = (fmt or get_format("2021")).table(key)
        name = f"表{tdef.number} {tdef.title}" if tdef else key
        if table is None:
            lines.append(f"  {name}：未找到" if m.format != "legacy" else f"  {name}：（旧格式无此表）")
            continue
        total = sum(len(c) for c in table.cells.values())
        missing = table.missing()
        line = f"  {name}：读出 {total - len(missing)}/{total} 格（格式 {table.format}）"
        short = next((s for s in table.strays if s.row is None and s.expected == total and len(s.raws) < total), None)
        if missing and short is not None and len(missing) == total:  # as completeness.cells_missing says it
            line += f"，印出 {len(short.raws)} 个数字、缺 {total - len(short.raws)} 格，无法确定各属哪一格"
        elif missing:
            line += f"，缺 {len(missing)} 格：" + "、".join(f"{r}.{c}" for r, c in missing[:6])
            line += "…" if len(missing) > 6 else ""
        lines.append(line)
        for s in table.strays:
            raws = " ".join(r.strip() or "（空）" for r in s.raws)  # a printed blank cell stays visible
            count = f"{len(s.raws)} 个" + (f"，应为 {s.expected} 个" if s.expected else "")
            label = f"{s.label} " if s.label else ""
            lines.append(f"    未能放入表格的数据（{_STRAY[s.kind]}，{count}）：{label}{raws}（{where(s.provenance)}）")
        key_figures = [f"{f.label} {_fmt(_sum(table, f.cells))}" for f in narrative_figures()
                       if f.cells and all(t == key for t, _, _ in f.cells)]
        if key_figures:  # the table's figures that reports also state in prose
            lines.append("    " + " · ".join(key_figures))
    if report.legacy is not None:
        with_value = sum(i.value is not None for i in report.legacy.indicators)
        lines.append(f"  统计表（旧格式）：{len(report.legacy.indicators)} 项指标，{with_value} 项有数值")
        h = report.legacy.harmonised
        lines.append("    " + " · ".join(f"{k} {_fmt(v)}" for k, v in h.items()))
    if report.narrative:
        figs = [f"{f.label} {report.narrative[f.key].value}（{where(report.narrative[f.key].provenance)}）"
                for f in narrative_figures() if f.key in report.narrative]
        lines.append("  文中数字：" + "；".join(figs))
    if report.reading.truncated:
        lines.append("  ！报告似乎被截断（缺少后续章节，表格未完）")
    return "\n".join(lines) + "\n"
