"""Spreadsheet import and export of the request register (依申请公开台账): one row per request.

Offices keep their requests in spreadsheets. This module reads them (XLSX, or CSV in UTF-8 with or without a
BOM) into `Request` records by replaying each row's events through `requests.apply`, so an imported register
obeys the same rules as one kept by hand in the app. An import is all or nothing: every bad cell of every row
is reported at once in one `ImportErrors`, and no request is returned. The layout is documented in
docs/register-spreadsheet.md; `export_requests` writes the same layout back.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import NamedTuple

import openpyxl
from openpyxl.styles import Font
from openpyxl.utils.datetime import from_excel

from gongkai.formats import get_format
from gongkai.registers.errors import RegisterError
from gongkai.registers.fees import ChargeMode
from gongkai.registers.requests import (
    CHANNELS,
    CONSULTATION_KINDS,
    Abandoned,
    Answer,
    ConsultationEnd,
    ConsultationStart,
    Corrected,
    CorrectionNotice,
    Event,
    Extension,
    FeeNotice,
    FeePaid,
    FeeUnpaid,
    LawsuitDecided,
    LawsuitFiled,
    Request,
    ReviewDecided,
    ReviewFiled,
    applicant_kinds,
    apply,
    fee_notice,
    outcome_kinds,
    proceeding_results,
    rank_in_month,
)

__all__ = ["COLUMNS", "REQUIRED", "ImportErrors", "ImportProblem", "export_requests", "export_tables",
           "import_requests"]

MAX_BYTES = 20 * 1024 * 1024
"""A register of tens of thousands of requests fits easily; larger files are refused before parsing."""
MAX_ROWS = 50_000
HEADER_SEARCH_ROWS = 10
"""Offices often put a title above the header row; the header is looked for in this many first rows."""

# The columns, as the spreadsheet's header row names them.
ID, RECEIVED, CHANNEL, APPLICANT, CONTENT = "编号", "收到日期", "渠道", "申请人类型", "申请内容"
APPLICANT_NAME, CONTACT = "申请人姓名或名称", "联系方式"
CORR_NOTICE, CORRECTED, ABANDONED = "补正通知日期", "补正后收到日期", "逾期不补正日期"
CONSULT_KIND, CONSULT_PARTY = "征求意见类型", "征求意见对象"
CONSULT_START, CONSULT_END = "征求意见开始日期", "征求意见结束日期"
EXT_ON, EXT_DAYS, EXT_BY = "延期日期", "延期工作日数", "延期批准人"
FEE_NOTICE, FEE_MODE, FEE_PAGES, FEE_AMOUNT = "收费通知日期", "收费方式", "收费页数", "收费金额（元）"
FEE_PAID, FEE_UNPAID = "缴费日期", "逾期未缴费日期"
ANSWER_ON, ANSWER_KIND = "答复日期", "答复类型"
REVIEW_ON, REVIEW_RESULT, REVIEW_DECIDED = "复议申请日期", "复议结果", "复议决定日期"
SUIT_ON, SUIT_RESULT, SUIT_DECIDED = "诉讼起诉日期", "诉讼结果", "诉讼裁判日期"

COLUMNS: tuple[str, ...] = (
    ID, RECEIVED, CHANNEL, APPLICANT, APPLICANT_NAME, CONTACT, CONTENT, CORR_NOTICE, CORRECTED, ABANDONED,
    CONSULT_KIND, CONSULT_PARTY, CONSULT_START, CONSULT_END, EXT_ON, EXT_DAYS, EXT_BY, FEE_NOTICE, FEE_MODE,
    FEE_PAGES, FEE_AMOUNT, FEE_PAID, FEE_UNPAID, ANSWER_ON, ANSWER_KIND, REVIEW_ON, REVIEW_RESULT, REVIEW_DECIDED,
    SUIT_ON, SUIT_RESULT, SUIT_DECIDED)
REQUIRED: tuple[str, ...] = (ID, RECEIVED, CHANNEL, APPLICANT, CONTENT)

_LIST_SEP = re.compile(r"[；;\n]")
_CSV_FORMULA = ("=", "+", "-", "@")
CHANNEL_ALIASES: dict[str, tuple[str, ...]] = {
    "in_person": ("当面申请", "现场申请", "当面"),
    "registered_post": ("挂号信", "邮寄（挂号）"),
    "ordinary_post": ("平信", "普通信函"),
    "online": ("网上申请", "在线申请", "互联网申请"),
    "fax": ("传真申请",),
    "oral": ("口头",),
}
FEE_MODE_LABELS: dict[ChargeMode, tuple[str, ...]] = {
    ChargeMode.PER_REQUEST: ("按件", "按件计收", "按件收费"),
    ChargeMode.PER_VOLUME: ("按量", "按量计收", "按量收费", "按页"),
}
CONSULTATION_ALIASES: dict[str, tuple[str, ...]] = {
    "third_party": ("第三方", "征求意见", "征求第三方意见"),
    "agency": ("协办", "其他机关", "征求其他机关意见"),
}


# ---------------------------------------------------------------------------------------------------------
# Problems


class ImportProblem(NamedTuple):
    """One bad cell: the row number the user sees (0 for the whole file), the column header, a stable code."""

    line: int
    column: str
    code: str
    message_zh: str


class ImportErrors(RegisterError):
    """Every problem of a refused import; nothing was imported."""

    def __init__(self, errors: Iterable[ImportProblem]) -> None:
        self.errors: list[ImportProblem] = sorted(errors, key=lambda p: (p.line, _column_rank(p.column)))
        shown = "；".join(_where(p) + p.message_zh for p in self.errors[:5])
        more = "……" if len(self.errors) > 5 else ""
        super().__init__("import_invalid", f"导入失败，共{len(self.errors)}处问题，未导入任何申请：{shown}{more}")


def _column_rank(column: str) -> int:
    return COLUMNS.index(column) if column in COLUMNS else len(COLUMNS)


def _where(p: ImportProblem) -> str:
    line = "文件" if p.line == 0 else f"第{p.line}行"
    return f"{line}「{p.column}」列：" if p.column else f"{line}："


# ---------------------------------------------------------------------------------------------------------
# Vocabulary: the format's printed labels, and what a user may type for them


def _norm(text: str) -> str:
    """A label reduced to what identifies it: no numbering (（三）, 三、, 1.), notes in brackets, spaces,
    separators or quotes, so 「（三）不予公开·1.属于国家秘密」 and 「不予公开-属于国家秘密」 match."""
    s = unicodedata.normalize("NFKC", text)
    s = re.sub(r"\([^)]*\)", "", s)
    s = re.sub(r"[一二三四五六七八九十]+、|\d+\.", "", s)
    return re.sub(r"[\s·・/\-—_\"“”'‘’]", "", s).lower()


def _lookup(entries: Iterable[tuple[str, Iterable[str]]]) -> dict[str, str | None]:
    """Normalised name → key; a name two keys share maps to None (ambiguous, refused)."""
    out: dict[str, str | None] = {}
    for key, names in entries:
        for name in (key, *names):
            n = _norm(name)
            if n:
                out[n] = key if out.get(n, key) == key else None
    return out


@dataclass(frozen=True)
class _Vocab:
    """For one format: the label each key is written with, and the lookups that read labels back."""

    applicant_label: dict[str, str]
    outcome_label: dict[str, str]
    result_label: dict[str, str]
    applicants: dict[str, str | None]
    outcomes: dict[str, str | None]
    results: dict[str, str | None]
    channels: dict[str, str | None] = field(default_factory=dict)
    fee_modes: dict[str, str | None] = field(default_factory=dict)
    consultations: dict[str, str | None] = field(default_factory=dict)


def _joined(group: str | None, label: str) -> str:
    return f"{group}·{label}" if group else label


@cache
def _vocab(format_id: str) -> _Vocab:
    fmt = get_format(format_id)
    t3, t4 = fmt.table("requests"), fmt.table("review_litigation")
    assert t3 is not None and t4 is not None  # outcome_kinds() below has already refused such a format
    kinds, outcomes, results = applicant_kinds(format_id), outcome_kinds(format_id), proceeding_results(format_id)
    groups = {g.key: g.label for g in t3.groups}
    applicant_label = {k: _joined(t3.column(k).group, t3.column(k).label) for k in kinds}
    outcome_label = {k: _joined(groups.get(k.split(".", 1)[0]) if "." in k else None, t3.row(k).label)
                     for k in outcomes}
    result_label = {k: t4.column(k).label for k in results}
    return _Vocab(
        applicant_label=applicant_label,
        outcome_label=outcome_label,
        result_label=result_label,
        applicants=_lookup((k, (v, t3.column(k).label, *t3.column(k).aliases)) for k, v in applicant_label.items()),
        outcomes=_lookup((k, (v, t3.row(k).label, *t3.row(k).aliases)) for k, v in outcome_label.items()),
        results=_lookup((k, (v, v.removeprefix("结果").removesuffix("结果"), *t4.column(k).aliases))
                        for k, v in result_label.items()),
        channels=_lookup((k, (v, *CHANNEL_ALIASES.get(k, ()))) for k, v in CHANNELS.items()),
        fee_modes=_lookup((str(k), v) for k, v in FEE_MODE_LABELS.items()),
        consultations=_lookup((k, (v, *CONSULTATION_ALIASES[k])) for k, v in CONSULTATION_KINDS.items()),
    )


# ---------------------------------------------------------------------------------------------------------
# Reading cells


_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?")


def _to_date(value: object) -> date | None:
    """A date cell as Excel stores it, or as text (2024-03-05, 2024/3/5, 2024年3月5日, 20240305); None if not."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    m = _DATE.fullmatch(text) or re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text)
    if m:
        try:
            return date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return None
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < 2958466:
        converted = from_excel(value)  # a date cell that lost its format shows Excel's day number
        return converted.date() if isinstance(converted, datetime) else None
    return None


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


