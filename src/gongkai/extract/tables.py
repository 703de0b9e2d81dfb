"""Read the tables of the 2019/2021 formats out of a token stream, guided by the format's definition.

Row tables (tables 2 and 3): a row label is followed by its cells. Flat tables (table 4): the
header labels are followed by all cells in reading order. A row whose cells cannot be placed
without guessing (too many, or too few with more rows after it) is kept aside as a stray,
never spread over the wrong columns.
"""

from __future__ import annotations

import difflib
import itertools
import statistics
from dataclasses import dataclass, field
from functools import cache
from typing import Literal

from gongkai.extract.glued import Split, run_key, split_table
from gongkai.extract.labels import Entry, LabelIndex, Match, label_index
from gongkai.extract.tokens import BLANK, LABEL, SEP, VALUE, Token
from gongkai.extract.values import read_value
from gongkai.formats import ColumnDef, RowDef, get_format
from gongkai.model import Cell, LabelSeen, StrayRow, TableCells, TableData
from gongkai.normalize import fold, label_key, squeeze
from gongkai.read.document import construct, line_provenance

_PROSE_LEN = 40
StrayKind = Literal["extra_row", "unplaced", "ambiguous"]


class TableRead:
    """One table read with one format: its score, and its cells (built only when asked for).

    Every table is read with each format that defines it and only the best reading is kept, so
    the cells are made from their tokens when `data` is first used, not while reading.
    """

    __slots__ = ("_data", "_pending", "first_block", "formats", "headers_matched", "last_block", "last_placed",
                 "placed", "rows_matched", "signature_hits")

    def __init__(self, data: TableData):
        self._data = data
        self._pending: list[tuple[dict[str, Cell | None], tuple[ColumnDef, ...], list[Token]]] = []
        self.placed = 0
        self.signature_hits = 0
        self.rows_matched = 0
        self.headers_matched = 0  # table 4's column headers (结果维持 …): the table is there even with no figure read
        self.first_block: int | None = None  # the extent of the table in the document's blocks
        self.last_block: int | None = None
        self.last_placed = -1  # the last block a cell was placed from
        self.formats: tuple[str, ...] = (data.format,)  # every format whose definition this reading stands for

    def touch(self, tokens: list[Token]) -> None:
        """Extend the table's extent over `tokens` (in reading order)."""
        if tokens:
            self.touch_blocks(tokens[0].block, tokens[-1].block)

    def touch_blocks(self, first: int, last: int) -> None:
        """Extend the table's extent over blocks `first` to `last`."""
        if self.first_block is None or first < self.first_block:
            self.first_block = first
        if self.last_block is None or last > self.last_block:
            self.last_block = last

    def defer(self, target: dict[str, Cell | None], columns: tuple[ColumnDef, ...], tokens: list[Token]) -> int:
        """Place `tokens` in `columns` of `target` (their cells are made when `data` is asked for);
        returns how many were placed."""
        n = min(len(columns), len(tokens))
        if n:
            self._pending.append((target, columns, tokens))
            if tokens[n - 1].block > self.last_placed:  # tokens are in reading order
                self.last_placed = tokens[n - 1].block
        return n

    @property
    def data(self) -> TableData:
        if self._pending:
            for target, columns, tokens in self._pending:
                for column, tok in zip(columns, tokens, strict=False):  # `make_cell`, unrolled: it runs for every cell
                    raw = tok.text
                    value, number, unit = read_value(raw, column.kind, column.unit)
                    target[column.key] = Cell(value, raw, number, unit, tok.provenance)
            self._pending = []
        return self._data

    @property
    def format(self) -> str:
        return self._data.format

    def settle(self, format_id: str) -> None:
        """Take the report's format when this reading stands for several formats."""
        if format_id in self.formats:
            self._data.format = format_id

    @property
    def score(self) -> int:
        return self.placed + 10 * self.signature_hits + self.rows_matched - 3 * len(self._data.strays)

    @property
    def found(self) -> bool:
        return self.placed > 0 or self.rows_matched > 0 or self.signature_hits > 0 or self.headers_matched > 1


@dataclass(slots=True)
class _Segment:
    match: Match | None
    label: Token | None
    values: list[Token] = field(default_factory=list)
    label_col: int = 0  # grid position of the label's last cell (0: not a grid)


def _empty_cells(format_id: str, table_key: str) -> TableCells:
    return {row: dict(cols) for row, cols in _empty_template(format_id, table_key).items()}


@cache
def _empty_template(format_id: str, table_key: str) -> dict[str, dict[str, None]]:
    table = get_format(format_id).table(table_key)
    assert table is not None
    return {r.key: dict.fromkeys(c.key for c in table.row_columns(r)) for r in table.rows}


