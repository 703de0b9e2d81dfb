"""Types and Chinese labels of everything an export holds, taken from the format definitions.

One place decides that a count is an integer, money a decimal, a date a date and a code a string: the Parquet
schema, the XLSX cells and the codebook written beside every export all read it, so a column means the same
in CSV, Parquet, XLSX and DuckDB.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Literal

from gongkai.formats import get_format, narrative_figures

ValueType = Literal["integer", "decimal", "boolean", "date", "string"]

# Money is given in 万元 (table 2) or 元 (processing fees) with up to six decimals (251000元 = 25.1 万元;
# 75394432.52元 = 7539.443252 万元): a decimal of 20 digits, 6 after the point, holds every printed figure exactly.
DECIMAL_PRECISION, DECIMAL_SCALE = 20, 6

REPORT_FIELDS: dict[str, tuple[str, ValueType]] = {
    "report_id": ("报告编号（库内）", "integer"),
    "organ": ("机关名称（报告所印）", "string"),
    "organ_canonical": ("机关规范名称", "string"),
    "organ_kind": ("机关类型", "string"),
    "province": ("省", "string"),
    "province_code": ("省代码（GB/T 2260）", "string"),
    "city": ("市", "string"),
    "city_code": ("市代码（GB/T 2260）", "string"),
    "county": ("县（区、市）", "string"),
    "county_code": ("县代码（GB/T 2260）", "string"),
    "region_code": ("机关所在地区代码（GB/T 2260）", "string"),
    "region_level": ("地区层级", "string"),
    "parent": ("上级机关", "string"),
    "year": ("报告年度", "integer"),
    "format": ("报告格式（2021 / 2019 / legacy）", "string"),
    "published": ("发布日期", "date"),
    "version": ("版本号", "integer"),
    "is_current": ("是否当前版本", "boolean"),
    "sha256": ("原件 SHA-256", "string"),
    "table_key": ("表（proactive 表2 / requests 表3 / review_litigation 表4 / narrative 正文 / legacy 旧格式）",
                  "string"),
    "row_key": ("行（规范键名）", "string"),
    "column_key": ("列（规范键名）", "string"),
    "value": ("数值（万元、元或件，见各格的单位）", "decimal"),
    "raw": ("原文（报告所印文字）", "string"),
    "unit": ("原文所带单位", "string"),
    "provenance": ("出处（行号、页、坐标等，JSON）", "string"),
    "code": ("核查规则代码", "string"),
    "severity": ("严重程度", "string"),
    "message": ("核查结果说明", "string"),
    "expected": ("应为", "string"),
    "actual": ("实为", "string"),
    "line": ("行号", "integer"),
    "cells": ("涉及的单元格（JSON）", "string"),
}


@dataclass(frozen=True)
class CellInfo:
    """What one cell key (`requests.new_received.total`) stands for."""

    label: str
    unit: str | None
    type: ValueType


@cache
def _format_cells() -> dict[str, CellInfo]:
    out: dict[str, CellInfo] = {}
    for fid in ("2021", "2019"):
        fmt = get_format(fid)
        for t in fmt.tables:
            for r in t.rows:
                for c in t.row_columns(r):
                    key = f"{t.key}.{r.key}.{c.key}"
                    if key in out:
                        continue
                    money = c.kind == "money"
                    row = f"{r.group}·{r.label}" if r.group else r.label
                    col = f"{c.group}·{c.label}" if c.group else c.label
                    out[key] = CellInfo(f"表{t.number} {row}·{col}", c.unit or ("万元" if money else "件"),
                                        "decimal" if money else "integer")
    for fig in narrative_figures():
        yuan = fig.key.endswith("_yuan")
        out[f"narrative.{fig.key}.value"] = CellInfo(f"正文所述 {fig.label}", "元" if yuan else "件",
                                                    "decimal" if yuan else "integer")
    legacy = get_format("legacy").table("legacy")
    for h in legacy.harmonised if legacy is not None else ():
        out[f"legacy.{h.key}.value"] = CellInfo(f"旧格式统计表 {h.labels[0]}", None, "decimal")
    return out


def cell_info(key: str) -> CellInfo:
    """The label, unit and type of a cell key; an unknown key is a decimal (exact for any figure)."""
    return _format_cells().get(key) or CellInfo(key, None, "decimal")


def column_type(name: str) -> ValueType:
    """The type of an export column: a report field, or a cell key (`table.row.column`) of the wide shape."""
    if name in REPORT_FIELDS:
        return REPORT_FIELDS[name][1]
    return cell_info(name).type if name.count(".") >= 2 else "string"  # the codebook's own columns: text


def codebook_rows(columns: list[str], cell_keys: list[str] | None = None) -> list[dict[str, str | None]]:
    """One row per column of an export (name, Chinese label, type; a cell column with its table, row, column
    and unit), then, for the long shape, one row per cell key its rows hold."""
    out: list[dict[str, str | None]] = []
    for name in [*columns, *(cell_keys or [])]:
        if name in REPORT_FIELDS:
            label, typ = REPORT_FIELDS[name]
            out.append({"name": name, "label": label, "table": None, "row": None, "column": None, "unit": None,
                        "type": typ})
            continue
        info = cell_info(name)
        table, rest = name.split(".", 1)
        row, col = rest.rsplit(".", 1)
        out.append({"name": name, "label": info.label, "table": table, "row": row, "column": col, "unit": info.unit,
                    "type": info.type})
    return out


CODEBOOK_COLUMNS = ("name", "label", "table", "row", "column", "unit", "type")