@dataclass
class _Row:
    """One spreadsheet row being read: its cells by header, and the problems found so far."""

    line: int
    cells: dict[str, object]
    problems: list[ImportProblem]

    def fail(self, column: str, code: str, message: str) -> None:
        self.problems.append(ImportProblem(self.line, column, code, message))

    def text(self, column: str) -> str:
        return _text(self.cells.get(column))

    def required(self, column: str) -> str:
        text = self.text(column)
        if not text:
            self.fail(column, "empty_required", f"「{column}」为必填项，不能为空")
        return text

    def date(self, column: str) -> date | None:
        value = self.cells.get(column)
        if not _text(value):
            return None
        parsed = _to_date(value)
        if parsed is None:
            self.fail(column, "bad_date", f"「{_text(value)}」不是有效的日期，请写成2024-03-05的形式")
        return parsed

    def dates(self, column: str) -> list[date]:
        """Several dates in one cell, separated by ；(several consultations of one request)."""
        value = self.cells.get(column)
        if isinstance(value, date | datetime) or not _text(value):
            one = self.date(column)
            return [one] if one else []
        out = []
        for part in _LIST_SEP.split(_text(value)):
            parsed = _to_date(part.strip())
            if parsed is None:
                self.fail(column, "bad_date", f"「{part.strip()}」不是有效的日期，多个日期请用“；”分隔，"
                                              f"每个写成2024-03-05的形式")
                return []
            out.append(parsed)
        return out

    def integer(self, column: str) -> int | None:
        text = self.text(column)
        if not text:
            return None
        if re.fullmatch(r"-?\d+", text):
            return int(text)
        self.fail(column, "bad_number", f"「{text}」不是整数")
        return None

    def pick(self, column: str, lookup: dict[str, str | None], code: str, allowed: Iterable[str]) -> str | None:
        text = self.text(column)
        if not text:
            return None
        key = lookup.get(_norm(text))
        if key is None:
            self.fail(column, code, f"「{text}」不是可用的{column}，应为：{'、'.join(allowed)}")
        return key

    def both(self, first: str, second: str) -> bool:
        """Two cells that only make sense together (答复日期 and 答复类型): True when both or neither is filled."""
        a, b = bool(self.text(first)), bool(self.text(second))
        if a != b:
            missing, present = (second, first) if a else (first, second)
            self.fail(missing, "empty_required", f"填写了「{present}」时，「{missing}」也须填写")
        return a == b


