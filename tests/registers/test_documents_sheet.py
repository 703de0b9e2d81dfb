"""The normative-documents register as a spreadsheet: an office's XLSX or CSV imports into checked records whose
table 2 figures match a hand count; bad rows are all reported with the row number the user sees, and nothing is
imported; export writes the same layout back, and reads back into the same records."""

from __future__ import annotations

import csv
import io
import re
import tempfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gongkai.formats import get_format
from gongkai.registers.documents import Document, document_kinds, table2_for_year
from gongkai.registers.documents_sheet import DocumentImportErrors, export_documents, import_documents
from gongkai.registers.spreadsheet import ImportErrors

TABLE2 = get_format("2021").table("proactive")
REG, NORM = document_kinds()
ISSUED, REPEALED, IN_FORCE = (c.key for c in TABLE2.row_columns(TABLE2.row(REG)))
D = date.fromisoformat

AMENDS, REPLACES = "修改的文件（文号）", "替代的文件（文号）"
# Column order as an office might keep it (not the export's), with a free 备注 column in the middle.
HEADER = ["文号", "文件类型", "标题", "制发机关", "制发日期", "施行日期", "备注", "废止日期", "失效日期", AMENDS,
          REPLACES]


def doc(number: str, kind: str, issued: object, title: str, organ: str = "某市人民政府", **extra: object) -> dict:
    """One register row as an office types it: dates as Excel dates unless given as text."""
    row = {"文号": number, "文件类型": kind, "标题": title, "制发机关": organ,
           "制发日期": D(issued) if isinstance(issued, str) and len(issued) == 10 and issued[4] == "-" else issued}
    for k, v in extra.items():
        row[k] = D(v) if isinstance(v, str) and len(v) == 10 and v[4] == "-" else v
    return row


# Four 规章 and eight 行政规范性文件 of a city government and one of its bureaus, 2021—2024.
REGISTER = [
    doc("某市人民政府令第1号", "规章", "2021-03-01", "某市城市绿化管理办法", 施行日期="2021-04-01",
        废止日期="2024-02-01", 备注="由第8号令替代，2024年2月1日废止"),
    doc("某市人民政府令第3号", "规章", "2022年5月10日", "某市物业管理办法"),
    doc("某市人民政府令第8号", "规章", "2023-11-20", "某市城市绿化条例实施办法", 施行日期="2024-01-01",
        **{REPLACES: "某市人民政府令第1号"}),
    doc("某市人民政府令第10号", "规章", "2024-06-15", "某市人民政府关于修改《某市物业管理办法》的决定",
        **{AMENDS: "某市人民政府令第3号"}),
    doc("某府规〔2021〕1号", "行政规范性文件", "2021-01-15", "某市居住证积分管理办法"),
    doc("某府规〔2021〕2号", "行政规范性文件", "2021/7/1", "某市促进消费若干措施", 失效日期="2023-06-30",
        备注="有效期两年"),
    doc("某府规〔2022〕1号", NORM, "2022-02-20", "某市疫情防控期间减免房租实施细则", 废止日期="2022-12-31"),
    doc("某府规〔2022〕2号", "行政规范性文件", "2022-09-01", "某市住房公积金提取管理规定", 废止日期="2023-08-08"),
    doc("某府规〔2023〕1号", "行政规范性文件", "2023.3.1", "关于修改《某市居住证积分管理办法》的通知",
        **{AMENDS: "某府规[2021]1号"}),
    doc("某府规〔2023〕2号", "行政规范性文件", "2023-08-08", "某市住房公积金提取管理办法",
        施行日期="2023-09-01", **{REPLACES: "某府规〔2022〕2号"}),
    doc("某住建规〔2024〕1号", "行政规范性文件", "20240401", "某市既有住宅加装电梯实施意见",
        organ="某市住房和城乡建设局", 施行日期="2024-05-01"),
    doc("某住建规〔2024〕2号", "行政规范性档案", "2024-10-10", "某市物业服务企业信用评价办法",
        organ="某市住房和城乡建设局"),
]
TITLE_ROWS = 1  # a title above the header; data rows start at line 3


def workbook(rows: list[dict], path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["某市政策文件库（2021—2024年）"])
    ws.append(HEADER)
    for row in rows:
        ws.append([row.get(h) for h in HEADER])
    wb.save(path)
    return path


