"""Blocks → tokens: the cells of a flattened table, whatever the layout they were flattened into.

A text line may hold one cell (the usual scrape), several `|`- or tab-separated cells, or a PDF
row (`一、本年新收… 103 4 0 0 0 0 107`). Cells read from HTML/Word/PDF grids are one token each.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import Literal

from gongkai.extract.values import SPLIT_DIGITS
from gongkai.model import Provenance
from gongkai.normalize import fold, squeeze
from gongkai.read.document import Block, with_col


class Kind(Enum):
    LABEL = "label"
    VALUE = "value"
    BLANK = "blank"  # a printed empty cell (spaces only, or an empty grid cell)
    SEP = "sep"  # an empty line: separates cells in double-spaced text, may be an empty cell otherwise


# The kinds as module constants: the hot loops compare every token's kind with them.
LABEL, VALUE, BLANK, SEP = Kind.LABEL, Kind.VALUE, Kind.BLANK, Kind.SEP


@dataclass(slots=True)
class Token:
    text: str
    kind: Kind
    block: int
    provenance: Provenance
    x: int = -1  # where the cell ends on its line, in display columns (a CJK character is two), when the
    # line was split at runs of spaces: PDF text laid out in columns places a row's cells by it
    pieces: Sequence[tuple[str, int]] = ()  # a label joined from pieces of such a line: (piece, centre)
    glued: bool = False  # a run of figures printed without separators: its cells are split by the identities


# ASCII digits only: `\d` would take any script's digits (৩, ٣) for figures (full-width ones are folded first).
_NUMBER = r"[+\-]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?"
_UNITS = r"(?:万元|万|亿元|元|件|条|个|次|项|人次|人|%)"
VALUE_RE = re.compile(rf"^{_NUMBER}{_UNITS}?$")
NONE_RE = re.compile(r"^(?:-+|/|\\|无|空|×)$")
_SPLIT = re.compile(r"[ \t\u00a0\u2000-\u200b\u3000]+")
_MD_RULE = re.compile(r"^:?-{2,}:?$")
_PROSE_MARK = re.compile(r"[。；;]")
_MAX_LABEL_PIECE = 40
_ONE_CELL = re.compile(r"^[^|\t \u00a0\u2000-\u200b\u3000]+$")  # no separator inside: one cell on the line
_PAGE_NUMBER = re.compile(r"^(?:[-—–－]+\s*\d{1,4}\s*[-—–－]+|第\s*\d{1,4}\s*页(?:\s*[/，,]?\s*共\s*\d{1,4}\s*页)?)$")



@lru_cache(maxsize=32768)
def cell_kind(text: str) -> Kind:
    """Classify one cell's text."""
    if not text.strip():
        return Kind.BLANK
    folded = fold(text)
    f = squeeze(folded)
    if NONE_RE.match(f) or (VALUE_RE.match(f) and not SPLIT_DIGITS.search(folded)):
        return Kind.VALUE  # digits set apart by spaces (`1 0 1`) are not one figure: such a cell is no value
    return Kind.LABEL


def _grid_kind(text: str, glued: bool) -> Kind:
    """A cell's kind; a run of figures cut out of a run-together line (`77 132 470`) is values, split later where
    its spaces stand (`extract.glued`), never read as one number."""
    kind = cell_kind(text)
    if glued and kind is Kind.LABEL and all(cell_kind(p) is Kind.VALUE for p in text.split()):
        return Kind.VALUE
    return kind


Bars = Literal["markdown", "closing", "open"]


def _split_cells(text: str, bars: Bars) -> list[str] | None:
    """The cells of a `|` or tab separated row, or None when the line is not such a row. How the document
    writes its rows (`bars`) says what a bar at the end of a line means: Markdown rows `|a|b|` open and close
    with a bar; `规章 |` rows close with one; otherwise cells are joined by bars and a bar at either end
    stands beside an empty cell (`||a` begins with two empty cells, `a|b|` ends with one)."""
    stripped = text.strip()
    if stripped.count("|") >= 2 or (stripped.count("|") == 1 and not stripped.startswith("|")):
        line = text.rstrip("\r\n")
        pieces = line.split("|")
        if bars == "markdown" and line.startswith("|") and line.endswith("|"):
            return pieces[1:-1]
        if bars != "open" and stripped.endswith("|"):
            return pieces[:-1]
        return pieces
    if "\t" in stripped:
        return stripped.split("\t")
    return None


