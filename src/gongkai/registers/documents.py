"""The normative-documents register (政策文件库): one record per 规章 or 行政规范性文件, and table 2's document rows.

Table 2 (主动公开政府信息情况) reports, for 规章 and 行政规范性文件, the documents issued in the year
(本年制发件数), repealed in the year (本年废止件数) and in force at the year's end (现行有效件数). Which rows
are document rows and what the three columns are called is read from the format (`gongkai.formats`): the
document rows are the rows of table `proactive` that carry the columns `issued`, `repealed` and `in_force`,
so a record's `kind` is one of those row keys and the cells a register produces are the cells of that format.

How a document counts in year Y (dates are inclusive; "by the year's end" means on or before 31 December):

- issued (本年制发): its `issued` date falls in Y. The `effective` date does not matter: 制发 counts issuance,
  and counting 现行有效 from the effective date instead would break the tie between the two columns.
- repealed (本年废止): its `repealed` date falls in Y. A lapsed document (失效: a validity period ran out, the
  basis was withdrawn) is not repealed and is not counted there; it leaves 现行有效 all the same.
- in force (现行有效): issued by the year's end and neither repealed nor lapsed by then.
- A document that amends or replaces another counts as issued like any other. The older document is counted as
  repealed only when the register gives it a `repealed` date of its own; no date is ever inferred from the
  newer document (`replaced_still_in_force` lists the older documents left without one, for the user to check).

Hence, for every kind and every year, by construction:

    in_force(Y) == in_force(Y - 1) + issued(Y) - repealed(Y) - lapsed(Y)

which is the carry-over rule of table 2 (this year's 现行有效 = last year's + 制发 − 废止), with the lapsed
documents as the one term the report does not print. `counts_for_year` returns all four figures.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache

from gongkai.registers.errors import RegisterError, known_format

__all__ = [
    "Document",
    "RegisterError",
    "YearCounts",
    "check_register",
    "counts_for_year",
    "document_kinds",
    "number_key",
    "replaced_still_in_force",
    "table2_for_year",
]

# Canonical keys the register gives a meaning to; each is checked against the format when it is loaded.
TABLE = "proactive"
ISSUED, REPEALED, IN_FORCE = "issued", "repealed", "in_force"

Cells = dict[str, dict[str, int]]


# ---------------------------------------------------------------------------------------------------------
# What the format says


@dataclass(frozen=True, slots=True)
class _Layout:
    format_id: str
    kinds: tuple[str, ...]
    """Table 2's document rows (规章, 行政规范性文件), in table order."""
    labels: dict[str, str]


@cache
def _layout(format_id: str) -> _Layout:
    fmt = known_format(format_id)
    table = fmt.table(TABLE)
    if table is None:
        raise RegisterError("format_incomplete", f"格式{format_id}没有表二（主动公开政府信息情况），无法生成文件统计")
    wanted = {ISSUED, REPEALED, IN_FORCE}
    rows = [r for r in table.rows if wanted <= {c.key for c in table.row_columns(r)}]
    if not rows:
        raise RegisterError("format_incomplete",
                            f"格式{format_id}的表二没有「制发、废止、现行有效」件数的行，无法生成文件统计")
    return _Layout(format_id, tuple(r.key for r in rows), {r.key: r.label for r in rows})


def document_kinds(format_id: str = "2021") -> tuple[str, ...]:
    """Table 2's document rows (规章, 行政规范性文件): the kinds a document may be."""
    return _layout(format_id).kinds


def _kind_labels(format_id: str) -> str:
    lay = _layout(format_id)
    return "、".join(lay.labels[k] for k in lay.kinds)


_BRACKETS = str.maketrans({"[": "〔", "]": "〕", "［": "〔", "］": "〕", "【": "〔", "】": "〕"})


def number_key(number: str) -> str:
    """The form of a 文号 used to compare numbers: no whitespace, and the year brackets typed as [ ], ［ ］ or
    【 】 folded to 〔 〕, so that 国发[2023]1号 and 国发〔2023〕1号 are one document."""
    return re.sub(r"\s+", "", number).translate(_BRACKETS)


# ---------------------------------------------------------------------------------------------------------
# The record


@dataclass(frozen=True, slots=True)
class Document:
    """One 规章 or 行政规范性文件 as the register holds it.

    `kind` is one of table 2's document rows of `format_id` (`document_kinds`). `amends` and `replaces` name
    another document of the register by its number; they are checked against the register (`check_register`),
    everything else on creation, so a record that exists can always be counted.
    """

    number: str
    title: str
    kind: str
    organ: str
    issued: date
    effective: date | None = None
    repealed: date | None = None
    lapsed: date | None = None
    amends: str | None = None
    replaces: str | None = None
    format_id: str = "2021"

    def __post_init__(self) -> None:
        _check_text(self)
        if self.kind not in document_kinds(self.format_id):
            raise RegisterError("unknown_kind",
                                f"未知的文件类型「{self.kind}」，应为表二的文件类型之一：{_kind_labels(self.format_id)}")
        _check_dates(self)
        for target in (self.amends, self.replaces):
            if target is not None and number_key(target) == number_key(self.number):
                raise RegisterError("replaces_itself", f"文件「{self.number}」不能修改或替代它自己")

    @property
    def ended(self) -> date | None:
        """The day it stopped being in force: repealed (废止) or lapsed (失效), whichever the register holds."""
        return self.repealed or self.lapsed

    def in_force_on(self, day: date) -> bool:
        """Issued on or before `day` and neither repealed nor lapsed by then."""
        return self.issued <= day and (self.ended is None or self.ended > day)


