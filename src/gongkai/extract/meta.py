"""Title, organ, report year and publication date of a report.

Pages put the title in many shapes: alone on a line, after a crawler's label (`标题：`, `# `), behind
the site's name (`某市人民政府门户网站-某市某局…`), with the site's name or advertising after it, split
over two lines (PDF cover pages), with the organ on the line above, the year first or in brackets
after it. When no title is printed, the opening sentence usually names the report (`现将某局2021年度
政府信息公开工作年度报告公布如下`) and the statistics period gives the year. Matching reads the folded
lines (Simplified, NFKC, no spaces); the organ is given as printed (Traditional stays Traditional).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import cache

from gongkai.extract.sections import is_debris
from gongkai.formats import text_vocabulary
from gongkai.normalize import squeeze
from gongkai.organs.kind import organ_kind

_Y = r"(?:19|20)\d{2}"
# The name of the report itself: 政府信息公开工作年度报告, 政府信息公开年报, 政务公开工作年度报告,
# 关于2021年度政府信息公开情况的报告 …
_PHRASE = re.compile(
    r"(?:政府信息公开|政务信息公开|政务公开|信息公开)(?:工作)?(?:情况)?(?:的)?(?:年度)?(?:工作)?(?:情况)?(?:的)?"
    r"(?:报告|年报)"
)
_Y_TITLE = rf"{_Y}|[一二][〇零○O九][〇零○O一二三四五六七八九]{{2}}"  # titles also print 二〇二一年
_YEAR_BEFORE = re.compile(rf"(?P<y>{_Y_TITLE})年度?(?:的)?")
_YEAR_AFTER = re.compile(rf"^\(?(?P<y>{_Y_TITLE})年?度?\)?")
# Crawler and converter labels in front of a title; a line that is only one of them is skipped.
_LABEL = re.compile(r"^(?:#+|\*+|>+|(?:文章)?标题|题目|名称|正文|全文)[:]?")
_LABEL_RAW = re.compile(r"^\s*(?:(?:#+|\*+|>+)\s*|(?:(?:文章)?标题|题目|名称|正文|全文)\s*[:：]?\s*)")
# What separates a site's name, a breadcrumb or a label from the title on the same line.
_SEPARATOR = re.compile(r"[-_|>»:/\\]+")
# What may follow a title on its line: the site's name or advertising after a separator, a note in
# brackets, the page's date and labels. Anything else makes the line a sentence.
_TITLE_TAIL = re.compile(r"[-_|>»:/\\(\d]|发布|来源|时间|日期|浏览|字号|点击|作者|文号|索引")
_SENTENCE = re.compile(r"[,;。!?《》、\"“”]")
_SITE = re.compile(r"^.*?(?:门户网站|官方网站|政府网站|门户网|政府网|网站|官网)")
# Words of a sentence, not of a name: `本报告由某某办公室根据…编制` names who wrote it, not the organ.
_VERBS = re.compile(
    r"根据|依据|按照|编制|做好|贯彻|落实|结合|要求|规定|条例|公布|发布|汇报|汇总|印发|通知|报告|年报|如下|现将|特向"
)
_LEADING_VERB = re.compile(
    r"^.*(?:现将|现予以?公布|特向社会公[布开]|向社会公[布开]|现公[布开]|公布|公开|发布|汇报|汇总|报送)"
)
# 我局, 本机关, 该单位 … but 本溪市 and 全椒县 are names.
_NOT_A_NAME = re.compile(r"^(?:我|该|各|其|上级|下属|本(?:级|机关|单位|部门|系统|局|委|办|院|厅|镇|乡|街道|市|县|区))")
_NAME_CHARS = re.compile(r"^[\u3400-\u9fff()·]+$")
_PINYIN = re.compile(r"\([a-zà-ɏ]{1,7}\)")  # converter annotations: 報(bào)告
_BOOK_TITLE = re.compile(r"《[^《》]*》")

_STATS_PERIOD = re.compile(rf"统计(?:期限|期间|周期|时限|时段|区间|范围|时间|口径)[^。;\d]{{0,8}}(?P<y>{_Y})")
_FULL_YEAR = re.compile(rf"(?P<y>{_Y})年1月1日(?:起)?(?:至|到|-|~)+(?:(?P=y)年)?12月31日")
_YEAR_OF_WORK = re.compile(rf"(?P<y>{_Y})年度?(?:的)?[^。,;]{{0,12}}?(?:政府信息公开|政务公开|信息公开)(?:工作)?")
_OPENING_YEAR = re.compile(rf"^(?P<y>{_Y})年(?![\d一二三四五六七八九十]{{1,2}}月)")
_DATE_ONLY = re.compile(rf"^{_Y}(?:年\d{{1,2}}月(?:\d{{1,2}}日)?|[-./]\d{{1,2}}[-./]\d{{1,2}})$")
_SOURCE_LABEL = re.compile(
    r"(?:来源|发布机构|发文机关|发布单位|信息来源|来源单位)[:](?P<o>.+?)(?=发布|时间|日期|文号|字号|浏览|点击|作者|索引|$)"
)

_LABELLED_DATE = re.compile(
    r"(?:发布|发文|成文|公开|印发|生成)(?:日期|时间)[:：]?(?P<y>(?:19|20)\d{2})[-./年](?P<m>\d{1,2})[-./月](?P<d>\d{1,2})"
)
_DATE_LINE = re.compile(r"^(?P<y>(?:19|20)\d{2})(?:年|-|\.|/)(?P<m>\d{1,2})(?:月|-|\.|/)(?P<d>\d{1,2})日?$")
_NUMERIC_DATE = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})[-./](?P<m>\d{1,2})[-./](?P<d>\d{1,2})(?!\d)")
# The signature's date, with the organ's name before it or the page footer after it on the same line
# (PDF text): 某局2022年1月5日主办:某局…
_SIGNED_DATE = re.compile(r"^(?P<pre>\D{0,40}?)(?P<y>(?:19|20)\d{2})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日(?P<post>.*)$")
_TITLE_WINDOW = 40
_TITLE_WINDOW_MAX = 300
_SHORT = 60  # a title line is short; longer lines are prose
_NAME_MAX = 40
_BODY_LINES = 6  # lines after the first heading read for a report that names itself in its first paragraph
_FIRST_YEAR, _LAST_YEAR = 2007, 2100  # the Regulations took effect in 2008


_CN_ZERO = str.maketrans({"○": "〇", "O": "〇", "o": "〇"})  # zeros typed with other characters
_CN_DATE_LINE = re.compile(
    r"^(?P<y>[〇零○Oo0-9一二三四五六七八九]{4})年(?P<m>[一二三四五六七八九十]{1,2}|\d{1,2})月"
    r"(?P<d>[一二三四五六七八九十]{1,3}|\d{1,2})日$"
)


def _number(text: str) -> int:
    """`2023`, `二〇二三`, `十二`, `二十六` as a number (the signature's date is often in words): Chinese
    numerals through cn2an, imported only for such a date (it takes ~0.2 s to import)."""
    if text.isascii() and text.isdigit():
        return int(text)
    import cn2an

    return int(cn2an.cn2an(text.translate(_CN_ZERO), "smart"))


def _date(m: re.Match[str]) -> date | None:
    try:
        return date(_number(m.group("y")), _number(m.group("m")), _number(m.group("d")))
    except (ValueError, KeyError, TypeError):
        return None


@cache
def _injected() -> re.Pattern[str]:
    terms = "|".join(re.escape(t) for t in text_vocabulary().injected_terms)
    return re.compile(terms or r"(?!)", re.IGNORECASE)


def _year(text: str) -> int | None:
    y = _number(text)
    return y if _FIRST_YEAR <= y <= _LAST_YEAR else None


class _Line:
    """A line as matching reads it (`key`: folded, converter annotations removed) and as printed
    (`shown`: NFKC without spaces, computed when a name is taken from the line)."""

    __slots__ = ("_shown", "key", "raw")

    def __init__(self, raw: str, key: str, shown: str | None = None) -> None:
        self.raw, self.key, self._shown = raw, key, shown

    @property
    def shown(self) -> str:
        if self._shown is None:
            shown = _unannotated(squeeze(unicodedata.normalize("NFKC", self.raw).translate(_DASHES)))
            self._shown = shown if len(shown) == len(self.key) else self.key  # conversion changed the length
        return self._shown

    def show(self, start: int, end: int) -> str:
        """The printed characters at the place of `key[start:end]`: Traditional stays Traditional."""
        return self.shown[start:end]


def _unannotated(text: str) -> str:
    return _PINYIN.sub("", text) if "(" in text else text


def _line(text: str, folded: str) -> _Line:
    return _Line(text.strip(), _unannotated(folded))


_DASHES = str.maketrans({"—": "-", "–": "-", "−": "-", "－": "-", "～": "~"})


def _join(a: _Line, b: _Line) -> _Line:
    return _Line(a.raw + b.raw, a.key + b.key)


def _organ_span(s: str, lo: int, hi: int) -> tuple[int, int] | None:
    """Where the organ's name lies in `s[lo:hi]` (what stands before the title's year), or None when
    it is no name: a sentence (verbs such as 根据/编制), a site's name, advertising, a pronoun (我局)."""
    site = _SITE.match(s, lo, hi)
    if site:
        lo = site.end()
    if s.endswith("关于", lo, hi):
        hi -= 2
    if s.endswith("的", lo, hi):
        hi -= 1
    while lo < hi and s[lo] == "(" and s[hi - 1] == ")":
        lo, hi = lo + 1, hi - 1
    if s.endswith("人民", lo, hi) and s.startswith("政府", hi):
        hi += 2  # 某县人民政府信息公开工作年度报告: the phrase took the 政府 of the name
    name = s[lo:hi]
    if not 2 <= len(name) <= _NAME_MAX or not _NAME_CHARS.match(name):
        return None
    if _VERBS.search(name) or _NOT_A_NAME.match(name) or _injected().search(name):
        return None
    return lo, hi


