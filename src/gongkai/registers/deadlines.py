"""A request's answer deadline, computed from its recorded events (条例第三十条、第三十二条至第三十四条).

The deadline is never typed in: it follows from the date of receipt, a 补正 (the period restarts from
the corrected request), consultations (their working days do not count) and an extension (at most
20 working days, approved by the head of the disclosure office). Every step is kept, in Chinese, so
the register can show why a request is due on its date. Inconsistent events are refused with a
`RegisterError` whose `code` is stable.

Counting convention: see `gongkai.registers.calendar` (the day of an event does not count). A
consultation started on day s and answered on day e suspends the working days s < d <= e — the very
days its own 15-working-day period counts — capped at that 15th day: a late answer does not stop the
clock (条例第三十二条: 逾期未提出意见的，由行政机关依照本条例的规定决定是否公开).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from typing import Literal

from gongkai.registers.calendar import (
    ONE_DAY,
    RegisterError,
    add_working_days,
    is_working_day,
    working_days_between,
)

__all__ = [
    "ANSWER_PERIOD",
    "CONSULTATION_PERIOD",
    "CORRECTION_NOTICE_PERIOD",
    "MAX_EXTENSION",
    "Consultation",
    "Correction",
    "Deadline",
    "Payment",
    "RegisterError",
    "answer_deadline",
]

ANSWER_PERIOD = 20  # working days, 条例第三十三条第二款
MAX_EXTENSION = 20  # working days, 条例第三十三条第二款
CORRECTION_NOTICE_PERIOD = 7  # working days, 条例第三十条
CONSULTATION_PERIOD = 15  # working days, 条例第三十二条 (third party), 第三十四条 (other agencies)

ConsultationKind = Literal["third_party", "agency"]

_KIND_ZH: dict[str, tuple[str, str]] = {  # kind -> (what is done, the article that says so)
    "third_party": ("征求第三方意见", "条例第三十二条"),
    "agency": ("征求其他机关意见（协办）", "条例第三十四条"),
}


@dataclass(frozen=True)
class Correction:
    """A 补正: the one notice (`notified`) and, once it arrives, the corrected request (`resubmitted`)."""

    notified: date
    resubmitted: date | None = None


@dataclass(frozen=True)
class Consultation:
    """A 征求意见 (third party) or 协办 (other agency): sent on `started`, answered on `ended` (None: pending)."""

    kind: ConsultationKind
    started: date
    ended: date | None = None
    party: str = ""


@dataclass(frozen=True)
class Deadline:
    """The answer deadline as of `as_of`, with the steps that produced it (Chinese, for display).

    `due` and `days_left` are None while the request waits for its 补正. `days_left` counts the
    working days still counted toward the period after `as_of`; it is negative (working days late)
    once the request is overdue.
    """

    received: date
    clock_start: date
    due: date | None
    as_of: date
    days_left: int | None
    overdue: bool
    paused_days: int
    extension_days: int
    steps: tuple[str, ...]
    warnings: tuple[str, ...] = ()
    """What the recorded events did against the Regulations (a 补正 notice sent after its 7 working days): the
    deadline is still computed from what happened, and the breach is shown."""


@dataclass(frozen=True)
class Payment:
    """A fee notice (`notified`) and the day the fee was paid (None: still awaited).

    The time from the notice to the payment does not count toward the answer period: the office cannot
    provide the information before the applicant decides to pay (国办函〔2020〕109号). This is the
    register's convention; a local rule that restarts the period on payment would be a setting.
    """

    notified: date
    paid: date | None = None


@dataclass(frozen=True)
class _Pause:
    """Working days start < d <= end do not count (end already capped at the consultation's due day)."""

    start: date
    end: date
    consultation: Consultation | None
    """None for the wait for a fee (`Payment`)."""

    def covers(self, d: date) -> bool:
        return self.start < d <= self.end


def zh_date(d: date) -> str:
    """A date as people write it in a notice: 2025年9月26日."""
    return f"{d.year}年{d.month}月{d.day}日"


def answer_deadline(
    received: date,
    *,
    correction: Correction | None = None,
    consultations: Sequence[Consultation] = (),
    extension_days: int = 0,
    extension_approved_by: str = "",
    payment: Payment | None = None,
    today: date | None = None,
) -> Deadline:
    """The deadline of a request received on `received`, as of `today` (default: the real today).

    Events after `today` are refused: the register computes from what has happened, never from plans.
    """
    as_of = today if today is not None else date.today()
    steps: list[str] = [
        f"{zh_date(received)}收到申请，答复期限为{ANSWER_PERIOD}个工作日，收到申请当日不计入（条例第三十三条第二款）。"
    ]
    _check_not_future(received, as_of, "收到申请的日期")
    _check_extension(extension_days, extension_approved_by)
    clock_start = received
    warnings: list[str] = []
    if correction is not None:
        clock_start = _apply_correction(received, correction, as_of, steps, warnings)
        if clock_start is None:
            if consultations:
                raise RegisterError("pause_before_correction", "尚未收到补正后的申请，不能开始征求意见。")
            return Deadline(received, received, None, as_of, None, False, 0, extension_days, tuple(steps),
                            tuple(warnings))
    pauses = _pauses(received, clock_start, consultations, as_of)
    if payment is not None:
        _check_not_future(payment.notified, as_of, "收费通知的日期")
        if payment.paid is None:
            steps.append(f"{zh_date(payment.notified)}发出收费通知，等待申请人缴费：缴费前的时间不计入答复期限。")
            return Deadline(received, clock_start, None, as_of, None, False, 0, extension_days, tuple(steps),
                            tuple(warnings))
        _check_not_future(payment.paid, as_of, "缴费的日期")
        if payment.paid < payment.notified:
            raise RegisterError("payment_before_notice", f"缴费日期（{zh_date(payment.paid)}）早于收费通知的日期。")
        pauses = sorted([*pauses, _Pause(payment.notified, payment.paid, None)], key=lambda p: p.start)
    due = _count_forward(clock_start, ANSWER_PERIOD + extension_days, pauses)
    used = [p for p in pauses if p.start < due]
    paused_days = sum(working_days_between(p.start, p.end) for p in used)
    steps.extend(_pause_steps(pauses, due))
    if extension_days:
        steps.append(
            f"经{extension_approved_by}同意延长答复期限{extension_days}个工作日"
            f"（最长{MAX_EXTENSION}个工作日，条例第三十三条第二款）。"
        )
    steps.extend(_calendar_steps(clock_start, due))
    steps.append(f"答复期限：{zh_date(due)}。")
    days_left = _days_left(as_of, due, used)
    steps.append(_status_step(as_of, days_left))
    return Deadline(received, clock_start, due, as_of, days_left, as_of > due, paused_days, extension_days,
                    tuple(steps), tuple(warnings))


def _check_not_future(d: date, as_of: date, what_zh: str) -> None:
    """Refuse an event dated after the day the deadline is computed for."""
    if d > as_of:
        raise RegisterError("event_in_future", f"{what_zh}（{zh_date(d)}）晚于计算日（{zh_date(as_of)}）。")


def _apply_correction(received: date, correction: Correction, as_of: date, steps: list[str],
                      warnings: list[str]) -> date | None:
    """Check the 补正 and return the new start of the period (None while the corrected request is awaited)."""
    notified = correction.notified
    _check_not_future(notified, as_of, "补正通知的日期")
    if notified < received:
        raise RegisterError("correction_before_receipt", f"补正通知（{zh_date(notified)}）早于收到申请的日期。")
    elapsed = working_days_between(received, notified)
    if elapsed > CORRECTION_NOTICE_PERIOD:
        late = (f"补正通知（{zh_date(notified)}）是收到申请后的第{elapsed}个工作日，"
                f"超过了{CORRECTION_NOTICE_PERIOD}个工作日的期限（条例第三十条）。")
        warnings.append(late)
        steps.append(late)
    else:
        steps.append(
            f"{zh_date(notified)}一次性告知补正（收到申请后第{elapsed}个工作日，"
            f"未超过{CORRECTION_NOTICE_PERIOD}个工作日，条例第三十条）。"
        )
    resubmitted = correction.resubmitted
    if resubmitted is None:
        steps.append("等待申请人补正：答复期限自收到补正后的申请之日起重新计算。")
        return None
    _check_not_future(resubmitted, as_of, "收到补正后申请的日期")
    if resubmitted < notified:
        raise RegisterError(
            "correction_before_notice", f"收到补正后申请的日期（{zh_date(resubmitted)}）早于补正通知的日期。"
        )
    steps.append(f"{zh_date(resubmitted)}收到补正后的申请，答复期限自该日起重新计算{ANSWER_PERIOD}个工作日。")
    return resubmitted


def _check_extension(extension_days: int, approved_by: str) -> None:
    """At most 20 more working days, and only with the approval of the disclosure office's head."""
    if extension_days < 0:
        raise RegisterError("extension_negative", "延长的工作日数不能为负数。")
    if extension_days > MAX_EXTENSION:
        raise RegisterError(
            "extension_too_long",
            f"延长{extension_days}个工作日超过了最长{MAX_EXTENSION}个工作日的限度（条例第三十三条第二款）。",
        )
    if extension_days and not approved_by.strip():
        raise RegisterError(
            "extension_unapproved", "延期须经政府信息公开工作机构负责人同意，请填写批准人（条例第三十三条第二款）。"
        )


def _pauses(received: date, clock_start: date, consultations: Sequence[Consultation], as_of: date) -> list[_Pause]:
    """Check each consultation and turn it into the working days it suspends, in date order."""
    pauses = [_pause(received, clock_start, c, as_of) for c in consultations]
    pauses.sort(key=lambda p: p.start)
    for before, after in pairwise(pauses):
        before_end = before.consultation.ended or as_of
        if after.start < before_end:
            raise RegisterError(
                "pause_overlaps",
                f"{zh_date(after.start)}开始的征求意见与{zh_date(before.start)}开始的征求意见时间重叠；"
                "请合并为一次暂停或更正日期。",
            )
    return pauses


def _pause(received: date, clock_start: date, c: Consultation, as_of: date) -> _Pause:
    """One consultation's suspension: from its start to its answer (or today), at most 15 working days."""
    if c.kind not in _KIND_ZH:
        raise RegisterError("pause_kind_unknown", f"未知的征求意见类型：{c.kind}。")
    _check_not_future(c.started, as_of, "征求意见的开始日期")
    if c.started < received:
        raise RegisterError("pause_before_receipt", f"征求意见的开始日期（{zh_date(c.started)}）早于收到申请的日期。")
    if c.started < clock_start:
        raise RegisterError(
            "pause_before_correction", f"征求意见的开始日期（{zh_date(c.started)}）早于收到补正后申请的日期。"
        )
    if c.ended is not None:
        _check_not_future(c.ended, as_of, "收到意见的日期")
        if c.ended < c.started:
            raise RegisterError("pause_reversed", f"收到意见的日期（{zh_date(c.ended)}）早于征求意见的开始日期。")
    answer_due = add_working_days(c.started, CONSULTATION_PERIOD)
    end = min(c.ended or as_of, answer_due)
    return _Pause(c.started, end, c)


def _count_forward(start: date, n: int, pauses: Sequence[_Pause]) -> date:
    """The n-th working day after `start` that no consultation suspends."""
    day = start
    counted = 0
    while counted < n:
        day += ONE_DAY
        if is_working_day(day) and not any(p.covers(day) for p in pauses):
            counted += 1
    return day


def _counted_between(a: date, b: date, pauses: Sequence[_Pause]) -> int:
    """Working days a < d <= b that count toward the period (not suspended)."""
    count = 0
    day = a
    while day < b:
        day += ONE_DAY
        if is_working_day(day) and not any(p.covers(day) for p in pauses):
            count += 1
    return count


def _days_left(as_of: date, due: date, pauses: Sequence[_Pause]) -> int:
    """Counted working days after `as_of` up to `due`; minus the working days late once past it."""
    if as_of <= due:
        return _counted_between(as_of, due, pauses)
    return -working_days_between(due, as_of)


def _pause_steps(pauses: Sequence[_Pause], due: date) -> list[str]:
    """One line per consultation: what it suspended, or why it suspended nothing."""
    lines: list[str] = []
    for p in pauses:
        c = p.consultation
        if c is None:
            days = working_days_between(p.start, p.end) if p.start < due else 0
            lines.append(f"{zh_date(p.start)}发出收费通知，{zh_date(p.end)}申请人缴费：{days}个工作日不计入答复期限。")
            continue
        what, article = _KIND_ZH[c.kind]
        who = f"：{c.party}" if c.party else ""
        answer_due = add_working_days(c.started, CONSULTATION_PERIOD)
        head = (
            f"{zh_date(c.started)}{what}（{article}{who}），"
            f"{CONSULTATION_PERIOD}个工作日内答复，答复期限为{zh_date(answer_due)}"
        )
        if p.start >= due:
            lines.append(f"{head}；开始时答复期限已届满，不予扣除。")
            continue
        days = working_days_between(p.start, p.end)
        if c.ended is None:
            state = f"尚未答复，暂计至{zh_date(p.end)}"
        elif c.ended > answer_due:
            state = f"{zh_date(c.ended)}才答复，逾期部分计入答复期限"
        else:
            state = f"{zh_date(c.ended)}收到意见"
        lines.append(f"{head}；{state}：{days}个工作日不计入答复期限（条例第三十三条第三款）。")
    return lines


def _calendar_steps(start: date, due: date) -> list[str]:
    """Name the 调休 working weekend days and count the weekday holidays inside the period."""
    makeup: list[date] = []
    holidays = 0
    day = start
    while day < due:
        day += ONE_DAY
        weekend = day.weekday() >= 5
        working = is_working_day(day)
        if weekend and working:
            makeup.append(day)
        elif not weekend and not working:
            holidays += 1
    lines: list[str] = []
    if holidays:
        lines.append(f"期间有{holidays}个周一至周五为法定节假日，不计入工作日。")
    if makeup:
        names = "、".join(zh_date(d) for d in makeup)
        lines.append(f"期间{names}为调休上班日，计入工作日。")
    return lines


def _status_step(as_of: date, days_left: int) -> str:
    """Where the request stands on `as_of`, in the words of the register."""
    if days_left < 0:
        return f"截至{zh_date(as_of)}已逾期{-days_left}个工作日。"
    if days_left == 0:
        return f"{zh_date(as_of)}为答复期限的最后一天。"
    return f"截至{zh_date(as_of)}，还剩{days_left}个工作日。"
