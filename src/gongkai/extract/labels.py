"""Find a table's labels among tokens: rows, groups, columns and headers of one format's table."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Literal

from gongkai.extract.tokens import LABEL, SEP, Token
from gongkai.formats import TableDef, get_format
from gongkai.normalize import label_key

EntryKind = Literal["row", "group", "column", "header"]
_MAX_JOIN = 4
_CACHE_SIZE = 16384
_MISS = object()


@dataclass(frozen=True, slots=True)
class Entry:
    kind: EntryKind
    key: str
    label: str
    deviation: bool = False


@dataclass(slots=True)  # not frozen: made for every label read, and a frozen dataclass is slow to make
class Match:
    entry: Entry
    start: int
    end: int  # index after the last token consumed
    raw: str


class LabelIndex:
    """Label keys of one table → what they name. Built once per (format, table)."""

    def __init__(self, table: TableDef):
        self.table = table
        self.entries: dict[str, list[Entry]] = {}
        self._cache: dict[tuple[tuple[str, ...], bool], tuple[Entry, int, str] | None] = {}
        for row in table.rows:
            for label in (row.label, *row.aliases):
                self._add(label, Entry("row", row.key, row.label))
            for label in row.deviations:
                self._add(label, Entry("row", row.key, row.label, deviation=True))
            if row.item:
                self._add(row.item, Entry("header", row.item, row.item))
            if row.group:
                self._add(row.group, Entry("header", row.group, row.group))
        for group in table.groups:
            self._add(group.label, Entry("group", group.key, group.label))
        for col in table.columns:
            for label in (col.label, *col.aliases):
                self._add(label, Entry("column", col.key, col.label))
            if col.group:
                self._add(col.group, Entry("header", col.group, col.group))
        for header in (*table.headers, *table.anchors):
            self._add(header, Entry("header", header, header))
        self.signature = {label_key(s) for s in table.signature}

    def _add(self, label: str, entry: Entry) -> None:
        key = label_key(label)
        if key:
            bucket = self.entries.setdefault(key, [])
            if entry not in bucket:
                bucket.append(entry)

    def match(self, tokens: list[Token], i: int, *, in_rows: bool) -> Match | None:
        """The longest run of label tokens from `i` (up to four, for labels split across lines) that
        names something in this table. In the header part of a table a name is preferably read as a
        column heading; among the rows, as a row (`其他`, `总计` are both)."""
        run: list[int] = []
        texts: list[str] = []
        j, n = i, len(tokens)
        while j < n and len(run) < _MAX_JOIN:
            tok = tokens[j]
            if tok.kind is LABEL:
                run.append(j)
                texts.append(tok.text)
            elif tok.kind is not SEP:
                break
            j += 1
        key = (tuple(texts), in_rows)
        hit = self._cache.get(key, _MISS)
        if hit is _MISS:
            hit = self._lookup(key)
        if hit is None:
            return None
        entry, n, raw = hit
        return Match(entry, i, run[n - 1] + 1, raw)

    def _lookup(self, cache_key: tuple[tuple[str, ...], bool]) -> tuple[Entry, int, str] | None:
        """(entry, tokens used, raw label) for a run of label texts; remembered, as labels repeat."""
        texts, in_rows = cache_key
        result = None
        for n in range(len(texts), 0, -1):
            raw = "".join(texts[:n])
            found = self.entries.get(label_key(raw))
            if found:
                order = ("row", "group", "column", "header") if in_rows else ("column", "header", "row", "group")
                entry = min(found, key=lambda e: order.index(e.kind))
                result = (entry, n, raw.strip())
                break
        if len(self._cache) >= _CACHE_SIZE:
            self._cache.clear()
        self._cache[cache_key] = result
        return result

    def is_signature(self, raw: str) -> bool:
        return label_key(raw) in self.signature


@cache
def label_index(format_id: str, table_key: str) -> LabelIndex:
    table = get_format(format_id).table(table_key)
    if table is None:
        raise KeyError(f"format {format_id} has no table {table_key}")
    return LabelIndex(table)