# ---------------------------------------------------------------------------------------------------------
# From a row to events


@dataclass(frozen=True)
class _Step:
    """One event of a row, with where it sorts (date, then the order events happen in on one day) and the
    columns to blame when `apply` refuses it: its date, or the cell naming its kind for kind errors."""

    order: tuple[date, int, int]
    event: Event
    column: str
    detail: str = ""


_KIND_CODES = frozenset({"unknown_outcome", "outcome_not_in_format", "unknown_result", "extension_too_long",
                         "extension_invalid", "no_correction_notice", "no_fee_notice", "fee_not_due"})


def _consultation_kinds(row: _Row, vocab: _Vocab, n: int) -> list[str] | None:
    """Each consultation's kind (第三方 or 协办), one per start; empty means all 第三方 (the common case)."""
    text = row.text(CONSULT_KIND)
    if not text:
        return ["third_party"] * n
    names = [p.strip() for p in _LIST_SEP.split(text)]
    if len(names) != n:
        row.fail(CONSULT_KIND, "count_mismatch", f"征求意见类型有{len(names)}个，开始日期有{n}个，须一一对应")
        return None
    kinds = [vocab.consultations.get(_norm(name)) for name in names]
    if None in kinds:
        row.fail(CONSULT_KIND, "unknown_consultation",
                 f"「{text}」不是可用的征求意见类型，应为：{'、'.join(CONSULTATION_KINDS.values())}（或写“第三方”“协办”）")
        return None
    return kinds  # type: ignore[return-value]