@cache
def _rows(format_id: str, table_key: str) -> dict[str, tuple[RowDef, tuple[ColumnDef, ...]]]:
    """Row key → (row, its columns), looked up for every row label read."""
    table = get_format(format_id).table(table_key)
    assert table is not None
    return {r.key: (r, table.row_columns(r)) for r in table.rows}


def _fit(values: list[Token], filled: list[Token], expected: int, spaced: bool) -> list[Token]:
    """The cells of a row (`filled`: its values without empty lines): in single-spaced text an empty
    line inside a row may be an empty cell, but only when that makes the row exactly as long as the
    format says."""
    if not spaced:
        with_seps = list(values)
        while with_seps and with_seps[-1].kind in (SEP, BLANK) and len(with_seps) > expected:
            with_seps.pop()
        if len(with_seps) == expected and any(v.kind is SEP for v in with_seps):
            return with_seps
    cells = list(filled)
    while cells and cells[-1].kind is BLANK and len(cells) > expected:
        cells.pop()
    return cells


def _stray(kind: StrayKind, label: str | None, values: list[Token], row: str | None = None,
           expected: int | None = None) -> StrayRow:
    first = values[0].provenance if values else None
    return StrayRow(kind=kind, label=label, row=row, raws=[v.text for v in values if v.kind is not SEP],
                    expected=expected, **({"provenance": first} if first else {}))


def _repeats(prev: Token, tok: Token) -> bool:
    """`tok` repeats the label just before it in the same row of a grid (a merged cell written out per position)."""
    return prev.kind is LABEL and prev.block == tok.block and prev.text == tok.text and tok.provenance.col is not None


def _header_rows(tokens: list[Token]) -> list[tuple[int, dict[int, str]]]:
    """The header rows of a grid written out as text (`|` rows): (block, column position → header text),
    in reading order. A header row has labels only, in two or more numbered positions."""
    out: list[tuple[int, dict[int, str]]] = []
    block, cols, labels_only = -1, {}, True
    for tok in [*tokens, None]:
        if tok is None or tok.block != block:
            if len(cols) >= 2 and labels_only:
                out.append((block, cols))
            if tok is None:
                break
            block, cols, labels_only = tok.block, {}, True
        if tok.kind is VALUE:
            labels_only = False
        elif tok.kind is LABEL and tok.provenance.col is not None:
            cols[tok.provenance.col] = label_key(tok.text)
    return out


def _collapse_merged(cells: list[Token], headers: list[tuple[int, dict[int, str]]], expected: int) -> list[Token]:
    """A row with more cells than its columns because a merged cell was written out once per position
    (`行政许可 | 42 | 42 | 42` under three positions of the one heading 本年处理决定数量): neighbouring
    positions under the same heading that print the same value are one cell. Anything else is left as it is."""
    if len(cells) <= expected or not cells or any(c.provenance.col is None for c in cells):
        return cells
    block = cells[0].block
    if any(c.block != block for c in cells):
        return cells
    above = [cols for b, cols in headers if b < block]
    if not above:
        return cells
    heading = above[-1]
    out: list[Token] = []
    for c in cells:
        prev = out[-1] if out else None
        if (prev is not None and heading.get(c.provenance.col) and prev.provenance.col is not None
                and heading.get(c.provenance.col) == heading.get(prev.provenance.col)):
            if label_key(prev.text) != label_key(c.text):
                return cells  # different values under one heading: not a repeated merged cell
            continue
        out.append(c)
    return out if len(out) == expected else cells


def _column_anchors(segments: list[_Segment], rows: dict[str, tuple[RowDef, tuple[ColumnDef, ...]]],
                    all_columns: tuple[ColumnDef, ...]) -> dict[tuple[str, ...], list[float]]:
    """Where each column ends on the line, in PDF text laid out by columns: the median end of the cells of
    the rows that print every cell, per set of columns."""
    ends: dict[tuple[str, ...], list[list[int]]] = {}
    for seg in segments:
        if seg.match is None or seg.match.entry.kind not in ("row", "subtotal", "group"):
            continue
        columns = rows[seg.match.entry.key][1] if seg.match.entry.kind == "row" else all_columns
        cells = [v for v in seg.values if v.kind is not SEP]
        if (len(cells) == len(columns) > 1 and all(v.kind is VALUE and v.x >= 0 for v in cells)
                and len({v.block for v in cells}) == 1):
            ends.setdefault(tuple(c.key for c in columns), []).append([v.x for v in cells])
    return {key: [statistics.median(col) for col in zip(*found, strict=True)] for key, found in ends.items()}


_HEADER_PIECE = 4  # header words of a column (自然人, 商业企业) or its characters stacked on lines (自 / 然 / 人)
_SAME_COLUMN = 3  # display columns within which header pieces stand for one column
_ITEM_HEADER_PIECE = 8  # the header of a few columns (本年新制作 / 数量) over the rows of one item of table 2


