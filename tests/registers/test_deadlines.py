"""Answer deadlines on the real 2025 calendar, each case worked out by hand below.

The 2025 National Day / Mid-Autumn holiday: 10-01 (Wed) to 10-08 (Wed) off; Sunday 09-28 and
Saturday 10-11 are make-up working days (调休). Working days after Friday 2025-09-26, numbered:

    09-28 (Sun, 调休) 1   09-29 2   09-30 3   [10-01 … 10-08 holiday]
    10-09 4   10-10 5   10-11 (Sat, 调休) 6   10-13 7   10-14 8   10-15 9   10-16 10   10-17 11
    10-20 12  10-21 13  10-22 14  10-23 15  10-24 16
    10-27 17  10-28 18  10-29 19  10-30 20
    10-31 21  11-03 22  11-04 23  11-05 24  11-06 25  11-07 26 …

November 2025 has no holiday, so after 10-30 the working days are just Monday to Friday.
"""

from __future__ import annotations

from datetime import date

import pytest

from gongkai.registers.calendar import (
    CalendarUnknown,
    RegisterError,
    add_working_days,
    is_working_day,
    working_days_between,
)
from gongkai.registers.deadlines import Consultation, Correction, answer_deadline

RECEIVED = date(2025, 9, 26)  # a Friday, the last working day before the week of 调休 and holidays


# --- the calendar itself -------------------------------------------------------------------------


def test_the_2025_national_day_arrangement_is_the_one_the_cases_rely_on() -> None:
    assert is_working_day(date(2025, 9, 28))  # Sunday, 调休
    assert is_working_day(date(2025, 10, 11))  # Saturday, 调休
    assert not is_working_day(date(2025, 9, 27))  # an ordinary Saturday
    assert not any(is_working_day(date(2025, 10, day)) for day in range(1, 9))  # 10-01 … 10-08 off
    assert is_working_day(date(2025, 10, 9))


def test_add_working_days_skips_holidays_and_counts_make_up_days() -> None:
    assert add_working_days(RECEIVED, 0) == RECEIVED
    assert add_working_days(RECEIVED, 1) == date(2025, 9, 28)  # the day of receipt does not count; Sunday 调休 does
    assert add_working_days(RECEIVED, 4) == date(2025, 10, 9)  # 09-28, 09-29, 09-30, then 10-09 after the holiday
    assert add_working_days(RECEIVED, 6) == date(2025, 10, 11)  # Saturday 调休
    assert add_working_days(RECEIVED, 20) == date(2025, 10, 30)


def test_working_days_between_is_the_inverse_and_signed() -> None:
    assert working_days_between(RECEIVED, date(2025, 10, 30)) == 20
    assert working_days_between(RECEIVED, RECEIVED) == 0
    assert working_days_between(date(2025, 10, 1), date(2025, 10, 8)) == 0  # all holiday
    assert working_days_between(date(2025, 10, 30), RECEIVED) == -20


def test_a_year_the_calendar_does_not_know_is_refused_not_guessed() -> None:
    with pytest.raises(CalendarUnknown) as caught:
        is_working_day(date(2031, 1, 2))
    assert caught.value.year == 2031
    assert caught.value.code == "calendar_unknown"
    assert "节假日安排尚未收录 2031 年" in str(caught.value)
    with pytest.raises(CalendarUnknown):
        answer_deadline(date(2031, 3, 3), today=date(2031, 3, 4))


def test_a_period_running_into_an_unknown_year_is_refused() -> None:
    # 2026 is known, 2027 is not: from Thursday 2026-12-10 December holds only 15 working days
    # (12-11, 12-14…18, 12-21…25, 12-28…31), so the 20th falls in January 2027.
    with pytest.raises(CalendarUnknown) as caught:
        answer_deadline(date(2026, 12, 10), today=date(2026, 12, 11))
    assert caught.value.year == 2027


# --- deadlines -----------------------------------------------------------------------------------


def test_plain_request_before_the_national_day_holiday() -> None:
    # 20th working day after 09-26 is 10-30 (table above); as of Monday 10-27: 10-28, 10-29, 10-30 left.
    d = answer_deadline(RECEIVED, today=date(2025, 10, 27))
    assert d.due == date(2025, 10, 30)
    assert d.days_left == 3
    assert not d.overdue
    assert d.steps[-2] == "答复期限：2025年10月30日。"
    assert "期间2025年9月28日、2025年10月11日为调休上班日，计入工作日。" in d.steps
    assert "期间有6个周一至周五为法定节假日，不计入工作日。" in d.steps  # 10-01…10-03, 10-06…10-08
    assert d.steps[-1] == "截至2025年10月27日，还剩3个工作日。"