def _markdown_rule(cells: list[str]) -> bool:
    """The rule under a Markdown header (`---|---`), whole or cut short; a row of empty cells is no rule."""
    rules = [bool(_MD_RULE.match(c.strip())) for c in cells]
    rest_empty = all(r or not c.strip() for r, c in zip(rules[:-1], cells[:-1], strict=True))
    return rest_empty and (rules[-1] or not cells[-1].strip() or sum(rules) >= 2) and any(rules)


_CLOSING_SHARE = 0.8


def bar_style(blocks: list[Block]) -> Bars:
    """How the document writes its `|` rows: (nearly) all as Markdown `|a|b|`, (nearly) all closed by a bar,
    or neither."""
    rows = [b.text.rstrip("\r\n") for b in blocks if not b.cell and "|" in b.text and b.text.strip().strip("|")]
    if not rows:
        return "open"
    if sum(r.startswith("|") and r.endswith("|") for r in rows) >= _CLOSING_SHARE * len(rows):
        return "markdown"
    if sum(r.rstrip().endswith("|") for r in rows) >= _CLOSING_SHARE * len(rows):
        return "closing"
    return "open"


def block_tokens(block: Block, index: int, bars: Bars = "markdown") -> list[Token]:
    """The tokens of one block."""
    text = block.text
    prov = block.provenance
    if block.cell:
        return [Token(text, _grid_kind(text, block.glued), index, prov, glued=block.glued)]
    if text == "":
        return [Token(text, Kind.SEP, index, prov)]
    stripped = text.strip()
    if not stripped:
        return [Token(text, Kind.BLANK, index, prov)]
    if _PAGE_NUMBER.match(stripped):
        return []  # page furniture of a PDF (`— 3 —`, `第3页`), not a cell
    if not stripped.strip("|"):
        if bars == "closing":  # every cell closed by a bar: bars alone close empty cells
            return [Token("", Kind.BLANK, index, with_col(prov, i)) for i in range(1, stripped.count("|") + 1)]
        if stripped == "|":
            return []  # a bar alone on its line separates the cells printed one per line
    if "|" not in stripped and "\t" not in stripped and not _SPLIT.search(stripped):
        return [Token(text, cell_kind(text), index, prov)]  # one cell on its own line: the usual case
    cells = _split_cells(text, bars)
    if cells is not None:
        if "-" in stripped and _markdown_rule(cells):
            return []
        return [Token(c.strip(), cell_kind(c), index, with_col(prov, i)) for i, c in enumerate(cells, 1)]
    spans = [(m.group(0), m.end()) for m in _PIECE.finditer(text)]
    pieces = [p for p, _ in spans]
    if len(pieces) == 1:
        return [Token(text, cell_kind(text), index, prov)]
    kinds = [cell_kind(p) for p in pieces]
    table_like = Kind.VALUE in kinds and not _PROSE_MARK.search(text) and all(
        len(p) <= _MAX_LABEL_PIECE for p, k in zip(pieces, kinds, strict=True) if k is Kind.LABEL
    )
    if not table_like:  # a line of words; where they stand is kept for headers laid out by columns
        if len(text) > _HEADER_LINE or sum(len(p) <= _HEADER_WORD for p in pieces) < 2:
            return [Token(text, Kind.LABEL, index, prov)]  # prose, not a header's words
        return [Token(text, Kind.LABEL, index, prov, -1, _Pieces(text, spans))]
    tokens: list[Token] = []
    col = 0
    # Where each cell stands matters only in text laid out by columns (cells apart by runs of spaces).
    width = _widths(text) if "  " in stripped else None
    for (piece, end), kind in zip(spans, kinds, strict=True):
        left = width[end - len(piece)] if width is not None else -1  # asked in order: start, then end
        x = width[end] if width is not None else -1
        centre = (left + x) // 2 if width is not None else -1
        at = ((piece, centre),) if width is not None else ()
        if kind is Kind.LABEL and tokens and tokens[-1].kind is Kind.LABEL:
            tokens[-1].text += " " + piece
            tokens[-1].x = x
            tokens[-1].pieces += at
            continue
        col += 1
        tokens.append(Token(piece, kind, index, with_col(prov, col), x, at))
    return tokens


_PIECE = re.compile(r"[^ \t\u00a0\u2000-\u200b\u3000]+")


_HEADER_LINE = 200  # a longer line of words is prose, not a header whose words' places matter
_HEADER_WORD = 8  # a header's words are short (自然人, 本年新制作); a line without two of them is prose