def _consultations(row: _Row, vocab: _Vocab) -> list[_Step]:
    starts, ends = row.dates(CONSULT_START), row.dates(CONSULT_END)
    party_text = row.text(CONSULT_PARTY)
    parties = [p.strip() for p in _LIST_SEP.split(party_text)] if party_text else [""] * len(starts)
    if len(ends) not in (len(starts), len(starts) - 1):
        row.fail(CONSULT_END, "count_mismatch", f"征求意见开始{len(starts)}次、结束{len(ends)}次，不能对应；"
                                                "多次征求意见请按顺序用“；”分隔")
        return []
    if len(parties) != len(starts):
        row.fail(CONSULT_PARTY, "count_mismatch", f"征求意见对象有{len(parties)}个，开始日期有{len(starts)}个，"
                                                  "须一一对应")
        return []
    kinds = _consultation_kinds(row, vocab, len(starts))
    if kinds is None:
        return []
    steps = [_Step((on, 2, 2 * i), ConsultationStart(on, parties[i], kinds[i]), CONSULT_START)
             for i, on in enumerate(starts)]
    steps += [_Step((on, 2, 2 * i + 1), ConsultationEnd(on), CONSULT_END) for i, on in enumerate(ends)]
    return steps


def _fee_step(row: _Row, vocab: _Vocab, rank: Callable[[], int]) -> _Step | None:
    """The fee notice, its amount computed from the rank in the month (按件) or the pages (按量), and the typed
    amount, if any, checked against it."""
    notice, pages, typed = row.date(FEE_NOTICE), row.integer(FEE_PAGES), row.integer(FEE_AMOUNT)
    labels = [v[0] for v in FEE_MODE_LABELS.values()]
    mode = row.pick(FEE_MODE, vocab.fee_modes, "unknown_fee_mode", labels)
    if notice is None:
        for column in (FEE_MODE, FEE_PAGES, FEE_AMOUNT):
            if row.text(column):
                row.fail(FEE_NOTICE, "empty_required", f"填写了「{column}」时，「{FEE_NOTICE}」也须填写")
                break
        return None
    if mode is None and not row.text(FEE_MODE):
        mode = str(ChargeMode.PER_VOLUME) if pages is not None else None
        if mode is None:
            row.fail(FEE_MODE, "empty_required", f"发出收费通知时须填写「{FEE_MODE}」：按件或按量")
    if mode is None or row.problems:
        return None
    if mode == ChargeMode.PER_VOLUME and pages is None:
        row.fail(FEE_PAGES, "empty_required", f"按量收费须填写「{FEE_PAGES}」")
        return None
    try:
        event = (fee_notice(notice, pages=pages) if mode == ChargeMode.PER_VOLUME
                 else fee_notice(notice, rank_in_month=rank(), pages=pages))
    except RegisterError as err:
        row.fail(FEE_PAGES if err.code == "fee_both_ways" else FEE_MODE, err.code, err.message_zh)
        return None
    if typed is not None and typed != event.amount_yuan:
        row.fail(FEE_AMOUNT, "fee_mismatch", f"收费金额{typed}元与按收费标准计算的{event.amount_yuan}元不符"
                                             "（金额由系统计算，可以不填）")
        return None
    return _Step((notice, 5, 0), event, FEE_NOTICE, FEE_MODE)


