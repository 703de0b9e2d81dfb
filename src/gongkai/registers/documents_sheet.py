"""Spreadsheet import and export of the normative-documents register (政策文件库): one row per document.

Offices keep their 规章 and 行政规范性文件 in spreadsheets. This module reads them (XLSX, or CSV in UTF-8 with or
without a BOM, or GB18030) into `Document` records, then checks the rows against each other as `check_register`
does (unique numbers, amended and replaced documents present, no cycles). It follows the request register's
spreadsheet (`gongkai.registers.spreadsheet`) and shares its reading and writing helpers: an import is all or
nothing, every bad cell of every row is reported at once, and `export_documents` writes the same layout back.
The layout is documented in docs/documents-spreadsheet.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from gongkai.formats import get_format
from gongkai.registers.documents import TABLE, Document, check_register, document_kinds, number_key
from gongkai.registers.errors import RegisterError
from gongkai.registers.spreadsheet import (
    ImportErrors,
    ImportProblem,
    _load,
    _lookup,
    _Row,
    _rows,
    _text,
    _where,
    find_header,
    write_sheet,
)

__all__ = ["COLUMNS", "REQUIRED", "DocumentImportErrors", "ImportProblem", "export_documents", "import_documents"]

# The columns, as the spreadsheet's header row names them.
NUMBER, TITLE, KIND, ORGAN = "文号", "标题", "文件类型", "制发机关"
ISSUED, EFFECTIVE, REPEALED, LAPSED = "制发日期", "施行日期", "废止日期", "失效日期"
AMENDS, REPLACES = "修改的文件（文号）", "替代的文件（文号）"

COLUMNS: tuple[str, ...] = (NUMBER, TITLE, KIND, ORGAN, ISSUED, EFFECTIVE, REPEALED, LAPSED, AMENDS, REPLACES)
REQUIRED: tuple[str, ...] = (NUMBER, TITLE, KIND, ORGAN, ISSUED)
HEADER_ALIASES: dict[str, tuple[str, ...]] = {AMENDS: ("修改的文件",), REPLACES: ("替代的文件",)}
"""Shorter headers offices write; the bracketed note may be left out."""

# Optional cells, each the Document field it fills.
_DATES = ((EFFECTIVE, "effective"), (REPEALED, "repealed"), (LAPSED, "lapsed"))
_REFERENCES = ((AMENDS, "amends"), (REPLACES, "replaces"))
# Which cell a refusal of the record as a whole is blamed on.
_CODE_COLUMN = {"empty_number": NUMBER, "empty_title": TITLE, "empty_organ": ORGAN, "unknown_kind": KIND,
                "repealed_and_lapsed": LAPSED, "effective_before_issued": EFFECTIVE,
                "repealed_before_issued": REPEALED, "lapsed_before_issued": LAPSED}


class DocumentImportErrors(ImportErrors):
    """Every problem of a refused document import; nothing was imported."""

    def __init__(self, errors: Iterable[ImportProblem]) -> None:
        self.errors = sorted(errors, key=lambda p: (p.line, _column_rank(p.column)))
        shown = "；".join(_where(p) + p.message_zh for p in self.errors[:5])
        more = "……" if len(self.errors) > 5 else ""
        RegisterError.__init__(self, "import_invalid",
                               f"导入失败，共{len(self.errors)}处问题，未导入任何文件：{shown}{more}")


def _column_rank(column: str) -> int:
    return COLUMNS.index(column) if column in COLUMNS else len(COLUMNS)


# ---------------------------------------------------------------------------------------------------------
# Vocabulary: table 2's document rows


@dataclass(frozen=True)
class _Kinds:
    label: dict[str, str]
    lookup: dict[str, str | None]


@cache
def _kinds(format_id: str) -> _Kinds:
    """The document kinds of a format, written with table 2's row labels; read back from a label, an alias or
    the row key."""
    keys = document_kinds(format_id)
    table = get_format(format_id).table(TABLE)
    assert table is not None  # document_kinds has already refused such a format
    rows = {k: table.row(k) for k in keys}
    return _Kinds(label={k: r.label for k, r in rows.items()},
                  lookup=_lookup((k, (r.label, *r.aliases)) for k, r in rows.items()))


# ---------------------------------------------------------------------------------------------------------
# Reading


def _header(rows: list[list[object]]) -> tuple[int, dict[str, int]]:
    return find_header(rows, columns=COLUMNS, required=REQUIRED, anchor=NUMBER, aliases=HEADER_ALIASES,
                       errors=DocumentImportErrors, hint=f"须有「{NUMBER}」「{TITLE}」等列")


def _attempt(row: _Row, column: str | None, build: Callable[[], Document]) -> Document | None:
    """The record `build` makes, or None with its refusal recorded on `column` (by the code when None)."""
    try:
        return build()
    except RegisterError as err:
        row.fail(column or _CODE_COLUMN.get(err.code, NUMBER), err.code, err.message_zh)
        return None


def _document(row: _Row, format_id: str) -> Document | None:
    """The row's document, or None with the row's problems recorded. Each optional cell is added alone to the
    record of the required ones, so that what `Document` refuses is blamed on the cell that caused it."""
    kinds = _kinds(format_id)
    number, title, organ = row.required(NUMBER), row.required(TITLE), row.required(ORGAN)
    kind = row.pick(KIND, kinds.lookup, "unknown_kind", kinds.label.values()) if row.required(KIND) else None
    issued = row.date(ISSUED) if row.required(ISSUED) else None
    optional = {field: row.date(column) for column, field in _DATES}
    optional |= {field: row.text(column) or None for column, field in _REFERENCES}
    if row.problems or kind is None or issued is None:
        return None
    base = _attempt(row, None, lambda: Document(number, title, kind, organ, issued, format_id=format_id))
    if base is None:
        return None
    for column, field in (*_DATES, *_REFERENCES):
        if optional[field] is not None:
            _attempt(row, column, lambda f=field: replace(base, **{f: optional[f]}))
    if row.problems:
        return None
    return _attempt(row, None, lambda: replace(base, **optional))


def _bare(doc: Document) -> Document:
    return replace(doc, amends=None, replaces=None)


def _check_rows(read: list[tuple[_Row, Document | None]], format_id: str) -> None:
    """Numbers unique, and each amended or replaced document in the register and issued no later, row by row:
    every reference is checked by `check_register` on just the two documents it ties."""
    first: dict[str, tuple[int, Document | None]] = {}
    for row, doc in read:
        number = row.text(NUMBER)
        if not number:
            continue
        key = number_key(number)
        if key in first:
            row.fail(NUMBER, "duplicate_number", f"文号「{number}」与第{first[key][0]}行重复：每个文号只能登记一份文件")
        else:
            first[key] = (row.line, doc)
    for row, doc in read:
        if doc is None:
            continue
        for column, field in _REFERENCES:
            target = getattr(doc, field)
            if target is None:
                continue
            line, old = first.get(number_key(target), (0, None))
            if line and old is None:
                continue  # the referred row is bad itself and reported on its own line
            pair = [_bare(old)] if old is not None else []
            try:
                check_register([*pair, replace(_bare(doc), **{field: target})], format_id)
            except RegisterError as err:
                row.fail(column, err.code, err.message_zh)


def _check_whole(read: list[tuple[_Row, Document]], format_id: str) -> None:
    """What only the whole register shows (documents amending or replacing each other in a circle), blamed on
    the first document the refusal names."""
    try:
        check_register([doc for _, doc in read], format_id)
    except RegisterError as err:
        named = [number_key(n) for n in re.findall(r"「([^」]+)」", err.message_zh)]
        row, doc = next(((r, d) for r, d in read if number_key(d.number) in named), read[0])
        row.fail(AMENDS if doc.amends else REPLACES if doc.replaces else NUMBER, err.code, err.message_zh)


def import_documents(path_or_bytes: str | Path | bytes, *, format_id: str = "2021") -> list[Document]:
    """Every document of the spreadsheet, checked one by one and as a register; `DocumentImportErrors` lists
    every bad row (line as the user sees it, column, code, Chinese reason) and then nothing is imported."""
    _kinds(format_id)  # refuses a format without table 2's document rows before reading anything
    try:
        rows = _rows(_load(path_or_bytes))
    except ImportErrors as err:
        raise DocumentImportErrors(err.errors) from None
    head, positions = _header(rows)
    read: list[tuple[_Row, Document | None]] = []
    for index in range(head + 1, len(rows)):
        values = rows[index]
        if not any(_text(v) for v in values):
            continue
        row = _Row(index + 1, {c: values[j] for c, j in positions.items() if j < len(values)}, [])
        read.append((row, _document(row, format_id)))
    _check_rows(read, format_id)
    problems = [p for row, _ in read for p in row.problems]
    if not problems and read:
        good = [(row, doc) for row, doc in read if doc is not None]
        _check_whole(good, format_id)
        problems = [p for row, _ in good for p in row.problems]
    if problems:
        raise DocumentImportErrors(problems)
    return [doc for _, doc in read if doc is not None]


# ---------------------------------------------------------------------------------------------------------
# Writing


def _cells(doc: Document) -> list[object]:
    """The row of one document: dates as dates, the kind by table 2's printed label."""
    values = {NUMBER: doc.number, TITLE: doc.title, KIND: _kinds(doc.format_id).label[doc.kind], ORGAN: doc.organ,
              ISSUED: doc.issued, EFFECTIVE: doc.effective, REPEALED: doc.repealed, LAPSED: doc.lapsed,
              AMENDS: doc.amends, REPLACES: doc.replaces}
    return [values[c] for c in COLUMNS]


def export_documents(documents: Iterable[Document], path: str | Path) -> None:
    """Write the register in the import layout: XLSX, or CSV when `path` ends in .csv. Reading the file back
    with `import_documents` gives the same records."""
    write_sheet(path, COLUMNS, [_cells(d) for d in documents], title="政策文件库", widths={TITLE: 40}, width=18)
