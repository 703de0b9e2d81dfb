"""Working days by the State Council's holiday arrangement, and the registers' error type.

Every period in the Regulations (answer in 20 working days, 补正 notice in 7, consultation in 15) is
counted in working days, and a working day is not "Monday to Friday minus holidays": the yearly
arrangement moves weekend days into working days (调休). The arrangement comes from the
`chinesecalendar` package; for a year it does not ship we refuse (`CalendarUnknown`) rather than
guess, because a guessed deadline is worse than none.

Counting convention (used by every function here): the day an event happens does not count; the
period starts on the next day (《中华人民共和国民法典》第二百零一条: 按照年、月、日计算期间的，开始的
当日不计入，自下一日开始计算; the Regulations' 自收到申请之日起 is read the same way). So the 1st
working day "after" a Friday receipt is the following working day, and a period of n working days
ends on the n-th working day after its starting event.

Refusals are `gongkai.registers.errors.RegisterError` (re-exported here).
"""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar

from gongkai.registers.errors import RegisterError

__all__ = [
    "CalendarUnknown",
    "RegisterError",
    "add_working_days",
    "is_working_day",
    "working_days_between",
]

ONE_DAY = timedelta(days=1)


class CalendarUnknown(RegisterError):
    """The holiday arrangement of `year` is not in the installed calendar: no working day can be counted."""

    def __init__(self, year: int) -> None:
        super().__init__(
            "calendar_unknown",
            f"节假日安排尚未收录 {year} 年：无法计算该年的工作日。"
            "请在国务院办公厅公布该年节假日安排、并更新 chinesecalendar 后再试。",
        )
        self.year = year


def is_working_day(d: date) -> bool:
    """Whether `d` is a working day under that year's arrangement (调休 weekend days included).

    Raises `CalendarUnknown` for a year the calendar does not ship, never a weekday guess.
    """
    try:
        return bool(chinese_calendar.is_workday(d))
    except NotImplementedError as exc:  # the package's signal for a year outside its tables
        raise CalendarUnknown(d.year) from exc


def add_working_days(start: date, n: int) -> date:
    """The n-th working day after `start` (the day of `start` itself does not count; n=0 gives `start`).

    This is the last day of a period of n working days that starts with an event on `start`
    (民法典第二百零一条: the starting day is not counted), e.g. the answer deadline is
    `add_working_days(received, 20)` (条例第三十三条第二款).
    """
    if n < 0:
        raise ValueError("n must be >= 0")
    day = start
    counted = 0
    while counted < n:
        day += ONE_DAY
        if is_working_day(day):
            counted += 1
    return day


def working_days_between(a: date, b: date) -> int:
    """Working days d with a < d <= b; negative (-count over b < d <= a) when b is before a.

    The inverse of `add_working_days`: `working_days_between(a, add_working_days(a, n)) == n`, so
    "is a notice within 7 working days of receipt" is `working_days_between(received, notice) <= 7`.
    """
    if b < a:
        return -working_days_between(b, a)
    count = 0
    day = a
    while day < b:
        day += ONE_DAY
        if is_working_day(day):
            count += 1
    return count