def _header_anchors(tokens: list[Token], lo: int, hi: int, n: int, longest: int = _HEADER_PIECE) -> list[float] | None:
    """Where the `n` columns are, from the header printed on blocks `lo` to `hi` (exclusive) in PDF text laid
    out by columns: the pieces of its lines of at most `longest` characters, grouped by position. None unless
    they make at least `n` groups (the label column's own header words stand to the left)."""
    groups = _columns_of(_header_centres(tokens, lo, hi, longest))
    if len(groups) < n:
        return None
    return [statistics.median(g) for g in groups[-n:]]


def _header_centres(tokens: list[Token], lo: int, hi: int, longest: int) -> list[tuple[int, int]]:
    """The centres of the header pieces of at most `longest` characters printed on blocks `lo` to `hi`,
    each with its block."""
    return [(c, t.block) for t in tokens if t.kind is LABEL and lo <= t.block < hi
            for piece, c in t.pieces if len(piece) <= longest]


def _columns_of(positions: list[tuple[int, int]]) -> list[list[int]]:
    """(position, line) pairs grouped into columns: neighbours within a few display columns stand in one, but
    two pieces printed on one line never do (stacked header characters one space apart are one column each)."""
    near = _SAME_COLUMN
    by_line: dict[int, list[int]] = {}
    for x, line in positions:
        by_line.setdefault(line, []).append(x)
    for xs in by_line.values():
        xs.sort()
        near = min([near, *(b - a - 1 for a, b in itertools.pairwise(xs))])
    near = max(near, 1)
    groups: list[list[int]] = []
    for x in sorted(x for x, _ in positions):
        if groups and x - groups[-1][-1] <= near:
            groups[-1].append(x)
        else:
            groups.append([x])
    return groups


def _place_by_position(cells: list[Token], anchors: list[float], line: Token) -> list[Token] | None:
    """A row that prints some of its cells empty, in PDF text laid out by columns: each printed cell goes to
    the column it ends under (or the last column, when it stands right of it: figures are right-aligned in
    their cells), the others are printed empty. None when a cell is not clearly under one column."""
    if not cells or any(c.x < 0 for c in cells) or len({c.block for c in cells}) != 1:
        return None
    gap = min((b - a for a, b in itertools.pairwise(anchors)), default=0)
    if gap <= 0:
        return None
    placed: list[Token | None] = [None] * len(anchors)
    last = -1
    for c in cells:
        ranked = sorted(range(len(anchors)), key=lambda k: abs(anchors[k] - c.x))
        j = ranked[0]
        near, second = abs(anchors[j] - c.x), abs(anchors[ranked[1]] - c.x) if len(ranked) > 1 else gap
        beyond = j == len(anchors) - 1 and c.x > anchors[j]  # right of the last column: nothing else is there
        if (near > gap / 2 and not beyond) or second - near < 1 or j <= last:
            return None
        placed[j], last = c, j
    blank = line_provenance(line.provenance.line, None) if line.provenance.line is not None else line.provenance
    return [t if t is not None else Token("", BLANK, line.block, blank) for t in placed]


def _continues(seg: _Segment, nxt: _Segment, official: str) -> bool:
    """`nxt` (no label of the table, but values) carries the rest of `seg`'s label wrapped onto the line
    where its values are printed: one of its words begins what is missing of the official label."""
    if seg.match is None or nxt.match is not None or nxt.label is None or (seg.values and any(
            v.kind is not SEP for v in seg.values)):
        return False
    printed = squeeze(fold(seg.match.raw))
    label = squeeze(fold(official))
    if not label.startswith(printed) or len(printed) >= len(label):
        return False
    rest = label[len(printed):]
    return any(len(w) >= 2 and rest.startswith(w) for w in (squeeze(fold(p)) for p in nxt.label.text.split()))


def _join_wrapped(segments: list[_Segment], rows: dict[str, tuple[RowDef, tuple[ColumnDef, ...]]]) -> None:
    """A row label wrapped over lines with its values on a later line (`2.申请人逾期未按收费通知要求缴纳` /
    `费用、行政机关不再处理其政府信息  0 0 0 …`): the values are the row's."""
    for seg, nxt in itertools.pairwise(segments):
        if seg.match is not None and seg.match.entry.kind == "row" and _continues(
                seg, nxt, rows[seg.match.entry.key][0].label):
            seg.values, nxt.values = seg.values + nxt.values, []


_SIMILAR = 0.6  # a misspelt or shortened label keeps most of the official one (其他法律行政止公开)


