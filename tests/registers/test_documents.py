"""The normative-documents register: table 2's document rows for a worked example, the carry-over equation
over random registers, and invalid records refused with stable codes and Chinese messages."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gongkai.formats import get_format
from gongkai.registers.documents import (
    Document,
    RegisterError,
    check_register,
    counts_for_year,
    document_kinds,
    replaced_still_in_force,
    table2_for_year,
)

TABLE2 = get_format("2021").table("proactive")
REG, NORM = document_kinds()
ISSUED, REPEALED, IN_FORCE = (c.key for c in TABLE2.row_columns(TABLE2.row(REG)))
CJK = re.compile(r"[\u4e00-\u9fff]")


def test_document_kinds_are_table2_document_rows():
    assert [TABLE2.row(k).label for k in (REG, NORM)] == ["规章", "行政规范性文件"]
    labels = [TABLE2.column(c).label for c in (ISSUED, REPEALED, IN_FORCE)]
    assert labels == ["本年制发件数", "本年废止件数", "现行有效件数"]


def doc(number: str, kind: str, issued: date, **kw) -> Document:
    return Document(number=number, title=f"关于{number}的规定", kind=kind, organ="某市人民政府", issued=issued, **kw)


# ---------------------------------------------------------------------------------------------------------
# A hand-worked register


EXAMPLE = (
    doc("某市人民政府令第2号", REG, date(2022, 6, 15), repealed=date(2024, 5, 1)),
    doc("某市人民政府令第5号", REG, date(2024, 4, 20), effective=date(2024, 6, 1), replaces="某市人民政府令第2号"),
    doc("某府规〔2022〕1号", NORM, date(2022, 1, 10), lapsed=date(2023, 12, 31)),  # validity ran out on 31 Dec
    doc("某府规〔2022〕2号", NORM, date(2022, 8, 1)),
    doc("某府规〔2023〕1号", NORM, date(2023, 5, 1), repealed=date(2023, 11, 30)),  # issued and repealed in 2023
    doc("某府规〔2023〕2号", NORM, date(2023, 12, 28), effective=date(2024, 2, 1), replaces="某府规[2022]2号"),
)


def cells(reg: tuple[int, int, int], norm: tuple[int, int, int]) -> dict[str, dict[str, int]]:
    return {k: dict(zip((ISSUED, REPEALED, IN_FORCE), v, strict=True)) for k, v in ((REG, reg), (NORM, norm))}


@pytest.mark.parametrize(("year", "expected"), [
    (2021, cells((0, 0, 0), (0, 0, 0))),
    # 令第2号 issued; 规〔2022〕1号 and 2号 issued.
    (2022, cells((1, 0, 1), (2, 0, 2))),
    # 规〔2023〕1号 issued and repealed; 2号 issued on 28 Dec (in force though effective only in 2024);
    # 规〔2022〕1号 lapsed on 31 Dec: not in force at the year's end, and not counted as repealed.
    (2023, cells((0, 0, 1), (2, 1, 2))),
    # 令第5号 replaces 令第2号, which has its own repeal date; 规〔2022〕2号 is replaced but has none: still in force.
    (2024, cells((1, 1, 1), (0, 0, 2))),
    (2025, cells((0, 0, 1), (0, 0, 2))),
])
def test_worked_example(year, expected):
    assert table2_for_year(EXAMPLE, year) == expected


def test_worked_example_lapsed_is_the_unprinted_term():
    c = counts_for_year(EXAMPLE, 2023)[NORM]
    assert (c.issued, c.repealed, c.lapsed, c.in_force) == (2, 1, 1, 2)
    assert table2_for_year(EXAMPLE, 2022)[NORM][IN_FORCE] + c.issued - c.repealed - c.lapsed == c.in_force


def test_replaced_document_without_repeal_date_is_listed_not_repealed():
    assert replaced_still_in_force(EXAMPLE, 2022) == ()
    assert [d.number for d in replaced_still_in_force(EXAMPLE, 2023)] == ["某府规〔2022〕2号"]
    assert [d.number for d in replaced_still_in_force(EXAMPLE, 2024)] == ["某府规〔2022〕2号"]


def test_in_force_boundaries():
    d = doc("某府规〔2023〕9号", NORM, date(2023, 12, 31), repealed=date(2024, 1, 1))
    assert d.in_force_on(date(2023, 12, 31)) and not d.in_force_on(date(2023, 12, 30))
    assert not d.in_force_on(date(2024, 1, 1))
    assert table2_for_year([d], 2023)[NORM] == {ISSUED: 1, REPEALED: 0, IN_FORCE: 1}
    assert table2_for_year([d], 2024)[NORM] == {ISSUED: 0, REPEALED: 1, IN_FORCE: 0}


# ---------------------------------------------------------------------------------------------------------
# Random registers: the carry-over equation holds every year

FIRST, LAST = 2015, 2026


@st.composite
def registers(draw) -> list[Document]:
    n = draw(st.integers(0, 25))
    issued = sorted(draw(st.lists(st.dates(date(FIRST, 1, 1), date(LAST, 12, 31)), min_size=n, max_size=n)))
    docs: list[Document] = []
    for i, day in enumerate(issued):
        end = draw(st.sampled_from(["none", "repealed", "lapsed"]))
        end_day = day + timedelta(days=draw(st.integers(0, 2000)))
        ref = draw(st.none() | st.integers(0, i - 1)) if i else None
        relation = draw(st.sampled_from(["amends", "replaces"]))
        kw = {end: end_day} if end != "none" else {}
        if ref is not None:
            kw[relation] = docs[ref].number
        kind = draw(st.sampled_from(document_kinds()))
        docs.append(doc(f"某府发〔{day.year}〕{i + 1}号", kind, day, **kw))
    return docs


@settings(max_examples=200, deadline=None)
@given(registers())
def test_chaining_holds_every_year(docs):
    prev = counts_for_year(docs, FIRST - 1)
    assert all(c.in_force == 0 for c in prev.values())
    for year in range(FIRST, LAST + 8):
        now = counts_for_year(docs, year)
        table = table2_for_year(docs, year)
        for kind in document_kinds():
            c = now[kind]
            assert min(c.issued, c.repealed, c.lapsed, c.in_force) >= 0
            assert c.in_force == prev[kind].in_force + c.issued - c.repealed - c.lapsed
            assert table[kind] == {ISSUED: c.issued, REPEALED: c.repealed, IN_FORCE: c.in_force}
        prev = now
    for kind in document_kinds():  # long after the last date: only documents never ended are in force
        assert prev[kind].in_force == sum(d.kind == kind and d.ended is None for d in docs)


@settings(max_examples=50, deadline=None)
@given(registers())
def test_cells_are_the_format_cells(docs):
    table = table2_for_year(docs, 2020)
    assert [(r, c) for r, cols in table.items() for c in cols] == [
        (r, c) for r, c in TABLE2.cell_keys() if r in document_kinds()]


# ---------------------------------------------------------------------------------------------------------
# Invalid records and registers are refused


def refused(code: str, make) -> RegisterError:
    with pytest.raises(RegisterError) as info:
        make()
    assert info.value.code == code
    assert CJK.search(info.value.message_zh)
    return info.value


D = date(2023, 3, 1)


@pytest.mark.parametrize(("code", "kw"), [
    ("empty_number", {"number": "  "}),
    ("empty_title", {"title": ""}),
    ("empty_organ", {"organ": " "}),
    ("unknown_kind", {"kind": "licensing"}),
    ("unknown_kind", {"kind": "规章"}),
    ("repealed_before_issued", {"repealed": D - timedelta(days=1)}),
    ("lapsed_before_issued", {"lapsed": date(2022, 12, 31)}),
    ("effective_before_issued", {"effective": D - timedelta(days=1)}),
    ("repealed_and_lapsed", {"repealed": date(2024, 1, 1), "lapsed": date(2025, 1, 1)}),
    ("replaces_itself", {"replaces": "某府规[2023]1号"}),
    ("replaces_itself", {"amends": "某府规〔2023〕1号"}),
])
def test_invalid_record_refused(code, kw):
    fields = {"number": "某府规〔2023〕1号", "title": "某规定", "kind": NORM, "organ": "某市人民政府", "issued": D} | kw
    refused(code, lambda: Document(**fields))


def test_unknown_kind_message_names_the_rows():
    err = refused("unknown_kind", lambda: doc("某府规〔2023〕1号", "decree", D))
    assert "规章" in err.message_zh and "行政规范性文件" in err.message_zh


def test_duplicate_number_refused_even_with_other_brackets():
    err = refused("duplicate_number", lambda: check_register(
        [doc("某府规〔2023〕1号", NORM, D), doc("某府规 [2023] 1号", REG, D)]))
    assert "某府规 [2023] 1号" in err.message_zh


@pytest.mark.parametrize(("code", "kw"), [("replaces_unknown", {"replaces": "某府规〔2019〕7号"}),
                                         ("amends_unknown", {"amends": "某府规〔2019〕7号"})])
def test_reference_to_unknown_document_refused(code, kw):
    err = refused(code, lambda: table2_for_year([doc("某府规〔2023〕1号", NORM, D, **kw)], 2023))
    assert "某府规〔2019〕7号" in err.message_zh


def test_replacing_a_later_document_refused():
    refused("replaces_later", lambda: check_register(
        [doc("某府规〔2023〕1号", NORM, D, replaces="某府规〔2023〕2号"),
         doc("某府规〔2023〕2号", NORM, D + timedelta(days=1))]))


def test_replacement_cycle_refused():
    refused("replacement_cycle", lambda: check_register([
        doc("甲〔2023〕1号", NORM, D, replaces="甲〔2023〕2号"),
        doc("甲〔2023〕2号", NORM, D, amends="甲〔2023〕3号"),
        doc("甲〔2023〕3号", NORM, D, replaces="甲〔2023〕1号"),
    ]))


def test_same_day_chain_without_cycle_accepted():
    docs = [doc("甲〔2023〕1号", NORM, D, repealed=D), doc("甲〔2023〕2号", NORM, D, replaces="甲〔2023〕1号"),
            doc("甲〔2023〕3号", NORM, D, amends="甲〔2023〕2号")]
    assert table2_for_year(docs, 2023)[NORM] == {ISSUED: 3, REPEALED: 1, IN_FORCE: 2}


@pytest.mark.parametrize(("format_id", "code"), [("2019", "format_incomplete"), ("legacy", "format_incomplete"),
                                                 ("1999", "unknown_format")])
def test_formats_without_document_rows_refused(format_id, code):
    refused(code, lambda: table2_for_year([], 2023, format_id))
