"""`gongkai stats` as readable Chinese text."""

from __future__ import annotations

import io
import shutil
import unicodedata
from functools import cache
from typing import Any

from gongkai.formats import get_format
from gongkai.stats.indicators import INDICATORS

_FORMATS = ("2021", "2019")
_BY = {"province": "省", "city": "市", "county": "县（区、市）", "organ": "机关", "kind": "机关类型"}


@cache
def _labels(formats: tuple[str, ...] = _FORMATS) -> dict[str, tuple[list[str], dict[str, str], dict[str, str], str]]:
    """table → (row order, row labels, column labels, title) merged over `formats`."""
    out: dict[str, tuple[list[str], dict[str, str], dict[str, str], str]] = {}
    for fid in formats:
        for t in get_format(fid).tables:
            rows, rl, cl, _ = out.setdefault(t.key, ([], {}, {}, f"表{t.number} {t.title}"))
            for r in t.rows:
                if r.key not in rl:
                    rows.append(r.key)
                    rl[r.key] = r.label
            for c in t.columns:
                cl.setdefault(c.key, c.label)
    return out


def _fmt(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, float) and not v.is_integer():
        return f"{v:,.2f}"
    return f"{int(v):,}"


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v * 100:.1f}%"


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _ljust(s: str, n: int) -> str:
    return s + " " * max(0, n - _width(s))


def _rjust(s: str, n: int) -> str:
    return " " * max(0, n - _width(s)) + s


def _cut(s: str, n: int) -> str:
    out = ""
    for ch in s:
        if _width(out + ch) > n:
            break
        out += ch
    return out


def _table(totals: dict[str, Any], key: str, fmt: str | None = None, width: int = 80) -> list[str]:
    """A consolidated table as text laid out by Rich to `width` columns (labels wrap, figures right-aligned)."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    rows, rl, cl, title = _labels((fmt,) if fmt else _FORMATS)[key]
    if fmt:
        title += f"（{fmt} 格式）"
    present = [(r, c) for r in rows for c in cl if f"{key}.{r}.{c}" in totals]
    if not present:
        return []
    cols = [c for c in cl if any(pc == c for _, pc in present)]
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=True)
    table.add_column("", ratio=1, overflow="fold")  # the row labels take what the figures leave
    shown = [(r, [_fmt(totals.get(f"{key}.{r}.{c}")) for c in cols]) for r in rows
             if any(totals.get(f"{key}.{r}.{c}") is not None for c in cols)]
    for k, c in enumerate(cols):  # as wide as the widest figure (at least three characters of the header)
        table.add_column(cl[c], justify="right", overflow="fold",
                         width=max(6, *(len(vals[k]) for _, vals in shown)))
    for r, vals in shown:
        table.add_row(rl[r], *vals)
    console = Console(width=width - 4, file=io.StringIO(), color_system=None, highlight=False, soft_wrap=False)
    console.print(table)
    body = console.file.getvalue().splitlines()  # type: ignore[attr-defined]
    return [f"  {title}（合计）", *("    " + line.rstrip() for line in body if line.strip())]


def _legacy(totals: dict[str, Any]) -> list[str]:
    vals = {k.split(".")[1]: v for k, v in totals.items() if k.startswith("legacy.")}
    if not vals:
        return []
    return ["  旧格式统计表（协调指标合计）：" + "；".join(f"{k} {_fmt(v)}" for k, v in vals.items())]


_REASON = {"cells_missing": "缺少所需的格", "zero_denominator": "分母为0"}


def _coverage(cov: dict[str, Any], shown: int = 5) -> list[str]:
    """Which reports each table's totals cover, and those left out because a cell was not read."""
    lines = []
    for table, c in cov.items():
        if not c["excluded"]:
            continue
        names = "；".join(f"{e['organ'] or '（未识别机关）'}（缺{e['missing_cells']}格）"
                         for e in c["excluded"][:shown])
        more = f" 等 {len(c['excluded'])} 份" if len(c["excluded"]) > shown else ""
        number = get_format("2021").table(table).number  # type: ignore[union-attr]
        lines.append(f"  表{number}合计计入 {c['included']} 份；未计入（表格缺格）：{names}{more}")
    return lines