def _align_misspelt(segments: list[_Segment], rows: dict[str, tuple[RowDef, tuple[ColumnDef, ...]]]) -> None:
    """A row whose label names nothing of the table (misspelt, shortened) but stands, with a full row of figures,
    where the format has exactly one row left between its neighbours, and resembles that row's label: it is
    that row, read as a deviation from the official label (reported by the format checks)."""
    if not any(s.match is None and s.values for s in segments):
        return
    order = list(rows)
    seen = {s.match.entry.key for s in segments if s.match is not None and s.match.entry.kind == "row"}
    for k, seg in enumerate(segments):
        if seg.match is not None or seg.label is None:
            continue
        figures = [v for v in seg.values if v.kind is not SEP]
        prev = next((order.index(s.match.entry.key) for s in reversed(segments[:k])
                     if s.match is not None and s.match.entry.kind == "row"), -1)
        nxt = next((order.index(s.match.entry.key) for s in segments[k + 1:]
                    if s.match is not None and s.match.entry.kind == "row"), len(order))
        free = [key for key in order[prev + 1:nxt] if key not in seen]
        if len(free) != 1 or not figures or len(figures) != len(rows[free[0]][1]):
            continue
        row = rows[free[0]][0]
        printed, official = label_key(seg.label.text), label_key(row.label)
        if difflib.SequenceMatcher(None, printed, official).ratio() >= _SIMILAR:
            seg.match = Match(Entry("row", row.key, row.label, deviation=True), 0, 0, seg.label.text.strip())
            seen.add(row.key)


def _segments(tokens: list[Token], index: LabelIndex, result: TableRead) -> list[_Segment]:
    segments: list[_Segment] = []
    in_rows = False
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.kind is LABEL and i and _repeats(tokens[i - 1], tok):
            i += 1  # a merged cell exported once per grid position: `（一）予以公开 | （一）予以公开`
            continue
        if tok.kind is LABEL:
            m = index.match(tokens, i, in_rows=in_rows)
            if m is not None:
                result.signature_hits += index.is_signature(m.raw)
                in_rows = in_rows or m.entry.kind in ("row", "group")
                # A label found after other text of the run (a group label, header lines above it) is where it is
                # printed: the run's last token, not its first.
                at = tokens[m.end - 1] if m.head else tok
                segments.append(_Segment(m, at, label_col=tokens[m.end - 1].provenance.col or 0))
                result.touch_blocks(tok.block, tokens[m.end - 1].block)
                i = m.end
                continue
            result.signature_hits += index.is_signature(tok.text)
            segments.append(_Segment(None, tok))
        elif segments:
            segments[-1].values.append(tok)
        i += 1
    return segments


@cache
def _groups(format_id: str, table_key: str) -> tuple[dict[str, str], dict[str, str]]:
    """The table's groups: key → label, and label key → key."""
    table = get_format(format_id).table(table_key)
    assert table is not None
    return {g.key: g.label for g in table.groups}, {label_key(g.label): g.key for g in table.groups}


def _group_of(row_key: str | None, groups: dict[str, str]) -> str | None:
    """The group a row belongs to (`withheld.third_party` → `withheld`; 2019's single `other` row → `other`)."""
    if row_key is None:
        return None
    head = row_key.split(".", 1)[0]
    return head if head in groups else None


def _subtotal_groups(pending: list[tuple[int, str | None]], segments: list[_Segment],
                     groups: dict[str, str]) -> list[str | None]:
    """The group of each printed subtotal (小计) without its group's label on its line.

    A table prints its subtotals either all before their group's rows or all after them. A subtotal
    right after a row outside any group (（二）部分公开) can only be before; one right before a row
    outside any group (（七）总计) can only be after. When the table shows neither, or both, its
    subtotals are left unassigned (never guessed)."""
    def neighbour(k: int, step: int) -> tuple[bool, str | None]:
        j = k + step
        while 0 <= j < len(segments):
            m = segments[j].match
            if m is not None and m.entry.kind == "row":
                return True, _group_of(m.entry.key, groups)
            j += step
        return False, None

    sides = [(neighbour(k, -1), neighbour(k, 1)) for k, _ in pending]
    before = any(prev[0] and prev[1] is None for prev, _ in sides)
    after = any(nxt[0] and nxt[1] is None for _, nxt in sides)
    out: list[str | None] = []
    for (_, explicit), (prev, nxt) in zip(pending, sides, strict=True):
        if explicit is not None:
            out.append(explicit)
        elif before and not after:
            out.append(nxt[1])
        elif after and not before:
            out.append(prev[1])
        else:
            out.append(None)
    return out