def test_days_left_on_a_holiday_and_on_the_last_day() -> None:
    # As of 10-01 only 09-28, 09-29, 09-30 are used: 20 - 3 = 17 left.
    assert answer_deadline(RECEIVED, today=date(2025, 10, 1)).days_left == 17
    last = answer_deadline(RECEIVED, today=date(2025, 10, 30))
    assert (last.days_left, last.overdue) == (0, False)
    assert last.steps[-1] == "2025年10月30日为答复期限的最后一天。"


def test_overdue_request_counts_working_days_late() -> None:
    # Due 10-30; as of Tuesday 11-04 the late working days are 10-31, 11-03, 11-04.
    d = answer_deadline(RECEIVED, today=date(2025, 11, 4))
    assert d.overdue
    assert d.days_left == -3
    assert d.steps[-1] == "截至2025年11月4日已逾期3个工作日。"


def test_correction_restarts_the_clock_from_the_corrected_request() -> None:
    # Notice on 10-13 = 7th working day after receipt (in time only thanks to Saturday 10-11).
    # Corrected request received Monday 10-20; 20 working days after it (November has no holiday):
    # 10-21…10-24 (4), 10-27…10-31 (9), 11-03…11-07 (14), 11-10…11-14 (19), 11-17 (20).
    d = answer_deadline(
        RECEIVED, correction=Correction(date(2025, 10, 13), date(2025, 10, 20)), today=date(2025, 10, 27)
    )
    assert d.clock_start == date(2025, 10, 20)
    assert d.due == date(2025, 11, 17)
    # As of 10-27: 10-21…10-24 and 10-27 are used (5), 15 left.
    assert d.days_left == 15
    assert "2025年10月13日一次性告知补正（收到申请后第7个工作日，未超过7个工作日，条例第三十条）。" in d.steps
    assert "2025年10月20日收到补正后的申请，答复期限自该日起重新计算20个工作日。" in d.steps


def test_correction_awaited_has_no_deadline_yet() -> None:
    d = answer_deadline(RECEIVED, correction=Correction(date(2025, 9, 29)), today=date(2025, 10, 20))
    assert d.due is None
    assert d.days_left is None
    assert not d.overdue
    assert d.steps[-1] == "等待申请人补正：答复期限自收到补正后的申请之日起重新计算。"


def test_correction_notice_after_seven_working_days_is_flagged() -> None:
    # 10-14 is the 8th working day after receipt (table above).
    # A late notice is what happened: the deadline is still computed, and the breach is shown.
    late = answer_deadline(RECEIVED, correction=Correction(date(2025, 10, 14)), today=date(2025, 10, 20))
    assert late.due is None and len(late.warnings) == 1
    assert "第8个工作日" in late.warnings[0] and "条例第三十条" in late.warnings[0]
    assert late.warnings[0] in late.steps


def test_consultation_days_do_not_count() -> None:
    # Third party consulted 10-13, answered 10-17: 10-14…10-17 are suspended (4 working days).
    # Counted: 7 days up to 10-13, then 10-20…10-24 (12), 10-27…10-31 (17), 11-03, 11-04, 11-05 (20).
    c = Consultation("third_party", date(2025, 10, 13), date(2025, 10, 17), party="某公司")
    d = answer_deadline(RECEIVED, consultations=[c], today=date(2025, 10, 27))
    assert d.due == date(2025, 11, 5)
    assert d.paused_days == 4
    # As of 10-27: counted days left are 10-28…10-31 (4) and 11-03…11-05 (3).
    assert d.days_left == 7
    assert (
        "2025年10月13日征求第三方意见（条例第三十二条：某公司），15个工作日内答复，答复期限为2025年11月3日；"
        "2025年10月17日收到意见：4个工作日不计入答复期限（条例第三十三条第三款）。"
    ) in d.steps


def test_a_late_consultation_answer_suspends_only_fifteen_working_days() -> None:
    # Consulted 10-13, due back on the 15th working day after it: 10-14…10-17 (4), 10-20…10-24 (9),
    # 10-27…10-31 (14), 11-03 (15). Answered 11-10, but only 10-14…11-03 are suspended.
    # Counted: 7 up to 10-13, then 11-04…11-07 (11), 11-10…11-14 (16), 11-17…11-20 (20).
    c = Consultation("agency", date(2025, 10, 13), date(2025, 11, 10))
    d = answer_deadline(RECEIVED, consultations=[c], today=date(2025, 11, 12))
    assert d.due == date(2025, 11, 20)
    assert d.paused_days == 15
    assert any("2025年11月10日才答复，逾期部分计入答复期限" in step for step in d.steps)


