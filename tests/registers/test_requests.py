"""The request register: valid event streams make tables 3 and 4 that keep the format's identities, year
after year; invalid sequences are refused with stable codes and Chinese messages."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongkai.check.arithmetic import equations
from gongkai.formats import get_format, match_rows
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
    RegisterError,
    Request,
    ReviewDecided,
    ReviewFiled,
    applicant_kinds,
    apply,
    fee_notice,
    outcome_kinds,
    proceeding_results,
    rank_in_month,
    replay,
    tables_for_period,
)

FMT = get_format("2021")
APPLICANTS = applicant_kinds()
OUTCOMES = outcome_kinds()
RESULTS = proceeding_results()
# Outcomes that need a notice still waiting; the streams reach them through Abandoned / FeeUnpaid instead.
PLAIN_OUTCOMES = [o for o in OUTCOMES if o not in ("other.no_correction", "other.fee_unpaid")]
YEARS = (2022, 2023, 2024, 2025)
CJK = re.compile(r"[\u4e00-\u9fff]")


def year_tables(requests: list[Request], year: int, format_id: str = "2021") -> dict:
    return tables_for_period(requests, date(year, 1, 1), date(year, 12, 31), format_id)


def identity_failures(tables: dict, format_id: str = "2021") -> list[str]:
    """Every identity of the format evaluated on the cell dict: the equations that do not hold."""
    failures = []
    for ident in get_format(format_id).identities:
        cells = tables.get(ident.table)
        if cells is None or ident.over == "children":
            continue
        if ident.over == "columns":
            left, right = match_rows(ident.left, list(cells)), match_rows(ident.right, list(cells))
            assert left and right, ident.id
            for col in next(iter(cells.values())):
                if sum(cells[r][col] for r in left) != sum(cells[r][col] for r in right):
                    failures.append(f"{ident.id}[{col}]")
        else:
            for row, values in cells.items():
                if sum(values[c] for c in ident.left) != sum(values[c] for c in ident.right):
                    failures.append(f"{ident.id}[{row}]")
    return failures


def checker_failures(tables: dict, format_id: str = "2021") -> list[str]:
    """The same, through the equations the project's arithmetic checks run on a read report."""
    out = []
    for table, cells in tables.items():
        for eq in equations(format_id, table):
            if sum(cells[r][c] for r, c in eq.left) != sum(cells[r][c] for r, c in eq.right):
                out.append(f"{eq.identity}{eq.where}")
    return out


def assert_every_cell(tables: dict, format_id: str = "2021") -> None:
    fmt = get_format(format_id)
    for key, cells in tables.items():
        want = fmt.table(key).cell_keys()
        assert sorted((r, c) for r, cols in cells.items() for c in cols) == sorted(want)
        assert all(isinstance(v, int) and v >= 0 for cols in cells.values() for v in cols.values())


# ---------------------------------------------------------------------------------------------------------
# Random valid registers


@st.composite
def registered(draw, ident: str) -> Request:
    """A request received in 2022–2024 with a valid stream of events: answered later (maybe years later) or
    never, and when answered, perhaps reviewed and sued over."""
    received = draw(st.dates(date(2022, 1, 1), date(2024, 12, 31)))
    request = Request(ident, received, draw(st.sampled_from(sorted(CHANNELS))), draw(st.sampled_from(APPLICANTS)),
                      "申请公开某项目的批复文件")
    day = received
    events: list[Event] = []

    def later(most: int = 40) -> date:
        nonlocal day
        day += timedelta(days=draw(st.integers(0, most)))
        return day

    def closed() -> bool:
        return any(isinstance(e, Answer | Abandoned | FeeUnpaid) for e in events)

    waiting = False  # for the applicant's correction or payment: nothing else can happen until it arrives
    for block in draw(st.permutations(["correction", "consultation", "extension", "fee"])):
        if closed() or waiting or not draw(st.booleans()):
            continue
        if block == "correction":
            events.append(CorrectionNotice(later(10)))
            then = draw(st.sampled_from(["corrected", "abandoned", "silent"]))
            if then != "silent":
                events.append(Corrected(later()) if then == "corrected" else Abandoned(later()))
            waiting = then == "silent"
        elif block == "consultation":
            kind = draw(st.sampled_from(sorted(CONSULTATION_KINDS)))
            events += [ConsultationStart(later(), "第三方", kind), ConsultationEnd(later(30))]
        elif block == "extension":
            events.append(Extension(later(), draw(st.integers(1, 20)), "办公室主任"))
        else:
            events.append(fee_notice(later(), pages=draw(st.integers(31, 3000))))
            then = draw(st.sampled_from(["paid", "unpaid", "silent"]))
            if then != "silent":
                events.append(FeePaid(later()) if then == "paid" else FeeUnpaid(later()))
            waiting = then == "silent"
    if not closed() and draw(st.integers(0, 3)):
        events.append(Answer(later(400), draw(st.sampled_from(PLAIN_OUTCOMES))))
    if closed():
        kinds = draw(st.sampled_from([(), ("review",), ("lawsuit",), ("review", "lawsuit")]))
        for kind in kinds:
            filed, decided = (ReviewFiled, ReviewDecided) if kind == "review" else (LawsuitFiled, LawsuitDecided)
            events.append(filed(later(60)))
            if draw(st.booleans()):
                events.append(decided(later(300), draw(st.sampled_from(RESULTS))))
    return replay(request, events)


