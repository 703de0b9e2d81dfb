"""The request register as a spreadsheet: an office's XLSX or CSV imports into checked records whose tables
match a hand count; bad rows are all reported with the row number the user sees, and nothing is imported;
export writes the same layout back, and tables 3 and 4 with the format's labels."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from gongkai.registers.fees import ChargeMode
from gongkai.registers.requests import (
    Answer,
    ConsultationEnd,
    ConsultationStart,
    Extension,
    FeeNotice,
    LawsuitDecided,
    LawsuitFiled,
    Request,
    ReviewDecided,
    ReviewFiled,
    tables_for_period,
)
from gongkai.registers.spreadsheet import (
    COLUMNS,
    ImportErrors,
    export_requests,
    export_tables,
    import_requests,
)

HEADER = ["编号", "收到日期", "渠道", "申请人类型", "申请人姓名或名称", "联系方式", "申请内容", "补正通知日期",
          "补正后收到日期", "逾期不补正日期", "征求意见类型", "征求意见对象", "征求意见开始日期", "征求意见结束日期",
          "延期日期", "延期工作日数", "延期批准人", "收费通知日期", "收费方式", "收费页数", "收费金额（元）",
          "缴费日期", "逾期未缴费日期", "答复日期", "答复类型", "复议申请日期", "复议结果", "复议决定日期",
          "诉讼起诉日期", "诉讼结果", "诉讼裁判日期", "备注"]
D = date.fromisoformat


def req(rid: str, received: str, channel: str, applicant: str, answered: str | None = None,
        kind: str | None = None, **extra: object) -> dict[str, object]:
    """One register row as an office types it: dates as Excel dates, kinds by their Chinese labels."""
    row: dict[str, object] = {"编号": rid, "收到日期": D(received), "渠道": channel, "申请人类型": applicant,
                              "申请内容": f"申请公开{rid}所涉文件"}
    if answered:
        row |= {"答复日期": D(answered), "答复类型": kind}
    for k, v in extra.items():
        row[k] = D(v) if isinstance(v, str) and v[:2] == "20" and len(v) == 10 else v
    return row


# 14 requests received in 2023 and 16 in 2024, as a district bureau would keep them.
REGISTER = [
    req("A23-01", "2023-01-05", "网络申请", "自然人", "2023-01-20", "予以公开"),
    req("A23-02", "2023-02-01", "当面提交", "自然人", "2023-02-20", "属于国家秘密",
        复议申请日期="2023-03-01", 复议决定日期="2023-05-01", 复议结果="结果维持"),
    req("A23-03", "2023-03-01", "挂号信函", "商业企业", "2023-04-10", "部分公开",
        补正通知日期="2023-03-05", 补正后收到日期="2023-03-15"),
    req("A23-04", "2023-03-10", "网络申请", "自然人", "2023-03-30", "本机关不掌握相关政府信息"),
    req("A23-05", "2023-04-01", "平常信函", "自然人", 补正通知日期="2023-04-06", 逾期不补正日期="2023-05-10"),
    req("A23-06", "2023-05-01", "online", "legal_service", "2023-05-25", "granted"),
    req("A23-07", "2023-06-01", "网络申请", "自然人", "2023-07-20", "（三）不予公开·4.保护第三方合法权益",
        征求意见对象="某某置业有限公司", 征求意见开始日期="2023-06-05", 征求意见结束日期="2023-06-20",
        延期日期="2023-06-25", 延期工作日数=20, 延期批准人="办公室主任王某"),
    req("A23-08", "2023-07-03", "当面提交", "自然人", "2023-07-20", "不予公开-属于四类过程性信息",
        复议申请日期="2023-08-01", 复议决定日期="2023-10-01", 复议结果="维持",
        诉讼起诉日期="2023-10-20", 诉讼裁判日期="2024-03-01", 诉讼结果="结果纠正"),
    req("A23-09", "2023-08-01", "传真", "科研机构", "2023-08-20", "予以公开"),
    req("A23-10", "2023-09-01", "网络申请", "自然人", "2023-09-15", "重复申请"),
    req("A23-11", "2023-10-10", "网络申请", "社会公益组织", "2023-11-10", "予以公开",
        收费通知日期="2023-10-20", 收费方式="按量", 收费页数=40, **{"收费金额（元）": 100}, 缴费日期="2023-10-25"),
    req("A23-12", "2023-11-01", "口头申请", "自然人", "2023-11-05", "信访举报投诉类申请"),
    req("A23-13", "2023-12-01", "网络申请", "法人或其他组织·其他", "2023-12-20", "予以公开"),
    req("A23-14", "2023-12-20", "网络申请", "自然人", "2024-01-15", "部分公开"),
    req("A24-01", "2024-01-08", "网络申请", "自然人", "2024-01-25", "予以公开"),
    req("A24-02", "2024-01-15", "网络申请", "商业企业", "2024-02-20", "予以公开"),
    req("A24-03", "2024-02-10", "挂号信函", "自然人", "2024-03-01", "本机关不掌握相关政府信息",
        诉讼起诉日期="2024-05-01", 诉讼裁判日期="2024-09-01", 诉讼结果="其他结果"),
    req("A24-04", "2024-03-01", "网络申请", "自然人", "2024-03-20", "部分公开"),
    req("A24-05", "2024-03-15", "当面提交", "法律服务机构", "2024-04-01", "予以公开"),
    req("A24-06", "2024-04-01", "网络申请", "自然人", 收费通知日期="2024-04-10", 收费页数=50,
        逾期未缴费日期="2024-05-20", 申请人姓名或名称="赵某", 联系方式="13800000000"),
    req("A24-07", "2024-05-06", "网络申请", "自然人", "2024-05-28", "没有现成信息需要另行制作"),
    req("A24-08", "2024-06-03", "网络申请", "科研机构", "2024-06-20", "予以公开"),
    req("A24-09", "2024-07-01", "平常信函", "自然人", "2024-07-20", "属于行政执法案卷",
        复议申请日期="2024-08-01", 复议决定日期="2024-10-15", 复议结果="纠正"),
    req("A24-10", "2024-08-01", "网络申请", "自然人", "2024-08-20", "予以公开"),
    req("A24-11", "2024-09-02", "网络申请", "自然人", "2024-09-20", "（六）其他处理·3.其他"),
    req("A24-12", "2024-10-08", "网络申请", "社会公益组织", "2024-10-25", "部分公开"),
    req("A24-13", "2024-10-20", "传真", "自然人", "2024-11-10", "属于国家秘密", 复议申请日期="2024-11-20"),
    req("A24-14", "2024-11-15", "网络申请", "自然人", "2024-12-05", "予以公开"),
    req("A24-15", "2024-12-10", "网络申请", "商业企业", 补正通知日期="2024-12-16"),
    req("A24-16", "2024-12-25", "网络申请", "自然人", 备注="待办"),
]
TITLE_ROWS = 1  # a title above the header, as offices print them; data rows start at line 3


def workbook(rows: list[dict[str, object]], path: Path) -> Path:
    """The register as an office's XLSX: a title row, the header, one row per request, a free 备注 column."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["某区住房和城乡建设局依申请公开台账（2023—2024年）"])
    ws.append(HEADER)
    for row in rows:
        ws.append([row.get(h) for h in HEADER])
    wb.save(path)
    return path