def _steps(row: _Row, vocab: _Vocab, rank: Callable[[], int]) -> list[_Step]:
    """Every event the row's cells describe, in the order they happened."""
    steps: list[_Step] = []

    def dated(column: str, rank: int, make: type, detail: str = "") -> None:
        on = row.date(column)
        if on is not None:
            steps.append(_Step((on, rank, 0), make(on), column, detail))

    dated(CORR_NOTICE, 0, CorrectionNotice)
    dated(CORRECTED, 1, Corrected)
    dated(ABANDONED, 7, Abandoned)
    steps += _consultations(row, vocab)
    if row.both(EXT_ON, EXT_DAYS) and row.both(EXT_ON, EXT_BY):
        on, days = row.date(EXT_ON), row.integer(EXT_DAYS)
        if on is not None and days is not None:
            steps.append(_Step((on, 4, 0), Extension(on, days, row.text(EXT_BY)), EXT_ON, EXT_DAYS))
    fee = _fee_step(row, vocab, rank)
    if fee is not None:
        steps.append(fee)
    dated(FEE_PAID, 6, FeePaid)
    dated(FEE_UNPAID, 7, FeeUnpaid)
    if row.both(ANSWER_ON, ANSWER_KIND):
        on = row.date(ANSWER_ON)
        kind = row.pick(ANSWER_KIND, vocab.outcomes, "unknown_outcome", vocab.outcome_label.values())
        if on is not None and kind is not None:
            steps.append(_Step((on, 7, 0), Answer(on, kind), ANSWER_ON, ANSWER_KIND))
    for filed_col, result_col, decided_col, filed, decided, rank in (
            (REVIEW_ON, REVIEW_RESULT, REVIEW_DECIDED, ReviewFiled, ReviewDecided, 8),
            (SUIT_ON, SUIT_RESULT, SUIT_DECIDED, LawsuitFiled, LawsuitDecided, 10)):
        dated(filed_col, rank, filed)
        if row.both(decided_col, result_col):
            on = row.date(decided_col)
            result = row.pick(result_col, vocab.results, "unknown_result", vocab.result_label.values())
            if on is not None and result is not None:
                steps.append(_Step((on, rank + 1, 0), decided(on, result), decided_col, result_col))
    return sorted(steps, key=lambda s: s.order)


def _request(row: _Row, vocab: _Vocab, format_id: str, month: Sequence[_Applicant]) -> Request | None:
    """The row's request with its events replayed, or None with the row's problems recorded."""
    rid, content = row.required(ID), row.required(CONTENT)
    received = row.date(RECEIVED) if row.required(RECEIVED) else None
    channel = row.pick(CHANNEL, vocab.channels, "unknown_channel", CHANNELS.values()) if row.required(CHANNEL) \
        else None
    applicant = row.pick(APPLICANT, vocab.applicants, "unknown_applicant", vocab.applicant_label.values()) \
        if row.required(APPLICANT) else None
    name = row.text(APPLICANT_NAME)

    def rank() -> int:
        if received is None:
            raise RegisterError("fee_needs_applicant", "按件收费须先有收到日期")
        return rank_in_month(month, _Applicant(rid, received, name))  # type: ignore[arg-type]

    steps = _steps(row, vocab, rank)
    if row.problems or received is None or channel is None or applicant is None:
        return None
    request = Request(rid, received, channel, applicant, content, format_id, applicant_name=name,
                      contact=row.text(CONTACT))
    for step in steps:
        try:
            request = apply(request, step.event)
        except RegisterError as err:
            column = step.detail if step.detail and err.code in _KIND_CODES else step.column
            row.fail(column, err.code, err.message_zh)
            return None
    return request


