"""The request register (依申请公开台账): one record per request, its events in order, and tables 3 and 4.

Every rule the register enforces comes from the Regulations (arts. 30–33) or from the annual-report
format: the applicant kinds, the answer kinds (outcome rows) and the review/lawsuit results are read
from the format's data (`gongkai.formats`), never listed here, so the tables a register produces are the
tables of that format and satisfy its identities by construction.

A record is immutable; `apply(request, event)` returns the next record or raises `RegisterError` with a
stable English code and a Chinese message for the user.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache

from gongkai.formats import get_format, match_rows
from gongkai.registers.errors import RegisterError, known_format
from gongkai.registers.fees import ChargeMode, charge

__all__ = [
    "CHANNELS",
    "CONSULTATION_KINDS",
    "MAX_EXTENSION_DAYS",
    "Abandoned",
    "Answer",
    "ConsultationEnd",
    "ConsultationStart",
    "Corrected",
    "CorrectionNotice",
    "Event",
    "Extension",
    "FeeNotice",
    "FeePaid",
    "FeeUnpaid",
    "LawsuitDecided",
    "LawsuitFiled",
    "Proceeding",
    "RegisterError",
    "Request",
    "ReviewDecided",
    "ReviewFiled",
    "applicant_kinds",
    "apply",
    "fee_notice",
    "outcome_kinds",
    "proceeding_results",
    "rank_in_month",
    "replay",
    "tables_for_period",
]

MAX_EXTENSION_DAYS = 20
"""Art. 33: an extension adds at most 20 working days (counting them is the calendar's job, not ours)."""

CHANNELS: dict[str, str] = {
    "in_person": "当面提交",
    "registered_post": "挂号信函",
    "ordinary_post": "平常信函",
    "online": "网络申请",
    "fax": "传真",
    "oral": "口头申请",
}
"""How a request arrives (art. 29); the channel decides which day counts as receipt (art. 31)."""

# Canonical keys the register gives a meaning to; each is checked against the format when it is loaded.
NEW_RECEIVED, CARRIED_OVER, TOTAL_PROCESSED, CARRIED_FORWARD = (
    "new_received", "carried_over", "total_processed", "carried_forward")
NO_CORRECTION, FEE_UNPAID = "other.no_correction", "other.fee_unpaid"
REVIEW, LITIGATION_DIRECT, LITIGATION_AFTER_REVIEW = "review", "litigation_direct", "litigation_after_review"
PENDING = "pending"

Cells = dict[str, dict[str, int]]


# ---------------------------------------------------------------------------------------------------------
# What the format says


@dataclass(frozen=True, slots=True)
class _Layout:
    """The parts of a format the register needs, derived from its tables and identities."""

    format_id: str
    applicants: tuple[str, ...]
    total_column: str
    outcomes: tuple[str, ...]
    requests_rows: tuple[str, ...]
    requests_columns: tuple[str, ...]
    proceeding_rows: tuple[str, ...]
    results: tuple[str, ...]
    """Table 4's decided results (结果维持, 结果纠正, 其他结果): the identity's parts other than 尚未审结."""
    proceeding_columns: tuple[str, ...]
    proceeding_total: str


def _identity(fmt_id: str, table: str, over: str, left: tuple[str, ...] | None = None):
    """The identity of `table` over `over` (with that left side, when given); the format must define it."""
    for ident in get_format(fmt_id).identities:
        if ident.table == table and ident.over == over and (left is None or ident.left == left):
            return ident
    raise RegisterError("format_incomplete", f"格式{fmt_id}缺少表「{table}」的勾稽关系，无法生成台账统计")


def _require(fmt_id: str, have: Iterable[str], keys: Iterable[str]) -> None:
    missing = [k for k in keys if k not in set(have)]
    if missing:
        raise RegisterError("format_incomplete", f"格式{fmt_id}缺少台账所需的行或列：{'、'.join(missing)}")


@cache
def _layout(format_id: str) -> _Layout:
    fmt = known_format(format_id)
    t3, t4 = fmt.table("requests"), fmt.table("review_litigation")
    if t3 is None or t4 is None:
        raise RegisterError("format_incomplete", f"格式{format_id}没有表三或表四，无法生成台账统计")
    rows3 = [r.key for r in t3.rows]
    applicants = _identity(format_id, "requests", "rows")
    outcomes = _identity(format_id, "requests", "columns", (TOTAL_PROCESSED,))
    proceedings = _identity(format_id, "review_litigation", "rows")
    _require(format_id, rows3, (NEW_RECEIVED, CARRIED_OVER, TOTAL_PROCESSED, CARRIED_FORWARD))
    _require(format_id, [r.key for r in t4.rows], (REVIEW, LITIGATION_DIRECT, LITIGATION_AFTER_REVIEW))
    _require(format_id, proceedings.right, (PENDING,))
    return _Layout(
        format_id=format_id,
        applicants=applicants.right,
        total_column=applicants.left[0],
        outcomes=tuple(match_rows(outcomes.right, rows3)),
        requests_rows=tuple(rows3),
        requests_columns=tuple(c.key for c in t3.columns),
        proceeding_rows=tuple(r.key for r in t4.rows),
        results=tuple(c for c in proceedings.right if c != PENDING),
        proceeding_columns=tuple(c.key for c in t4.columns),
        proceeding_total=proceedings.left[0],
    )


def applicant_kinds(format_id: str = "2021") -> tuple[str, ...]:
    """Table 3's applicant columns (自然人 … 其他), the kinds a request's applicant may be."""
    return _layout(format_id).applicants


def _applicant_labels(format_id: str) -> str:
    """The applicant kinds as the table prints them, for messages (其他 alone would be ambiguous)."""
    table = get_format(format_id).table("requests")
    cols = [table.column(k) for k in applicant_kinds(format_id)] if table else []
    return "、".join(f"{c.group}·{c.label}" if c.group else c.label for c in cols)


def outcome_kinds(format_id: str = "2021") -> tuple[str, ...]:
    """Table 3's outcome rows (the leaves summed into （七）总计), the kinds an answer may be."""
    return _layout(format_id).outcomes


def proceeding_results(format_id: str = "2021") -> tuple[str, ...]:
    """Table 4's results of a decided review or lawsuit (维持, 纠正, 其他结果)."""
    return _layout(format_id).results


def _outcome_in(lay: _Layout, outcome: str) -> str:
    """The outcome row of `lay` that counts `outcome`: itself, or its group's single row in a format that has
    only one (format 2019's （六）其他处理 counts what 2021 splits into three)."""
    if outcome in lay.outcomes:
        return outcome
    group = outcome.split(".", 1)[0]
    if group in lay.outcomes:
        return group
    raise RegisterError("outcome_not_in_format", f"答复类型「{outcome}」在格式{lay.format_id}的表三中没有对应的行")


# ---------------------------------------------------------------------------------------------------------
# Events


@dataclass(frozen=True, slots=True)
class CorrectionNotice:
    """补正通知 (art. 30): one notice, saying what to fix; the answer period restarts on correction."""

    on: date


@dataclass(frozen=True, slots=True)
class Corrected:
    """The applicant's corrected request arrived: the answer period runs again from this day."""

    on: date


@dataclass(frozen=True, slots=True)
class Abandoned:
    """No correction without good reason: the request ends as 申请人无正当理由逾期不补正."""

    on: date


CONSULTATION_KINDS: dict[str, str] = {"third_party": "征求第三方意见", "agency": "征求其他机关意见（协办）"}
"""Art. 32 (a third party whose interests disclosure may harm) and art. 34 (co-producing agencies)."""


@dataclass(frozen=True, slots=True)
class ConsultationStart:
    """征求意见 or 协办 (arts. 32, 34): the time until it ends does not count toward the answer period."""

    on: date
    party: str = ""
    party_kind: str = "third_party"


@dataclass(frozen=True, slots=True)
class ConsultationEnd:
    on: date


@dataclass(frozen=True, slots=True)
class Extension:
    """延期 (art. 33): approved once, by the head of the disclosure office, by at most 20 working days."""

    on: date
    days: int
    approved_by: str = ""


@dataclass(frozen=True, slots=True)
class FeeNotice:
    """收费通知 (国办函〔2020〕109号): the request waits for payment.

    The fee is computed, never typed: per request (按件) from the request's rank among the same applicant's
    requests of that calendar month (`rank_in_month`), or per volume (按量) from its pages. Build one with
    `fee_notice`; `apply` refuses a notice whose amount is not what the rules give, or is nothing.
    """

    on: date
    mode: ChargeMode
    amount_yuan: int
    rank_in_month: int | None = None
    pages: int | None = None


def fee_notice(on: date, *, rank_in_month: int | None = None, pages: int | None = None) -> FeeNotice:
    """A fee notice with its amount computed by the fee rules (one way only; `fee_both_ways` otherwise)."""
    c = charge(rank_in_month=rank_in_month, pages=pages)
    return FeeNotice(on, c.mode, c.amount, rank_in_month, pages)


@dataclass(frozen=True, slots=True)
class FeePaid:
    on: date


@dataclass(frozen=True, slots=True)
class FeeUnpaid:
    """Not paid in time without good reason: the request ends as 逾期未按收费通知要求缴纳费用."""

    on: date


@dataclass(frozen=True, slots=True)
class Answer:
    """The answer (答复); `outcome` is one outcome row of table 3, so each answer counts exactly once."""

    on: date
    outcome: str


@dataclass(frozen=True, slots=True)
class ReviewFiled:
    """行政复议 about the answer."""

    on: date


@dataclass(frozen=True, slots=True)
class ReviewDecided:
    on: date
    result: str


@dataclass(frozen=True, slots=True)
class LawsuitFiled:
    """行政诉讼 about the answer: after review when a review was filed before it, otherwise direct."""

    on: date


@dataclass(frozen=True, slots=True)
class LawsuitDecided:
    on: date
    result: str


Event = (CorrectionNotice | Corrected | Abandoned | ConsultationStart | ConsultationEnd | Extension | FeeNotice
         | FeePaid | FeeUnpaid | Answer | ReviewFiled | ReviewDecided | LawsuitFiled | LawsuitDecided)
_CLOSING = (Answer, Abandoned, FeeUnpaid)
_AFTER_ANSWER = (ReviewFiled, ReviewDecided, LawsuitFiled, LawsuitDecided)


@dataclass(frozen=True, slots=True)
class Proceeding:
    """A review or lawsuit of one request, as table 4 counts it: its row, when filed, how and when decided."""

    row: str
    filed: date
    decided: date | None = None
    result: str | None = None


# ---------------------------------------------------------------------------------------------------------
# The record


@dataclass(frozen=True, slots=True)
class Request:
    """One request: who asked, how and when it arrived, what it asks, and what has happened since.

    `applicant` is one of table 3's applicant columns of `format_id` and is checked on creation, so a
    record that exists can always be counted.
    """

    id: str
    received: date
    channel: str
    applicant: str
    content: str
    format_id: str = "2021"
    events: tuple[Event, ...] = field(default=())
    applicant_name: str = ""
    """Who asked (a person's or an organisation's name): personal data, shown only to the office's users.
    The per-request fee counts this applicant's requests in a calendar month by it."""
    contact: str = ""
    """How to reach the applicant (address, telephone, e-mail): personal data, like `applicant_name`."""

    def __post_init__(self) -> None:
        if self.applicant not in applicant_kinds(self.format_id):
            raise RegisterError("unknown_applicant", f"未知的申请人类型「{self.applicant}」，应为表三的申请人类型之一："
                                                     f"{_applicant_labels(self.format_id)}")
        if self.channel not in CHANNELS:
            raise RegisterError("unknown_channel",
                                f"未知的申请渠道「{self.channel}」，应为：{'、'.join(CHANNELS.values())}")

    def _first(self, kind: type | tuple[type, ...]) -> Event | None:
        return next((e for e in self.events if isinstance(e, kind)), None)

    @property
    def closing(self) -> Answer | Abandoned | FeeUnpaid | None:
        """The event that ended the request (an answer, abandonment or unpaid fee), if any."""
        return self._first(_CLOSING)  # type: ignore[return-value]

    @property
    def closed_on(self) -> date | None:
        end = self.closing
        return None if end is None else end.on

    @property
    def outcome(self) -> str | None:
        """The table-3 outcome row of the request's end, in its own format."""
        end = self.closing
        if isinstance(end, Answer):
            return end.outcome
        if end is None:
            return None
        return _outcome_in(_layout(self.format_id), NO_CORRECTION if isinstance(end, Abandoned) else FEE_UNPAID)

    def proceedings(self) -> tuple[Proceeding, ...]:
        """The review and the lawsuit, each with the table-4 row it counts in."""
        out: list[Proceeding] = []
        reviewed = False
        for e in self.events:
            if isinstance(e, ReviewFiled):
                reviewed = True
                out.append(Proceeding(REVIEW, e.on))
            elif isinstance(e, LawsuitFiled):
                out.append(Proceeding(LITIGATION_AFTER_REVIEW if reviewed else LITIGATION_DIRECT, e.on))
            elif isinstance(e, ReviewDecided | LawsuitDecided):
                review = isinstance(e, ReviewDecided)
                i = next(i for i, p in enumerate(out) if (p.row == REVIEW) == review)
                out[i] = replace(out[i], decided=e.on, result=e.result)
        return tuple(out)


# ---------------------------------------------------------------------------------------------------------
# Applying events


def _has(request: Request, kind: type) -> bool:
    return any(isinstance(e, kind) for e in request.events)


def _outstanding(request: Request, opened: type, closed: type | tuple[type, ...]) -> bool:
    """True when the last `opened` event has no `closed` event after it (a notice still waiting)."""
    state = False
    for e in request.events:
        if isinstance(e, opened):
            state = True
        elif isinstance(e, closed):
            state = False
    return state


def _check_order(request: Request, event: Event) -> None:
    last = request.events[-1].on if request.events else request.received
    if event.on < last:
        raise RegisterError("out_of_order", f"事件日期{event.on.isoformat()}早于收到申请或上一事件的日期"
                                            f"{last.isoformat()}，事件须按时间顺序登记")


def _check_after_answer(request: Request, event: Event) -> None:
    if request.closing is None:
        if isinstance(event, _AFTER_ANSWER):
            raise RegisterError("not_answered", "申请尚未答复，不能登记行政复议或行政诉讼")
        return
    if isinstance(event, _CLOSING):
        raise RegisterError("answered_twice", "该申请已经答复（办结），不能再次答复")
    if not isinstance(event, _AFTER_ANSWER):
        raise RegisterError("after_answer", "申请已经答复（办结），此后只能登记行政复议或行政诉讼")


def _check_correction(request: Request, event: Event) -> None:
    if isinstance(event, CorrectionNotice) and _has(request, CorrectionNotice):
        raise RegisterError("correction_twice", "补正通知应一次性告知，同一申请不能再次发出补正通知")
    waiting = _outstanding(request, CorrectionNotice, Corrected)
    if isinstance(event, Corrected | Abandoned) and not waiting:
        raise RegisterError("no_correction_notice", "没有待补正的补正通知，不能登记补正或逾期不补正")


def _check_consultation(request: Request, event: Event) -> None:
    open_ = _outstanding(request, ConsultationStart, ConsultationEnd)
    if isinstance(event, ConsultationStart) and open_:
        raise RegisterError("consultation_open", "上一次征求意见尚未结束，不能再次开始征求意见")
    if isinstance(event, ConsultationStart) and event.party_kind not in CONSULTATION_KINDS:
        raise RegisterError("consultation_kind", f"未知的征求意见类型「{event.party_kind}」，应为："
                                                 f"{'、'.join(CONSULTATION_KINDS.values())}")
    if isinstance(event, ConsultationEnd) and not open_:
        raise RegisterError("no_consultation", "没有进行中的征求意见，不能登记征求意见结束")
    if isinstance(event, _CLOSING) and open_:
        raise RegisterError("consultation_open", "征求意见尚未结束：请先登记征求意见结束的日期，再办结申请")


def _check_extension(request: Request, event: Event) -> None:
    if not isinstance(event, Extension):
        return
    if _has(request, Extension):
        raise RegisterError("extension_twice", "答复期限只能延长一次")
    if event.days < 1:
        raise RegisterError("extension_invalid", "延长的工作日数应为正整数")
    if event.days > MAX_EXTENSION_DAYS:
        raise RegisterError("extension_too_long", f"延长答复的期限最长不得超过{MAX_EXTENSION_DAYS}个工作日")
    if not event.approved_by.strip():
        raise RegisterError("extension_unapproved",
                            "延期须经政府信息公开工作机构负责人同意，请登记批准人（条例第三十三条第二款）")
    waiting = [what for opened, closed, what in ((CorrectionNotice, Corrected, "申请人补正"),
                                                 (FeeNotice, FeePaid, "申请人缴费"))
               if _outstanding(request, opened, closed)]
    if waiting:
        raise RegisterError("extension_while_waiting",
                            f"正在等待{waiting[0]}，答复期限尚未计算，不能延期：请在收到后再决定是否延期")


def _check_fee(request: Request, event: Event) -> None:
    if isinstance(event, FeeNotice):
        _check_fee_notice(request, event)
    waiting = _outstanding(request, FeeNotice, FeePaid)
    if isinstance(event, FeePaid | FeeUnpaid) and not waiting:
        raise RegisterError("no_fee_notice", "没有待缴费的收费通知，不能登记缴费或逾期未缴费")


def _check_fee_notice(request: Request, event: FeeNotice) -> None:
    """One notice per request, charged one way, for the amount the rules give, and only when one is due."""
    if _has(request, FeeNotice):
        raise RegisterError("fee_notice_twice", "同一申请已经发出收费通知，不能再次发出")
    if _outstanding(request, CorrectionNotice, Corrected):
        raise RegisterError("fee_while_correcting", "正在等待申请人补正，不能发出收费通知")
    if event.mode not in (ChargeMode.PER_REQUEST, ChargeMode.PER_VOLUME):
        raise RegisterError("fee_mode", "收费通知须注明按件或按量收费")
    due = charge(rank_in_month=event.rank_in_month, pages=event.pages)
    if due.mode != event.mode or due.amount != event.amount_yuan:
        raise RegisterError("fee_mismatch", f"收费金额{event.amount_yuan}元与收费标准计算的{due.amount}元不符"
                                            "（国办函〔2020〕109号）")
    if due.amount == 0:
        free = ("同一申请人一个自然月内的前10件申请不收费" if due.mode == ChargeMode.PER_REQUEST
                else "30页以内不收费")
        raise RegisterError("fee_not_due", f"按收费标准，这件申请不应收费：{free}（国办函〔2020〕109号）")


def rank_in_month(requests: Iterable[Request], request: Request) -> int:
    """The request's place among the same applicant's requests received in its calendar month (1 = first),
    in order of receipt then number: the basis of the per-request fee. The applicant is known by name."""
    name = _applicant_key(request)
    if not name:
        raise RegisterError("fee_needs_applicant",
                            "按件收费须登记申请人姓名或名称：同一申请人同一自然月内的申请件数据此计算")
    month = (request.received.year, request.received.month)
    earlier = [r for r in requests if _applicant_key(r) == name and r.id != request.id
               and (r.received.year, r.received.month) == month and (r.received, r.id) < (request.received, request.id)]
    return 1 + len(earlier)


def _applicant_key(request: Request) -> str:
    """An applicant's name folded for comparison (width, spaces): 张三 and 张 三 are one applicant."""
    return "".join(unicodedata.normalize("NFKC", request.applicant_name).split())


def _check_answer(request: Request, event: Event) -> None:
    if not isinstance(event, Answer):
        return
    lay = _layout(request.format_id)
    if event.outcome not in lay.outcomes:
        raise RegisterError("unknown_outcome", f"答复类型「{event.outcome}」不是表三的办理结果之一")
    if event.outcome == NO_CORRECTION and not _outstanding(request, CorrectionNotice, Corrected):
        raise RegisterError("no_correction_notice", "没有待补正的补正通知，不能按逾期不补正办结")
    if event.outcome == FEE_UNPAID and not _outstanding(request, FeeNotice, FeePaid):
        raise RegisterError("no_fee_notice", "没有待缴费的收费通知，不能按逾期未缴费办结")


def _check_proceeding(request: Request, event: Event) -> None:
    if isinstance(event, ReviewFiled | LawsuitFiled) and _has(request, type(event)):
        what = "行政复议" if isinstance(event, ReviewFiled) else "行政诉讼"
        raise RegisterError("proceeding_twice", f"该申请已经登记{what}，不能重复登记")
    if not isinstance(event, ReviewDecided | LawsuitDecided):
        return
    filed, what = (ReviewFiled, "行政复议") if isinstance(event, ReviewDecided) else (LawsuitFiled, "行政诉讼")
    if not _has(request, filed):
        raise RegisterError("not_filed", f"尚未登记{what}，不能登记其结果")
    if _has(request, type(event)):
        raise RegisterError("decided_twice", f"该{what}已经审结，不能再次登记结果")
    if event.result not in proceeding_results(request.format_id):
        raise RegisterError("unknown_result", f"「{event.result}」不是表四的结果（结果维持、结果纠正、其他结果）之一")


_CHECKS = (_check_order, _check_after_answer, _check_correction, _check_consultation, _check_extension, _check_fee,
           _check_answer, _check_proceeding)


def apply(request: Request, event: Event) -> Request:
    """The record with `event` appended, or `RegisterError` when the sequence would be invalid."""
    for check in _CHECKS:
        check(request, event)
    return replace(request, events=(*request.events, event))


def replay(request: Request, events: Iterable[Event]) -> Request:
    """Apply `events` in order: how a stored register is read back and re-validated."""
    for event in events:
        request = apply(request, event)
    return request


# ---------------------------------------------------------------------------------------------------------
# Tables 3 and 4


def _zeros(rows: Iterable[str], columns: Iterable[str]) -> Cells:
    cols = tuple(columns)
    return {r: dict.fromkeys(cols, 0) for r in rows}


def _count_request(cells: Cells, lay: _Layout, request: Request, start: date, end: date) -> None:
    """Count one request once on each side of the balance: received (new or carried over), and processed
    (by outcome) or carried forward. Events after `end` are not yet known at the period's end."""
    closed = request.closed_on
    if request.received > end or (closed is not None and closed < start):
        return
    col = request.applicant
    if col not in lay.applicants:
        raise RegisterError("unknown_applicant", f"申请人类型「{col}」在格式{lay.format_id}的表三中没有对应的列")
    cells[NEW_RECEIVED if request.received >= start else CARRIED_OVER][col] += 1
    if closed is not None and closed <= end:
        cells[_outcome_in(lay, request.outcome or "")][col] += 1
    else:
        cells[CARRIED_FORWARD][col] += 1


def _count_proceedings(cells: Cells, request: Request, start: date, end: date) -> None:
    """A review or lawsuit counts in the period when decided in it, or as 尚未审结 when filed and undecided
    at its end; one decided before the period is not counted again."""
    for p in request.proceedings():
        if p.filed > end or (p.decided is not None and p.decided < start):
            continue
        decided = p.decided is not None and p.decided <= end
        cells[p.row][p.result if decided and p.result else PENDING] += 1


def _totals(cells: Cells, lay: _Layout) -> None:
    """Fill the sums the identities define: （七）总计 over outcomes, 总计 over applicants."""
    for col in lay.applicants:
        cells[TOTAL_PROCESSED][col] = sum(cells[r][col] for r in lay.outcomes)
    for row in cells.values():
        row[lay.total_column] = sum(row[c] for c in lay.applicants)


def tables_for_period(requests: Iterable[Request], start: date, end: date, format_id: str = "2021") -> dict[str, Cells]:
    """Tables 3 and 4 for `start`..`end` (inclusive) from the requests of one office or a group of offices,
    as `{table_key: {row_key: {column_key: int}}}` with every cell of the format."""
    if start > end:
        raise RegisterError("period_invalid", "统计期间的开始日期晚于结束日期")
    lay = _layout(format_id)
    t3 = _zeros(lay.requests_rows, lay.requests_columns)
    t4 = _zeros(lay.proceeding_rows, lay.proceeding_columns)
    for request in requests:
        _count_request(t3, lay, request, start, end)
        _count_proceedings(t4, request, start, end)
    _totals(t3, lay)
    for row in t4.values():
        row[lay.proceeding_total] = sum(row[c] for c in (*lay.results, PENDING))
    return {"requests": t3, "review_litigation": t4}