def line_of(rows: list[dict[str, object]], rid: str) -> int:
    """The spreadsheet row number the user sees for the request `rid`."""
    return next(i for i, r in enumerate(rows) if r["编号"] == rid) + TITLE_ROWS + 2


@pytest.fixture
def register(tmp_path: Path) -> list[Request]:
    return import_requests(workbook(REGISTER, tmp_path / "台账.xlsx"))


def year(requests: list[Request], y: int) -> dict:
    return tables_for_period(requests, date(y, 1, 1), date(y, 12, 31))


def test_realistic_register_imports_with_its_events_in_order(register: list[Request]) -> None:
    assert [r.id for r in register] == [r["编号"] for r in REGISTER]
    by_id = {r.id: r for r in register}
    assert by_id["A23-06"].channel == "online" and by_id["A23-06"].applicant == "legal_service"
    assert by_id["A23-13"].applicant == "other_org"
    assert by_id["A23-07"].events == (
        ConsultationStart(D("2023-06-05"), "某某置业有限公司"), ConsultationEnd(D("2023-06-20")),
        Extension(D("2023-06-25"), 20, "办公室主任王某"), Answer(D("2023-07-20"), "withheld.third_party"))
    assert by_id["A23-11"].events[0] == FeeNotice(D("2023-10-20"), ChargeMode.PER_VOLUME, 100, pages=40)
    assert by_id["A24-06"].events[0].amount_yuan == 200  # 按量 inferred from the pages: 20 pages × 10 元
    assert (by_id["A24-06"].applicant_name, by_id["A24-06"].contact) == ("赵某", "13800000000")
    assert by_id["A23-05"].outcome == "other.no_correction"
    assert by_id["A24-06"].outcome == "other.fee_unpaid"
    assert by_id["A24-11"].outcome == "other.other"
    assert [p.row for p in by_id["A23-08"].proceedings()] == ["review", "litigation_after_review"]
    assert [p.row for p in by_id["A24-03"].proceedings()] == ["litigation_direct"]
    assert by_id["A24-16"].closing is None


