"""Find a table's labels among tokens: rows, groups, columns and headers of one format's table."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import cache
from typing import Literal

from gongkai.extract.tokens import LABEL, SEP, Token
from gongkai.formats import TableDef, get_format
from gongkai.normalize import label_key

EntryKind = Literal["row", "group", "column", "header", "subtotal"]
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
    head: str = ""  # what was printed before the label on its line (a group label, a fragment of a merged cell)
    partial: bool = False  # only the beginning of the label: the rest is wrapped onto a later line


# Where a label may start inside a longer printed text: after spaces, or at a numbering
# (`三、本年度办理结果 （一）予以公开`, `（三） 3.危及…`, `不予公 2.其他…`).
_SPLIT_AT = re.compile(
    r"(?<=[\s\u00a0\u3000])(?=\S)"
    r"|(?<=\S)(?=[（(][一二三四五六七八九十]{1,3}[）)]|[0-9０-９]{1,2}[.、．](?![0-9０-９])|[一二三四五六七八九十]{1,3}、)"
)
_INSIDE_MAX = 120  # the longest official row label (≈ 40 characters) with its group label and fragments
_MIN_PREFIX = 4  # a label cut short must keep this many characters to name one row
_Hit = tuple[Entry, int, str, str, bool]


class LabelIndex:
    """Label keys of one table → what they name. Built once per (format, table)."""

    def __init__(self, table: TableDef):
        self.table = table
        self.entries: dict[str, list[Entry]] = {}
        self._cache: dict[tuple[tuple[str, ...], bool], _Hit | None] = {}
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
        for label in table.subtotal_labels:
            self._add(label, Entry("subtotal", "", label))
        self.signature = {label_key(s) for s in table.signature}
        # Row and group labels, sorted, to find the one a label cut short at the end of a line begins.
        self._sorted = sorted((k, e) for k, es in self.entries.items() for e in es if e.kind in ("row", "group"))
        self._sorted_keys = [k for k, _ in self._sorted]

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
        entry, n, raw, head, partial = hit
        return Match(entry, i, run[n - 1] + 1, raw, head, partial)

    def _lookup(self, cache_key: tuple[tuple[str, ...], bool]) -> _Hit | None:
        """(entry, tokens used, raw label, head, partial) for a run of label texts; remembered, as labels repeat.

        In order of trust: the whole run names something (a label split over lines is joined); a label
        printed after something else on its line (a group label, a fragment of a merged cell); the
        beginning of exactly one row's label (the rest wrapped onto a later line)."""
        texts, in_rows = cache_key
        order = _ROW_ORDER if in_rows else _HEADER_ORDER
        result: _Hit | None = None
        for n in range(len(texts), 0, -1):
            raw = "".join(texts[:n])
            found = self.entries.get(label_key(raw))
            if found:
                result = (min(found, key=lambda e: order.index(e.kind)), n, raw.strip(), "", False)
                break
        if result is None:
            result = self._lookup_inside(texts, order)
        if len(self._cache) >= _CACHE_SIZE:
            self._cache.clear()
        self._cache[cache_key] = result
        return result

    def _lookup_inside(self, texts: tuple[str, ...], order: tuple[str, ...]) -> _Hit | None:
        """A label that starts inside the run (after a space, a numbering or another token), or a row
        label cut short."""
        for n in range(1, len(texts) + 1):  # the shortest run first: a longer one would swallow rows
            raw = "".join(texts[:n])
            if len(raw) > _INSIDE_MAX:
                break  # longer than any label with a group label before it: prose, not a label
            bounds = {0, *(m.start() for m in _SPLIT_AT.finditer(raw))}
            at = 0
            for t in texts[:n - 1]:
                at += len(t)
                bounds.add(at)
            tails = [(start, raw[start:], key) for start in sorted(bounds) if (key := label_key(raw[start:]))]
            # A label found after something that is a row's label of its own is no label: the run is two rows.
            for start, tail, key in tails:  # a whole label printed after something else
                found = self.entries.get(key) if start else None
                if found and not self._names_row(raw[:start]):
                    entry = min(found, key=lambda e: order.index(e.kind))
                    return entry, n, tail.strip(), raw[:start].strip(), False
            for start, tail, key in tails:  # the beginning of one row's label
                entry = self._prefix_of(key)
                if entry is not None and not (start and self._names_row(raw[:start])):
                    return entry, n, tail.strip(), raw[:start].strip(), True
        return None

    def _names_row(self, text: str) -> bool:
        """Whether `text` is a row's label, whole or cut short."""
        key = label_key(text)
        whole = self.entries.get(key, ())
        if any(e.kind == "row" for e in whole):
            return True
        cut = self._prefix_of(key)
        return cut is not None and cut.kind == "row"

    def _prefix_of(self, key: str) -> Entry | None:
        """The one row (or group) whose label begins with `key`; None when none or several do."""
        if len(key) < _MIN_PREFIX or key.isdigit():
            return None
        lo = bisect.bisect_left(self._sorted_keys, key)
        found: set[Entry] = set()
        for k, e in self._sorted[lo:]:
            if not k.startswith(key):
                break
            found.add(Entry(e.kind, e.key, e.label))
        return next(iter(found)) if len(found) == 1 else None

    def is_signature(self, raw: str) -> bool:
        return label_key(raw) in self.signature


_ROW_ORDER = ("row", "subtotal", "group", "column", "header")
_HEADER_ORDER = ("column", "header", "row", "subtotal", "group")


@cache
def label_index(format_id: str, table_key: str) -> LabelIndex:
    table = get_format(format_id).table(table_key)
    if table is None:
        raise KeyError(f"format {format_id} has no table {table_key}")
    return LabelIndex(table)