registers = st.integers(0, 40).flatmap(lambda n: st.tuples(*[registered(f"R{i}") for i in range(n)]).map(list))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(registers)
def test_every_year_keeps_the_identities_and_chains(requests: list[Request]) -> None:
    tables = {y: year_tables(requests, y) for y in YEARS}
    for year, t in tables.items():
        assert_every_cell(t)
        assert identity_failures(t) == [], year
        assert checker_failures(t) == [], year
        t3 = t["requests"]
        assert t3["new_received"]["total"] == sum(r.received.year == year for r in requests)
        assert t3["total_processed"]["total"] == sum(r.closed_on is not None and r.closed_on.year == year
                                                     for r in requests)
    assert all(v == 0 for v in tables[2022]["requests"]["carried_over"].values())
    for year in YEARS[:-1]:
        assert tables[year + 1]["requests"]["carried_over"] == tables[year]["requests"]["carried_forward"]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(registers)
def test_table_4_counts_decisions_in_the_year_and_what_is_still_pending(requests: list[Request]) -> None:
    for year in YEARS:
        t4 = year_tables(requests, year)["review_litigation"]
        end = date(year, 12, 31)
        procs = [p for r in requests for p in r.proceedings()]
        decided = sum(p.decided is not None and p.decided.year == year for p in procs)
        pending = sum(p.filed <= end and (p.decided is None or p.decided > end) for p in procs)
        assert sum(t4[row][c] for row in t4 for c in RESULTS) == decided
        assert sum(t4[row]["pending"] for row in t4) == pending


@settings(max_examples=60, deadline=None)
@given(registers, registers)
def test_a_group_of_offices_adds_up(a: list[Request], b: list[Request]) -> None:
    together, left, right = (year_tables(x, 2023) for x in (a + b, a, b))
    for table, rows in together.items():
        for row, cols in rows.items():
            for col, value in cols.items():
                assert value == left[table][row][col] + right[table][row][col]


# ---------------------------------------------------------------------------------------------------------
# A small register worked by hand


def d(month: int, day: int, year: int = 2023) -> date:
    return date(year, month, day)


def five_requests() -> list[Request]:
    def new(ident: str, received: date, applicant: str) -> Request:
        return Request(ident, received, "online", applicant, "申请公开……")

    return [
        # received last year, granted this year, then sued directly and corrected by the court
        replay(new("A", d(12, 20, 2022), "natural_person"),
               [Answer(d(1, 10), "granted"), LawsuitFiled(d(2, 1)), LawsuitDecided(d(5, 1), "corrected")]),
        # asked to correct, never did
        replay(new("B", d(3, 1), "natural_person"), [CorrectionNotice(d(3, 5)), Abandoned(d(3, 30))]),
        # extended, partly disclosed; review upheld it, then a lawsuit still pending at the year's end
        replay(new("C", d(6, 1), "commercial"),
               [Extension(d(6, 25), 20, "办公室主任"), Answer(d(7, 20), "partially_granted"), ReviewFiled(d(8, 1)),
                ReviewDecided(d(10, 1), "upheld"), LawsuitFiled(d(11, 1))]),
        # received in December, still open
        new("D", d(12, 20), "legal_service"),
        # fee notice not paid
        replay(new("E", d(2, 1), "research"), [fee_notice(d(2, 10), pages=60), FeeUnpaid(d(3, 20))]),
    ]


