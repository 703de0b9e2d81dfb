"""The legacy statistics table: indicators (label path, unit, value) and the harmonised figures.

A 政府信息公开情况统计表 is a list of rows `统计指标 | 单位 | 统计数`. Flattened, a row comes as
one cell per line (label, unit, value), as a line of its own (`|` rows, PDF text with or without
layout columns, where a long label wraps onto the next lines), or as grid cells (HTML, Word). The
reader turns the tokens into cells (label / unit / value / blank), decides whether rows are printed
one per line, and builds the rows: a label opens a row, a unit and a value fill it. Where a label
continues is decided by what the layout shows (an unclosed bracket, a line filled to the column's
width), never by the words. A value no row can take without guessing is kept aside as a `StrayRow`.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from functools import cache
from typing import Literal

from gongkai.extract.sections import is_debris
from gongkai.extract.tokens import Kind, Token, cell_kind, double_spaced
from gongkai.extract.values import MAX_DIGITS, parse_number, plain_number
from gongkai.formats import TableDef
from gongkai.model import LegacyIndicator, LegacyTable, Number, Provenance, StrayRow
from gongkai.normalize import fold, label_key, squeeze

_LEVELS = (
    (re.compile(r"^第?[一二三四五六七八九十]+[、.．]"), 1),
    (re.compile(r"^[\(（][一二三四五六七八九十]+[\)）]"), 2),
    (re.compile(r"^\d+[、.．](?!\d)"), 3),
    (re.compile(r"^[\(（]\d+[\)）]"), 4),
)
_OF_WHICH = re.compile(r"^其中[:：]?")
_NONE = re.compile(r"^(?:-+|/|\\|无|空|×)$")
_PROSE = re.compile(r"。|^.{40,}[；;]")  # a sentence (a note inside a label may hold a ；)
_SPACE = re.compile(r"[ \t\u00a0\u2000-\u200b\u3000]+")
# A line that is only a date (the signature under the table), optionally after the organ's name.
_DATE = re.compile(r"^.{0,40}?[0-9〇零○O一二三四五六七八九]{4}年[0-9一二三四五六七八九十]{1,3}月"
                   r"(?:[0-9一二三四五六七八九十]{1,3}日)?$")
# Units of money, in 万元.
_TO_WAN = {"万元": Decimal(1), "万": Decimal(1), "元": Decimal("0.0001"), "亿元": Decimal(10000)}
# A label part this close (in display columns) to the widest label of a row printed on one line has
# been wrapped by the column: the next line continues it.
_WRAP_SLACK = 3
_MIN_WRAP_WIDTH = 24

CellKind = Literal["label", "unit", "value", "blank", "sep"]


@dataclass(slots=True)
class _Cell:
    kind: CellKind
    text: str
    line: tuple[int, int, int]  # the printed line (text) or grid row (HTML, Word) the cell is on
    block: int
    provenance: Provenance
    grid: bool


@dataclass
class _Row:
    parts: list[_Cell]
    level: int
    numbered: bool
    of_which: bool
    unit: str | None = None
    value: Number | None = None
    raw: str | None = None
    value_cell: _Cell | None = None
    extra: list[_Cell] = field(default_factory=list)  # values beyond the row's one: it is ambiguous
    cells: int = 0  # unit, value and empty cells received
    gaps: int = 0  # empty lines after the label (in single-spaced text they may be empty cells)

    @property
    def label(self) -> str:
        return _join([p.text for p in self.parts])


def _join(parts: list[str]) -> str:
    """Pieces of one label: wrapped Chinese text joins without a space, Latin words keep one."""
    out = ""
    for p in parts:
        p = p.strip()
        if out and p and (out[-1].isascii() and out[-1].isalnum()) and (p[0].isascii() and p[0].isalnum()):
            out += " "
        out += p
    return out


def _width(text: str) -> int:
    """Display width: wide (CJK, full-width) characters count two columns, as PDF text lays them out."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text.strip())


def _unbalanced(text: str) -> bool:
    f = fold(text)
    return f.count("(") > f.count(")") or f.count("《") > f.count("》")


def _level(folded: str) -> int | None:
    for pattern, level in _LEVELS:
        if pattern.match(folded):
            return level
    return None


def _starts_row(folded: str) -> bool:
    """A numbered or 其中 label always starts a row of its own."""
    return bool(_OF_WHICH.match(folded)) or _level(folded) is not None


@cache
def _header_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    """A line made of header words only (`统计指标 单位 统计数`, `统 计 指 标`)."""
    keys = sorted({squeeze(fold(w)) for w in words}, key=len, reverse=True)
    return re.compile("^(?:" + "|".join(re.escape(k) for k in keys if k) + ")+[:：]?$")