def read_rows(tokens: list[Token], format_id: str, table_key: str, spaced: bool, open_end: bool = True) -> TableRead:
    """Table 2 or 3 read with one format. `open_end`: the text ends inside the table's region (a page cut
    short), so its last row may stop before its last cell; otherwise such a row is a stray, never spread
    over its first columns."""
    table = get_format(format_id).table(table_key)
    assert table is not None
    index = label_index(format_id, table_key)
    result = TableRead(construct(TableData, key=table_key, format=format_id, cells=_empty_cells(format_id, table_key)))
    data = result._data
    rows = _rows(format_id, table_key)
    groups, group_by_key = _groups(format_id, table_key)
    segments = _segments(tokens, index, result)
    has_col = any(t.provenance.col is not None for t in tokens)
    headers: list[tuple[int, dict[int, str]]] | None = None if has_col else []  # made when first needed
    # In a grid a label may span several positions, written out as empty cells after it: no value is
    # ever in a position where some row of the table prints its label.
    label_cols = max((s.label_col for s in segments if s.match and s.match.entry.kind == "row"), default=0)
    if label_cols:
        for seg in segments:
            if not seg.values or seg.values[0].kind is not BLANK:
                continue
            expected = len(rows[seg.match.entry.key][1]) if seg.match and seg.match.entry.kind == "row" else len(
                table.columns)
            while (len([v for v in seg.values if v.kind is not SEP]) > expected and seg.values[0].kind is BLANK
                   and (seg.values[0].provenance.col or 99) <= label_cols):
                seg.values.pop(0)
    _join_wrapped(segments, rows)
    _align_misspelt(segments, rows)
    orphans = _orphan_lines(segments, rows, len(table.columns), _figure_lines(tokens)) if has_col else []
    orphaned = {k for k, _ in orphans}
    has_x = any(t.x >= 0 for t in tokens)
    worded = [t for t in tokens if t.pieces and t.kind is LABEL] if has_x else []  # words laid out by columns
    anchors = _column_anchors(segments, rows, table.columns) if has_x else {}
    full_rows = set(anchors)  # anchors measured on rows that print every cell are kept over header positions
    all_keys = tuple(c.key for c in table.columns)
    first_row = next((s.label for s in segments if s.match and s.match.entry.kind == "row" and s.label), None)
    if all_keys not in anchors and first_row is not None and has_x:
        from_header = _header_anchors(worded, 0, first_row.block, len(table.columns))
        if from_header is None or _column_count(worded, 0, first_row.block, _HEADER_PIECE) != len(table.columns):
            from_header = _value_anchors(segments, len(table.columns)) or from_header
        if from_header is not None:
            anchors[all_keys] = from_header
    row_positions = [k for k, s in enumerate(segments) if s.match and s.match.entry.kind == "row"]
    last_row = row_positions[-1] if row_positions else -1
    ended_early = False
    subtotals: list[tuple[int, str | None]] = []  # (segment, group named on its line)
    glued: dict[str, Token] = {}  # row → its figures printed without separators
    previous_row_end = tokens[0].block - 1 if tokens else -1  # the last block of the row before this one
    for k, seg in enumerate(segments):
        before = segments[k - 1] if k and has_x else None
        if before is not None and before.match and before.match.entry.kind == "row" and before.label is not None:
            previous_row_end = max([before.label.block, *(v.block for v in before.values)])
        filled = [v for v in seg.values if v.kind is not SEP]
        if seg.match is None:
            label = seg.label.text.strip() if seg.label else None
            if filled and any(v.kind is VALUE for v in filled) and label and len(label) <= _PROSE_LEN:
                data.strays.append(_stray("extra_row", label, seg.values))
                result.touch(filled)
            continue
        entry = seg.match.entry
        if entry.kind == "row":
            row, columns = rows[entry.key]
            result.rows_matched += 1
            if entry.key in data.labels:
                if filled:
                    data.strays.append(_stray("ambiguous", seg.match.raw, seg.values, row.key, len(columns)))
                continue
            assert seg.label is not None
            data.labels[entry.key] = construct(LabelSeen, raw=seg.match.raw, matched=row.label,
                                               deviation=entry.deviation, provenance=seg.label.provenance)
            cells = _fit(seg.values, filled, len(columns), spaced)
            if len(cells) > len(columns) and has_col:
                if headers is None:
                    headers = _header_rows(tokens)
                cells = _collapse_merged(cells, headers, len(columns))
            if len(cells) == 1 and cells[0].glued and len(columns) > 1:
                glued[row.key] = cells[0]  # split below, by the identities, with the table's other runs
                result.touch(cells)
                continue
            keys = tuple(c.key for c in columns)
            if 0 < len(cells) < len(columns) and has_x and seg.label is not None:
                above = _header_anchors(worded, previous_row_end + 1, seg.label.block, len(columns), _ITEM_HEADER_PIECE)
                if above is not None and keys not in full_rows:
                    anchors[keys] = above  # the header just above the rows it heads
                by_position = _place_by_position(cells, anchors.get(keys, []), cells[0])
                cells = by_position or cells
            elif not cells and tuple(c.key for c in columns) in anchors and k not in orphaned:
                # laid out by columns, the row's line prints nothing under any of them: every cell printed empty
                cells = [Token("", BLANK, seg.label.block, seg.label.provenance) for _ in columns]
            result.touch(cells)
            if len(cells) == len(columns) or (open_end and cells and len(cells) < len(columns) and k == last_row):
                result.placed += result.defer(data.cells[row.key], columns, cells)
                ended_early = ended_early or len(cells) < len(columns)
            elif cells:
                kind: StrayKind = "ambiguous" if len(cells) > len(columns) else "unplaced"
                data.strays.append(_stray(kind, seg.match.raw, cells, row.key, len(columns)))
        elif entry.kind == "subtotal" and filled:
            subtotals.append((k, group_by_key.get(label_key(seg.match.head)) if seg.match.head else None))
        elif entry.kind == "group" and filled:
            _place_subtotal(result, entry.key, seg.match.raw, seg, filled, table.columns, spaced)
    for (k, _), group in zip(subtotals, _subtotal_groups(subtotals, segments, groups), strict=True):
        seg = segments[k]
        filled = [v for v in seg.values if v.kind is not SEP]
        if group is None or group in data.subtotals:
            data.strays.append(_stray("unplaced", seg.match.raw if seg.match else None, filled, group,
                                      len(table.columns)))
            result.touch(filled)
        else:
            _place_subtotal(result, group, seg.match.raw if seg.match else "", seg, filled, table.columns, spaced)
    _place_orphans(result, segments, orphans, rows)
    if glued:
        _place_glued(result, format_id, table_key, glued, rows)
    data.ended_early = ended_early
    return result


