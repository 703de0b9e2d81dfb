"""How many reports fail each rule, overall and by report year and format (`gongkai check --summary`)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from gongkai.check.model import Finding, RuleDef

UNKNOWN = "未知"


@dataclass
class Summary:
    reports: int = 0
    unreadable: int = 0
    totals: Counter[str] = field(default_factory=Counter)
    failing: Counter[str] = field(default_factory=Counter)
    by_year: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    by_format: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    year_totals: Counter[str] = field(default_factory=Counter)
    format_totals: Counter[str] = field(default_factory=Counter)

    def add(self, year: int | None, format_id: str | None, findings: list[Finding]) -> None:
        y, f = str(year) if year is not None else UNKNOWN, format_id or UNKNOWN
        self.reports += 1
        self.year_totals[y] += 1
        self.format_totals[f] += 1
        codes = dict.fromkeys(x.code for x in findings)  # in the order found: ties list the same way every run
        self.totals.update(x.code for x in findings)
        for code in codes:
            self.failing[code] += 1
            self.by_year[y][code] += 1
            self.by_format[f][code] += 1

    def to_json(self) -> dict[str, Any]:
        def share(n: int, d: int) -> float:
            return round(n / d, 4) if d else 0.0

        return {
            "reports": self.reports,
            "unreadable": self.unreadable,
            "rules": {c: {"reports": n, "share": share(n, self.reports), "findings": self.totals[c]}
                      for c, n in self.failing.most_common()},
            "by_year": {y: {"reports": self.year_totals[y],
                            "rules": {c: {"reports": n, "share": share(n, self.year_totals[y])}
                                      for c, n in self.by_year[y].most_common()}}
                        for y in sorted(self.year_totals)},
            "by_format": {f: {"reports": self.format_totals[f],
                              "rules": {c: {"reports": n, "share": share(n, self.format_totals[f])}
                                        for c, n in self.by_format[f].most_common()}}
                          for f in sorted(self.format_totals)},
        }

    def to_text(self, rules: dict[str, RuleDef]) -> str:
        sev = {"error": "错误", "warning": "警告", "info": "提示"}
        out = [f"共核查 {self.reports} 份报告" + (f"，{self.unreadable} 个文件无法读取" if self.unreadable else "")]
        out.append("")
        out.append("规则 · 不通过的报告数 · 占比 · 问题数")
        for code, n in self.failing.most_common():
            r = rules.get(code)
            label = f"[{sev.get(r.severity, r.severity)}] {r.title}" if r else ""
            out.append(f"  {code:<40} {n:>7} {n / self.reports:>7.1%} {self.totals[code]:>8}  {label}")
        for title, groups, totals in (("按报告年度", self.by_year, self.year_totals),
                                      ("按格式", self.by_format, self.format_totals)):
            out.append("")
            out.append(title)
            for key in sorted(totals):
                out.append(f"  {key}（{totals[key]} 份）")
                for code, n in groups[key].most_common():
                    out.append(f"    {code:<40} {n:>7} {n / totals[key]:>7.1%}")
        return "\n".join(out) + "\n"