def clean_organ(text: str) -> str | None:
    """The organ's name if `text` (folded) is one, else None."""
    span = _organ_span(text, 0, len(text))
    return text[span[0]:span[1]] if span else None


def _organ_like(name: str | None) -> bool:
    """A name that ends as organs' names end (局, 人民政府, 办公室, 乡, 街道办事处 …)."""
    return name is not None and organ_kind(name) != "other"


def _name_line(line: _Line) -> str | None:
    """The organ's name when the whole line is one (a cover page's organ line), as printed."""
    span = _organ_span(line.key, 0, len(line.key))
    if span is None or span != (0, len(line.key)) or not _organ_like(line.key):
        return None
    return line.show(*span)


@dataclass(slots=True)
class _Title:
    rank: int  # 0 a title line, 1 a title behind a site's name or a breadcrumb, 2 a sentence naming the report
    title: str | None
    organ: str | None
    year: int | None


def _mask(s: str) -> str:
    """Book titles (《关于做好2019年政府信息公开工作年度报告的通知》) hidden, positions kept."""
    return _BOOK_TITLE.sub(lambda m: "《" * len(m.group(0)), s) if "《" in s else s


def _read_title(line: _Line) -> _Title | None:
    """The report named in one line (or two joined), with its organ and year when the line gives them."""
    if "报" not in line.key:  # 报告, 年报
        return None
    label = _LABEL.match(line.key)
    start = label.end() if label else 0
    s = _mask(line.key)
    for m in _PHRASE.finditer(s, start):
        got = _read_phrase(line, s, start, m)
        if got is not None:
            if got.rank == 0:
                got.title = _LABEL_RAW.sub("", line.raw) if label else line.raw
            return got
    return None


