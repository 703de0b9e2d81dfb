"""Export stored reports to CSV, Parquet or XLSX, in tidy long form or wide form, with their findings.

Long: one row per cell — report id, organ, organ kind, region names and GB/T 2260 codes, year,
format, table, row, column (the reference's canonical keys), value, raw text, unit, provenance (JSON).
Wide: one row per report, one column per cell named `table.row.column` (`requests.new_received.total`).
Findings: one row per finding; for CSV and Parquet in a sibling file `<name>.findings.<ext>`, for
XLSX in a second sheet `findings` (a long XLSX export spills over several `cells` sheets past
Excel's 1,048,576 rows).

Tables: `proactive`, `requests`, `review_litigation`, plus `narrative` (figures stated in prose) and
`legacy` (the legacy statistics table's harmonised figures).

Types come from the format definitions (`export/codebook.py`): counts are integers, money decimals, dates
dates, codes strings, in Parquet's schema and XLSX's cells alike; a codebook (name, Chinese label, table, row,
column, unit, type) goes beside every export (`<name>.codebook.<ext>`; a `codebook` sheet in XLSX). CSV is
UTF-8 with a byte-order mark by default, which Excel and WPS on Chinese Windows need to show the text.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import and_, select

from gongkai.export.codebook import CODEBOOK_COLUMNS, DECIMAL_PRECISION, DECIMAL_SCALE, codebook_rows, column_type
from gongkai.formats import get_format
from gongkai.stats import Selection, _where
from gongkai.store import Store, cells, findings, reports

Format = Literal["csv", "parquet", "xlsx"]
Shape = Literal["long", "wide"]

REPORT_COLUMNS = ("report_id", "organ", "organ_canonical", "organ_kind", "province", "province_code", "city",
                  "city_code", "county", "county_code", "region_code", "region_level", "parent", "year", "format",
                  "published", "version", "is_current", "sha256")
# `table`, `row` and `column` are SQL reserved words: the long shape names its keys `…_key`.
LONG_COLUMNS = (*REPORT_COLUMNS[:16], "table_key", "row_key", "column_key", "value", "raw", "unit", "provenance")
FINDING_COLUMNS = ("report_id", "organ", "year", "code", "severity", "message", "expected", "actual", "line",
                   "cells")
XLSX_MAX_ROWS = 1_048_575


@dataclass
class ExportResult:
    files: list[str]  # the data file, then the findings and the codebook (sheets of the one file for XLSX)
    reports: int
    rows: int
    findings: int


def _report_cols() -> list[Any]:
    r = reports.c
    return [r.id.label("report_id"), r.organ, r.organ_canonical, r.organ_kind, r.province, r.province_code, r.city,
            r.city_code, r.county, r.county_code, r.region_code, r.region_level, r.parent, r.year, r.format,
            r.published, r.version, r.is_current, r.sha256]


def _clean(d: dict[str, Any]) -> dict[str, Any]:
    if isinstance(d.get("published"), str):  # SQLite may give the text of the date
        d["published"] = date.fromisoformat(d["published"])
    if d.get("is_current") is not None:
        d["is_current"] = bool(d["is_current"])
    return d


def _num(v: float | None) -> int | float | None:
    return None if v is None else (int(v) if float(v).is_integer() else v)


def _report_rows(store: Store, sel: Selection, extra: Sequence[Any] = ()) -> dict[int, dict[str, Any]]:
    with store.reading() as conn:
        q = select(*_report_cols()).where(and_(*_where(sel), *extra)).order_by(reports.c.id)
        return {row.report_id: _clean(dict(row._asdict())) for row in conn.execute(q)}


def _cell_order() -> dict[str, int]:
    order: dict[str, int] = {}
    for fid in ("2021", "2019"):
        for t in get_format(fid).tables:
            for r, c in t.cell_keys():
                order.setdefault(f"{t.key}.{r}.{c}", len(order))
    return order


def long_rows(store: Store, sel: Selection, reps: dict[int, dict[str, Any]],
              extra: Sequence[Any] = ()) -> Iterator[dict[str, Any]]:
    ids = select(reports.c.id).where(and_(*_where(sel), *extra))
    c = cells.c
    q = (select(c.report_id, c.tbl, c.row_key, c.col_key, c.value, c.raw, c.unit, c.provenance)
         .where(c.report_id.in_(ids)).order_by(c.report_id))
    with store.reading() as conn:
        for rid, t, row, col, value, raw, unit, prov in conn.execute(q):
            base = reps[rid]
            yield {**{k: base[k] for k in LONG_COLUMNS[:16]}, "table_key": t, "row_key": row, "column_key": col,
                   "value": value, "raw": raw, "unit": unit, "provenance": prov}


def wide_rows(store: Store, sel: Selection, reps: dict[int, dict[str, Any]],
              extra: Sequence[Any] = ()) -> tuple[list[str], list[dict[str, Any]]]:
    ids = select(reports.c.id).where(and_(*_where(sel), *extra))
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


def finding_rows(store: Store, sel: Selection, reps: dict[int, dict[str, Any]],
                 extra: Sequence[Any] = ()) -> list[dict[str, Any]]:
    ids = select(reports.c.id).where(and_(*_where(sel), *extra))
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


_SCALE = Decimal(1).scaleb(-DECIMAL_SCALE)


def typed(column: str, v: Any) -> Any:
    """A value as its column's type says: a count an int, money a Decimal (exact to its six decimals), a
    date a date, a code a string. A count that is not whole is kept as a Decimal rather than cut."""
    if v is None:
        return None
    kind = column_type(column)
    if kind == "integer":
        return int(v) if float(v).is_integer() else Decimal(str(v))
    if kind == "decimal":  # the float the store holds, back to the figure printed (at most six decimals)
        return (Decimal(repr(v)) if isinstance(v, float) else Decimal(str(v))).quantize(_SCALE)
    if kind == "boolean":
        return bool(v)
    if kind == "string" and not isinstance(v, str):
        return str(v)
    return v


def _csv_value(column: str, v: Any) -> Any:
    v = typed(column, v)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, Decimal):
        return _plain(v)
    if isinstance(v, date):
        return v.isoformat()
    return "" if v is None else inert(v)


def _plain(d: Decimal) -> str:
    """A decimal as written by hand: `25.1`, `154`, never `1.54E+2`."""
    text = format(d, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _write_csv(path: Path, columns: list[str], rows: Any, bom: bool = True) -> int:
    n = 0
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(columns)
        for row in rows:
            w.writerow([_csv_value(c, row.get(c)) for c in columns])
            n += 1
    return n


def _arrow_type(col: str) -> Any:
    import pyarrow as pa

    return {"integer": pa.int64(), "decimal": pa.decimal128(DECIMAL_PRECISION, DECIMAL_SCALE), "boolean": pa.bool_(),
            "date": pa.date32(), "string": pa.string()}[column_type(col)]


def _write_parquet(path: Path, columns: list[str], rows: Any) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([(c, _arrow_type(c)) for c in columns])
    n = 0
    with pq.ParquetWriter(str(path), schema) as writer:
        batch: list[dict[str, Any]] = []

        def flush() -> None:
            data = {c: [_arrow_value(c, r.get(c)) for r in batch] for c in columns}
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


def _arrow_value(column: str, v: Any) -> Any:
    v = typed(column, v)
    if isinstance(v, Decimal) and column_type(column) == "integer":
        raise ValueError(f"{column}: {v} is not a whole count")  # never cut a figure to fit its column
    return v


def _xlsx_value(ws: Any, column: str, v: Any) -> Any:
    """A value for a write-only sheet, typed as its column says. Text is always written as text: openpyxl
    would write a string that begins with `=` as a formula, which the spreadsheet then evaluates."""
    v = typed(column, v)
    if isinstance(v, Decimal):
        return float(v)  # a spreadsheet number (15 significant digits: every figure of a report)
    if isinstance(v, str) and v.startswith("="):
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(ws, value=v)
        cell.data_type = "s"
        return cell
    return v


Rows = Any  # an iterable of dicts, or a function giving one when the sheet is written


def _write_xlsx(path: Path, sheets: list[tuple[str, list[str], Rows]]) -> list[int]:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    counts = []
    for name, columns, rows in sheets:
        ws, part, n, in_sheet = wb.create_sheet(name), 1, 0, 0
        ws.append(columns)
        for row in rows() if callable(rows) else rows:
            if in_sheet >= XLSX_MAX_ROWS:
                part += 1
                ws, in_sheet = wb.create_sheet(f"{name}_{part}"), 0
                ws.append(columns)
            ws.append([_xlsx_value(ws, c, row.get(c)) for c in columns])
            n += 1
            in_sheet += 1
        counts.append(n)
    wb.save(str(path))
    return counts


def findings_path(out: Path) -> Path:
    """`out.csv` → `out.findings.csv` (the sibling file with the findings)."""
    return out.with_name(f"{out.stem}.findings{out.suffix}")


def codebook_path(out: Path) -> Path:
    """`out.csv` → `out.codebook.csv` (the sibling file describing every column and cell)."""
    return out.with_name(f"{out.stem}.codebook{out.suffix}")


def _keys_seen(rows: Any, seen: set[str]) -> Any:
    """Pass long rows through, noting each cell key they hold (for the codebook)."""
    for row in rows:
        seen.add(f"{row['table_key']}.{row['row_key']}.{row['column_key']}")
        yield row


def _reports_done(rows: Any, advance: Callable[[int], None]) -> Any:
    """Pass rows through, calling `advance(1)` as each report's rows are done (rows come by report)."""
    last = None
    for row in rows:
        if row["report_id"] != last:
            if last is not None:
                advance(1)
            last = row["report_id"]
        yield row
    if last is not None:
        advance(1)


