"""Find the six section headings, the page debris, and where the report's body ends."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from gongkai.formats import extra_sections, sections, text_vocabulary
from gongkai.normalize import label_key

_TOP_ENUM = re.compile(r"^[?？]*(?:[一二三四五六七八九十]+[、.．]|第[一二三四五六七八九十]+(?:部分|章|节)[、:：]?)")
_SUB_ENUM = re.compile(r"^[?？]*[\(（][一二三四五六七八九十\d]+[\)）]")
_INLINE_TAIL = re.compile(r"^[:：]")


@dataclass(frozen=True, slots=True)
class Heading:
    block: int
    key: str | None  # None for an extra (legacy) heading
    label: str
    inline: str  # text after the heading on the same line (`六、其他需要报告的事项：无。`)


@cache
def _heading_keys() -> list[tuple[str, str | None, str]]:
    """(label key, section key, official label), longest first so that longer variants win."""
    out: list[tuple[str, str | None, str]] = []
    for s in sections():
        for label in (s.label, *s.aliases):
            out.append((label_key(label), s.key, s.label))
    for e in extra_sections():
        out.append((label_key(e.label), None, e.label))
    return sorted(out, key=lambda x: len(x[0]), reverse=True)


@cache
def _heading_keys_by_start() -> dict[str, list[tuple[str, str | None, str]]]:
    """The heading keys by their first two characters (a line is compared only with those)."""
    out: dict[str, list[tuple[str, str | None, str]]] = {}
    for item in _heading_keys():
        out.setdefault(item[0][:2], []).append(item)
    return out


def match_heading(text: str, folded: str) -> tuple[str | None, str, str] | None:
    """(section key, official label, inline text) when the line is a section heading.

    A numbered heading may share its line with the section's first words
    (`六、其他需要报告的事项本年度未收取信息处理费。`): those are the inline text.
    """
    if _SUB_ENUM.match(folded):
        return None
    numbered = bool(_TOP_ENUM.match(folded))
    if len(folded) > 80 and not numbered:
        return None
    stem = _TOP_ENUM.sub("", folded)
    for key, section, label in _heading_keys_by_start().get(stem[:2], ()):
        if not stem.startswith(key):
            continue
        rest = stem[len(key):]
        if rest == "" or rest in ("。", ":", "："):
            return section, label, ""
        if numbered and (_INLINE_TAIL.match(rest) or len(key) >= _INLINE_MIN_KEY):
            return section, label, _INLINE_TAIL.sub("", _tail(text, len(folded) - len(rest))).strip()
    return None


_INLINE_MIN_KEY = 4  # short variants (概述) are too common in prose to take text after them


def _tail(text: str, n: int) -> str:
    """The original text after its first `n` characters that are not spaces (what matching compared)."""
    seen = 0
    for i, ch in enumerate(text):
        if seen >= n:
            return text[i:]
        if not ch.isspace() and ch not in "\u00a0\u3000\ufeff\u200b":
            seen += 1
    return ""


_CACHED_LEN = 80
_match_short = lru_cache(maxsize=32768)(match_heading)  # table labels and headings repeat from report to report


def find_headings(blocks_text: list[str], folded: list[str], cells: list[bool]) -> list[Heading]:
    """Section headings in reading order; each section key is taken once (the first)."""
    seen: set[str] = set()
    official_at: set[int] = set()
    found: list[Heading] = []
    for i, (text, f) in enumerate(zip(blocks_text, folded, strict=True)):
        if not f or f.isascii() or (cells[i] and len(f) > 40):  # a heading has Chinese words
            continue
        m = _match_short(text, f) if len(text) <= _CACHED_LEN else match_heading(text, f)
        if m is None:
            continue
        key, label, inline = m
        official = label_key(label) in label_key(f)
        if key is not None:
            if key in seen:
                # A later heading in the official wording wins over an earlier one in other words (a report's
                # overview numbering its parts 一、…四、政府信息公开申请情况 before the sections themselves).
                earlier = next(h for h in found if h.key == key)
                if not official or earlier.block in official_at:
                    continue
                found.remove(earlier)
            seen.add(key)
        if official:
            official_at.add(i)
        found.append(Heading(i, key, label, inline))
    return found


@cache
def _debris_prefixes() -> tuple[str, ...]:
    return tuple(p.replace(" ", "") for p in text_vocabulary().debris_prefixes)


def is_debris(folded: str) -> bool:
    """Navigation and page furniture (首页 > …, 扫一扫在手机打开, 关闭 打印)."""
    if not folded:
        return False
    prefixes = _debris_prefixes()
    return folded.startswith(prefixes) or folded.lstrip("【[(<《").startswith(prefixes)  # 【打印本页】