def _figure_lines(tokens: list[Token]) -> set[int]:
    """The blocks that are grid rows of two or more figures and nothing else (no label, no empty cell)."""
    counts: dict[int, int] = {}
    other: set[int] = set()
    for t in tokens:
        if t.kind is VALUE and t.provenance.col is not None:
            counts[t.block] = counts.get(t.block, 0) + 1
        elif t.kind is not SEP:
            other.add(t.block)
    return {b for b, n in counts.items() if n >= 2 and b not in other}


def _orphan_lines(segments: list[_Segment], rows: dict[str, tuple[RowDef, tuple[ColumnDef, ...]]], width: int,
                  figure_lines: set[int]) -> list[tuple[int, list[Token]]]:
    """Lines of figures printed apart from their labels (text converted from PDF by other tools: the labels in
    one place, the rows of figures in another), taken out of the segments they fell into: (segment, figures).
    A grid row of exactly `width` figures without a label of its own is such a line, even right under a label
    standing alone (the labels of such text do not stand beside their figures); a row's own line stays with it."""
    out: list[tuple[int, list[Token]]] = []
    if not figure_lines:
        return out
    for k, seg in enumerate(segments):
        if (seg.match is not None and seg.match.entry.kind != "row") or not any(
                v.block in figure_lines for v in seg.values):
            continue
        lines: dict[int, list[Token]] = {}
        for v in seg.values:
            if v.kind is not SEP:
                lines.setdefault(v.block, []).append(v)
        blocks = sorted(lines)
        own = 1 if seg.match is not None and blocks and seg.label is not None and blocks[0] == seg.label.block else 0
        extra = [b for b in blocks[own:] if b in figure_lines]
        if not extra or not all(len(lines[b]) == width for b in extra):
            continue
        seg.values = [v for v in seg.values if v.kind is SEP or v.block not in extra]
        out.extend((k, lines[b]) for b in extra)
    return out


def _place_orphans(result: TableRead, segments: list[_Segment], orphans: list[tuple[int, list[Token]]],
                   rows: dict[str, tuple[RowDef, tuple[ColumnDef, ...]]]) -> None:
    """Give lines of figures printed apart from their labels to the rows the format has between the rows
    placed around them: only where the count of lines equals the count of rows left between them, in order.
    Otherwise they are strays."""
    if not orphans:
        return
    data = result.data  # the cells placed so far, made now
    order = list(rows)
    placed = {key for key in order if any(c is not None for c in data.cells[key].values())}
    anchors = [(k, order.index(s.match.entry.key)) for k, s in enumerate(segments)
               if s.match is not None and s.match.entry.kind == "row" and s.match.entry.key in placed]
    gaps: dict[tuple[int, int], list[list[Token]]] = {}
    for k, figures in orphans:
        before = max((pos for seg_k, pos in anchors if seg_k <= k), default=-1)
        after = min((pos for seg_k, pos in anchors if seg_k > k), default=len(order))
        gaps.setdefault((before, after), []).append(figures)
    for (before, after), lines in gaps.items():
        missing = [key for key in order[before + 1:after] if key not in placed]
        if len(missing) == len(lines) and all(len(rows[key][1]) == len(line) for key, line in zip(
                missing, lines, strict=True)):
            for key, line in zip(missing, lines, strict=True):
                result.placed += result.defer(data.cells[key], rows[key][1], line)
                result.touch(line)
        else:
            for line in lines:
                data.strays.append(_stray("unplaced", None, line, None, len(line)))


