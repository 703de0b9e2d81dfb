"""Title, organ, report year and publication date of a report."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_TITLE = re.compile(
    r"^(?P<organ>.{2,60}?)(?:关于)?(?P<year>(?:19|20)\d{2})年(?:度)?(?:的)?(?:政府信息公开|政务公开)(?:工作)?(?:年度)?(?:报告|年报)$"
)
_TITLE_LOOSE = re.compile(r"(?:19|20)\d{2}年(?:度)?(?:的)?政府信息公开(?:工作)?(?:年度)?报告")
_YEAR = re.compile(r"(?:19|20)\d{2}")
_LABELLED_DATE = re.compile(
    r"(?:发布|发文|成文|公开|印发|生成)(?:日期|时间)[:：]?(?P<y>(?:19|20)\d{2})[-./年](?P<m>\d{1,2})[-./月](?P<d>\d{1,2})"
)
_DATE_LINE = re.compile(r"^(?P<y>(?:19|20)\d{2})(?:年|-|\.|/)(?P<m>\d{1,2})(?:月|-|\.|/)(?P<d>\d{1,2})日?$")
_SITE_SEP = re.compile(r"[-_|—–]+")
_TITLE_WINDOW = 40


def _date(m: re.Match[str]) -> date | None:
    try:
        return date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
    except ValueError:
        return None


def find_title(texts: list[str], folded: list[str]) -> tuple[int, str, str, int] | None:
    """(block, title, organ, year): the first line that is exactly a report title; else the first
    line containing one (a page title with the site's name around it)."""
    limit = min(len(folded), _TITLE_WINDOW)
    for i in range(limit):
        m = _TITLE.match(folded[i])
        if m:
            raw = texts[i].strip()
            ym = _YEAR.search(raw)
            organ = raw[: ym.start()].strip() if ym else m.group("organ")
            return i, raw, organ.removesuffix("关于").strip(), int(m.group("year"))
    for i in range(limit):
        m = _TITLE_LOOSE.search(folded[i])
        if m:
            head = _SITE_SEP.split(folded[i][: m.start()])[-1]
            return i, head + m.group(0), head, int(m.group(0)[:4])
    return None


def find_published(folded: list[str], title_block: int | None, body_end: int) -> date | None:
    """The publication date: a labelled date near the top, else the date under the signature,
    else a bare date in the page footer."""
    start = title_block or 0
    for i in range(max(0, start - 5), min(len(folded), start + 15)):
        m = _LABELLED_DATE.search(folded[i])
        if m and _date(m):
            return _date(m)
    for i in range(body_end - 1, max(start, body_end - 8), -1):
        m = _DATE_LINE.match(folded[i])
        if m and _date(m):
            return _date(m)
    for i in range(body_end, len(folded)):
        m = _LABELLED_DATE.search(folded[i]) or _DATE_LINE.match(folded[i])
        if m and _date(m):
            return _date(m)
    return None


@dataclass(slots=True)
class MetaRead:
    """What the lines around the title say about the report; `block` is the title's line, if any."""

    block: int | None
    title: str | None
    organ: str | None
    year: int | None
    published: date | None


def read_meta(texts: list[str], folded: list[str], first_heading: int | None, body_end: int) -> MetaRead:
    """Title, organ, year and publication date of a report. `first_heading` is the block of the first
    section heading (None without headings); `body_end` the block where page furniture starts."""
    title = find_title(texts, folded)
    block = title[0] if title else None
    return MetaRead(
        block=block,
        title=title[1] if title else None,
        organ=title[2] if title else None,
        year=title[3] if title else None,
        published=find_published(folded, block, body_end),
    )


def format_by_year(year: int | None, table_format: str | None) -> str | None:
    """The report's format: before 2019 only the legacy format existed; from 2019 the tables decide
    between 2019 and 2021 (never the year)."""
    if year is not None and year < 2019:
        return "legacy"
    return table_format