def _read_phrase(line: _Line, s: str, start: int, m: re.Match[str]) -> _Title | None:
    head, tail = s[start:m.start()], s[m.end():]
    year = None
    ym = None
    for found in _YEAR_BEFORE.finditer(head):
        ym = found  # the last year before the phrase
    if ym is not None and not _SENTENCE.search(head[ym.end():]):
        year = _year(ym.group("y"))
        y0, y1 = start + ym.start(), start + ym.end()
        lo, hi = (start, y0) if y0 > start else (y1, m.start())
    else:
        ym = None
        lo, hi = start, m.start()
        ya = _YEAR_AFTER.match(tail)
        if ya and ya.group(0):
            year = _year(ya.group("y"))
            tail = tail[ya.end():]
    part = s[lo:hi]
    rank = 0
    if (_SENTENCE.search(part) or len(s) > 2 * _SHORT
            or (tail and not _TITLE_TAIL.match(tail))):
        rank = 2  # a sentence that names the report
        cut = max((p.end() for p in _SENTENCE.finditer(part)), default=0)
        verb = _LEADING_VERB.match(part[cut:])
        lo += cut + (verb.end() if verb else 0)
        if ym is not None and lo >= hi and hi == start + ym.start():
            lo, hi = start + ym.end(), m.start()  # 公布2020年某局政府信息公开工作年度报告
    else:
        seps = list(_SEPARATOR.finditer(part))
        if seps:
            lo += seps[-1].end()
        if seps or tail:
            rank = 1  # the site's name or a breadcrumb around the title
    span = _organ_span(s, lo, hi) if hi > lo else None
    organ = line.show(*span) if span else None
    if rank == 2 and not _organ_like(organ):
        organ = None
    if year is None and (rank == 2 or not (_organ_like(organ) and len(s) <= _SHORT)):
        return None  # 政府信息公开年报 as a column name or breadcrumb is no title
    title = line.show(span[0] if span else lo, len(s) - len(tail)) if rank == 1 else None
    return _Title(rank, title, organ, year)