def test_five_requests_worked_by_hand() -> None:
    tables = year_tables(five_requests(), 2023)
    expected3 = {row: dict.fromkeys([c.key for c in FMT.table("requests").columns], 0)
                 for row in (r.key for r in FMT.table("requests").rows)}
    expected3["new_received"] |= {"natural_person": 1, "commercial": 1, "research": 1, "legal_service": 1, "total": 4}
    expected3["carried_over"] |= {"natural_person": 1, "total": 1}
    expected3["granted"] |= {"natural_person": 1, "total": 1}
    expected3["partially_granted"] |= {"commercial": 1, "total": 1}
    expected3["other.no_correction"] |= {"natural_person": 1, "total": 1}
    expected3["other.fee_unpaid"] |= {"research": 1, "total": 1}
    expected3["total_processed"] |= {"natural_person": 2, "commercial": 1, "research": 1, "total": 4}
    expected3["carried_forward"] |= {"legal_service": 1, "total": 1}
    assert tables["requests"] == expected3

    zero4 = dict.fromkeys(["upheld", "corrected", "other", "pending", "total"], 0)
    assert tables["review_litigation"] == {
        "review": zero4 | {"upheld": 1, "total": 1},
        "litigation_direct": zero4 | {"corrected": 1, "total": 1},
        "litigation_after_review": zero4 | {"pending": 1, "total": 1},
    }
    assert identity_failures(tables) == []


def test_the_year_before_and_after_the_hand_worked_one() -> None:
    requests = five_requests()
    before, after = year_tables(requests, 2022), year_tables(requests, 2024)
    assert before["requests"]["new_received"]["total"] == 1
    assert before["requests"]["carried_forward"] == year_tables(requests, 2023)["requests"]["carried_over"] | {
        "natural_person": 1, "total": 1}
    assert after["requests"]["carried_over"] == {c: int(c in ("legal_service", "total"))
                                                 for c in before["requests"]["carried_over"]}
    # the lawsuit after review, undecided, is still pending in 2024; the decided ones are not counted again
    assert after["review_litigation"]["litigation_after_review"]["pending"] == 1
    assert after["review_litigation"]["review"]["total"] == 0


def test_format_2019_counts_both_other_endings_in_its_single_other_row() -> None:
    tables = year_tables(five_requests(), 2023, "2019")
    assert tables["requests"]["other"]["total"] == 2
    assert identity_failures(tables, "2019") == []


# ---------------------------------------------------------------------------------------------------------
# Refusals

R0 = Request("X", d(3, 1), "in_person", "natural_person", "申请公开……")
ANSWERED = apply(R0, Answer(d(3, 10), "granted"))