def test_realistic_register_tables_match_a_hand_count(register: list[Request]) -> None:
    t3, t4 = year(register, 2023)["requests"], year(register, 2023)["review_litigation"]
    assert t3["new_received"]["total"] == 14
    assert t3["new_received"]["natural_person"] == 9  # A23-01 02 04 05 07 08 10 12 14
    assert t3["granted"]["total"] == 5  # A23-01 06 09 11 13
    assert t3["granted"]["natural_person"] == 1
    assert t3["other.no_correction"]["natural_person"] == 1  # A23-05
    assert t3["total_processed"]["total"] == 13
    assert t3["carried_forward"]["natural_person"] == 1  # A23-14, answered in January 2024
    assert t4["review"]["upheld"] == 2  # A23-02, A23-08
    assert t4["litigation_after_review"]["pending"] == 1  # A23-08, judged in 2024

    t3, t4 = year(register, 2024)["requests"], year(register, 2024)["review_litigation"]
    assert t3["carried_over"]["total"] == 1
    assert t3["new_received"]["natural_person"] == 11
    assert t3["new_received"]["commercial"] == 2  # A24-02, A24-15
    assert t3["granted"]["total"] == 6  # A24-01 02 05 08 10 14
    assert t3["partially_granted"]["total"] == 3  # A23-14, A24-04, A24-12
    assert t3["other.fee_unpaid"]["natural_person"] == 1  # A24-06
    assert t3["carried_forward"]["total"] == 2  # A24-15 awaiting correction, A24-16 unanswered
    assert t3["total_processed"]["total"] == 15
    assert t4["review"] == {"upheld": 0, "corrected": 1, "other": 0, "pending": 1, "total": 2}
    assert t4["litigation_direct"]["other"] == 1  # A24-03
    assert t4["litigation_after_review"]["corrected"] == 1  # A23-08


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_round_trip(register: list[Request], tmp_path: Path, suffix: str) -> None:
    tricky = replace(
        Request("=HYPERLINK(\"http://x\")", D("2024-02-01"), "fax", "research", "-1 +号文件；@全部\n第二行"),
        events=(ConsultationStart(D("2024-02-02"), "甲公司"), ConsultationEnd(D("2024-02-05")),
                ConsultationStart(D("2024-02-05"), "", "agency"), ConsultationEnd(D("2024-02-09")),
                Answer(D("2024-02-20"), "withheld.security_stability"), ReviewFiled(D("2024-03-01")),
                LawsuitFiled(D("2024-03-02")), ReviewDecided(D("2024-04-01"), "other"),
                LawsuitDecided(D("2024-05-01"), "upheld")))
    records = [*register, tricky]
    path = tmp_path / f"导出{suffix}"
    export_requests(records, path)
    assert import_requests(path) == records
    assert import_requests(path.read_bytes()) == records


def test_export_writes_the_documented_layout_with_printed_labels(register: list[Request], tmp_path: Path) -> None:
    path = tmp_path / "导出.xlsx"
    export_requests(register, path)
    ws = openpyxl.load_workbook(path).worksheets[0]
    assert [c.value for c in ws[1]] == list(COLUMNS)
    row = {h: c.value for h, c in zip(COLUMNS, ws[line_of(REGISTER, "A23-07") - 1], strict=True)}
    assert row["答复类型"] == "（三）不予公开·4.保护第三方合法权益"
    assert row["渠道"] == "网络申请" and row["申请人类型"] == "自然人"
    assert row["延期工作日数"] == 20 and row["收到日期"].date() == D("2023-06-01")