def csv_bytes(rows: list[dict], encoding: str) -> bytes:
    """The register saved as CSV by a spreadsheet program: dates written as text."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["某市政策文件库（2021—2024年）"])
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow([v.isoformat() if isinstance(v := row.get(h), date) else v or "" for h in HEADER])
    return out.getvalue().encode(encoding)


def line_of(rows: list[dict], number: str) -> int:
    """The spreadsheet row number the user sees for the document `number` (its first occurrence)."""
    return next(i for i, r in enumerate(rows) if r["文号"] == number) + TITLE_ROWS + 2


@pytest.fixture
def register(tmp_path: Path) -> list[Document]:
    return import_documents(workbook(REGISTER, tmp_path / "文件库.xlsx"))


def cells(reg: tuple[int, int, int], norm: tuple[int, int, int]) -> dict[str, dict[str, int]]:
    return {k: dict(zip((ISSUED, REPEALED, IN_FORCE), v, strict=True)) for k, v in ((REG, reg), (NORM, norm))}


def test_realistic_register_imports_every_row(register: list[Document]) -> None:
    assert [d.number for d in register] == [r["文号"] for r in REGISTER]
    by_number = {d.number: d for d in register}
    assert [by_number[r["文号"]].kind for r in REGISTER] == [REG] * 4 + [NORM] * 8
    assert by_number["某市人民政府令第3号"].issued == D("2022-05-10")
    assert by_number["某府规〔2021〕2号"].issued == D("2021-07-01")
    assert by_number["某府规〔2021〕2号"].lapsed == D("2023-06-30")
    assert by_number["某府规〔2023〕1号"].amends == "某府规[2021]1号"
    assert by_number["某市人民政府令第8号"].replaces == "某市人民政府令第1号"
    assert by_number["某市人民政府令第8号"].effective == D("2024-01-01")
    assert by_number["某住建规〔2024〕1号"].issued == D("2024-04-01")
    assert by_number["某住建规〔2024〕1号"].organ == "某市住房和城乡建设局"
    assert by_number["某府规〔2022〕1号"].repealed == D("2022-12-31")


@pytest.mark.parametrize(("year", "expected"), [
    (2021, cells((1, 0, 1), (2, 0, 2))),  # 令第1号; 规〔2021〕1号 and 2号
    (2022, cells((1, 0, 2), (2, 1, 3))),  # 令第3号; 规〔2022〕1号 issued and repealed on 31 Dec, 2号 issued
    # 令第8号 replaces 第1号, which stays in force until its own repeal date; 规〔2021〕2号 lapses (not repealed),
    # 规〔2022〕2号 repealed, 规〔2023〕1号 and 2号 issued: 3 + 2 - 1 repealed - 1 lapsed = 3.
    (2023, cells((1, 0, 3), (2, 1, 3))),
    (2024, cells((1, 1, 3), (2, 0, 5))),  # 令第10号 issued, 第1号 repealed; two 住建规 issued
])
def test_table2_figures_match_a_hand_count(register: list[Document], year: int, expected: dict) -> None:
    assert table2_for_year(register, year) == expected


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_csv_in_every_encoding_imports_like_the_workbook(register: list[Document], encoding: str) -> None:
    assert import_documents(csv_bytes(REGISTER, encoding)) == register


def bad_rows() -> tuple[list[dict], set[tuple[int, str, str]]]:
    """Good rows with one bad row of each kind, and what each must be reported as."""
    rows = [
        *REGISTER[:3],
        doc("某府规〔2024〕3号", "行政规范性文件", "2024-01-02", ""),
        doc("某府规〔2024〕4号", "地方性法规", "2024-01-03", "某市河道管理条例"),
        doc("某府规〔2024〕5号", "行政规范性文件", "2023年2月30日", "某市停车收费管理办法"),
        doc("某府规〔2024〕6号", "行政规范性文件", "2024-03-01", "某市养犬管理规定", 废止日期="2024-02-01"),
        doc("某市人民政府令第3号", "规章", "2024-03-05", "某市物业管理办法（重复登记）"),
        doc("某府规〔2024〕7号", "行政规范性文件", "2024-03-10", "关于修改停车办法的通知",
            **{AMENDS: "某府规〔2019〕9号"}),
        doc("某府规〔2024〕8号", "行政规范性文件", "2024-03-12", "某市夜间经济措施",
            废止日期="2024-06-01", 失效日期="2024-07-01"),
        *REGISTER[3:],
    ]
    at = {r["文号"]: i + TITLE_ROWS + 2 for i, r in reversed(list(enumerate(rows)))}
    expected = {
        (at["某府规〔2024〕3号"], "标题", "empty_required"),
        (at["某府规〔2024〕4号"], "文件类型", "unknown_kind"),
        (at["某府规〔2024〕5号"], "制发日期", "bad_date"),
        (at["某府规〔2024〕6号"], "废止日期", "repealed_before_issued"),
        (max(i for i, r in enumerate(rows) if r["文号"] == "某市人民政府令第3号") + TITLE_ROWS + 2, "文号",
         "duplicate_number"),
        (at["某府规〔2024〕7号"], AMENDS, "amends_unknown"),
        (at["某府规〔2024〕8号"], "失效日期", "repealed_and_lapsed"),
    }
    return rows, expected


@pytest.mark.parametrize("as_csv", [False, True])
def test_every_bad_row_is_reported_and_nothing_imported(tmp_path: Path, as_csv: bool) -> None:
    rows, expected = bad_rows()
    source = csv_bytes(rows, "gb18030") if as_csv else workbook(rows, tmp_path / "文件库.xlsx")
    with pytest.raises(ImportErrors) as caught:
        import_documents(source)
    err = caught.value
    assert isinstance(err, DocumentImportErrors) and err.code == "import_invalid"
    assert {(p.line, p.column, p.code) for p in err.errors} == expected
    assert len(err.errors) == len(expected)
    assert [p.line for p in err.errors] == sorted(p.line for p in err.errors)
    assert all(re.search(r"[\u4e00-\u9fff]", p.message_zh) for p in err.errors)
    assert "未导入任何文件" in str(err) and f"第{min(p.line for p in err.errors)}行" in str(err)
    unknown = next(p for p in err.errors if p.code == "unknown_kind")
    assert all(word in unknown.message_zh for word in ("地方性法规", "规章", "行政规范性文件"))
    duplicate = next(p for p in err.errors if p.code == "duplicate_number")
    assert f"第{line_of(rows, '某市人民政府令第3号')}行" in duplicate.message_zh


def test_problems_only_the_register_shows(tmp_path: Path) -> None:
    """References are checked against the other rows: a document amending one issued later, and two documents
    of one day amending each other."""
    rows = [
        doc("某府规〔2024〕1号", "行政规范性文件", "2024-01-02", "甲办法", **{AMENDS: "某府规〔2024〕2号"}),
        doc("某府规〔2024〕2号", "行政规范性文件", "2024-05-02", "乙办法"),
    ]
    with pytest.raises(ImportErrors) as caught:
        import_documents(workbook(rows, tmp_path / "a.xlsx"))
    assert [(p.line, p.column, p.code) for p in caught.value.errors] == [(3, AMENDS, "replaces_later")]

    rows = [
        doc("某府规〔2024〕1号", "行政规范性文件", "2024-01-02", "甲办法", **{REPLACES: "某府规〔2024〕2号"}),
        doc("某府规〔2024〕2号", "行政规范性文件", "2024-01-02", "乙办法", **{AMENDS: "某府规〔2024〕1号"}),
    ]
    with pytest.raises(ImportErrors) as caught:
        import_documents(workbook(rows, tmp_path / "b.xlsx"))
    [problem] = caught.value.errors
    assert problem.code == "replacement_cycle" and problem.line in (3, 4)
    assert problem.column == (REPLACES if problem.line == 3 else AMENDS)


def test_a_reference_to_a_bad_row_is_not_reported_twice(tmp_path: Path) -> None:
    rows = [doc("某府规〔2024〕1号", "行政规范性文件", "不详", "甲办法"),
            doc("某府规〔2024〕2号", "行政规范性文件", "2024-05-02", "乙办法", **{REPLACES: "某府规〔2024〕1号"})]
    with pytest.raises(ImportErrors) as caught:
        import_documents(workbook(rows, tmp_path / "a.xlsx"))
    assert [(p.line, p.column, p.code) for p in caught.value.errors] == [(3, "制发日期", "bad_date")]


TRICKY = [
    Document("=HYPERLINK(\"http://x\",\"点击\")", "+1 -2 @全部", NORM, "@某局", D("2024-02-01")),
    Document("-3号", "=SUM(A1:A9)", NORM, "=某办", D("2024-02-02"), lapsed=D("2024-12-31"),
             amends="=HYPERLINK(\"http://x\",\"点击\")"),
    Document("某府规〔2024〕9号", "第一行\n第二行，含“引号”和,逗号", REG, "某市人民政府", D("2024-03-01"),
             effective=D("2024-04-01"), repealed=D("2024-06-30"), replaces="-3号"),
]


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_round_trip(register: list[Document], tmp_path: Path, suffix: str) -> None:
    records = [*register, *TRICKY]
    path = tmp_path / f"导出{suffix}"
    export_documents(records, path)
    assert import_documents(path) == records
    assert import_documents(path.read_bytes()) == records


def test_csv_export_never_writes_a_formula(tmp_path: Path) -> None:
    path = tmp_path / "导出.csv"
    export_documents(TRICKY, path)
    assert path.read_bytes()[:3] == b"\xef\xbb\xbf"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))
    assert rows[1][:4] == ["'=HYPERLINK(\"http://x\",\"点击\")", "'+1 -2 @全部", "行政规范性文件", "'@某局"]
    assert not any(cell[:1] in "=+-@" for row in rows for cell in row if cell)


def test_xlsx_export_writes_the_documented_layout(register: list[Document], tmp_path: Path) -> None:
    path = tmp_path / "导出.xlsx"
    export_documents([*register, *TRICKY], path)
    ws = openpyxl.load_workbook(path).worksheets[0]
    assert [c.value for c in ws[1]] == ["文号", "标题", "文件类型", "制发机关", "制发日期", "施行日期", "废止日期",
                                        "失效日期", AMENDS, REPLACES]
    first = [c.value for c in ws[2]]
    assert first[:4] == ["某市人民政府令第1号", "某市城市绿化管理办法", "规章", "某市人民政府"]
    assert first[4].date() == D("2021-03-01") and first[6].date() == D("2024-02-01") and first[7] is None
    formula = ws.cell(row=len(register) + 2, column=1)
    assert formula.data_type == "s" and formula.value == TRICKY[0].number


def test_header_problems_and_unreadable_files(tmp_path: Path) -> None:
    ws_rows = [["文号", "标题", "文件类型", "制发日期", "标题"],
               ["某府规〔2024〕1号", "甲", "规章", "2024-01-01", "甲"]]
    data = "\n".join(",".join(r) for r in ws_rows).encode()
    with pytest.raises(ImportErrors) as caught:
        import_documents(data)
    assert {(p.line, p.column, p.code) for p in caught.value.errors} == {
        (1, "标题", "duplicate_column"), (1, "制发机关", "missing_column")}

    with pytest.raises(ImportErrors) as caught:
        import_documents("名称,日期\n甲,2024-01-01\n".encode())
    assert [p.code for p in caught.value.errors] == ["missing_header"]

    with pytest.raises(DocumentImportErrors) as caught:
        import_documents(b"PK\x03\x04not a workbook")
    assert [p.code for p in caught.value.errors] == ["unreadable"]
    assert "无法读取文件" in str(caught.value)


def test_short_headers_and_an_empty_register() -> None:
    data = "文号,标题,文件类型,制发机关,制发日期,修改的文件\n甲〔2024〕1号,甲,规章,某市人民政府,2024-01-01,\n"
    [only] = import_documents(data.encode("utf-8-sig"))
    assert only == Document("甲〔2024〕1号", "甲", REG, "某市人民政府", D("2024-01-01"))
    assert import_documents("文号,标题,文件类型,制发机关,制发日期\n".encode()) == []


TEXT = st.one_of(
    st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=20),
    st.sampled_from(["'=1", "''+2", "=SUM(A1)", "-3号", "@全部"]),
).filter(lambda s: s == s.strip())
"""Any text a record may hold, including text a spreadsheet would run as a formula and text that already
looks quoted."""
DAY = st.dates(date(1950, 1, 1), date(2100, 12, 31))


@settings(max_examples=40, deadline=None)
@given(number=TEXT, title=TEXT, organ=TEXT, issued=DAY, kind=st.sampled_from(document_kinds()),
       suffix=st.sampled_from([".xlsx", ".csv"]))
def test_any_text_round_trips(number: str, title: str, organ: str, issued: date, kind: str, suffix: str) -> None:
    record = Document(number, title, kind, organ, issued)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"导出{suffix}"
        export_documents([record], path)
        assert import_documents(path) == [record]