def find_title(texts: list[str], folded: list[str], limit: int | None = None) -> tuple[int, _Title] | None:
    """(block, title): the best line naming the report among the first lines: a title line first, then a
    title behind a site's name, then a sentence naming the report. A title cut over two short lines is
    joined; a title without its organ takes it from the line above (cover pages)."""
    n = min(len(folded), limit if limit is not None else _TITLE_WINDOW)
    best: tuple[int, _Title] | None = None
    lines: dict[int, _Line] = {}

    def get(i: int) -> _Line:
        if i not in lines:
            lines[i] = _line(texts[i], folded[i])
        return lines[i]

    nonempty = [i for i in range(n) if folded[i]]
    for k, i in enumerate(nonempty):
        line = get(i)
        short = len(line.key) <= _SHORT
        if not short and best is not None:
            continue  # a sentence naming the report counts only when no title was seen
        got = _read_title(line)
        if short and k + 1 < len(nonempty) and (got is None or got.year is None or got.rank):
            j = nonempty[k + 1]
            if j - i <= 2 and len(get(j).key) <= _SHORT and not _read_title(get(j)):
                joined = _read_title(_join(line, get(j)))
                if joined is not None and joined.rank == 0 and joined.year is not None:
                    got = joined
        if got is None:
            continue
        if got.rank == 0 and got.organ is None and k > 0 and i - nonempty[k - 1] <= 2:
            above = get(nonempty[k - 1])
            organ = _name_line(above)
            if organ is not None:
                got.organ, got.title = organ, above.raw + (got.title or "")
        if best is None or got.rank < best[1].rank:
            best = (i, got)
        if got.rank == 0:
            break
    return best