def test_every_bad_row_is_reported_and_nothing_imported(tmp_path: Path) -> None:
    rows = [
        req("B-01", "2024-01-05", "网络申请", "自然人", "2024-01-20", "予以公开"),
        {**req("B-02", "2024-01-06", "网络申请", "自然人"), "收到日期": "2024-13-45"},
        req("B-03", "2024-01-07", "网络申请", "外国人", "2024-01-20", "予以公开"),
        req("B-04", "2024-01-08", "网络申请", "自然人", "2024-01-20", "同意公开"),
        req("B-05", "2024-01-09", "网络申请", "自然人", "2024-03-20", "予以公开", 复议申请日期="2024-03-01"),
        req("B-01", "2024-01-10", "当面提交", "自然人"),
        {**req("B-07", "2024-01-11", "网络申请", "自然人"), "申请内容": "  "},
        req("B-08", "2024-01-12", "网络申请", "自然人", "2024-03-20", "予以公开", 延期日期="2024-02-01",
            延期工作日数=30, 延期批准人="主任"),
        req("B-09", "2024-01-12", "网络申请", "自然人", "2024-03-20", "予以公开", 延期日期="2024-02-01",
            延期工作日数=10),
        req("B-10", "2024-01-12", "网络申请", "自然人", 收费通知日期="2024-01-20", 收费方式="按量", 收费页数=25),
        req("B-11", "2024-01-12", "网络申请", "自然人", 收费通知日期="2024-01-20", 收费页数=45,
            **{"收费金额（元）": 100}),
        req("B-12", "2024-01-12", "网络申请", "自然人", 收费通知日期="2024-01-20", 收费方式="按件"),
    ]
    with pytest.raises(ImportErrors) as caught:
        import_requests(workbook(rows, tmp_path / "有错.xlsx"))
    found = {(p.line, p.column, p.code) for p in caught.value.errors}
    assert found == {
        (4, "收到日期", "bad_date"),
        (5, "申请人类型", "unknown_applicant"),
        (6, "答复类型", "unknown_outcome"),
        (7, "复议申请日期", "not_answered"),
        (8, "编号", "duplicate_id"),
        (9, "申请内容", "empty_required"),
        (10, "延期工作日数", "extension_too_long"),
        (11, "延期批准人", "empty_required"),
        (12, "收费方式", "fee_not_due"),
        (13, "收费金额（元）", "fee_mismatch"),
        (14, "收费方式", "fee_needs_applicant"),
    }
    messages = {p.code: p.message_zh for p in caught.value.errors}
    assert "2024-13-45" in messages["bad_date"]
    assert "外国人" in messages["unknown_applicant"] and "自然人" in messages["unknown_applicant"]
    assert "同意公开" in messages["unknown_outcome"]
    assert "第3行" in messages["duplicate_id"]
    assert "20个工作日" in messages["extension_too_long"]
    assert "30页以内不收费" in messages["fee_not_due"]
    assert "150元" in messages["fee_mismatch"]
    assert "第4行「收到日期」列" in caught.value.message_zh and "未导入任何申请" in caught.value.message_zh


def test_per_request_fees_count_the_applicants_requests_in_the_month(tmp_path: Path) -> None:
    """The 11th request of one applicant in a calendar month costs 100 元; the fee is computed, not typed."""
    rows = [req(f"F-{i:02}", f"2024-03-{i:02}", "网络申请", "自然人", 申请人姓名或名称="钱某") for i in range(1, 12)]
    rows += [req("G-01", "2024-03-15", "网络申请", "自然人", 申请人姓名或名称="孙某")]
    rows[10] |= {"收费通知日期": D("2024-03-20"), "收费方式": "按件计收"}
    imported = {r.id: r for r in import_requests(workbook(rows, tmp_path / "按件.xlsx"))}
    assert imported["F-11"].events == (FeeNotice(D("2024-03-20"), ChargeMode.PER_REQUEST, 100, rank_in_month=11),)
    rows[11] |= {"收费通知日期": D("2024-03-20"), "收费方式": "按件"}  # 孙某's first request that month is free
    with pytest.raises(ImportErrors) as caught:
        import_requests(workbook(rows, tmp_path / "按件2.xlsx"))
    assert [(p.line, p.code) for p in caught.value.errors] == [(14, "fee_not_due")]
    assert "前10件申请不收费" in caught.value.errors[0].message_zh