def _check_text(doc: Document) -> None:
    for value, code, what in ((doc.number, "empty_number", "文号"), (doc.title, "empty_title", "标题"),
                              (doc.organ, "empty_organ", "制发机关")):
        if not value or not value.strip():
            raise RegisterError(code, f"文件的{what}不能为空")


def _check_dates(doc: Document) -> None:
    if doc.repealed is not None and doc.lapsed is not None:
        raise RegisterError("repealed_and_lapsed",
                            f"文件「{doc.number}」不能既登记废止日期又登记失效日期：请只保留其一")
    for day, code, what in ((doc.effective, "effective_before_issued", "施行"),
                            (doc.repealed, "repealed_before_issued", "废止"),
                            (doc.lapsed, "lapsed_before_issued", "失效")):
        if day is not None and day < doc.issued:
            raise RegisterError(code, f"文件「{doc.number}」的{what}日期{day.isoformat()}"
                                      f"早于制发日期{doc.issued.isoformat()}")


# ---------------------------------------------------------------------------------------------------------
# The register


def check_register(documents: Iterable[Document], format_id: str = "2021") -> tuple[Document, ...]:
    """The documents as one register of `format_id`, or `RegisterError`: numbers unique, every document an
    amendment or replacement refers to present and issued no later than the one referring to it."""
    docs = tuple(documents)
    lay = _layout(format_id)
    by_number: dict[str, Document] = {}
    for doc in docs:
        if doc.kind not in lay.kinds:
            raise RegisterError("unknown_kind", f"文件「{doc.number}」的类型「{doc.kind}」在格式{format_id}的表二中"
                                                f"没有对应的行，应为：{_kind_labels(format_id)}")
        key = number_key(doc.number)
        if key in by_number:
            raise RegisterError("duplicate_number", f"文号「{doc.number}」重复登记：每个文号只能登记一份文件")
        by_number[key] = doc
    for doc in docs:
        for target, verb, code in ((doc.amends, "修改", "amends_unknown"), (doc.replaces, "替代", "replaces_unknown")):
            if target is not None:
                _check_reference(doc, by_number.get(number_key(target)), target, verb, code)
    _check_cycles(docs, by_number)
    return docs


def _targets(doc: Document, by_number: dict[str, Document]) -> list[Document]:
    return [by_number[number_key(n)] for n in (doc.amends, doc.replaces) if n is not None]


def _check_cycles(docs: tuple[Document, ...], by_number: dict[str, Document]) -> None:
    """Refuse documents that amend or replace each other in a circle (possible only among same-day documents,
    since a document may only refer to one issued no later than itself)."""
    done: set[str] = set()
    for start in docs:
        if number_key(start.number) in done:
            continue
        path, stack = [number_key(start.number)], [iter(_targets(start, by_number))]
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                done.add(path.pop())
                stack.pop()
                continue
            key = number_key(nxt.number)
            if key in path:
                raise RegisterError("replacement_cycle",
                                    f"文件「{start.number}」与「{nxt.number}」等文件互相修改或替代，无法确定先后")
            if key not in done:
                path.append(key)
                stack.append(iter(_targets(nxt, by_number)))


def _check_reference(doc: Document, old: Document | None, target: str, verb: str, code: str) -> None:
    if old is None:
        raise RegisterError(code, f"文件「{doc.number}」{verb}的文件「{target}」不在文件库中：请先登记被{verb}的文件")
    if old.issued > doc.issued:
        raise RegisterError("replaces_later", f"文件「{doc.number}」（{doc.issued.isoformat()}制发）不能{verb}"
                                              f"更晚制发的文件「{old.number}」（{old.issued.isoformat()}）")


@dataclass(frozen=True, slots=True)
class YearCounts:
    """One kind's figures for one year: the three table 2 prints, and the lapsed documents it does not."""

    issued: int = 0
    repealed: int = 0
    lapsed: int = 0
    in_force: int = 0


def counts_for_year(documents: Iterable[Document], year: int, format_id: str = "2021") -> dict[str, YearCounts]:
    """Each document kind's `YearCounts` for `year` (see the module docstring for how each document counts)."""
    docs = check_register(documents, format_id)
    end = date(year, 12, 31)
    out: dict[str, YearCounts] = {}
    for kind in _layout(format_id).kinds:
        mine = [d for d in docs if d.kind == kind]
        out[kind] = YearCounts(
            issued=sum(d.issued.year == year for d in mine),
            repealed=sum(d.repealed is not None and d.repealed.year == year for d in mine),
            lapsed=sum(d.lapsed is not None and d.lapsed.year == year for d in mine),
            in_force=sum(d.in_force_on(end) for d in mine),
        )
    return out


def table2_for_year(documents: Iterable[Document], year: int, format_id: str = "2021") -> Cells:
    """Table 2's document rows for `year` as `{row_key: {column_key: int}}` (本年制发件数, 本年废止件数, 现行有效件数),
    keys as the format names them. Refuses an invalid register (`check_register`)."""
    return {kind: {ISSUED: c.issued, REPEALED: c.repealed, IN_FORCE: c.in_force}
            for kind, c in counts_for_year(documents, year, format_id).items()}


def replaced_still_in_force(documents: Iterable[Document], year: int, format_id: str = "2021") -> tuple[Document, ...]:
    """Documents replaced by one issued by the end of `year` that are still in force then: the register has no
    repeal or lapse date for them. They are counted as in force (no date is invented); the user should check."""
    docs = check_register(documents, format_id)
    end = date(year, 12, 31)
    replaced = {number_key(d.replaces) for d in docs if d.replaces and d.issued <= end}
    return tuple(d for d in docs if number_key(d.number) in replaced and d.in_force_on(end))
