"""Export stored reports to CSV, Parquet or XLSX, in tidy long form or wide form, with their findings.

Long: one row per cell — report id, organ, organ kind, region names and GB/T 2260 codes, year,
format, table, row, column (the reference's canonical keys), value, raw text, unit, provenance (JSON).
Wide: one row per report, one column per cell named `table.row.column` (`requests.new_received.total`).
Findings: one row per finding; for CSV and Parquet in a sibling file `<name>.findings.<ext>`, for
XLSX in a second sheet `findings` (a long XLSX export spills over several `cells` sheets past
Excel's 1,048,576 rows).

Tables: `proactive`, `requests`, `review_litigation`, plus `narrative` (figures stated in prose) and
`legacy` (the legacy statistics table's harmonised figures).
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import and_, select

from gongkai.formats import get_format
from gongkai.stats import Selection, _where
from gongkai.store import Store, cells, findings, reports

Format = Literal["csv", "parquet", "xlsx"]
Shape = Literal["long", "wide"]

REPORT_COLUMNS = ("report_id", "organ", "organ_canonical", "organ_kind", "province", "province_code", "city",
                  "city_code", "county", "county_code", "region_code", "region_level", "parent", "year", "format",
                  "published", "version", "is_current", "sha256")
LONG_COLUMNS = (*REPORT_COLUMNS[:16], "table", "row", "column", "value", "raw", "unit", "provenance")
FINDING_COLUMNS = ("report_id", "organ", "year", "code", "severity", "message", "expected", "actual", "line",
                   "cells")
XLSX_MAX_ROWS = 1_048_575
_TYPES = {"report_id": "int", "year": "int", "version": "int", "line": "int", "value": "float",
          "is_current": "bool"}


@dataclass
class ExportResult:
    files: list[str]
    reports: int
    rows: int
    findings: int


def _report_cols() -> list[Any]:
    r = reports.c
    return [r.id.label("report_id"), r.organ, r.organ_canonical, r.organ_kind, r.province, r.province_code, r.city,
            r.city_code, r.county, r.county_code, r.region_code, r.region_level, r.parent, r.year, r.format,
            r.published, r.version, r.is_current, r.sha256]


def _clean(d: dict[str, Any]) -> dict[str, Any]:
    if d.get("published") is not None:
        d["published"] = d["published"].isoformat()
    if d.get("is_current") is not None:
        d["is_current"] = bool(d["is_current"])
    return d


def _num(v: float | None) -> int | float | None:
    return None if v is None else (int(v) if float(v).is_integer() else v)


def _report_rows(store: Store, sel: Selection) -> dict[int, dict[str, Any]]:
    with store.reading() as conn:
        q = select(*_report_cols()).where(and_(*_where(sel))).order_by(reports.c.id)
        return {row.report_id: _clean(dict(row._asdict())) for row in conn.execute(q)}


def _cell_order() -> dict[str, int]:
    order: dict[str, int] = {}
    for fid in ("2021", "2019"):
        for t in get_format(fid).tables:
            for r, c in t.cell_keys():
                order.setdefault(f"{t.key}.{r}.{c}", len(order))
    return order


def long_rows(store: Store, sel: Selection, reps: dict[int, dict[str, Any]]) -> Iterator[dict[str, Any]]:
    ids = select(reports.c.id).where(and_(*_where(sel)))
    c = cells.c
    q = (select(c.report_id, c.tbl, c.row_key, c.col_key, c.value, c.raw, c.unit, c.provenance)
         .where(c.report_id.in_(ids)).order_by(c.report_id))
    with store.reading() as conn:
        for rid, t, row, col, value, raw, unit, prov in conn.execute(q):
            base = reps[rid]
            yield {**{k: base[k] for k in LONG_COLUMNS[:16]}, "table": t, "row": row, "column": col,
                   "value": value, "raw": raw, "unit": unit, "provenance": prov}


def wide_rows(store: Store, sel: Selection, reps: dict[int, dict[str, Any]]) -> tuple[list[str], list[dict[str, Any]]]:
    ids = select(reports.c.id).where(and_(*_where(sel)))
    c = cells.c
    values: dict[int, dict[str, Any]] = {rid: {} for rid in reps}
    with store.reading() as conn:
        for rid, t, row, col, value in conn.execute(
                select(c.report_id, c.tbl, c.row_key, c.col_key, c.value).where(c.report_id.in_(ids))):
            values[rid][f"{t}.{row}.{col}"] = value
    order = _cell_order()
    keys = sorted({k for v in values.values() for k in v}, key=lambda k: (order.get(k, len(order)), k))
    columns = [*REPORT_COLUMNS, *keys]
    return columns, [{**reps[rid], **values[rid]} for rid in reps]


def finding_rows(store: Store, sel: Selection, reps: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
    ids = select(reports.c.id).where(and_(*_where(sel)))
    f = findings.c
    q = (select(f.report_id, f.code, f.severity, f.message, f.expected, f.actual, f.line, f.cells)
         .where(f.report_id.in_(ids)).order_by(f.report_id, f.id))
    out = []
    with store.reading() as conn:
        for row in conn.execute(q):
            d = dict(row._asdict())
            for k in ("expected", "actual"):  # stored as JSON; a plain value reads better in a sheet
                v = json.loads(d[k]) if d[k] is not None else None
                d[k] = v if v is None or isinstance(v, str) else json.dumps(v, ensure_ascii=False)
            d["organ"], d["year"] = reps[row.report_id]["organ"], reps[row.report_id]["year"]
            out.append({k: d[k] for k in FINDING_COLUMNS})
    return out


# --- writers ------------------------------------------------------------------------------------

# Text a spreadsheet would evaluate when it opens the file (CSV injection, OWASP): it begins with one of these.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"\s*[+-]?\d[\d,]*(?:\.\d+)?\s*")


def inert(v: Any) -> Any:
    """Report content is data: text that a spreadsheet would take for a formula (`=HYPERLINK(…)`, `@SUM(…)`,
    `-1+cmd`) gets a leading apostrophe in CSV, which Excel and WPS show as text. A number as printed
    (`-6`, `+249`) is left as it is."""
    if isinstance(v, str) and v.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(v):
        return "'" + v
    return v


def _csv_value(v: Any) -> Any:
    if isinstance(v, float):
        return _num(v)
    if isinstance(v, bool):
        return "true" if v else "false"
    return "" if v is None else inert(v)


def _write_csv(path: Path, columns: list[str], rows: Any) -> int:
    n = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(columns)
        for row in rows:
            w.writerow([_csv_value(row.get(c)) for c in columns])
            n += 1
    return n


def _arrow_type(col: str, cell_columns: bool) -> Any:
    import pyarrow as pa

    kind = _TYPES.get(col) or ("float" if cell_columns and col.count(".") == 2 else "str")
    return {"int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(), "str": pa.string()}[kind]


def _write_parquet(path: Path, columns: list[str], rows: Any, wide: bool = False) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([(c, _arrow_type(c, wide and c not in REPORT_COLUMNS)) for c in columns])
    n = 0
    with pq.ParquetWriter(str(path), schema) as writer:
        batch: list[dict[str, Any]] = []

        def flush() -> None:
            data = {c: [r.get(c) for r in batch] for c in columns}
            for c in columns:
                if schema.field(c).type == pa.string():
                    data[c] = [None if v is None else str(v) for v in data[c]]
            writer.write_table(pa.table(data, schema=schema))

        for row in rows:
            batch.append(row)
            n += 1
            if len(batch) >= 50_000:
                flush()
                batch = []
        if batch or n == 0:
            flush()
    return n


def _xlsx_value(ws: Any, v: Any) -> Any:
    """A value for a write-only sheet. Text is always written as text: openpyxl would write a string that
    begins with `=` as a formula, which the spreadsheet then evaluates."""
    if isinstance(v, float):
        return _num(v)
    if isinstance(v, str) and v.startswith("="):
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(ws, value=v)
        cell.data_type = "s"
        return cell
    return v


def _write_xlsx(path: Path, sheets: list[tuple[str, list[str], Any]]) -> list[int]:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    counts = []
    for name, columns, rows in sheets:
        ws, part, n, in_sheet = wb.create_sheet(name), 1, 0, 0
        ws.append(columns)
        for row in rows:
            if in_sheet >= XLSX_MAX_ROWS:
                part += 1
                ws, in_sheet = wb.create_sheet(f"{name}_{part}"), 0
                ws.append(columns)
            ws.append([_xlsx_value(ws, row.get(c)) for c in columns])
            n += 1
            in_sheet += 1
        counts.append(n)
    wb.save(str(path))
    return counts


def findings_path(out: Path) -> Path:
    """`out.csv` → `out.findings.csv` (the sibling file with the findings)."""
    return out.with_name(f"{out.stem}.findings{out.suffix}")


def export(store: Store, out: str | Path, *, fmt: Format, shape: Shape = "long",
           sel: Selection | None = None) -> ExportResult:
    sel = sel or Selection()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    reps = _report_rows(store, sel)
    if shape == "long":
        columns, rows = list(LONG_COLUMNS), long_rows(store, sel, reps)
        sheet = "cells"
    else:
        columns, rows = wide_rows(store, sel, reps)
        sheet = "reports"
    found = finding_rows(store, sel, reps)
    if fmt == "xlsx":
        n, n_found = _write_xlsx(out, [(sheet, columns, rows), ("findings", list(FINDING_COLUMNS), found)])
        return ExportResult([str(out)], len(reps), n, n_found)
    fpath = findings_path(out)
    if fmt == "csv":
        n = _write_csv(out, columns, rows)
        _write_csv(fpath, list(FINDING_COLUMNS), found)
    elif fmt == "parquet":
        n = _write_parquet(out, columns, rows, wide=shape == "wide")
        _write_parquet(fpath, list(FINDING_COLUMNS), found)
    else:
        raise ValueError(f"unknown export format {fmt!r}")
    return ExportResult([str(out), str(fpath)], len(reps), n, len(found))
