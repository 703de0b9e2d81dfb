"""Is what was read an annual report at all? Evidence of the report, never "some cell has a number".

A file that is not a report (JSON, a style sheet, a script, a novel, a news item, a picture, a line
with a date) must be refused, not stored with a few cells filled by chance; a real report must be
kept even when its tables are lost (published as pictures) or its page stops mid-report.

The evidence, scored (`evidence()`), is what makes a report recognisable to a reader:

- a title naming the report (政府信息公开（工作）年度报告 / 年报, with its year), on a line of its own;
- the report speaking of itself (本报告 / 本年度报告 … 政府信息公开) — its standard opening;
- the headings of its six sections (`formats/data/sections.toml`, as matched by extraction), or a
  paragraph that lists at least three of them (本报告由总体情况、主动公开……组成);
- the statistics period (统计期限自…1月1日起至12月31日止) and the format notice it cites;
- the row labels of a format's tables that were actually matched (`TableData.labels`), and the
  recognised indicators of a legacy statistics table (its harmonised and signature labels).

Cells placed without a matched label (table 4 is read from values alone) are no evidence. What the
reader extracted is judged, so an HTML page's scripts and styles do not count against it, but a file
whose lines are mostly code (JSON, CSS, JavaScript, markup) is never a report, whatever words its
strings hold. Without running prose, only a table with several matched labels makes a report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from gongkai.formats import extra_sections, get_format, sections
from gongkai.model import TABLE_KEYS, Paragraph, Report
from gongkai.normalize import fold, label_key, squeeze

__all__ = ["Evidence", "evidence", "is_report"]

THRESHOLD = 3
"""Points of evidence a report needs (see `Evidence.points`)."""

_TITLE_SCAN = 20  # paragraphs from the top where the title may stand (after page navigation)
_TEXT_SCAN = 60  # paragraphs from the top read for the report's self-description …
_TEXT_CHARS = 5000  # … up to about this many characters
_CODE_SCAN = 200  # paragraphs sampled to tell code from text
_TITLE_MAX = 120  # page titles carry the site's name around the report's

# Matched on folded text (Simplified, NFKC: full-width punctuation is ASCII).
_REPORT_NAME = re.compile(r"(?:政府信息公开|政务公开|信息公开)(?:工作)?(?:年度)?(?:报告|年报)")
# The name ends the title, or the site's name follows it (…年度报告_某市人民政府网).
_TITLE_NAME = re.compile(_REPORT_NAME.pattern + r"(?:$|[-_|(\[【《〈—])")
_YEAR = re.compile(r"(?:19|20)\d\d年|[一二][〇○零一二三四五六七八九]{3}年")
_FIELD_PREFIX = re.compile(r"^[^:]{1,6}:")  # 标题: …
_NOT_TITLE = re.compile(r"[。;!?,\"'=<>{}《》]|根据|按照|审议|听取|召开|通报|发布了")
_SELF = re.compile(r"本(?:年度)?(?:报告|年报)")
_SELF_TOPIC = re.compile(r"政府信息公开|政务公开|信息公开条例")
_PERIOD = re.compile(r"统计(?:期限|时限|期间|时段|区间)|\d{4}年0?1月0?1日(?:起)?(?:至|到|-|~)(?:\d{4}年)?12月31日")
_PINYIN = re.compile(r"\((?=[a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ])[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,7}\)")
_NOTICE = re.compile(r"国办公开办函\(?\[?[〔【]?\d{4}[〕】]?\]?\)?\d+号|政府信息公开工作年度报告格式")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_SENTENCE = re.compile(r"[,.;:。、]")

# A line of code or markup, as it stands in a file read as text.
_CODE = re.compile(
    r"""^\s*(?:
        [{}\[\]();,]+\s*$                                   # brackets alone
      | (?:\{.*\}|\[\s*[{"\d].*\])[,;]?\s*$                     # an object or array on one line
      | ["'][^"']*["']\s*:                                  # "key": value
      | (?:var|let|const|function|return|import|export|if|for|while|else|try|catch|switch|case|class|
           def|async|await|module\.exports|window\.|document\.|\$\()\b
      | [A-Za-z0-9_$.\[\]"'-]+\s*(?:=|\+=|\(|:).*[;{,(]\s*$  # assignment, call, declaration: x = …;  margin: 0;
      | [A-Za-z0-9_.#*:>\[\]=",\s-]+\{                         # CSS selector {
      | (?://|/\*|\*/|\*\s|<!--|-->)                         # comments
      | <[!?/]?[A-Za-z][^>]*>                               # markup
    )""",
    re.X,
)


@dataclass(frozen=True, slots=True)
class Evidence:
    """What in a reading shows an annual report, and what shows it is something else."""

    title: bool = False
    self_reference: bool = False
    headings: int = 0
    disclosure_headings: int = 0  # of the sections only a disclosure report has (主动公开, 申请, 复议诉讼)
    listed_sections: int = 0
    period: bool = False
    notice: bool = False
    table_labels: int = 0
    legacy_labels: int = 0
    legacy_table: bool = False
    prose: bool = False
    code: bool = False

    @property
    def table_points(self) -> int:
        """Matched labels of a format's tables: one label may be chance, five are a table."""
        n = self.table_labels
        points = 3 if n >= 5 else 2 if n >= 3 else 1 if n >= 1 else 0
        if self.legacy_table:
            points = max(points, 3 if self.legacy_labels >= 3 else 2 if self.legacy_labels else 1)
        return points

    @property
    def points(self) -> int:
        listed = 2 if self.listed_sections >= 3 else 1 if self.listed_sections == 2 else 0
        return (2 * self.title + 2 * self.self_reference + min(self.headings, 3) + listed + self.period + self.notice
                + self.table_points)

    @property
    def specific(self) -> bool:
        """Evidence only a disclosure report gives: other annual reports share headings such as 总体情况."""
        return (self.title or self.self_reference or self.listed_sections >= 2 or self.notice or self.table_points > 0
                or self.disclosure_headings > 0)

    @property
    def is_report(self) -> bool:
        if self.code or not self.specific:
            return False
        return self.points >= THRESHOLD and (self.prose or self.table_points >= 3)


def is_report(report: Report) -> bool:
    """Whether what was read is an annual report: enough evidence of one (see the module's docstring)."""
    structure = Evidence(headings=len(report.section_headings), table_labels=_table_labels(report),
                         legacy_labels=_legacy_labels(report), legacy_table=_has_legacy(report))
    if structure.table_points >= 3 and structure.points >= THRESHOLD:  # its tables and outline: no need to read on
        return not _is_code(report.paragraphs[:_CODE_SCAN])
    return evidence(report).is_report


def evidence(report: Report) -> Evidence:
    """The evidence of an annual report in a reading."""
    paragraphs = report.paragraphs
    # Every role counts: a page whose title was not found has its opening taken for page furniture.
    top = _opening(paragraphs)
    texts = _fold_all([p.text for p in top])
    return Evidence(
        title=_has_title(paragraphs),
        self_reference=any(_SELF.search(t) and _SELF_TOPIC.search(t) for t in texts),
        headings=len(report.section_headings),
        disclosure_headings=len(report.section_headings.keys() & TABLE_KEYS),
        listed_sections=max((_listed(t) for t in texts), default=0),
        period=any(_PERIOD.search(t) for t in texts),
        notice=any(_NOTICE.search(t) for t in texts),
        table_labels=_table_labels(report),
        legacy_labels=_legacy_labels(report),
        legacy_table=_has_legacy(report),
        prose=any(_is_prose(p.text, t) for p, t in zip(top, texts, strict=True)),
        code=_is_code(paragraphs[:_CODE_SCAN]),
    )


def _opening(paragraphs: list[Paragraph]) -> list[Paragraph]:
    """The paragraphs at the top, where a report names and describes itself."""
    out: list[Paragraph] = []
    size = 0
    for p in paragraphs[:_TEXT_SCAN]:
        out.append(p)
        size += len(p.text)
        if size >= _TEXT_CHARS:
            break
    return out


_SEP = "\ue000"  # a private-use character, kept by folding and squeezing: splits the folded paragraphs again


def _fold_all(texts: list[str]) -> list[str]:
    """`_fold` of each text, converted in one pass (the paragraphs of a page are long and all different)."""
    return _fold(_SEP.join(t.replace(_SEP, "") for t in texts)).split(_SEP) if texts else []


def _fold(text: str) -> str:
    """Folded and squeezed, without the pinyin some pages print after characters: 报(bào)告."""
    return _PINYIN.sub("", squeeze(fold(text)))


def _table_labels(report: Report) -> int:
    """Row labels of a format's tables that were matched (table 4's cells are placed without labels)."""
    return sum(len(t.labels) for k in TABLE_KEYS if (t := report.table(k)) is not None)


def _has_legacy(report: Report) -> bool:
    return report.legacy is not None and bool(report.legacy.indicators)


def _listed(text: str) -> int:
    """How many of the six sections (or the legacy outline's extra ones) a paragraph names."""
    pattern, keys = _section_pattern()
    return len({keys[m] for m in pattern.findall(text)}) if "情况" in text or "事项" in text else 0


def _has_title(paragraphs: list[Paragraph]) -> bool:
    """A line of its own naming the report and its year (a page title may carry the site's name): the line
    read as the title, or one near the top; a name quoted inside a sentence (会议审议了《…年度报告》) is not."""
    head = paragraphs[:_TITLE_SCAN] + [p for p in paragraphs[_TITLE_SCAN:] if p.role == "title"]
    for p in head:
        words = p.text.split()
        # the whole line, or its first words when the page runs the title into the text after it
        if words and any(_is_title(c) for c in (p.text, words[0]) if len(c) <= _TITLE_MAX):
            return True
    return False


def _is_title(text: str) -> bool:
    t = _FIELD_PREFIX.sub("", _fold(text), count=1)
    if t.startswith("《") and t.endswith("》"):
        t = t[1:-1]
    return bool(_TITLE_NAME.search(t) and _YEAR.search(t)) and not _NOT_TITLE.search(t)


def _is_prose(text: str, folded: str) -> bool:
    """Running text: a sentence of Chinese words, not a line of code."""
    if len(_CJK.findall(folded)) < 15 or not _SENTENCE.search(folded):
        return False
    text = text.lstrip()
    return not (text[:1].isascii() and _CODE.match(text))


def _is_code(paragraphs: list[Paragraph]) -> bool:
    """Most lines are code or markup: the file is data, a style sheet or a script, not a document."""
    lines = [t for p in paragraphs if (t := p.text.lstrip())]
    ascii_start = [t for t in lines if t[0].isascii()]  # code starts with ASCII; prose mostly with Chinese
    if not lines or len(ascii_start) * 2 < len(lines):
        return False
    return sum(_CODE.match(t) is not None for t in ascii_start) * 2 >= len(lines)


@cache
def _section_pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    """Every section's label and aliases, and the legacy outline's extra sections, as one pattern (longest
    first) and name → section key; names of fewer than four characters (概述) are too common to count."""
    keys = {label_key(name): s.key for s in sections() for name in (s.label, *s.aliases)}
    keys.update({label_key(e.label): f"extra:{label_key(e.label)}" for e in extra_sections()})
    keys = {name: key for name, key in keys.items() if len(name) >= 4}
    return re.compile("|".join(re.escape(n) for n in sorted(keys, key=len, reverse=True))), keys


@cache
def _legacy_words() -> frozenset[str]:
    table = get_format("legacy").table("legacy")
    if table is None:
        return frozenset()
    words = {*table.signature, *(label for h in table.harmonised for label in h.labels)}
    return frozenset(label_key(w) for w in words) - {label_key(h) for h in table.headers}


def _legacy_labels(report: Report) -> int:
    """Indicators of the legacy statistics table whose wording the format knows."""
    if report.legacy is None:
        return 0
    words = _legacy_words()
    return len({i.label for i in report.legacy.indicators if i.label in words})