def _cover_organ(texts: list[str], folded: list[str], end: int) -> str | None:
    """A cover page without a title: the organ's name on a line of its own, then the date."""
    lines = [i for i in range(min(end, len(folded))) if folded[i]][:4]
    for a, b in itertools.pairwise(lines):
        if _DATE_ONLY.match(folded[b]):
            organ = _name_line(_line(texts[a], folded[a]))
            if organ is not None:
                return organ
    return None


def _source_organ(texts: list[str], folded: list[str], start: int, end: int) -> str | None:
    """The organ from the page's 来源/发布机构 label near the title."""
    for i in range(max(0, start), min(len(folded), end)):
        line = _line(texts[i], folded[i])
        m = _SOURCE_LABEL.search(line.key)
        if m:
            span = _organ_span(line.key, m.start("o"), m.end("o"))
            if span and _organ_like(line.key[span[0]:span[1]]):
                return line.show(*span)
    return None


def find_year(folded: list[str], end: int) -> int | None:
    """The report year from the opening text when the title lacks it: the statistics period, a year
    spanning 1 January to 31 December, the year of the work the report sums up, or the year the first
    paragraph opens with (`2016年，我镇…`). A date alone (`2013年3月`, the publication) is never taken."""
    stop = min(len(folded), end)
    text = [_BOOK_TITLE.sub("", _PINYIN.sub("", f)) for f in folded[:stop]]
    for pattern in (_STATS_PERIOD, _FULL_YEAR, _YEAR_OF_WORK):
        for t in text:
            m = pattern.search(t)
            if m and _year(m.group("y")):
                return _year(m.group("y"))
    for t in text:
        m = _OPENING_YEAR.match(t)
        if m and _year(m.group("y")):
            return _year(m.group("y"))
    return None


def _signed_date(text: str) -> re.Match[str] | None:
    m = _SIGNED_DATE.match(text)
    if m is None or (m.group("pre") and not _organ_like(clean_organ(m.group("pre")))):
        return None
    return m if not m.group("post") or is_debris(m.group("post")) else None


def find_published(folded: list[str], title_block: int | None, body_end: int) -> date | None:
    """The publication date: a labelled date near the top, else the date under the signature,
    else a bare date in the page footer."""
    start = title_block or 0
    for i in range(max(0, start - 5), min(len(folded), start + 15)):
        m = _LABELLED_DATE.search(folded[i])
        if m and _date(m):
            return _date(m)
    if title_block is not None:  # a bare date printed with the title or right under it
        for i in range(title_block, min(len(folded), title_block + 3)):
            m = _DATE_LINE.match(folded[i]) or _NUMERIC_DATE.search(folded[i])
            if m and _date(m):
                return _date(m)
    for i in range(body_end - 1, max(start, body_end - 8), -1):
        m = _DATE_LINE.match(folded[i]) or _CN_DATE_LINE.match(folded[i]) or _signed_date(folded[i])
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
    head_end = first_heading if first_heading is not None else 0
    opening = min(len(folded), body_end, head_end + _BODY_LINES)  # the opening paragraphs
    found = find_title(texts, folded, min(max(_TITLE_WINDOW, opening), _TITLE_WINDOW_MAX))
    block = title = organ = year = None
    if found is not None:
        block, t = found
        title, organ, year = t.title, t.organ, t.year
        if t.rank == 2:
            block = None  # a sentence of the body is not a title line
        elif organ is None:
            organ = _source_organ(texts, folded, block - 2, block + 6)
    if organ is None and title is None:
        top = first_heading if first_heading is not None else _TITLE_WINDOW
        organ = _cover_organ(texts, folded, top) or _source_organ(texts, folded, 0, top)
    if year is None:
        year = find_year(folded, opening)
    return MetaRead(block=block, title=title, organ=organ, year=year,
                    published=find_published(folded, block, body_end))


def format_by_year(year: int | None, table_format: str | None) -> str | None:
    """The report's format: before 2019 only the legacy format existed; from 2019 the tables decide
    between 2019 and 2021 (never the year)."""
    if year is not None and year < 2019:
        return "legacy"
    return table_format