def _split_tokens(tok: Token, split: Split) -> list[Token]:
    """The cells cut out of a run of figures, each marked in its provenance as split."""
    mark = tok.provenance.model_copy(update={"split": "identities" if split.by_identities else "only"})
    return [Token(text, VALUE, tok.block, mark) for text in split.cells]


def _place_glued(result: TableRead, format_id: str, table_key: str, glued: dict[str, Token],
                 rows: dict[str, tuple[RowDef, tuple[ColumnDef, ...]]]) -> None:
    """Rows printed as one run of figures: split where the identities leave one possibility, else strays."""
    data = result.data
    known = {key: {col: (c.value if c is not None else None) for col, c in cols.items()}
             for key, cols in data.cells.items() if key not in glued}
    splits = split_table(format_id, table_key, {key: tok.text for key, tok in glued.items()}, known)
    for key, tok in glued.items():
        split = splits.get(key)
        if split is None:
            data.strays.append(_stray("ambiguous", data.labels[key].raw if key in data.labels else None, [tok], key,
                                      len(rows[key][1])))
            continue
        result.placed += result.defer(data.cells[key], rows[key][1], _split_tokens(tok, split))


def _place_subtotal(result: TableRead, group: str, raw: str, seg: _Segment, filled: list[Token],
                    columns: tuple[ColumnDef, ...], spaced: bool) -> None:
    """A subtotal printed for `group`: kept beside the cells, for the checks to compare with its items."""
    data = result._data
    cells = _fit(seg.values, filled, len(columns), spaced)
    result.touch(cells)
    if len(cells) == len(columns):
        subtotal: dict[str, Cell | None] = {}
        result.defer(subtotal, columns, cells)
        data.subtotals[group] = subtotal
    else:
        data.strays.append(_stray("unplaced", raw, cells, group, len(columns)))


def _value_anchors(segments: list[_Segment], n: int) -> list[float] | None:
    """Where the `n` columns are, from where the table's rows print their figures (right-aligned under their
    column): only when the figures of all rows stand in exactly `n` places."""
    groups = _columns_of([(v.x, v.block) for s in segments if s.match is not None and s.match.entry.kind == "row"
                          for v in s.values if v.kind is VALUE and v.x >= 0])
    return [statistics.median(g) for g in groups] if len(groups) == n else None


def _flat_by_position(tokens: list[Token], values: list[Token], slots: int) -> list[Token] | None:
    """Table 4 laid out by columns with some cells printed empty: the header's words (or its characters
    stacked on lines) give the columns when they make exactly as many as the table has cells."""
    first = values[0].block
    for longest in (1, 2, _HEADER_PIECE):
        anchors = _header_anchors(tokens, tokens[0].block, first, slots, longest)
        if anchors is not None and _column_count(tokens, tokens[0].block, first, longest) == slots:
            return _place_by_position(values, anchors, values[0])
    return None


def _printed_empty(tokens: list[Token], slots: int) -> list[Token]:
    """Table 4 laid out by columns whose header is printed and whose one row prints nothing under it, with the
    report going on after it: every cell was printed empty (an empty row of a PDF table leaves no text)."""
    worded = [t for t in tokens if t.kind is LABEL and t.pieces]
    if len({t.block for t in worded}) < 2 or any(t.kind is VALUE for t in tokens):
        return []
    last = worded[-1]
    return [Token("", BLANK, last.block, last.provenance) for _ in range(slots)]


def _column_count(tokens: list[Token], lo: int, hi: int, longest: int) -> int:
    """How many columns the header pieces of at most `longest` characters on blocks `lo`–`hi` make."""
    return len(_columns_of(_header_centres(tokens, lo, hi, longest)))


def _grid_row(tok: Token) -> tuple[int | None, int | None] | int:
    """The row a token is printed in: its grid row (HTML, Word), else its line."""
    p = tok.provenance
    return (p.table, p.row) if p.row is not None else tok.block