class _Pieces(Sequence[tuple[str, int]]):
    """The words of a line and where their centres stand, measured when first asked for: only the header of a
    table laid out by columns is ever asked (most such lines are prose)."""

    __slots__ = ("_done", "_spans", "_text")

    def __init__(self, text: str, spans: list[tuple[str, int]]):
        self._text = text
        self._spans = spans
        self._done: tuple[tuple[str, int], ...] | None = None

    def _measured(self) -> tuple[tuple[str, int], ...]:
        if self._done is None:
            width = _widths(self._text)
            self._done = tuple((p, (width[end - len(p)] + width[end]) // 2) for p, end in self._spans)  # in order
        return self._done

    def __getitem__(self, i):  # type: ignore[override]
        return self._measured()[i]

    def __len__(self) -> int:
        return len(self._spans)

    def __iter__(self):
        return iter(self._measured())


class _Widths:
    """Display columns of `text[:i]`: wide (CJK) characters take two, as in PDF text laid out by columns. In a line
    of Chinese, ASCII brackets and commas stand for full-width ones folded by the converter (`（一）` printed,
    `(一)` in the text) and take two columns too.

    Asked only at the ends of a line's pieces, in order, so each stretch is measured once. A character of three
    UTF-8 bytes (CJK, full-width forms, curly quotes) is wide: measured by the encoder, not character by
    character (measured: this took 4% of parsing the corpus when done per character with unicodedata)."""

    __slots__ = ("_at", "_folded", "_text", "_width")

    def __init__(self, text: str):
        self._text = text
        self._folded = not text.isascii()
        self._at = 0
        self._width = 0

    def __getitem__(self, end: int) -> int:
        if end < self._at:  # not in order: measure from the start
            return _Widths(self._text)[end]
        stretch = self._text[self._at:end]
        self._width += len(stretch)
        if self._folded and not stretch.isascii():
            self._width += (len(stretch.encode("utf-8")) - len(stretch)) // 2
        if self._folded:
            self._width += len(stretch) - len(stretch.translate(_DROP_FOLDED))
        self._at = end
        return self._width


def _widths(text: str) -> _Widths:
    return _Widths(text)


_FOLDED_WIDE = frozenset("(),;:")
_DROP_FOLDED = str.maketrans("", "", "".join(_FOLDED_WIDE))


@lru_cache(maxsize=65536)
def _line_kind(text: str) -> Kind | None:
    """The kind of a text line that holds a single cell (or nothing); None when it needs splitting."""
    stripped = text.strip()
    if not stripped:
        return Kind.BLANK
    if _ONE_CELL.match(stripped) and not _PAGE_NUMBER.match(stripped):
        return cell_kind(text)
    return None


class Tokens:
    """Every block of a document tokenised at most once, in reading order; a region is a slice of it.

    Blocks are tokenised when a region first asks for them: only the table sections are ever asked, and the
    prose around them (half of a report) is never split into cells."""

    __slots__ = ("_bars", "_blocks", "_done", "has_sep")

    def __init__(self, blocks: list[Block]):
        self._blocks = blocks
        self._done: list[list[Token] | None] = [None] * len(blocks)
        self._bars: Bars | None = None
        # No empty line at all: double-spaced text is read without them.
        self.has_sep = any(not b.text and not b.cell for b in blocks)

    def region(self, start: int, end: int) -> list[Token]:
        """The tokens of blocks[start:end]."""
        done = self._done
        out: list[Token] = []
        for i in range(start, end):
            tokens = done[i]
            if tokens is None:
                tokens = done[i] = self._tokenise(i)
            out += tokens
        return out

    def _tokenise(self, i: int) -> list[Token]:
        block = self._blocks[i]
        text = block.text
        if "\f" in text and not block.cell:
            text = text.replace("\f", "")  # a PDF page break, not a cell
            if not text.strip():
                return []
            block = Block(text, block.provenance)
        if block.cell:  # a grid cell, empty or not, is always one cell
            return [Token(text, _grid_kind(text, block.glued), i, block.provenance, glued=block.glued)]
        if not text:
            return [Token(text, Kind.SEP, i, block.provenance)]
        kind = _line_kind(text)
        if kind is not None:  # one cell on its line: the usual scrape
            return [Token(text, kind, i, block.provenance)]
        if self._bars is None:
            self._bars = bar_style(self._blocks)
        return block_tokens(block, i, self._bars)

    def region_spaced(self, tokens: list[Token]) -> bool:
        """Whether empty lines in `tokens` only separate cells (without any, the question is moot)."""
        return not self.has_sep or double_spaced(tokens)


def double_spaced(tokens: list[Token]) -> bool:
    """True when cells are separated by empty lines (so an empty line is not itself a cell)."""
    content = followed = 0
    for a, b in itertools.pairwise(tokens):
        if a.kind is not Kind.SEP:
            content += 1
            followed += b.kind is Kind.SEP
    return content > 0 and followed / content >= 0.7
