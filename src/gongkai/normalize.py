"""Text normalisation for matching: Traditional→Simplified, full-width→ASCII, labels to their core.

The original text is always kept elsewhere; these forms exist only to compare text with the
format definitions.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from functools import lru_cache

import opencc

_T2S = opencc.OpenCC("t2s")

# Spaces of every kind (ASCII, NBSP, ideographic, en/em, zero width) and quotes are noise in labels.
_SPACES = re.compile(r"[\s\u00a0\u2000-\u200b\u3000\ufeff]+")
_QUOTES = re.compile(r"[“”‘’\"'「」『』〝〞]")
_DASHES = str.maketrans({"—": "-", "–": "-", "−": "-", "－": "-", "～": "~"})
# Leading enumerators: 一、 （一） (1) 1. 1、 ① 第一，and "其中：".
_ENUM = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.．]|\([一二三四五六七八九十]+\)|\(\d+\)|\d+[、.．](?!\d)|[①-⑳]|其中:)+"
)
_TRAILING_NOTE = re.compile(r"\([^()]*\)$")
_OPEN_NOTE = re.compile(r"\([^()]*$")
_TRAILING_PUNCT = re.compile(r"[:：,，。;；?？!！]+$")
_LEADING_DEBRIS = re.compile(r"^[?？]+")


def to_simplified(text: str) -> str:
    """Convert Traditional characters to Simplified (OpenCC t2s); other text is unchanged."""
    try:
        return _T2S.convert(text)
    except UnicodeEncodeError:  # a lone surrogate (OpenCC takes UTF-8): the text around it is converted
        parts = _SURROGATE.split(text)
        marks = _SURROGATE.findall(text)
        return "".join(_T2S.convert(p) + m for p, m in itertools.zip_longest(parts, marks, fillvalue=""))


_SURROGATE = re.compile("[\ud800-\udfff]")


def fold(text: str) -> str:
    """Simplified, NFKC (full-width → ASCII), dashes unified: the form all matching starts from."""
    if text.isascii():  # digits, `-`, `/`: nothing to convert (the common case of a table cell)
        return text
    if len(text) <= _CACHED_LEN:  # labels and cells repeat from report to report
        return _fold_cached(text)
    return _fold(text)


_CACHED_LEN = 80


def _fold(text: str) -> str:
    return fold_simplified(to_simplified(text))


def fold_simplified(text: str) -> str:
    """`fold` for text already converted to Simplified characters."""
    return nfkc(text).translate(_DASHES)


def nfkc(text: str) -> str:
    """`unicodedata.normalize("NFKC", text)`, faster on Chinese text.

    Chinese text is almost never NFKC-normalised as printed (full-width `（）：，`), so NFKC would take its slow
    path on nearly every line. The full-width ASCII forms and the ideographic space are mapped first, each to
    its NFKC form, which leaves the NFKC form of the text unchanged; what remains is usually normalised already
    (the quick check says so) and only otherwise normalised in full. Exact by construction; measured: NFKC was
    6% of parsing the development corpus."""
    wide = text.translate(_WIDE)
    if not unicodedata.is_normalized("NFKC", wide):
        wide = unicodedata.normalize("NFKC", wide)
    return wide


# Full-width ASCII (U+FF01–U+FF5E) and the ideographic space: their NFKC forms, character by character.
_WIDE = {0xFF01 + k: 0x21 + k for k in range(0x5E)} | {0x3000: 0x20}


_fold_cached = lru_cache(maxsize=32768)(_fold)


def squeeze(text: str) -> str:
    """Remove every kind of space."""
    return _SPACES.sub("", text)


def fold_lines(texts: list[str]) -> tuple[list[str], bool]:
    """`squeeze(fold(t))` of every line of a document (the form matching reads), and whether any
    had Traditional characters.

    The document goes through OpenCC in one call (a conversion never reaches across a line break: no
    dictionary entry holds one), then each line is folded; short lines (cells, labels, headings) repeat
    from report to report and are remembered. Measured on the development corpus: 10–30% less time than
    one OpenCC call per line."""
    joined = "\n".join(texts)
    if joined.isascii():  # figures only: spaces to drop
        return ["".join(t.split()) for t in texts], False
    simplified = to_simplified(joined)
    lines = simplified.split("\n")
    if len(lines) != len(texts):  # a line held a line break of its own: convert line by line
        lines = [to_simplified(t) for t in texts]
    short = _fold_simplified_line_cached
    return [short(t) if len(t) <= _CACHED_LEN else _fold_simplified_line(t) for t in lines], simplified != joined


def _fold_simplified_line(text: str) -> str:
    if text.isascii():
        return "".join(text.split())
    return squeeze(fold_simplified(text))


_fold_simplified_line_cached = lru_cache(maxsize=65536)(_fold_simplified_line)


@lru_cache(maxsize=65536)
def label_key(text: str) -> str:
    """The comparable core of a label: folded, without spaces, quotes, numbering and trailing note.

    `（二）部分公开（区分处理的…）` and `部分公开` share the key `部分公开`; numbering is dropped
    because reports renumber, and the format's structure (not its numbers) identifies a row.
    """
    s = squeeze(_QUOTES.sub("", fold(text)))
    s = _LEADING_DEBRIS.sub("", s)
    s = _TRAILING_PUNCT.sub("", s)
    s = _ENUM.sub("", s)
    if s.startswith("(") and s.endswith(")") and s.count("(") == 1:
        s = s[1:-1]  # a label that is all note: (本列数据的勾稽关系为：…)
    while True:
        t = _TRAILING_NOTE.sub("", s)
        if t == s or not t:
            break
        s = t
    t = _OPEN_NOTE.sub("", s)  # a note cut off at the end of a line (PDF text): `部分公开(区分处理的,只计`
    if t:
        s = t
    return _TRAILING_PUNCT.sub("", s)


@lru_cache(maxsize=65536)
def enumerator(text: str) -> str:
    """The leading numbering of a label (`（三）`, `1.`), folded; empty when there is none."""
    s = squeeze(fold(text))
    s = _LEADING_DEBRIS.sub("", s)
    m = _ENUM.match(s)
    return m.group(0) if m else ""