def render(result: dict[str, Any], *, full_tables: bool = True, width: int | None = None) -> str:
    """The result as Chinese text; tables fit `width` columns (default: the terminal's, at least 80)."""
    width = width or max(80, shutil.get_terminal_size((80, 24)).columns)
    unknown = result.get("without_organ", 0)
    out = [f"统计范围：{result['selection_text']}；共 {result['reports']} 份报告，{result['organs']} 个机关"
           + (f"（另有 {unknown} 份报告未识别机关，各自单列）" if unknown else "") + "。",
           result["consolidation_rule"], ""]
    defs = {i.key: i for i in INDICATORS}
    for year, e in result["years"].items():
        fmts = "，".join(f"{'未识别格式' if k == 'unknown' else k + ' 格式'} {v} 份" for k, v in e["formats"].items())
        out.append(f"== {'未识别年度' if year == 'unknown' else year + ' 年度'}：报告 {e['reports']} 份"
                   f"（{e['organs']} 个机关，含表格 {e['with_tables']} 份；{fmts}）")
        out += _coverage(e.get("coverage", {}))
        if full_tables:
            for key in ("requests", "review_litigation"):
                out += _table(e["totals"], key, width=width)
            for fid, totals in e["totals_by_format"].items():  # table 2 differs between formats
                if fid in _FORMATS:
                    out += _table(totals, "proactive", fid, width=width)
            out += _legacy(e["totals"])
        out.append("  派生指标：合计值 ｜ 各机关分布 P25 / P50 / P75（机关数）｜ 未计入的报告")
        for k, v in e["indicators"].items():
            d = e["distribution"][k]
            left = e.get("indicator_coverage", {}).get(k, {}).get("left_out", {})
            why = "，".join(f"{_REASON[r]} {n} 份" for r, n in left.items() if n) or "无"
            out.append(f"    {defs[k].label}：{_pct(v)} ｜ {_pct(d['p25'])} / {_pct(d['p50'])} / {_pct(d['p75'])}"
                       f"（{d['n']}）｜ {why}")
        if e.get("groups"):
            out.append(f"  按{_BY.get(result['by'] or '', result['by'])}汇总：")
            for name, g in e["groups"].items():
                f = g["figures"]
                out.append(f"    {name}：报告 {g['reports']} 份；新收 {_fmt(f.get('requests.new_received.total'))}，"
                           f"办结 {_fmt(f.get('requests.total_processed.total'))}，"
                           f"公开率 {_pct(g['indicators']['disclosure_rate'])}，"
                           f"行政复议 {_fmt(f.get('review_litigation.review.total'))}")
        out.append("")
    out.append("指标定义：")
    out += [f"  {i.label}（{i.key}）= {i.definition}" for i in INDICATORS]
    out.append("")
    if result["yoy"]:
        out.append("同比变化：")
        for y in result["yoy"]:
            mc = y.get("matched_complete", {})
            out.append(f"  {y['year']} 年 对比 {y['previous_year']} 年（只比较两年都有报告的同一批机关 "
                       f"{y.get('matched_organs', 0)} 个，其中表3两年都完整的 {mc.get('requests', 0)} 个、"
                       f"表4两年都完整的 {mc.get('review_litigation', 0)} 个；"
                       f"报告 {y['reports']} 份 对比 {y['previous_reports']} 份）：")
            for k, c in y["changes"].items():
                if k in defs:
                    out.append(f"    {defs[k].label}：{_pct(c['previous'])} → {_pct(c['current'])}"
                               f"（{c['change'] * 100:+.1f} 个百分点）")
                else:
                    pct = "" if c["change_pct"] is None else f"，{c['change_pct'] * 100:+.1f}%"
                    out.append(f"    {k}：{_fmt(c['previous'])} → {_fmt(c['current'])}（{c['change']:+}{pct}）")
        out.append("")
    out.append(f"核查未通过比例（共 {result['reports']} 份报告）：")
    if not result["checks"]:
        out.append("  无")
    for c in result["checks"]:
        out.append(f"  {c['code']}（{c['severity'] or '?'}，{c['title']}）：{c['reports']} 份，{_pct(c['share'])}")
    cont = result["continuity"]
    out += ["", f"跨年度衔接核查：{cont['pairs']} 组相邻年度报告，{cont['failing_pairs']} 组不一致。"]
    for f in cont["findings"][:30]:
        out.append(f"  {f['organ']} {f['previous_year']}→{f['year']}：{f['message']}（{f['code']}）")
    if len(cont["findings"]) > 30:
        out.append(f"  …… 另有 {len(cont['findings']) - 30} 条")
    rk = result["ranking"]
    out += ["", f"公开率排名（{rk['year']} 年度；只计办结申请不少于 {rk['min_requests']} 件的机关，"
                f"共 {rk['eligible']} 个）："]
    for title, key in (("最高", "highest"), ("最低", "lowest")):
        if rk[key]:
            out.append(f"  {title}：" + "；".join(
                f"{e['organ']} {_pct(e['disclosure_rate'])}（{_fmt(e['processed'])} 件）"
                                               for e in rk[key]))
    return "\n".join(w for line in out for w in _wrap(line, width)).rstrip() + "\n"


def _wrap(line: str, width: int) -> list[str]:
    """A line cut to `width` display columns (a CJK character is two); continuations indented under it."""
    if _width(line) <= width:
        return [line]
    indent = " " * (len(line) - len(line.lstrip()) + 2)
    out, cur = [], ""
    for ch in line:
        if _width(cur + ch) > width:
            out.append(cur.rstrip())
            cur = indent
        cur += ch
    return [*out, cur.rstrip()] if cur.strip() else out