def test_a_pending_consultation_suspends_up_to_today() -> None:
    # Consulted 10-13, no answer yet on 10-16: 10-14, 10-15, 10-16 suspended (3), so due = 10-30 + 3
    # working days = 11-04; left after 10-16: 10-17, 10-20…10-24, 10-27…10-31, 11-03, 11-04 = 13.
    c = Consultation("agency", date(2025, 10, 13))
    d = answer_deadline(RECEIVED, consultations=[c], today=date(2025, 10, 16))
    assert d.due == date(2025, 11, 4)
    assert d.days_left == 13
    assert any("尚未答复，暂计至2025年10月16日" in step for step in d.steps)


def test_extension_adds_working_days_after_the_twentieth() -> None:
    # 10 more after 10-30: 10-31, 11-03…11-07, 11-10…11-13 -> 11-13.
    d = answer_deadline(RECEIVED, extension_days=10, extension_approved_by="办公室主任", today=date(2025, 11, 4))
    assert d.due == date(2025, 11, 13)
    assert not d.overdue
    assert d.days_left == 7  # 11-05, 11-06, 11-07, 11-10…11-13
    assert "经办公室主任同意延长答复期限10个工作日（最长20个工作日，条例第三十三条第二款）。" in d.steps
    # The longest extension, 20: 11-14, 11-17…11-21, 11-24…11-27 -> 11-27.
    longest = answer_deadline(RECEIVED, extension_days=20, extension_approved_by="办公室主任", today=RECEIVED)
    assert longest.due == date(2025, 11, 27)


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"extension_days": 21, "extension_approved_by": "办公室主任"}, "extension_too_long"),
        ({"extension_days": -1}, "extension_negative"),
        ({"extension_days": 5}, "extension_unapproved"),
        ({"correction": Correction(date(2025, 9, 25))}, "correction_before_receipt"),
        ({"correction": Correction(date(2025, 9, 29), date(2025, 9, 28))}, "correction_before_notice"),
        (
            {"consultations": [Consultation("third_party", date(2025, 9, 25), date(2025, 9, 29))]},
            "pause_before_receipt",
        ),
        (
            {
                "correction": Correction(date(2025, 9, 29), date(2025, 10, 9)),
                "consultations": [Consultation("third_party", date(2025, 9, 30), date(2025, 10, 10))],
            },
            "pause_before_correction",
        ),
        (
            {"consultations": [Consultation("agency", date(2025, 10, 13), date(2025, 10, 10))]},
            "pause_reversed",
        ),
        (
            {
                "consultations": [
                    Consultation("third_party", date(2025, 10, 9), date(2025, 10, 15)),
                    Consultation("agency", date(2025, 10, 14), date(2025, 10, 20)),
                ]
            },
            "pause_overlaps",
        ),
        ({"consultations": [Consultation("agency", date(2025, 11, 3))]}, "event_in_future"),
    ],
)
def test_invalid_sequences_are_refused_with_their_code(kwargs: dict[str, object], code: str) -> None:
    with pytest.raises(RegisterError) as caught:
        answer_deadline(RECEIVED, today=date(2025, 10, 27), **kwargs)  # type: ignore[arg-type]
    assert caught.value.code == code
    assert caught.value.message_zh  # a Chinese message for the person who typed the dates


def test_back_to_back_consultations_are_not_an_overlap() -> None:
    # Sharing the day 10-13 (one ends, the other starts) is not an overlap: the first suspends 10-10…10-13,
    # the second 10-14…10-15.
    first = Consultation("third_party", date(2025, 10, 9), date(2025, 10, 13))
    second = Consultation("agency", date(2025, 10, 13), date(2025, 10, 15))
    d = answer_deadline(RECEIVED, consultations=[second, first], today=date(2025, 10, 27))
    # 10-10, 10-11, 10-13 (3) + 10-14, 10-15 (2) = 5 working days suspended.
    assert d.paused_days == 5
    assert d.due == add_working_days(date(2025, 10, 30), 5)  # 10-31, 11-03…11-06
    assert d.due == date(2025, 11, 6)