REFUSED = [
    ("answered_twice", ANSWERED, Answer(d(3, 11), "granted"), "不能再次答复"),
    ("answered_twice", ANSWERED, FeeUnpaid(d(3, 11)), "不能再次答复"),
    ("after_answer", ANSWERED, Extension(d(3, 11), 5, "主任"), "只能登记行政复议或行政诉讼"),
    ("after_answer", ANSWERED, CorrectionNotice(d(3, 11)), "只能登记行政复议或行政诉讼"),
    ("extension_twice", apply(R0, Extension(d(3, 20), 5, "主任")), Extension(d(3, 21), 5, "主任"), "只能延长一次"),
    ("extension_too_long", R0, Extension(d(3, 20), 21, "主任"), "不得超过20个工作日"),
    ("extension_invalid", R0, Extension(d(3, 20), 0, "主任"), "正整数"),
    ("unknown_outcome", R0, Answer(d(3, 20), "total_processed"), "不是表三的办理结果"),
    ("unknown_outcome", R0, Answer(d(3, 20), "withheld"), "不是表三的办理结果"),
    ("unknown_outcome", R0, Answer(d(3, 20), "carried_forward"), "不是表三的办理结果"),
    ("correction_twice", apply(R0, CorrectionNotice(d(3, 2))), CorrectionNotice(d(3, 3)), "一次性告知"),
    ("no_correction_notice", R0, Corrected(d(3, 3)), "没有待补正"),
    ("no_correction_notice", R0, Abandoned(d(3, 3)), "没有待补正"),
    ("no_correction_notice", R0, Answer(d(3, 3), "other.no_correction"), "逾期不补正"),
    ("no_fee_notice", R0, FeeUnpaid(d(3, 3)), "没有待缴费"),
    ("no_fee_notice", replay(R0, [fee_notice(d(3, 2), pages=40), FeePaid(d(3, 3))]),
     Answer(d(3, 4), "other.fee_unpaid"), "逾期未缴费"),
    ("fee_notice_twice", apply(R0, fee_notice(d(3, 2), pages=40)), fee_notice(d(3, 3), pages=40), "收费通知"),
    ("no_consultation", R0, ConsultationEnd(d(3, 3)), "没有进行中的征求意见"),
    ("consultation_kind", R0, ConsultationStart(d(3, 2), "某公司", "neighbour"), "未知的征求意见类型"),
    ("extension_unapproved", R0, Extension(d(3, 20), 5), "批准人"),
    ("extension_unapproved", R0, Extension(d(3, 20), 5, "  "), "负责人同意"),
    ("extension_while_waiting", apply(R0, CorrectionNotice(d(3, 2))), Extension(d(3, 3), 5, "主任"), "补正"),
    ("extension_while_waiting", apply(R0, fee_notice(d(3, 2), pages=40)), Extension(d(3, 3), 5, "主任"), "缴费"),
    ("fee_while_correcting", apply(R0, CorrectionNotice(d(3, 2))), fee_notice(d(3, 3), pages=40), "补正"),
    ("fee_not_due", R0, fee_notice(d(3, 2), pages=30), "30页以内不收费"),
    ("fee_not_due", R0, fee_notice(d(3, 2), rank_in_month=10), "前10件申请不收费"),
    ("fee_mismatch", R0, FeeNotice(d(3, 2), ChargeMode.PER_VOLUME, 500, pages=40), "计算的100元不符"),
    ("fee_mismatch", R0, FeeNotice(d(3, 2), ChargeMode.PER_REQUEST, 100, rank_in_month=31), "计算的200元不符"),
    ("consultation_open", apply(R0, ConsultationStart(d(3, 2))), ConsultationStart(d(3, 3)), "尚未结束"),
    ("consultation_open", apply(R0, ConsultationStart(d(3, 2))), Answer(d(3, 9), "granted"), "征求意见尚未结束"),
    ("out_of_order", R0, Answer(d(2, 28), "granted"), "时间顺序"),
    ("out_of_order", apply(R0, Extension(d(3, 20), 5, "主任")), Answer(d(3, 19), "granted"), "时间顺序"),
    ("not_answered", R0, ReviewFiled(d(3, 5)), "尚未答复"),
    ("not_answered", R0, LawsuitFiled(d(3, 5)), "尚未答复"),
    ("not_filed", ANSWERED, ReviewDecided(d(4, 1), "upheld"), "尚未登记行政复议"),
    ("not_filed", apply(ANSWERED, ReviewFiled(d(3, 20))), LawsuitDecided(d(4, 1), "upheld"), "尚未登记行政诉讼"),
    ("decided_twice", replay(ANSWERED, [ReviewFiled(d(3, 20)), ReviewDecided(d(4, 1), "upheld")]),
     ReviewDecided(d(4, 2), "corrected"), "已经审结"),
    ("unknown_result", apply(ANSWERED, ReviewFiled(d(3, 20))), ReviewDecided(d(4, 1), "pending"), "不是表四的结果"),
    ("proceeding_twice", apply(ANSWERED, ReviewFiled(d(3, 20))), ReviewFiled(d(3, 21)), "不能重复登记"),
]


@pytest.mark.parametrize(("code", "request_", "event", "words"), REFUSED, ids=[f"{c}-{i}" for i, (c, *_) in
                                                                                 enumerate(REFUSED)])
def test_invalid_sequences_are_refused(code: str, request_: Request, event: Event, words: str) -> None:
    with pytest.raises(RegisterError) as refused:
        apply(request_, event)
    assert refused.value.code == code
    assert words in refused.value.message_zh
    assert CJK.search(refused.value.message_zh)