# ---------------------------------------------------------------------------------------------------------
# Reading files


def _load(source: str | Path | bytes) -> bytes:
    if isinstance(source, bytes | bytearray):
        data = bytes(source)
    else:
        path = Path(source)
        if path.stat().st_size > MAX_BYTES:
            raise ImportErrors([_too_big()])
        data = path.read_bytes()
    if len(data) > MAX_BYTES:
        raise ImportErrors([_too_big()])
    return data


def _too_big() -> ImportProblem:
    return ImportProblem(0, "", "file_too_large", f"文件超过{MAX_BYTES // (1024 * 1024)}MB，请拆分后分批导入")


def _unreadable(what: str) -> ImportErrors:
    return ImportErrors([ImportProblem(0, "", "unreadable", f"无法读取文件：{what}")])


def _xlsx_rows(data: bytes) -> list[list[object]]:
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as err:
        raise _unreadable("不是有效的XLSX文件") from err
    ws = wb.worksheets[0]
    if ws.max_row > MAX_ROWS + HEADER_SEARCH_ROWS:
        raise ImportErrors([ImportProblem(0, "", "too_many_rows", f"行数超过{MAX_ROWS}，请拆分后分批导入")])
    return [list(r) for r in ws.iter_rows(min_row=1, values_only=True)]


def _csv_rows(data: bytes) -> list[list[object]]:
    """CSV as the user's spreadsheet program shows it: one list per record (record n is row n)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:  # Excel on Chinese Windows saves CSV in GB18030/GBK unless told otherwise
            text = data.decode("gb18030")
        except UnicodeDecodeError as err:
            raise _unreadable("CSV文件应为UTF-8编码") from err
    rows: list[list[object]] = []
    for record in csv.reader(io.StringIO(text, newline="")):
        if len(rows) > MAX_ROWS + HEADER_SEARCH_ROWS:
            raise ImportErrors([ImportProblem(0, "", "too_many_rows", f"行数超过{MAX_ROWS}，请拆分后分批导入")])
        rows.append([_csv_unquote(v) for v in record])
    return rows


def _csv_unquote(value: str) -> str:
    """Undo the apostrophe `export_requests` puts before text a spreadsheet would run as a formula."""
    return value[1:] if value.startswith("'") and value.lstrip("'").startswith(_CSV_FORMULA) else value


def _rows(data: bytes) -> list[list[object]]:
    return _xlsx_rows(data) if data[:4] == b"PK\x03\x04" else _csv_rows(data)


def find_header(rows: list[list[object]], *, columns: Sequence[str], required: Sequence[str], anchor: str,
                hint: str, aliases: dict[str, tuple[str, ...]] | None = None,
                errors: type[ImportErrors] = ImportErrors) -> tuple[int, dict[str, int]]:
    """The header row (the first of the first rows naming `anchor`) and each known column's position, by its name
    or an alias; a missing required or a repeated column is refused with `errors`. Shared by both registers."""
    aliases = aliases or {}
    wanted = {_norm_header(name): c for c in columns for name in (c, *aliases.get(c, ()))}
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        names = [_norm_header(_text(v)) for v in row]
        if _norm_header(anchor) not in names:
            continue
        positions: dict[str, int] = {}
        problems = []
        for j, name in enumerate(names):
            column = wanted.get(name)
            if column in positions:
                problems.append(ImportProblem(i + 1, column, "duplicate_column", f"表头中「{column}」列出现了两次"))
            elif column:
                positions[column] = j
        problems += [ImportProblem(i + 1, c, "missing_column", f"表头缺少必需的「{c}」列")
                     for c in required if c not in positions]
        if problems:
            raise errors(problems)
        return i, positions
    raise errors([ImportProblem(1, anchor, "missing_header", f"前{HEADER_SEARCH_ROWS}行中找不到表头（{hint}）")])


def _header(rows: list[list[object]]) -> tuple[int, dict[str, int]]:
    return find_header(rows, columns=COLUMNS, required=REQUIRED, anchor=ID, hint=f"须有「{ID}」「{RECEIVED}」等列")


def _norm_header(text: str) -> str:
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", text))


class _Applicant(NamedTuple):
    """Who asked when, for the per-request fee's rank in the month (`requests.rank_in_month`)."""

    id: str
    received: date
    applicant_name: str


