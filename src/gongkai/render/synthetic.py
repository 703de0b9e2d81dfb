"""Synthetic reports whose figures satisfy every identity of their format.

Used by property tests (render → read back → compare), by the checks' tests (break one cell and
see exactly one rule fire) and by the benchmarks (10,000 reports). The identities are read from
the format definitions, so a new format variant gets synthetic data for free.
"""

from __future__ import annotations

import fnmatch
import random
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from gongkai.formats import FormatDef, IdentityDef, get_format

Values = dict[str, dict[str, dict[str, int | float]]]

ORGANS = ("长沙县人民政府", "浏阳市人民政府", "岳阳县人民政府", "成安县人民政府", "长沙市人民政府办公室",
          "长沙市教育局", "湘潭市自然资源和规划局", "株洲市天元区人民政府", "星沙街道办事处", "宁乡市财政局")


@dataclass
class SyntheticReport:
    format: str
    organ: str
    year: int
    published: date
    values: Values
    raws: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)

    def raw(self, table: str, row: str, col: str) -> str:
        return self.raws.get(table, {}).get(row, {}).get(col) or _plain(self.values[table][row][col])


def _plain(v: int | float) -> str:
    return str(v)


def _rows_matching(patterns: tuple[str, ...], keys: list[str]) -> list[str]:
    out = []
    for k in keys:
        for p in patterns:
            if k == p or (p.endswith(".*") and (k == p[:-2] or k.startswith(p[:-1]))) or fnmatch.fnmatch(k, p):
                out.append(k)
                break
    return out


def _identity(fmt: FormatDef, id_: str) -> IdentityDef:
    return next(i for i in fmt.identities if i.id == id_)


def _count(rng: random.Random, zero_share: float = 0.6, high: int = 40) -> int:
    return 0 if rng.random() < zero_share else rng.randint(1, high)


def _requests(fmt: FormatDef, rng: random.Random) -> dict[str, dict[str, int]]:
    table = fmt.table("requests")
    assert table is not None
    rows = [r.key for r in table.rows]
    applicants_id = _identity(fmt, "requests.applicants")
    outcomes_id = _identity(fmt, "requests.outcomes")
    balance = _identity(fmt, "requests.balance")
    applicants = list(applicants_id.right)
    total_col = applicants_id.left[0]
    outcome_rows = _rows_matching(outcomes_id.right, rows)
    processed = outcomes_id.left[0]
    received, carried_over = balance.left
    _, carried_forward = balance.right
    values: dict[str, dict[str, int]] = {r: {} for r in rows}
    weights = {c: (0.2 if i == 0 else 0.75) for i, c in enumerate(applicants)}
    for c in applicants:
        for r in outcome_rows:
            values[r][c] = _count(rng, weights[c] + (0.25 if r != outcome_rows[0] else 0.0), 30)
        values[processed][c] = sum(values[r][c] for r in outcome_rows)
        values[carried_forward][c] = _count(rng, 0.7, 10)
        values[carried_over][c] = rng.randint(0, values[processed][c] + values[carried_forward][c])
        values[received][c] = values[processed][c] + values[carried_forward][c] - values[carried_over][c]
    for r in rows:
        values[r][total_col] = sum(values[r][c] for c in applicants)
    return values


def _review_litigation(fmt: FormatDef, rng: random.Random) -> dict[str, dict[str, int]]:
    table = fmt.table("review_litigation")
    assert table is not None
    ident = _identity(fmt, "review_litigation.total")
    out: dict[str, dict[str, int]] = {}
    for row in table.rows:
        cells = {c: _count(rng, 0.6, 9) for c in ident.right}
        cells[ident.left[0]] = sum(cells.values())
        out[row.key] = cells
    return out


def _proactive(fmt: FormatDef, rng: random.Random) -> tuple[dict[str, dict[str, int | float]], dict]:
    table = fmt.table("proactive")
    assert table is not None
    values: dict[str, dict[str, int | float]] = {}
    raws: dict[str, dict[str, str]] = {}
    for row in table.rows:
        values[row.key] = {}
        for col in table.row_columns(row):
            if col.kind == "count":
                v: int | float = _count(rng, 0.3, 5000)
            elif col.kind == "signed_count":
                v = rng.randint(-60, 60)
                raws.setdefault(row.key, {})[col.key] = f"+{v}" if v > 0 else str(v)
            else:
                amount = Decimal(rng.randint(0, 9_999_999)) / 100
                v = int(amount) if amount == amount.to_integral_value() else float(amount)
                if col.unit is None:  # the unit travels in the cell
                    raws.setdefault(row.key, {})[col.key] = f"{amount}万"
            values[row.key][col.key] = v
    return values, raws


def synthesize(format_id: str, rng: random.Random, *, organ: str | None = None,
               year: int | None = None) -> SyntheticReport:
    """A report of `format_id` with random figures that satisfy all identities of the format."""
    fmt = get_format(format_id)
    first = fmt.first_year or 2019
    last = fmt.last_year or 2025
    year = year or rng.randint(first, last)
    proactive, raws = _proactive(fmt, rng)
    values: Values = {
        "proactive": proactive,
        "requests": _requests(fmt, rng),
        "review_litigation": _review_litigation(fmt, rng),
    }
    published = date(year + 1, rng.randint(1, 3), rng.randint(1, 28))
    return SyntheticReport(format_id, organ or rng.choice(ORGANS), year, published, values, {"proactive": raws})
