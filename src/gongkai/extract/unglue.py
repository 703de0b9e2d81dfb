"""Text a crawler ran together (`…申请数量801000081二、上年结转…`, `规章000`): cut it into blocks at the labels
the formats know, before anything else reads it.

Some sites' scrapes keep no separator at all: a whole report, tables included, comes as one line. Its labels
are still there, printed exactly as the formats define them (rows, groups, columns, item headings, section
headings), so a line where labels are followed directly by figures is cut before and after each label: a
label becomes a block of its own, and the run of figures after it a block marked `glued` (its cells are split
later by the identities, `extract.glued`, or left aside). Prose between labels stays one block. A label
inside a sentence (`自然人80件、`) is not cut out: only labels followed by figures alone, by another label, and
section headings are.
Every block keeps the line it came from, and its place on the line as `col`.
"""

from __future__ import annotations

import re
from functools import cache

from gongkai.formats import formats, get_format, sections
from gongkai.read.document import Block, with_col

__all__ = ["unglue"]

_MIN_GLUED = 2  # labels directly followed by figures, for a line to be read as run together
_RUN = re.compile(r"[0-9.+\-]+(?: [0-9.+\-]+)*")
_FIGURE_AFTER = re.compile(r"[\u4e00-\u9fff）)”\"][0-9]")  # a figure right after a word: what a run-together line has


@cache
def _vocabulary() -> tuple[str, ...]:
    """Every label of every format's tables, and the sections' official headings; longest first."""
    words: set[str] = {s.label for s in sections()}
    for fid in formats():
        for table in get_format(fid).tables:
            words.update(table.headers)
            for row in table.rows:
                words.update((row.label, *row.aliases, *row.deviations))
                words.update(x for x in (row.item, row.group) if x)
            for col in table.columns:
                words.update((col.label, *col.aliases))
                if col.group:
                    words.add(col.group)
            words.update(g.label for g in table.groups)
    return tuple(sorted((w for w in words if w), key=len, reverse=True))


@cache
def _pattern() -> re.Pattern[str]:
    """The labels as printed: full-width and ASCII brackets, colons and commas alike."""
    def one(word: str) -> str:
        out = []
        for ch in word:
            pair = _PAIRS.get(ch)
            out.append(f"[{re.escape(ch)}{re.escape(pair)}]" if pair else re.escape(ch))
        return "".join(out)
    return re.compile("|".join(one(w) for w in _vocabulary()))


_PAIRS = {"（": "(", "）": ")", "(": "（", ")": "）", "：": ":", ":": "：", "，": ",", ",": "，"}


def unglue(blocks: list[Block]) -> list[Block]:
    """The blocks, with every line whose labels run into their figures cut at its labels."""
    out: list[Block] = []
    search = _FIGURE_AFTER.search  # most lines have no figure right after a word: one C-level search skips them
    for block in blocks:
        text = block.text
        pieces = None if block.cell or not search(text) or not _label_then_figure(text) else _cut(text)
        if pieces is None:
            out.append(block)
            continue
        for k, (text, label, glued) in enumerate(pieces, 1):
            out.append(Block(text, with_col(block.provenance, k), cell=label or glued, glued=glued))
    return out


@cache
def _endings() -> dict[str, tuple[str, ...]]:
    """The labels by their last character (brackets and colons in both widths)."""
    out: dict[str, list[str]] = {}
    for word in _vocabulary():
        variants = {word, word.translate(_HALF), word.translate(_FULL)}
        for v in variants:
            out.setdefault(v[-1], []).append(v)
    return {k: tuple(v) for k, v in out.items()}


_HALF = str.maketrans({"（": "(", "）": ")", "：": ":", "，": ","})
_FULL = str.maketrans({"(": "（", ")": "）", ":": "：", ",": "，"})


def _label_then_figure(text: str) -> bool:
    """Whether some label of the formats is followed directly by a figure: checked at each place a word meets a
    figure, against the labels ending in that word's last character (cheap; most lines have none)."""
    endings = _endings()
    for m in _FIGURE_AFTER.finditer(text):
        end = m.start() + 1
        if any(text.endswith(label, 0, end) for label in endings.get(text[m.start()], ())):
            return True
    return False


def _cut(text: str) -> list[tuple[str, bool, bool]] | None:
    """(text, is a label, is a run of figures) pieces of a run-together line; None for any other line.

    A label is cut out where it is followed by a run of figures and nothing else up to the next label, by
    another label, or where it is a section's heading; a label inside a sentence (`自然人80件、`) stays."""
    if not _FIGURE_AFTER.search(text):
        return None
    found = list(_pattern().finditer(text))
    kept: list[re.Match[str]] = []
    runs = 0
    for i, m in enumerate(found):
        following = text[m.end():found[i + 1].start() if i + 1 < len(found) else len(text)].strip()
        is_run = bool(following) and _RUN.fullmatch(following) is not None
        # figures truly run into their label (`规章000`); figures set apart by spaces are read as they are
        runs += is_run and " " not in following and text[m.end():m.end() + 1].isdigit()
        if is_run or not following or m.group(0) in _headings():
            kept.append(m)
    whole_row = len(kept) == 1 and kept[0].start() == 0 and runs == 1  # `规章000` alone on its line
    if runs < _MIN_GLUED and not whole_row:
        return None
    pieces: list[tuple[str, bool, bool]] = []
    at = 0
    for m in kept:
        if m.start() > at:
            pieces.extend(_between(text[at:m.start()]))
        pieces.append((m.group(0), True, False))
        at = m.end()
    if at < len(text):
        pieces.extend(_between(text[at:]))
    return pieces


@cache
def _headings() -> frozenset[str]:
    return frozenset(s.label for s in sections())


def _between(text: str) -> list[tuple[str, bool, bool]]:
    """What stands between two labels: a run of figures and nothing else, or prose (`2023年，…` after a
    heading is a sentence, not figures)."""
    if not text.strip():
        return []
    if _RUN.fullmatch(text.strip()):
        return [(text.strip(), False, True)]
    return [(text, False, False)]