def _cells(tokens: list[Token], units: frozenset[str], anchors: tuple[str, ...]) -> list[_Cell]:
    """Tokens → cells. A label token may hold a unit the text layout glued on (`收到申请数 件`), or, on a
    line the tokenizer could not split (a whole table on one line), every cell of the table."""
    out: list[_Cell] = []
    for tok in tokens:
        prov = tok.provenance
        if prov.table is not None and prov.row is not None:
            grid, line = True, (1, prov.table, prov.row)
        else:
            grid, line = False, (0, tok.block, 0)

        def add(kind: CellKind, text: str, tok: Token = tok, line: tuple[int, int, int] = line,
                grid: bool = grid) -> None:
            out.append(_Cell(kind, text, line, tok.block, tok.provenance, grid))

        if tok.kind is Kind.SEP:
            add("sep", "")
            continue
        if tok.kind is Kind.BLANK:
            add("blank", tok.text)
            continue
        if tok.kind is Kind.VALUE:
            add("value", tok.text.strip())
            continue
        text = tok.text.strip()
        if _PROSE.search(text):
            folded = fold(text)
            at = max((folded.find(a) + len(a) for a in anchors if a in folded), default=-1)
            if at < 0:
                add("label", text)  # a sentence: ends the table (or comes before it)
                continue
            # A table glued onto one line after the report's prose (cut the printed text where it still
            # lines up with the folded one).
            text = (text if len(text) == len(folded) else folded)[at:]
        pieces = [p for p in _SPACE.split(text) if p]
        if len(pieces) <= 1:
            add("unit" if squeeze(fold(text)) in units else "label", text)
            continue
        label: list[str] = []

        def flush(label: list[str] = label) -> None:
            if label:
                add("label", _join(label))
                label.clear()

        for piece in pieces:
            f = squeeze(fold(piece))
            if f in units:
                flush()
                add("unit", piece)
            elif cell_kind(piece) is Kind.VALUE:
                flush()
                add("value", piece)
            else:
                if label and _starts_row(f):
                    flush()
                label.append(piece)
        flush()
    return out


def _value(text: str) -> tuple[Number | None, str | None]:
    """(value, unit suffix) of a printed figure; `-`, `/`, `无` read 0."""
    f = squeeze(fold(text))
    if _NONE.match(f):
        return 0, None
    number, unit = parse_number(text)
    if number is None:
        return None, None
    if unit == "万":
        unit = "万元"
    return plain_number(number), unit


