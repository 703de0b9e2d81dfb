"""The catalogue (rules.toml + one rule per format identity) and the registry of check functions."""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cache
from typing import Any

from gongkai.check.model import CellRef, Finding, RuleDef, TableKey
from gongkai.formats import FormatDef, IdentityDef, data_text, formats, get_format
from gongkai.model import Cell, LegacyIndicator, Provenance, Report

CheckFn = Callable[["Context"], None]
Num = int | float


def exact_sum(values: Iterable[Num]) -> Num:
    """The sum of printed figures, exactly: a count of any size is an int of any size, and adding a float to one
    beyond a float's range would raise (`OverflowError`). Floats (money, read from decimals) count as printed."""
    values = list(values)
    if all(v.__class__ is int for v in values):
        return sum(values)  # type: ignore[arg-type]  # the usual case: exact already
    return _plain(sum((_exact(v) for v in values), Fraction(0)))


def difference(a: Num, b: Num) -> Num:
    """a − b, exactly (see `exact_sum`)."""
    if a.__class__ is int and b.__class__ is int:
        return a - b  # type: ignore[operator]
    return _plain(_exact(a) - _exact(b))


def close(a: Num, b: Num) -> bool:
    """Equal up to rounding of decimals, for figures of any size."""
    if a.__class__ is int and b.__class__ is int:
        return a == b
    return abs(_exact(a) - _exact(b)) < _EPSILON


def scaled(a: Num, factor: Fraction | int) -> Num:
    """a × factor, exactly (a count in yuan of a figure in 万元, and back)."""
    return _plain(_exact(a) * factor)


_EPSILON = Fraction(1, 10**6)


def _exact(v: Num) -> Fraction:
    return Fraction(v) if v.__class__ is int else Fraction(repr(v))


def _plain(x: Fraction) -> Num:
    if x.denominator == 1:
        return int(x)
    try:
        return float(x)
    except OverflowError:  # beyond a float's range: the nearest int says as much
        return round(x)

_CHECKS: list[tuple[str, CheckFn]] = []


def register(category: str) -> Callable[[CheckFn], CheckFn]:
    """Add a check function; they run in registration order (arithmetic before integrity)."""

    def deco(fn: CheckFn) -> CheckFn:
        _CHECKS.append((category, fn))
        return fn

    return deco


CATEGORY_ORDER = ("arithmetic", "completeness", "format", "prose", "years", "plausibility", "timeliness", "integrity")
"""The order checks run in: integrity reads what arithmetic and plausibility found (failed sums, OCR cells)."""


def checks() -> list[tuple[str, CheckFn]]:
    return sorted(_CHECKS, key=lambda c: CATEGORY_ORDER.index(c[0]) if c[0] in CATEGORY_ORDER else 99)


def identity_code(identity: IdentityDef) -> str:
    """`requests.balance` → `arithmetic.requests_balance`: the code of the rule an identity generates."""
    return "arithmetic." + identity.id.replace(".", "_")


@cache
def _raw_catalogue() -> dict[str, Any]:
    text = data_text("rules")
    return tomllib.loads(text)


@cache
def rules() -> dict[str, RuleDef]:
    """Every rule by code: the identity rules (generated from the formats) then the listed ones."""
    raw = _raw_catalogue()
    listed = {r["code"]: r for r in raw["rules"]}
    out: dict[str, RuleDef] = {}
    seen: set[str] = set()
    for fmt in formats().values():
        for ident in fmt.identities:
            if ident.id in seen:
                continue
            seen.add(ident.id)
            code = identity_code(ident)
            template = raw["identity_legacy" if ident.over == "children" else "identity"]
            spec = listed.pop(code, None) or {
                "code": code,
                **{k: (v.format(description=ident.description) if isinstance(v, str) and k in ("title", "description")
                       else v) for k, v in template.items()},
            }
            out[code] = RuleDef.model_validate({**spec, "identity": ident.id})
    for code, spec in listed.items():
        out[code] = RuleDef.model_validate(spec)
    return out


def rule(code: str) -> RuleDef:
    return rules()[code]


class _Defaults(dict):
    def __missing__(self, key: str) -> str:
        return "?"


def _fmt_number(v: Any) -> Any:
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, float):
        return round(v, 6)
    return v


def provenance_dict(p: Provenance | None) -> dict[str, Any]:
    if p is None:
        return {}
    return {k: v for k, v in p.model_dump().items() if v is not None}


def cell_ref(table: TableKey, row: str | None, column: str | None, cell: Cell | None,
             doubtful: bool = False) -> CellRef:
    if cell is None:
        return CellRef(table=table, row=row, column=column)
    return CellRef(table=table, row=row, column=column, raw=cell.raw, value=cell.value,
                   provenance=provenance_dict(cell.provenance), doubtful=doubtful)


def indicator_ref(ind: LegacyIndicator) -> CellRef:
    return CellRef(table="legacy", row=ind.label, column=None, raw=ind.raw, value=ind.value,
                   provenance=provenance_dict(ind.provenance))


@dataclass
class Context:
    """What one run of the checks sees: the report, last year's, its format, and the findings so far."""

    report: Report
    previous: Report | None
    fmt: FormatDef | None
    findings: list[Finding] = field(default_factory=list)
    doubtful: dict[tuple[str, str, str], str] = field(default_factory=dict)
    """OCR cells that take part in a failed identity: (table, row, column) → the rule code."""
    failed: list[tuple[str, Any]] = field(default_factory=list)
    """(table, equation) of every identity that does not hold (arithmetic → plausibility)."""
    negative: bool = False
    """Some count is negative: then a part may exceed its total even where the sums hold."""
    ocr_cells: list[tuple[str, str, str, Cell]] = field(default_factory=list)
    """Every cell read by OCR (collected in the one pass over the cells, for the integrity rule)."""

    def emit(self, code: str, *, cells: Iterable[CellRef] = (), expected: Any = None, actual: Any = None,
             line: int | None = None, **fields: Any) -> None:
        r = rule(code)
        expected, actual = _fmt_number(expected), _fmt_number(actual)
        values = _Defaults({k: _fmt_number(v) for k, v in fields.items()})
        values.setdefault("expected", expected)
        values.setdefault("actual", actual)
        values.setdefault("line", line)
        self.findings.append(Finding(code=code, severity=r.severity, message=r.message.format_map(values),
                                     cells=list(cells), expected=expected, actual=actual, line=line))


def report_format(report: Report) -> FormatDef | None:
    """The format the report was read in; without one, the format its year calls for (to know which tables
    it should have)."""
    fid = report.meta.format
    if fid is None:
        year = report.meta.year
        if year is None:
            return None
        fid = "legacy" if year <= 2018 else ("2019" if year <= 2020 else "2021")
    try:
        return get_format(fid)
    except KeyError:
        return None
