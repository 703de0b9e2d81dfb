"""A request's deadline comes from its own recorded events; the open list puts the overdue first.
Expected dates are worked out by hand from the State Council's 2025 holiday arrangement."""

from __future__ import annotations

from datetime import date

from gongkai.registers.due import deadline_of, open_requests
from gongkai.registers.requests import (
    Answer,
    CorrectionNotice,
    Extension,
    FeePaid,
    Request,
    apply,
    fee_notice,
    replay,
)

D = date.fromisoformat


def new(ident: str, received: str) -> Request:
    return Request(ident, D(received), "online", "natural_person", "申请公开……")


def test_an_approved_extension_over_national_day() -> None:
    """Received Friday 26 September 2025. Working days after it: 28 Sep (Sunday, made a working day) 1,
    29–30 Sep 2–3, 1–8 Oct holiday, 9–10 Oct 4–5, 11 Oct (Saturday, working) 6, 13–17 Oct 7–11, 20–24 Oct 12–16,
    27–30 Oct 17–20: due 30 October. Ten more working days: 31 Oct, 3–7 Nov, 10–13 Nov: 13 November."""
    request = apply(new("A", "2025-09-26"), Extension(D("2025-10-20"), 10, "办公室主任"))
    before = deadline_of(request, D("2025-10-15"))
    assert before.due == D("2025-10-30") and before.extension_days == 0
    after = deadline_of(request, D("2025-10-20"))
    assert after.due == D("2025-11-13") and after.extension_days == 10
    assert any("办公室主任" in step for step in after.steps)


def test_the_wait_for_a_fee_does_not_count() -> None:
    """Received Monday 3 March 2025; fee notice on Wednesday 5 March, paid Wednesday 12 March: 6, 7, 10, 11
    and 12 March do not count. Counted: 4–5 Mar 1–2, 13–14 Mar 3–4, 17–21 Mar 5–9, 24–28 Mar 10–14,
    31 Mar–3 Apr 15–18, 4 Apr (清明) not a working day, 7–8 Apr 19–20: due 8 April (31 March unpaused)."""
    waiting = apply(new("F", "2025-03-03"), fee_notice(D("2025-03-05"), pages=60))
    assert deadline_of(waiting, D("2025-03-04")).due == D("2025-03-31")  # the notice is not yet known
    on_hold = deadline_of(waiting, D("2025-03-10"))
    assert on_hold.due is None and any("等待申请人缴费" in s for s in on_hold.steps)
    paid = apply(waiting, FeePaid(D("2025-03-12")))
    assert deadline_of(paid, D("2025-03-12")).due == D("2025-04-08")
    assert deadline_of(paid, D("2025-03-12")).paused_days == 5


def test_open_requests_overdue_first_then_days_left_then_waiting() -> None:
    """As of Thursday 10 April 2025: X (3 March, due 31 March) is 7 working days late (1–3, 7–10 April);
    Y (1 April) is due 29 April (27 April is a Sunday made a working day) with 14 working days left;
    Z waits for its 补正; W was answered."""
    x, y = new("X", "2025-03-03"), new("Y", "2025-04-01")
    z = apply(new("Z", "2025-04-02"), CorrectionNotice(D("2025-04-03")))
    w = replay(new("W", "2025-03-03"), [Answer(D("2025-03-20"), "granted")])
    later = new("L", "2025-04-11")  # received after the day asked: not yet open
    listed = open_requests([z, y, w, later, x], D("2025-04-10"))
    assert [o.request.id for o in listed] == ["X", "Y", "Z"]
    assert (listed[0].deadline.due, listed[0].deadline.days_left, listed[0].deadline.overdue) == (
        D("2025-03-31"), -7, True)
    assert (listed[1].deadline.due, listed[1].deadline.days_left) == (D("2025-04-29"), 14)
    assert listed[2].waiting and not listed[0].waiting
