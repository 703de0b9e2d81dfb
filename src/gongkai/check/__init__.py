"""Check stage: a Report (and the same organ's previous report) → findings of the rule catalogue.

The catalogue's metadata (code, severity, category, Chinese title, description and message) is data
(`formats/data/rules.toml`); the arithmetic rules are generated from the identities of the format
files. Each category is a small module that registers its check function::

    from gongkai.check import check, catalogue
    for f in check(report, previous=last_year):
        print(f.severity, f.code, f.message)
"""

from __future__ import annotations

from gongkai.check import (  # noqa: F401  (each module registers its checks; registry.CATEGORY_ORDER runs them)
    arithmetic,
    completeness,
    format,
    integrity,
    plausibility,
    prose,
    timeliness,
    years,
)
from gongkai.check.model import CellRef, Finding, RuleDef, Severity
from gongkai.check.registry import CATEGORY_ORDER, Context, checks, report_format, rules
from gongkai.model import Report

__all__ = ["CellRef", "Finding", "RuleDef", "Severity", "catalogue", "check"]


def catalogue() -> list[RuleDef]:
    """Every rule, by category then code."""
    return sorted(rules().values(), key=lambda r: (CATEGORY_ORDER.index(r.category)
                                                   if r.category in CATEGORY_ORDER else 99, r.code))


def check(report: Report, previous: Report | None = None) -> list[Finding]:
    """All findings for `report` (and, given the same organ's previous report, the across-year rules),
    sorted by severity then position in the source."""
    from gongkai import is_report

    ctx = Context(report=report, previous=previous, fmt=report_format(report))
    if not is_report(report):
        ctx.emit("completeness.not_a_report")
        return ctx.findings
    for _category, fn in checks():
        fn(ctx)
    ctx.findings.sort(key=Finding.sort_key)
    return ctx.findings