@pytest.mark.parametrize(("kwargs", "code", "words"), [
    ({"applicant": "individual"}, "unknown_applicant", "自然人"),
    ({"applicant": "total"}, "unknown_applicant", "未知的申请人类型"),
    ({"channel": "pigeon"}, "unknown_channel", "未知的申请渠道"),
])
def test_unknown_applicant_or_channel_is_refused(kwargs: dict, code: str, words: str) -> None:
    fields = {"id": "Y", "received": d(1, 1), "channel": "online", "applicant": "natural_person", "content": "…"}
    with pytest.raises(RegisterError) as refused:
        Request(**(fields | kwargs))
    assert (refused.value.code, words in refused.value.message_zh) == (code, True)


def test_fee_notice_and_extension_together_are_allowed() -> None:
    """The rules do not forbid both on one request (an extension once the fee is paid), so the register
    does not either."""
    done = replay(R0, [Extension(d(3, 20), 20, "主任"), fee_notice(d(3, 21), pages=120), FeePaid(d(3, 25)),
                       Answer(d(4, 20), "granted")])
    assert done.outcome == "granted"
    assert done.events[1].amount_yuan == 70 * 10 + 20 * 20


def test_a_fee_is_charged_one_way_only() -> None:
    with pytest.raises(RegisterError) as refused:
        fee_notice(d(3, 2), rank_in_month=12, pages=40)
    assert refused.value.code == "fee_both_ways"


def test_the_rank_in_the_month_counts_the_same_applicants_requests_in_that_calendar_month() -> None:
    def asked(ident: str, on: date, name: str) -> Request:
        return Request(ident, on, "online", "natural_person", "…", applicant_name=name)

    month = [asked(f"M{i:02}", d(5, 1 + i), "张三") for i in range(12)]
    others = [asked("N1", d(5, 2), "李四"), asked("P1", d(4, 30), "张三"), asked("P2", d(6, 1), "张 三")]
    register = month + others
    assert [rank_in_month(register, r) for r in month] == list(range(1, 13))
    assert rank_in_month(register, others[2]) == 1
    eleventh = fee_notice(d(5, 20), rank_in_month=rank_in_month(register, month[10]))
    assert eleventh.amount_yuan == 100
    assert apply(month[10], eleventh).events == (eleventh,)
    with pytest.raises(RegisterError) as refused:
        rank_in_month(register, Request("Q", d(5, 3), "online", "natural_person", "…"))
    assert refused.value.code == "fee_needs_applicant"


def test_a_refused_event_leaves_the_record_as_it_was() -> None:
    with pytest.raises(RegisterError):
        apply(ANSWERED, Answer(d(3, 11), "partially_granted"))
    assert ANSWERED.events == (Answer(d(3, 10), "granted"),)
    assert ANSWERED.outcome == "granted"


def test_a_period_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(RegisterError) as refused:
        tables_for_period([], d(12, 31), d(1, 1))
    assert refused.value.code == "period_invalid"
    assert "开始日期晚于结束日期" in refused.value.message_zh


def test_outcome_and_applicant_lists_come_from_the_format() -> None:
    rows = [r.key for r in FMT.table("requests").rows]
    assert set(OUTCOMES) < set(rows)
    assert "total_processed" not in OUTCOMES and "new_received" not in OUTCOMES
    assert set(APPLICANTS) | {"total"} == {c.key for c in FMT.table("requests").columns}
    assert set(RESULTS) | {"pending", "total"} == {c.key for c in FMT.table("review_litigation").columns}


def test_the_first_and_last_days_belong_to_the_year() -> None:
    """Received on 1 January is new that year; answered on 31 December is processed that year, not carried."""
    jan1 = replay(Request("F", d(1, 1), "fax", "other_org", "…"), [Answer(d(12, 31), "unavailable.not_held")])
    dec31 = replay(Request("G", d(12, 31), "oral", "public_interest", "…"), [Answer(d(1, 1, 2024), "granted")])
    this, nxt = year_tables([jan1, dec31], 2023)["requests"], year_tables([jan1, dec31], 2024)["requests"]
    assert (this["new_received"]["total"], this["carried_over"]["total"]) == (2, 0)
    assert this["unavailable.not_held"]["other_org"] == 1
    assert this["carried_forward"] == {c: int(c in ("public_interest", "total")) for c in this["carried_forward"]}
    assert (nxt["carried_over"]["public_interest"], nxt["granted"]["public_interest"]) == (1, 1)
    assert nxt["carried_forward"]["total"] == 0