def csv_bytes(rows: list[dict[str, object]], bom: bool) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow(["" if row.get(h) is None else str(row.get(h)) for h in HEADER])
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")


@pytest.mark.parametrize("bom", [True, False])
def test_csv_with_or_without_bom_imports_like_the_workbook(register: list[Request], tmp_path: Path,
                                                           bom: bool) -> None:
    data = csv_bytes(REGISTER, bom)
    assert data.startswith(b"\xef\xbb\xbf") == bom
    assert import_requests(data) == register
    path = tmp_path / "台账.csv"
    path.write_bytes(data)
    assert import_requests(path) == register


def test_csv_errors_give_the_record_number_a_spreadsheet_shows() -> None:
    rows = [req("C-01", "2024-01-05", "网络申请", "自然人"), req("C-02", "2024-01-06", "信鸽", "自然人")]
    with pytest.raises(ImportErrors) as caught:
        import_requests(csv_bytes(rows, bom=True))
    assert [(p.line, p.column, p.code) for p in caught.value.errors] == [(3, "渠道", "unknown_channel")]


def test_text_dates_and_a_missing_header_column(tmp_path: Path) -> None:
    rows = [req("D-01", "2024-01-05", "网络申请", "自然人", "2024-01-20", "予以公开")]
    rows[0] |= {"收到日期": "2024年1月5日", "答复日期": "2024/1/20"}
    (record,) = import_requests(csv_bytes(rows, bom=False))
    assert record.received == D("2024-01-05") and record.closed_on == D("2024-01-20")
    header_only = "编号,收到日期,渠道\nD-01,2024-01-05,网络申请\n".encode()
    with pytest.raises(ImportErrors) as caught:
        import_requests(header_only)
    assert {(p.line, p.column, p.code) for p in caught.value.errors} == {
        (1, "申请人类型", "missing_column"), (1, "申请内容", "missing_column")}


def test_not_a_spreadsheet_is_refused_in_chinese() -> None:
    with pytest.raises(ImportErrors) as caught:
        import_requests(b"PK\x03\x04 not really a zip")
    assert caught.value.errors[0].code == "unreadable" and "XLSX" in caught.value.errors[0].message_zh


def table_cell(rows: list[list[object]], row_label: str, column_label: str, header_row: int = 2) -> object:
    """The value under `column_label` (in the label header row) of the row printed as `row_label`."""
    col = rows[header_row].index(column_label)
    return next(r[col] for r in rows if r and r[0] == row_label)


def test_export_tables_uses_the_format_labels(register: list[Request], tmp_path: Path) -> None:
    tables = year(register, 2024)
    path = tmp_path / "2024年表三表四.xlsx"
    export_tables(tables, path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["表三", "表四"]
    t3 = [[c.value for c in r] for r in wb["表三"].iter_rows()]
    assert t3[0][0] == "收到和处理政府信息公开申请情况"
    assert table_cell(t3, "（一）予以公开", "自然人") == 3
    assert table_cell(t3, "（七）总计", "总计") == 15
    assert table_cell(t3, "4.保护第三方合法权益", "总计") == 0
    assert ["（三）不予公开", *[None] * (len(t3[2]) - 1)] in t3
    t4 = [[c.value for c in r] for r in wb["表四"].iter_rows()]
    assert table_cell(t4, "行政复议", "尚未审结") == 1
    assert table_cell(t4, "行政诉讼·复议后起诉", "结果纠正") == 1

    csv_path = tmp_path / "2024年表三表四.csv"
    export_tables(tables, csv_path)
    text = csv_path.read_bytes()
    assert text.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
    assert table_cell(rows, "（一）予以公开", "自然人") == "3"
    assert "政府信息公开行政复议、行政诉讼情况" in [r[0] for r in rows if r]
