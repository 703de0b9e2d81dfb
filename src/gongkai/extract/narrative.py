"""Figures stated in prose (共收到政府信息公开申请107件), by the patterns in formats/data/narrative.toml.

Prose comes line by line; text converted from PDF wraps a sentence over several lines (and over a page
break), so the lines of one paragraph are joined again before sentences are matched. Within a sentence
the first statement of a figure wins; a figure inside brackets or after 其中 is an item of a breakdown
(其他应主动公开政府信息856条), never the figure itself.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from decimal import Decimal, localcontext
from functools import cache

from gongkai.extract.values import MAX_DIGITS, plain_number
from gongkai.formats import narrative_figures
from gongkai.model import Figure, Provenance

_SENTENCE = re.compile(r"[^。；;!?！？]+")
_DIGIT = re.compile(r"\d")

# A line that closes its sentence or clause (a heading or label ending in ： starts a new one).
_CLOSED = re.compile(r"[。；;!?！？：:]$")
# A line that opens a new paragraph: list markers (一、 (一) 1. 一是) start a new statement.
_NUMERAL = "一二三四五六七八九十"
_OPENS = re.compile(rf"^(?:[{_NUMERAL}]+[、.]|\([{_NUMERAL}\d]+\)|\d+[、.](?!\d)|[{_NUMERAL}]是)")
# Page numbers between the two halves of a wrapped sentence (-2-, 第2页, 2/5, a bare number).
_PAGE_MARK = re.compile(r"^(?:[-—–]\d+[-—–]|第\d+页(?:共\d+页)?|\d+/\d+|\d{1,3})$")
# Pinyin that converters print after characters (报(bào)告): no figure is written that way.
_PINYIN = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)")
# Wrapped lines are of about equal width; a line much narrower than the next one is a heading or a
# paragraph's last line, a line narrower than _WRAP_MIN a label or a table cell, and a line wider
# than _WRAP_MAX a paragraph of its own, not a wrapped one. Widths in columns (a CJK character is 2).
_WRAP_RATIO = 0.75
_WRAP_MIN = 24
_WRAP_MAX = 200
_LINE_GAP = 4  # lines between two halves of a wrapped sentence: blank lines, a page number, a header

_OPEN_BRACKETS = "(《"
_CLOSE_BRACKETS = ")》"


@dataclass(frozen=True, slots=True)
class _Rule:
    key: str
    pattern: re.Pattern[str]
    scale: Decimal | None  # None: a fixed zero


@cache
def _figures() -> tuple[tuple[str, tuple[_Rule, ...], tuple[_Rule, ...]], ...]:
    """Each figure, in the order of narrative.toml: its rules, and those that state a zero in words.

    Most sentences carry no digit: only the zero rules can match them."""
    out = []
    for fig in narrative_figures():
        rules = [_Rule(fig.key, re.compile(p), Decimal(1)) for p in fig.patterns]
        rules += [_Rule(fig.key, re.compile(s.pattern), Decimal(str(s.scale))) for s in fig.scaled_patterns]
        zeros = tuple(_Rule(fig.key, re.compile(p), None) for p in fig.zero_patterns)
        out.append((fig.key, (*rules, *zeros), zeros))
    return tuple(out)


def _width(text: str) -> int:
    """Printed width: a CJK character takes two columns, an ASCII one."""
    return 2 * len(text) - len(text.encode("ascii", "ignore"))


def _wrapped(prev: str, nxt: str, prev_prov: Provenance, next_prov: Provenance) -> bool:
    """Whether `nxt` continues the sentence `prev` leaves open (a line wrapped in PDF text)."""
    if _CLOSED.search(prev) or _OPENS.match(nxt):
        return False
    a, b = prev_prov.line, next_prov.line
    if a is not None and b is not None and not 0 < b - a <= _LINE_GAP:
        return False
    w = _width(prev)
    return _WRAP_MIN <= w <= _WRAP_MAX and w >= _WRAP_RATIO * min(_width(nxt), _WRAP_MAX)


def _runs(paragraphs: list[tuple[str, Provenance]]) -> list[tuple[str, list[int], list[Provenance]]]:
    """Paragraphs with wrapped lines joined: text, the offset where each line starts, its provenance."""
    runs: list[tuple[str, list[int], list[Provenance]]] = []
    last: tuple[str, Provenance] | None = None
    for text, prov in paragraphs:
        text = _PINYIN.sub("", text)
        if not text:
            continue
        if _PAGE_MARK.match(text):
            continue
        if runs and last is not None and _wrapped(last[0], text, last[1], prov):
            joined, offsets, provs = runs[-1]
            runs[-1] = (joined + text, [*offsets, len(joined)], [*provs, prov])
        else:
            runs.append((text, [0], [prov]))
        last = (text, prov)
    return runs


def _bracketed(sentence: str, pos: int) -> bool:
    """Whether `pos` lies inside brackets: (其中…856条) or a title 《…》."""
    depth = 0
    for c in sentence[:pos]:
        if c in _OPEN_BRACKETS:
            depth += 1
        elif c in _CLOSE_BRACKETS and depth:
            depth -= 1
    return depth > 0


def _statement(sentence: str, rules: tuple[_Rule, ...]) -> tuple[re.Match[str], _Rule] | None:
    """The first statement of one figure in a sentence, leaving out the items of a breakdown."""
    best: tuple[re.Match[str], _Rule] | None = None
    cut = -1
    for rule in rules:
        m = rule.pattern.search(sentence)
        if m is None:
            continue
        if cut < 0:
            items = sentence.find("其中")
            cut = len(sentence) if items < 0 else items
        while m is not None and m.start() < cut and _bracketed(sentence, m.start()):
            m = rule.pattern.search(sentence, m.start() + 1)
        if m is None or m.start() >= cut:
            continue
        if best is None or m.start() < best[0].start():
            best = (m, rule)
    return best


def find_figures(paragraphs: list[tuple[str, Provenance]]) -> dict[str, Figure]:
    """The first statement of each figure, in reading order. `paragraphs` are folded and squeezed."""
    found: dict[str, Figure] = {}
    figs = _figures()
    for text, offsets, provs in _runs(paragraphs):
        for sm in _SENTENCE.finditer(text):
            sentence = sm.group(0)
            digits = _DIGIT.search(sentence) is not None
            for key, rules, zeros in figs:
                if key in found:
                    continue
                hit = _statement(sentence, rules if digits else zeros)
                if hit is None:
                    continue
                m, rule = hit
                if rule.scale is not None and not m.group("n").isascii():
                    continue  # another script's digits (৩, ٣) match `\d` but are not the figure printed
                if rule.scale is not None and len(m.group("n")) > MAX_DIGITS:
                    continue  # no figure (see `values.MAX_DIGITS`)
                with localcontext(prec=2 * MAX_DIGITS):
                    value = Decimal(0) if rule.scale is None else Decimal(m.group("n")) * rule.scale
                number = plain_number(value)
                if number is None:
                    continue  # a decimal no float holds as printed: not read, never rounded
                prov = provs[bisect_right(offsets, sm.start() + m.start()) - 1]
                found[key] = Figure(value=number, text=m.group(0), provenance=prov)
    return found
