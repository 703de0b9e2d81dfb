"""Export: long and wide, CSV / Parquet / XLSX, with findings; the files load in pandas and DuckDB."""

from __future__ import annotations

import subprocess
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from storekit import SEEDS, gongkai_exe

from gongkai.export import LONG_COLUMNS, export, findings_path
from gongkai.ingest import ingest
from gongkai.stats import Selection
from gongkai.store import Store


@pytest.fixture
def seeded(store: Store) -> Store:
    ingest(store, [str(p) for p in sorted(SEEDS.iterdir())], workers=0)
    return store


def _load(path: Path, fmt: str, sheet: str | None = None) -> pd.DataFrame:
    if fmt == "csv":
        return pd.read_csv(path, dtype={"region_code": str, "province_code": str, "city_code": str,
                                        "county_code": str})
    if fmt == "parquet":
        return pd.read_parquet(path)
    return pd.read_excel(path, sheet_name=sheet, dtype={"region_code": str})


@pytest.mark.parametrize("fmt", ["csv", "parquet", "xlsx"])
def test_long_export(seeded: Store, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"cells.{fmt}"
    res = export(seeded, out, fmt=fmt, shape="long")
    df = _load(out, fmt, "cells")
    assert list(df.columns) == list(LONG_COLUMNS) and len(df) == res.rows > 400
    cell = df[(df.organ == "长沙市人民政府办公室") & (df.table_key == "requests") & (df.row_key == "new_received")
              & (df.column_key == "total")].iloc[0]
    assert (cell.value, str(cell.raw).strip(), cell.year, cell.format) == (107, "107", 2024, "2021")
    assert cell.region_code == "430100" and cell.city == "长沙市" and cell.organ_kind == "department"
    assert '"line"' in cell.provenance
    found = _load(findings_path(out), fmt) if fmt != "xlsx" else _load(out, fmt, "findings")
    assert len(found) == res.findings > 0 and {"code", "severity", "message", "report_id"} <= set(found.columns)
    if fmt != "xlsx":
        n = duckdb.sql(f"select count(*) from '{out}' where table_key = 'requests'").fetchall()[0][0]
        assert n == int((df.table_key == "requests").sum())
        codes = {r[0] for r in duckdb.sql(f"select distinct code from '{findings_path(out)}'").fetchall()}
        assert "completeness.table_missing" in codes


@pytest.mark.parametrize("fmt", ["csv", "parquet", "xlsx"])
def test_wide_export(seeded: Store, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"reports.{fmt}"
    export(seeded, out, fmt=fmt, shape="wide")
    df = _load(out, fmt, "reports")
    assert len(df) == 5
    assert "requests.new_received.total" in df.columns and "review_litigation.review.total" in df.columns
    by_organ = df.set_index("organ")
    assert by_organ.loc["浏阳市人民政府", "requests.new_received.total"] == 92
    assert by_organ.loc["成安县", "requests.new_received.total"] == 11
    assert pd.isna(by_organ.loc["长沙县人民政府", "requests.new_received.total"])  # tables were images
    if fmt != "xlsx":
        q = f"select \"requests.new_received.total\" from '{out}' where organ = '浏阳市人民政府'"
        got = duckdb.sql(q).fetchall()[0]
        assert got[0] == 92


def test_export_selection_and_cli(seeded: Store, tmp_path: Path) -> None:
    res = export(seeded, tmp_path / "hn.csv", fmt="csv", sel=Selection(region="湖南省"))
    assert res.reports == 4
    out = tmp_path / "all.parquet"
    done = subprocess.run([gongkai_exe(), "export", "--db", seeded.url, "--format", "parquet", "--shape", "wide",
                           "--out", str(out)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "导出 5 份报告" in done.stdout
    assert duckdb.sql(f"select count(*) from '{out}'").fetchall()[0][0] == 5
    assert findings_path(out).exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_text_a_spreadsheet_would_evaluate_is_exported_as_text(seeded: Store, tmp_path: Path, fmt: str) -> None:
    """A crafted page can give an organ name or a raw cell that begins with `=`, `+`, `-` or `@`: the export
    never hands a spreadsheet a live formula (CSV: a leading apostrophe; XLSX: a text cell), while a
    number as printed (`-6`) stays as it is."""
    from sqlalchemy import update

    from gongkai.store import cells, reports

    evil = '=HYPERLINK("http://example.invalid/","点击")'
    with seeded.writing() as conn:
        conn.execute(update(reports).values(organ=evil))
        conn.execute(update(cells).where(cells.c.row_key == "new_received").values(raw="@SUM(1+1)"))
        conn.execute(update(cells).where(cells.c.row_key == "carried_over").values(raw="-6"))
    out = tmp_path / f"cells.{fmt}"
    export(seeded, out, fmt=fmt, shape="long")
    if fmt == "csv":
        import csv

        with out.open(encoding="utf-8-sig") as fh:
            rows = list(csv.DictReader(fh))
        assert {r["organ"] for r in rows} == {"'" + evil}
        assert {r["raw"] for r in rows if r["row_key"] == "new_received"} == {"'@SUM(1+1)"}
        assert {r["raw"] for r in rows if r["row_key"] == "carried_over"} == {"-6"}
    else:
        from openpyxl import load_workbook

        ws = load_workbook(out)["cells"]
        header = [c.value for c in ws[1]]
        organ = ws.cell(row=2, column=header.index("organ") + 1)
        assert (organ.value, organ.data_type) == (evil, "s")
        assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)


def test_exports_are_typed_from_the_format_and_carry_a_codebook(seeded: Store, tmp_path: Path) -> None:
    """Counts are integers, money decimals, dates dates and codes strings in Parquet and XLSX, so sums work in
    DuckDB and pandas on every count column; CSV starts with a BOM; a codebook describes every column."""
    wide = tmp_path / "reports.parquet"
    export(seeded, wide, fmt="parquet", shape="wide")
    schema = duckdb.sql(f"describe select * from '{wide}'").fetchall()
    types = {name: typ for name, typ, *_ in schema}
    counts = [c for c in types if c.startswith(("requests.", "review_litigation."))]
    assert len(counts) > 150 and all(types[c] == "BIGINT" for c in counts)
    assert types["proactive.fees.amount"].startswith("DECIMAL") and types["published"] == "DATE"
    assert types["region_code"] == "VARCHAR" and types["year"] == "BIGINT"
    sums = duckdb.sql("select " + ", ".join(f'sum("{c}")' for c in counts) + f" from '{wide}'").fetchall()[0]
    assert sums[counts.index("requests.new_received.total")] == 107 + 92 + 11  # the three reports with table 3
    df = pd.read_parquet(wide)
    assert all(df[c].dtype.kind in "if" for c in counts) and df["requests.new_received.total"].sum() == 210
    codebook = pd.read_parquet(tmp_path / "reports.codebook.parquet")
    entry = codebook.set_index("name").loc["requests.new_received.total"]
    assert (entry.label, entry.type, entry.unit) == ("表3 一、本年新收政府信息公开申请数量·总计", "integer", "件")
    assert codebook.set_index("name").loc["proactive.fees.amount"].type == "decimal"

    xlsx = tmp_path / "reports.xlsx"
    export(seeded, xlsx, fmt="xlsx", shape="wide")
    sheet = pd.read_excel(xlsx, sheet_name="reports", dtype={"region_code": str})
    assert sheet["requests.new_received.total"].sum() == 210 and sheet["region_code"].str.len().max() == 6
    assert "requests.new_received.total" in set(pd.read_excel(xlsx, sheet_name="codebook")["name"])

    long_csv = tmp_path / "cells.csv"
    export(seeded, long_csv, fmt="csv", shape="long")
    assert long_csv.read_bytes().startswith(b"\xef\xbb\xbf")
    book = pd.read_csv(tmp_path / "cells.codebook.csv", encoding="utf-8-sig")
    assert {"table_key", "row_key", "column_key", "value"} <= set(book["name"])
    assert "requests.carried_forward.total" in set(book["name"])  # the cell keys the rows hold
    export(seeded, tmp_path / "plain.csv", fmt="csv", bom=False)
    assert not (tmp_path / "plain.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_a_stored_original_comes_back_byte_for_byte(seeded: Store, tmp_path: Path) -> None:
    from sqlalchemy import select

    from gongkai.export.original import OriginalNotFound, original
    from gongkai.store import reports

    seed = sorted(SEEDS.iterdir())[2]
    with seeded.reading() as conn:
        rid, sha = conn.execute(select(reports.c.id, reports.c.sha256).where(reports.c.path.endswith(seed.name))).one()
    got = original(seeded, str(rid))
    assert (got.content, got.name, got.report_id) == (seed.read_bytes(), seed.name, rid)
    assert original(seeded, sha[:10]).content == seed.read_bytes()
    with pytest.raises(OriginalNotFound):
        original(seeded, "99999")


def test_original_command_writes_the_file_and_refuses_to_overwrite(seeded: Store, tmp_path: Path) -> None:
    seed = sorted(SEEDS.iterdir())[0]
    run = [gongkai_exe(), "original", "1", "--db", seeded.url, "--out", str(tmp_path)]
    done = subprocess.run(run, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / seed.name).read_bytes() == seed.read_bytes() and "原件" in done.stdout
    again = subprocess.run(run, capture_output=True, text=True)
    assert again.returncode == 1 and "文件已存在" in again.stderr
    missing = subprocess.run([gongkai_exe(), "original", "999", "--db", seeded.url], capture_output=True, text=True)
    assert missing.returncode == 1 and "没有找到" in missing.stderr