def _applicants(rows: list[list[object]], head: int, positions: dict[str, int]) -> list[_Applicant]:
    out = []
    for values in rows[head + 1:]:
        cell = {c: values[j] for c, j in positions.items() if j < len(values)}
        received = _to_date(cell.get(RECEIVED))
        if received is not None:
            out.append(_Applicant(_text(cell.get(ID)), received, _text(cell.get(APPLICANT_NAME))))
    return out


def import_requests(path_or_bytes: str | Path | bytes, *, format_id: str = "2021") -> list[Request]:
    """Every request of the spreadsheet, each checked by replaying its events; `ImportErrors` lists every bad
    row (line as the user sees it, column, code, Chinese reason) and then nothing is imported."""
    vocab = _vocab(format_id)
    rows = _rows(_load(path_or_bytes))
    head, positions = _header(rows)
    problems: list[ImportProblem] = []
    requests: list[Request] = []
    first_line: dict[str, int] = {}
    month = _applicants(rows, head, positions)
    for index in range(head + 1, len(rows)):
        values = rows[index]
        if not any(_text(v) for v in values):
            continue
        cells = {c: values[j] for c, j in positions.items() if j < len(values)}
        row = _Row(index + 1, cells, [])
        request = _request(row, vocab, format_id, month)
        rid = row.text(ID)
        if rid and rid in first_line:
            row.fail(ID, "duplicate_id", f"编号「{rid}」与第{first_line[rid]}行重复")
        elif rid:
            first_line[rid] = row.line
        problems += row.problems
        if request is not None and not row.problems:
            requests.append(request)
    if problems:
        raise ImportErrors(problems)
    return requests


# ---------------------------------------------------------------------------------------------------------
# Writing


def _cells(request: Request) -> dict[str, object]:
    """The row of one request: dates as dates, kinds by the format's printed labels."""
    vocab = _vocab(request.format_id)
    out: dict[str, object] = {
        ID: request.id, RECEIVED: request.received, CHANNEL: CHANNELS[request.channel],
        APPLICANT: vocab.applicant_label[request.applicant], CONTENT: request.content,
        APPLICANT_NAME: request.applicant_name or None, CONTACT: request.contact or None}
    starts: list[ConsultationStart] = []
    ends: list[date] = []
    simple = {CorrectionNotice: CORR_NOTICE, Corrected: CORRECTED, Abandoned: ABANDONED, FeePaid: FEE_PAID,
              FeeUnpaid: FEE_UNPAID, ReviewFiled: REVIEW_ON, LawsuitFiled: SUIT_ON}
    for e in request.events:
        if type(e) in simple:
            out[simple[type(e)]] = e.on
        elif isinstance(e, ConsultationStart):
            starts.append(e)
        elif isinstance(e, ConsultationEnd):
            ends.append(e.on)
        elif isinstance(e, Extension):
            out |= {EXT_ON: e.on, EXT_DAYS: e.days, EXT_BY: e.approved_by}
        elif isinstance(e, FeeNotice):
            out |= {FEE_NOTICE: e.on, FEE_MODE: FEE_MODE_LABELS[e.mode][0], FEE_PAGES: e.pages,
                    FEE_AMOUNT: e.amount_yuan}
        elif isinstance(e, Answer):
            out |= {ANSWER_ON: e.on, ANSWER_KIND: vocab.outcome_label.get(e.outcome, e.outcome)}
        elif isinstance(e, ReviewDecided):
            out |= {REVIEW_DECIDED: e.on, REVIEW_RESULT: vocab.result_label[e.result]}
        elif isinstance(e, LawsuitDecided):
            out |= {SUIT_DECIDED: e.on, SUIT_RESULT: vocab.result_label[e.result]}
    if starts:
        out[CONSULT_START] = starts[0].on if len(starts) == 1 else "；".join(s.on.isoformat() for s in starts)
        if any(s.party for s in starts):
            out[CONSULT_PARTY] = "；".join(s.party for s in starts)
        if any(s.party_kind != "third_party" for s in starts):
            out[CONSULT_KIND] = "；".join(CONSULTATION_ALIASES[s.party_kind][0] for s in starts)
    if ends:
        out[CONSULT_END] = ends[0] if len(ends) == 1 else "；".join(d.isoformat() for d in ends)
    return out