def read_legacy(tokens: list[Token], table: TableDef) -> tuple[LegacyTable | None, set[int]]:
    """Indicators in order, each with the labels of its ancestors; `None` when there are none.

    A printed `-`, `/` or `无` reads 0 with its text kept. An empty 统计数 cell is no figure (`None`):
    it is how the table prints its headings, and a row whose unit is printed without a figure."""
    units = frozenset(squeeze(fold(u)) for u in table.units)
    anchors = tuple(squeeze(fold(a)) for a in table.anchors)
    header = _header_pattern((*table.headers, *table.anchors))
    title = squeeze(fold(table.title))
    cells = _cells(tokens, units, anchors)

    # Rows printed one per line: most values share their line with a label, one value a line (PDF text,
    # `|` rows, grids). A whole table glued onto one line is read cell by cell.
    lines_with_label = {c.line for c in cells if c.kind == "label"}
    values = [c for c in cells if c.kind == "value"]
    per_value_line = Counter(c.line for c in values)
    row_lines = {line for line, n in per_value_line.items() if n == 1 and line in lines_with_label}
    per_line = sum(c.line in row_lines for c in values) * 2 >= len(values) > 0
    spaced = double_spaced(tokens)
    # The label column's width, from the labels that share a text line with their value.
    valued_lines = {c.line for c in values if not c.grid and c.line in row_lines}
    widest = max((_width(c.text) for c in cells if c.kind == "label" and c.line in valued_lines), default=0)

    def wrapped(row: _Row) -> bool:
        last = row.parts[-1]
        if _unbalanced(row.label):
            return True
        return per_line and not last.grid and widest >= _MIN_WRAP_WIDTH and _width(last.text) >= widest - _WRAP_SLACK

    line_has_value = {c.line for c in values}
    rows: list[_Row] = []
    strays: list[StrayRow] = []
    blocks: set[int] = set()
    current: _Row | None = None
    started = False
    last_level = 1
    of_which_level: int | None = None

    def close() -> None:
        nonlocal current
        if current is not None:
            rows.append(current)
            current = None

    for c in cells:
        if c.kind == "sep":
            if not (per_line or spaced or current is None):
                current.gaps += 1  # single-spaced cells: an empty line may be an empty cell
            continue
        if c.kind == "label":
            f = squeeze(fold(c.text))
            if header.match(f):
                started = started or f != title  # the column headers, not the table's title
                blocks.add(c.block)
                continue
            if (rows or current is not None) and (_DATE.match(f) or is_debris(f) or _PROSE.search(f)):
                break  # the signature, the page's footer or prose: the table has ended
            of_which = bool(_OF_WHICH.match(f))
            level: int | None = _level(_OF_WHICH.sub("", f)) if not of_which else None
            if not started and level is None:
                continue  # the table's title and notes come before its header or first numbered row
            started = True
            blocks.add(c.block)
            if current is not None and level is None and not of_which:
                if per_line:
                    # A wrapped label goes on on the next line, before or after the row's figure.
                    if wrapped(current) and not (current.value is not None and c.line in line_has_value):
                        current.parts.append(c)
                        continue
                elif current.cells == 0 and current.gaps == 0:
                    current.parts.append(c)  # a label split over cells, or its bracketed note
                    continue
            previous = current or (rows[-1] if rows else None)
            close()
            numbered = level is not None
            if of_which:
                # 其中 items are children of the row before them; the items after them are their siblings
                level = of_which_level if of_which_level is not None else last_level + 1
                of_which_level = level
            elif numbered:
                of_which_level = None
            elif previous is not None and previous.numbered and previous.value_cell is None and previous.unit is None:
                level = previous.level + 1  # the first unnumbered row under a heading is its child
            else:
                level = last_level
            last_level = level
            current = _Row([c], last_level, numbered, of_which)
            continue
        if current is None:
            continue  # figures before the table's first row (its year, the form's number)
        blocks.add(c.block)
        if c.kind == "blank":
            current.cells += 1
        elif c.kind == "unit":
            held = current.value_cell
            if held is None or (current.unit is None and c.line == held.line):  # `统计数 | 单位` order too
                current.unit = current.unit or c.text.strip()
                current.cells += 1
        elif per_line and current.value_cell is not None and c.line != current.value_cell.line \
                and any(p.line == current.value_cell.line for p in current.parts):
            # A row printed on one line is complete; a figure on a line of its own is no row's.
            strays.append(StrayRow(kind="unplaced", label=None, raws=[c.text], provenance=c.provenance))
        elif current.value_cell is None and not current.extra:
            value, suffix = _value(c.text)
            current.value, current.raw, current.value_cell = value, c.text.strip(), c
            current.unit = current.unit or suffix
            current.cells += 1
        else:
            current.extra.append(c)  # a second figure for one row: which is its value cannot be told
    close()
    while rows and rows[-1].value_cell is None and rows[-1].cells == 0:
        rows.pop()  # labels after the table's last cell: the report's next headings, not indicators

    out: list[LegacyIndicator] = []
    stack: list[tuple[int, str]] = []
    for k, row in enumerate(rows):
        has_children = k + 1 < len(rows) and rows[k + 1].level > row.level
        if not row.numbered and not row.of_which and row.value_cell is None and row.cells == 0 and not has_children:
            continue  # an unnumbered line with nothing in it (the organ's name under the table)
        label = row.label
        if row.extra:
            raws = [x.text for x in ([row.value_cell] if row.value_cell else []) + row.extra]
            strays.append(StrayRow(kind="ambiguous", label=label, raws=raws, expected=1,
                                   provenance=row.extra[0].provenance))
            row.value, row.raw, row.value_cell = None, None, None
        while stack and stack[-1][0] >= row.level:
            stack.pop()
        path = [s[1] for s in stack] + [label]
        out.append(LegacyIndicator(path=path, label=label_key(label), unit=row.unit, value=row.value, raw=row.raw,
                                   provenance=row.value_cell.provenance if row.value_cell else row.parts[0].provenance))
        stack.append((row.level, label))
    if not any(i.value is not None for i in out):
        return None, blocks
    harmonised: dict[str, Number | None] = {}
    for h in table.harmonised:
        keys = {label_key(x) for x in h.labels}
        hit = next((i for i in out if i.label in keys), None)
        harmonised[h.key] = _in_wan(hit) if hit else None
    extra = {"strays": strays} if "strays" in LegacyTable.model_fields else {}
    return LegacyTable(indicators=out, harmonised=harmonised, **extra), blocks


def _in_wan(ind: LegacyIndicator) -> Number | None:
    """A harmonised figure: money in 万元 whatever unit its row prints, counts as printed."""
    if ind.value is None or not ind.unit:
        return ind.value
    factor = _TO_WAN.get(squeeze(fold(ind.unit)))
    if factor is None or factor == 1:
        return ind.value
    with localcontext(prec=2 * MAX_DIGITS):  # exact: the default 28 digits would round a long figure
        return plain_number(Decimal(str(ind.value)) * factor)