def export(store: Store, out: str | Path, *, fmt: Format, shape: Shape = "long",
           sel: Selection | None = None, bom: bool = True, on_total: Callable[[int], None] | None = None,
           advance: Callable[[int], None] | None = None, where: Sequence[Any] = ()) -> ExportResult:
    """Write the selected reports to `out` (with their findings and a codebook). `bom`: CSV starts with a
    UTF-8 byte-order mark (Excel and WPS need it to show Chinese text). `on_total(n)` is told how many
    reports are exported, `advance(1)` as each one is written (a long XLSX export takes minutes). `where`:
    more SQL conditions on `reports` (the web application's filters on findings)."""
    sel = sel or Selection()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    reps = _report_rows(store, sel, where)
    if on_total is not None:
        on_total(len(reps))
    seen: set[str] = set()
    if shape == "long":
        columns, rows = list(LONG_COLUMNS), _keys_seen(long_rows(store, sel, reps, where), seen)
        sheet = "cells"
    else:
        columns, rows = wide_rows(store, sel, reps, where)
        sheet = "reports"
    if advance is not None:
        rows = _reports_done(rows, advance)
    found = finding_rows(store, sel, reps, where)

    def codebook() -> list[dict[str, Any]]:
        keys = sorted(seen, key=lambda k: (_cell_order().get(k, 10**6), k))
        return codebook_rows([*columns, *(c for c in FINDING_COLUMNS if c not in columns)], keys)

    if fmt == "xlsx":
        n, n_found, _ = _write_xlsx(out, [(sheet, columns, rows), ("findings", list(FINDING_COLUMNS), found),
                                          ("codebook", list(CODEBOOK_COLUMNS), codebook)])
        return ExportResult([str(out)], len(reps), n, n_found)
    fpath, cpath = findings_path(out), codebook_path(out)
    write: Callable[[Path, list[str], Any], int]
    if fmt == "csv":
        def write(path: Path, cols: list[str], rs: Any) -> int:
            return _write_csv(path, cols, rs, bom)
    elif fmt == "parquet":
        write = _write_parquet
    else:
        raise ValueError(f"unknown export format {fmt!r}")
    n = write(out, columns, rows)
    write(fpath, list(FINDING_COLUMNS), found)
    write(cpath, list(CODEBOOK_COLUMNS), codebook())
    return ExportResult([str(out), str(fpath), str(cpath)], len(reps), n, len(found))