def _is_csv(path: str | Path) -> bool:
    return Path(path).suffix.lower() == ".csv"


def _csv_cell(value: object) -> object:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and value.lstrip("'").startswith(_CSV_FORMULA):
        return "'" + value  # text, never a formula, when the file is opened in a spreadsheet program
    return "" if value is None else value


def _write_csv(path: str | Path, rows: Sequence[Sequence[object]]) -> None:
    with Path(path).open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        for row in rows:
            writer.writerow([_csv_cell(v) for v in row])


def _put(ws, row: int, col: int, value: object) -> None:
    """One cell; text is always stored as text (never a formula), dates with a date format."""
    cell = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    elif isinstance(value, date):
        cell.number_format = "yyyy-mm-dd"


def write_sheet(path: str | Path, columns: Sequence[str], rows: Sequence[Sequence[object]], *, title: str,
                widths: dict[str, int], width: int = 14) -> None:
    """A register in its import layout: XLSX (text as text, dates as dates, header bold and frozen), or CSV
    (UTF-8 with BOM, for Excel) when `path` ends in .csv. Shared by both registers."""
    if _is_csv(path):
        _write_csv(path, [list(columns), *rows])
        return
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for j, name in enumerate(columns, start=1):
        _put(ws, 1, j, name)
        ws.cell(row=1, column=j).font = Font(bold=True)
        ws.column_dimensions[openpyxl.utils.get_column_letter(j)].width = widths.get(name, width)
    for i, row in enumerate(rows, start=2):
        for j, value in enumerate(row, start=1):
            if value is not None:
                _put(ws, i, j, value)
    ws.freeze_panes = "B2"
    wb.save(path)


def export_requests(requests: Iterable[Request], path: str | Path) -> None:
    """Write the register in the import layout: XLSX, or CSV when `path` ends in .csv. Reading the file back
    with `import_requests` gives the same records."""
    rows = [[cells.get(c) for c in COLUMNS] for cells in map(_cells, requests)]
    write_sheet(path, COLUMNS, rows, title="依申请公开台账", widths={CONTENT: 30})


def _table_rows(tables: dict[str, dict[str, dict[str, int]]], key: str, format_id: str) -> list[list[object]]:
    """One table as printed: its title, its column labels (group over label), its rows by label, with the
    group headings (（三）不予公开 …) above their first row."""
    table = get_format(format_id).table(key)
    if table is None:
        raise RegisterError("format_incomplete", f"格式{format_id}没有表「{key}」")
    cells = tables.get(key, {})
    first = {g.first or next((r.key for r in table.rows if r.key.startswith(g.key + ".")), ""): g.label
             for g in table.groups}
    out: list[list[object]] = [[table.title], ["", *(c.group or "" for c in table.columns)],
                               ["", *(c.label for c in table.columns)]]
    for r in table.rows:
        if r.key in first:
            out.append([first[r.key]])
        label = _joined(r.group, r.label) if key == "review_litigation" else r.label
        out.append([label, *(cells.get(r.key, {}).get(c.key) for c in table.columns)])
    return out


def export_tables(tables: dict[str, dict[str, dict[str, int]]], path: str | Path, *, format_id: str = "2021") -> None:
    """Write tables 3 and 4 (as `tables_for_period` returns them) with the format's Chinese labels: one sheet
    each in XLSX, one after the other in CSV."""
    parts = [("表三", _table_rows(tables, "requests", format_id)),
             ("表四", _table_rows(tables, "review_litigation", format_id))]
    if _is_csv(path):
        _write_csv(path, [*parts[0][1], [], *parts[1][1]])
        return
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in parts:
        ws = wb.create_sheet(title)
        for i, row in enumerate(rows, start=1):
            for j, value in enumerate(row, start=1):
                if value is not None and value != "":
                    _put(ws, i, j, value)
        ws.column_dimensions["A"].width = 48
    wb.save(path)