def read_flat(tokens: list[Token], format_id: str, table_key: str, open_end: bool = True) -> TableRead:
    """Table 4: fifteen cells after the headers, row by row in reading order. Fewer cells are the first
    ones only when the text ends inside the table (`open_end`, a page cut short); otherwise they are a stray."""
    table = get_format(format_id).table(table_key)
    assert table is not None
    index = label_index(format_id, table_key)
    result = TableRead(construct(TableData, key=table_key, format=format_id, cells=_empty_cells(format_id, table_key)))
    data = result._data
    values: list[Token] = []
    header_rows = {_grid_row(t) for t in tokens if t.kind is LABEL}  # an empty cell in a header row is not a value
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.kind is BLANK and _grid_row(tok) in header_rows:
            i += 1
            continue
        if tok.kind is LABEL:
            m = index.match(tokens, i, in_rows=True)
            if m is not None:
                result.signature_hits += index.is_signature(m.raw)
                result.rows_matched += m.entry.kind == "row"
                result.headers_matched += m.entry.kind != "row"
                result.touch_blocks(tok.block, tokens[m.end - 1].block)
                i = m.end
                continue
            if values:
                break
        elif tok.kind is not SEP and (tok.kind is VALUE or values or result.first_block is not None):
            values.append(tok)  # headers may be unreadable (stacked characters): values alone start the table
        i += 1
    rows = _rows(format_id, table_key)
    slots = sum(len(columns) for _, columns in rows.values())
    while values and values[-1].kind is BLANK and len(values) > slots:
        values.pop()
    if not values and not open_end and result.found:
        values = _printed_empty(tokens, slots)
    result.touch(values)
    if len(values) > slots:
        data.strays.append(_stray("ambiguous", None, values, None, slots))
        return result
    if 0 < len(values) < slots and values[0].x >= 0:
        values = _flat_by_position(tokens, values, slots) or values
    if 0 < len(values) < slots and not open_end and not (len(values) == 1 and values[0].glued):
        data.strays.append(_stray("unplaced", None, values, None, slots))
        return result
    if len(values) == 1 and values[0].glued and slots > 1:
        splits = split_table(format_id, table_key, {run_key(*rows): values[0].text})
        if len(splits) == len(rows):
            values = [t for key in rows for t in _split_tokens(values[0], splits[key])]
        else:
            data.strays.append(_stray("ambiguous", None, values, None, slots))
            return result
    start = 0
    for key, (_, columns) in rows.items():
        result.placed += result.defer(data.cells[key], columns, values[start:start + len(columns)])
        start += len(columns)
    data.ended_early = 0 < len(values) < slots
    return result


@cache
def _same_definition(format_ids: tuple[str, ...], table_key: str) -> tuple[tuple[str, ...], ...]:
    """The candidate formats grouped by identical definitions of this table (table 4 is the same in
    2019 and 2021): a group is read once, and its reading stands for every format in it."""
    groups: list[tuple[object, list[str]]] = []
    for fid in format_ids:
        table = get_format(fid).table(table_key)
        if table is None or table.layout not in ("rows", "flat"):
            continue
        for definition, members in groups:
            if definition == table:
                members.append(fid)
                break
        else:
            groups.append((table, [fid]))
    return tuple(tuple(members) for _, members in groups)


@cache
def _signature_keys(format_id: str, table_key: str) -> tuple[str, ...]:
    table = get_format(format_id).table(table_key)
    return tuple(label_key(s) for s in table.signature) if table is not None else ()


def _with_evidence(groups: tuple[tuple[str, ...], ...], tokens: list[Token], table_key: str) -> list[tuple[str, ...]]:
    """Drop the formats whose distinctive labels are absent when another format's are present: their
    reading cannot win, so it is not worth making. Labels split across lines are found too."""
    if len(groups) < 2:
        return list(groups)
    blob = "".join(label_key(t.text) for t in tokens if t.kind is LABEL)
    evidence = [any(k in blob for k in _signature_keys(g[0], table_key)) for g in groups]
    if any(evidence) and not all(evidence):
        return [g for g, e in zip(groups, evidence, strict=True) if e]
    return list(groups)


def _complete(read: TableRead, format_id: str, table_key: str) -> bool:
    """Every cell of the definition placed, every row matched, nothing left aside."""
    rows = _rows(format_id, table_key)
    return (not read._data.strays and read.rows_matched == len(rows)
            and read.placed == sum(len(cols) for _, cols in rows.values()))


def read_table(tokens: list[Token], format_ids: list[str], table_key: str, spaced: bool,
               prefer: str | None = None, open_end: bool = True) -> list[TableRead]:
    """The table read with each candidate format that defines it, best reading first. A reading made
    for a group of formats with the same definition lists them all in `formats`.

    `prefer` (the format the tables read so far point to) is read first; when nothing tells the
    formats apart and it reads completely, the others are not tried."""
    groups = _with_evidence(_same_definition(tuple(format_ids), table_key), tokens, table_key)
    if prefer is not None:
        groups.sort(key=lambda g: prefer not in g)
    reads = []
    for group in groups:
        table = get_format(group[0]).table(table_key)
        assert table is not None
        read = read_rows(tokens, group[0], table_key, spaced, open_end) if table.layout == "rows" else \
            read_flat(tokens, group[0], table_key, open_end)
        read.formats = group
        reads.append(read)
        if prefer in group and read.signature_hits == 0 and _complete(read, group[0], table_key):
            break
    reads.sort(key=lambda r: r.score, reverse=True)  # stable: ties keep the caller's preference
    return reads
