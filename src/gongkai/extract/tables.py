"""Read the tables of the 2019/2021 formats out of a token stream, guided by the format's definition.

Row tables (tables 2 and 3): a row label is followed by its cells. Flat tables (table 4): the
header labels are followed by all cells in reading order. A row whose cells cannot be placed
without guessing (too many, or too few with more rows after it) is kept aside as a stray,
never spread over the wrong columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Literal

from gongkai.extract.labels import LabelIndex, Match, label_index
from gongkai.extract.tokens import BLANK, LABEL, SEP, VALUE, Token
from gongkai.extract.values import read_value
from gongkai.formats import ColumnDef, RowDef, get_format
from gongkai.model import Cell, LabelSeen, StrayRow, TableCells, TableData
from gongkai.normalize import label_key
from gongkai.read.document import construct

_PROSE_LEN = 40
StrayKind = Literal["extra_row", "unplaced", "ambiguous"]


class TableRead:
    """One table read with one format: its score, and its cells (built only when asked for).

    Every table is read with each format that defines it and only the best reading is kept, so
    the cells are made from their tokens when `data` is first used, not while reading.
    """

    __slots__ = ("_data", "_pending", "first_block", "formats", "last_block", "last_placed", "placed", "rows_matched",
                 "signature_hits")

    def __init__(self, data: TableData):
        self._data = data
        self._pending: list[tuple[dict[str, Cell | None], tuple[ColumnDef, ...], list[Token]]] = []
        self.placed = 0
        self.signature_hits = 0
        self.rows_matched = 0
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
        return self.placed > 0 or self.rows_matched > 0 or self.signature_hits > 0


@dataclass(slots=True)
class _Segment:
    match: Match | None
    label: Token | None
    values: list[Token] = field(default_factory=list)


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


def _segments(tokens: list[Token], index: LabelIndex, result: TableRead) -> list[_Segment]:
    segments: list[_Segment] = []
    in_rows = False
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.kind is LABEL:
            m = index.match(tokens, i, in_rows=in_rows)
            if m is not None:
                result.signature_hits += index.is_signature(m.raw)
                in_rows = in_rows or m.entry.kind in ("row", "group")
                segments.append(_Segment(m, tok))
                result.touch_blocks(tok.block, tokens[m.end - 1].block)
                i = m.end
                continue
            result.signature_hits += index.is_signature(tok.text)
            segments.append(_Segment(None, tok))
        elif segments:
            segments[-1].values.append(tok)
        i += 1
    return segments


def read_rows(tokens: list[Token], format_id: str, table_key: str, spaced: bool) -> TableRead:
    table = get_format(format_id).table(table_key)
    assert table is not None
    index = label_index(format_id, table_key)
    result = TableRead(construct(TableData, key=table_key, format=format_id, cells=_empty_cells(format_id, table_key)))
    data = result._data
    rows = _rows(format_id, table_key)
    segments = _segments(tokens, index, result)
    row_positions = [k for k, s in enumerate(segments) if s.match and s.match.entry.kind == "row"]
    last_row = row_positions[-1] if row_positions else -1
    ended_early = False
    for k, seg in enumerate(segments):
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
            result.touch(cells)
            if len(cells) == len(columns) or (cells and len(cells) < len(columns) and k == last_row):
                result.placed += result.defer(data.cells[row.key], columns, cells)
                ended_early = ended_early or len(cells) < len(columns)
            elif cells:
                kind: StrayKind = "ambiguous" if len(cells) > len(columns) else "unplaced"
                data.strays.append(_stray(kind, seg.match.raw, cells, row.key, len(columns)))
        elif entry.kind == "group" and filled:
            cells = _fit(seg.values, filled, len(table.columns), spaced)
            result.touch(cells)
            if len(cells) == len(table.columns):
                subtotal: dict[str, Cell | None] = {}
                result.defer(subtotal, table.columns, cells)
                data.subtotals[entry.key] = subtotal
            else:
                data.strays.append(_stray("unplaced", seg.match.raw, cells, entry.key, len(table.columns)))
    data.ended_early = ended_early
    return result


def read_flat(tokens: list[Token], format_id: str, table_key: str) -> TableRead:
    """Table 4: fifteen cells after the headers, row by row in reading order."""
    table = get_format(format_id).table(table_key)
    assert table is not None
    index = label_index(format_id, table_key)
    result = TableRead(construct(TableData, key=table_key, format=format_id, cells=_empty_cells(format_id, table_key)))
    data = result._data
    values: list[Token] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.kind is LABEL:
            m = index.match(tokens, i, in_rows=True)
            if m is not None:
                result.signature_hits += index.is_signature(m.raw)
                result.rows_matched += m.entry.kind == "row"
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
    result.touch(values)
    if len(values) > slots:
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
               prefer: str | None = None) -> list[TableRead]:
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
        read = read_rows(tokens, group[0], table_key, spaced) if table.layout == "rows" else \
            read_flat(tokens, group[0], table_key)
        read.formats = group
        reads.append(read)
        if prefer in group and read.signature_hits == 0 and _complete(read, group[0], table_key):
            break
    reads.sort(key=lambda r: r.score, reverse=True)  # stable: ties keep the caller's preference
    return reads
