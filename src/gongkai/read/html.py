"""HTML pages: running text as lines, data tables as cells with their grid position.

The report is usually one part of a larger page (navigation, footers); everything is kept in
reading order and extraction decides what belongs to the report. Layout tables (a table that
holds other tables or whole articles) are read as containers, not as data.

Reading is on the hot path of every HTML parse, so the tree is built by lxml's plain HTML parser
(`lxml.html` builds the same tree but looks up a Python class for every element it hands out),
each table is searched once rather than once per cell, and provenances are built without
validation (their values come from the parser and are valid by construction).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import etree

from gongkai.read.document import Block, ImageRef, ReadError, grid_provenance, line_provenance

_SKIP = {"script", "style", "noscript", "head", "template", "iframe", "object", "svg", "select", "option",
         "button", "input", "textarea"}
_BLOCK = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "section", "article", "header",
          "footer", "nav", "aside", "blockquote", "pre", "dd", "dt", "dl", "form", "center", "address", "main",
          "figure", "figcaption", "hr", "caption", "tr", "tbody", "thead", "tfoot", "title", "body", "html"}
_CELLS = ("td", "th")
_WS = re.compile(r"[ \t\r\n\f\v]+")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_LONG_CELL = 300
_WS_RUN = re.compile(r"[ \t\r\n\f\v]{2}")
_PIECE = "\x00"
"""Joins a cell's text pieces before collapsing whitespace: it never occurs in parsed text (libxml2
strings end at NUL) and is not whitespace, so a run of spaces is never merged across two pieces."""

_PARSER = etree.HTMLParser(huge_tree=True, no_network=True)
"""The options of `lxml.html`'s parser (same defaults), without its per-element class lookup; `huge_tree`
raises libxml2's depth limit from 256 to 2048 (pages with hundreds of unclosed `<font>` tags are read whole,
not cut off where the limit is reached). HTML parsing never loads a DTD nor resolves external entities."""
MAX_SPAN = 1000
"""A colspan beyond this counts as this (as browsers do); a rowspan is cut at the table's last row."""
MAX_SPANNED_ROWS = 100_000
"""Rows covered from above by rowspans, summed over a table's cells (after cutting each at the table's
end): reading a table takes time in this sum. A real report's tables stay under a few thousand; a page
past it is refused rather than read for minutes."""
_INVISIBLE_TAGS = ("script", "style", "noscript", "template")
_HIDDEN_STYLE = re.compile(r"(?<![-\w])(?:display\s*:\s*none|visibility\s*:\s*(?:hidden|collapse))(?![-\w])", re.I)
_STYLES = etree.XPath("//@style", smart_strings=False)
_WITH_STYLE = etree.XPath("//*[@style = $style]")
_WITH_HIDDEN = etree.XPath("//*[@hidden]")
def _text_content(el: etree._Element) -> str:
    """All the text under `el`, comments excluded, as `lxml.html`'s `text_content()` gives it
    (libxml2 concatenates it in one call: much cheaper than iterating)."""
    return etree.tostring(el, method="text", encoding="unicode", with_tail=False)


def _plain(text: str) -> bool:
    """True when `text` holds none of the whitespace `_WS` collapses (tab, newline, CR, FF and VT are
    not printable; neither are NBSP and ideographic spaces, which merely take the slow path)."""
    return " " not in text and text.isprintable()


def _holds_layout(table: etree._Element) -> bool:
    """True when a cell of `table` (or of a table inside it) is layout, not a table cell: it holds a
    table, or a whole article (long text in at least three paragraphs or lines).

    One pass over the tables, paragraphs and line breaks under `table`, each finding its cell by a walk
    up that stops where an earlier walk passed (so a page nested thousands deep costs its size, not its
    size times its depth), instead of searching below every cell: data tables have many cells and few breaks.
    """
    memo: dict[etree._Element, etree._Element | None] = {}
    breaks: dict[etree._Element, int] = {}
    for el in table.iter("table", "p", "br"):
        if el is table:
            continue
        cell = _enclosing(el.getparent(), _CELLS, table, memo)
        if cell is None:
            continue
        if el.tag == "table":
            return True
        breaks[cell] = breaks.get(cell, 0) + 1
    if not breaks:
        return False
    for cell in reversed(list(table.iter(*_CELLS))):  # a break counts for every cell around it: inner cells first
        n = breaks.get(cell)
        outer = _enclosing(cell.getparent(), _CELLS, table, memo) if n else None
        if outer is not None:
            breaks[outer] = breaks.get(outer, 0) + n  # type: ignore[operator]
    return any(n >= 3 and len(_text_content(cell)) > _LONG_CELL for cell, n in breaks.items())


def _enclosing(el: etree._Element | None, tags: tuple[str, ...], stop: etree._Element | None,
               memo: dict[etree._Element, etree._Element | None]) -> etree._Element | None:
    """`el` or its nearest ancestor with one of `tags`, below `stop` (None when there is none).

    Every element passed on the way up is remembered in `memo` with the answer, so later walks stop
    where an earlier one went: walks from every element of a subtree cost the subtree's size in all.
    """
    path = []
    node = el
    while node is not None and node is not stop:
        if node in memo:
            found = memo[node]
            break
        if node.tag in tags:
            found = node
            break
        path.append(node)
        node = node.getparent()
    else:
        found = None
    for passed in path:
        memo[passed] = found
    return found


def _cell_text(cell: etree._Element) -> str:
    """A cell's text with <br>/<p> joined without a break: `商业<br>企业` is the label 商业企业.

    Whitespace is collapsed within each text piece (an element's text or tail), not across pieces:
    `a\\n<br>\\nb` is `a  b`. The pieces are only needed when two whitespace characters meet, which
    might lie in two pieces; otherwise the whole text is read at once.
    """
    if len(cell):
        text = _text_content(cell)
        if not _plain(text) and _WS_RUN.search(text):
            pieces = list(cell.itertext())
            return _WS.sub(" ", _PIECE.join(pieces)).replace(_PIECE, "").strip(" ")
    else:  # the common cell: only text
        text = cell.text or ""
    return text if _plain(text) else _WS.sub(" ", text).strip(" ")


def _rows(table: etree._Element) -> list[etree._Element]:
    """The rows of `table` itself, in order, not those of a table inside it."""
    tables = table.iter("table")
    next(tables)  # the table itself
    if next(tables, None) is None:
        return list(table.iter("tr"))
    memo: dict[etree._Element, etree._Element | None] = {}
    return [tr for tr in table.iter("tr") if _enclosing(tr.getparent(), ("table",), None, memo) is table]


def _span(cell: etree._Element, rows_left: int) -> tuple[int, int]:
    """(rowspan, colspan) of a cell: the rowspan within the `rows_left` rows from the cell's own down, the
    colspan within 1..MAX_SPAN; both 1 when either is not a number."""
    try:
        rowspan = max(1, min(int(cell.get("rowspan", "1") or 1), rows_left))
        colspan = max(1, min(int(cell.get("colspan", "1") or 1), MAX_SPAN))
    except ValueError:
        rowspan = colspan = 1
    return rowspan, colspan


def _grid_positions(table: etree._Element) -> Iterator[tuple[etree._Element, int, int]]:
    """Each physical cell with its (row, column), from 1, in the grid once rowspan/colspan are expanded.

    Rowspans are remembered as column ranges with the last row they cover, never cell by cell, so a
    page of `rowspan="65534" colspan="1000"` cells takes memory in its number of cells, not its spans.
    Within a row the next cell always starts right of the previous one.
    """
    rows = _rows(table)
    spans: list[tuple[int, int, int]] = []  # (last row, first column, column after the last) of each rowspan
    spanned = 0
    for r, tr in enumerate(rows, 1):
        if spans:
            spans = [s for s in spans if s[0] >= r]
            taken = sorted((first, end) for _, first, end in spans)
        else:
            taken = []
        k = 0
        c = 1
        for cell in tr.iterchildren(*_CELLS):
            while k < len(taken) and taken[k][1] <= c:
                k += 1
            while k < len(taken) and taken[k][0] <= c:  # c falls in a range taken from above: after it
                c = max(c, taken[k][1])
                k += 1
                while k < len(taken) and taken[k][1] <= c:
                    k += 1
            yield cell, r, c
            if cell.get("rowspan") is None and cell.get("colspan") is None:
                c += 1
                continue
            rowspan, colspan = _span(cell, len(rows) - r + 1)
            if rowspan > 1:
                spanned += rowspan - 1
                if spanned > MAX_SPANNED_ROWS:
                    raise ReadError("table_too_large", "网页中的表格合并单元格跨行过多"
                                    f"（合计超过 {MAX_SPANNED_ROWS} 行），不是正常的表格，无法读取")
                spans.append((r + rowspan - 1, c, c + colspan))
            c += colspan


_RESOURCE_LIMIT = etree.ErrorTypes.ERR_RESOURCE_LIMIT
"""libxml2's error when a page is nested deeper than its limit: the rest of the page would be dropped."""
_ENTER, _TAIL, _FLUSH = 0, 1, 2
"""What the walker does next: read an element, add an element's tail text, end a block."""


def _remove_hidden(root: etree._Element) -> None:
    """Drop what a reader of the page never sees: scripts, styles, `<noscript>`, `<template>`, and
    elements with the `hidden` attribute or an inline `display:none` / `visibility:hidden` style. Their
    text would otherwise be read as lines and cells (numbers no reader was shown). The text after a
    dropped element (its tail) is visible and kept. Styles from style sheets or classes are not applied."""
    etree.strip_elements(root, *_INVISIBLE_TAGS, with_tail=False)
    hidden = _WITH_HIDDEN(root)
    # every page (a style may be written with character references); each distinct style once: pages
    # repeat a few styles on thousands of elements
    for style in set(_STYLES(root)):
        if _HIDDEN_STYLE.search(style):
            hidden += _WITH_STYLE(root, style=style)
    for el in hidden:
        parent = el.getparent()
        if parent is None:
            continue
        tail = el.tail
        if tail:
            prev = el.getprevious()
            if prev is not None:
                prev.tail = (prev.tail or "") + tail
            else:
                parent.text = (parent.text or "") + tail
        parent.remove(el)


class _Walker:
    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.images: list[ImageRef] = []
        self.line: list[str] = []
        self.line_source: int | None = None
        self.table_index = 0

    def flush(self) -> None:
        text = _WS.sub(" ", "".join(self.line)).strip(" ")
        if text.strip():
            self.blocks.append(Block(text, line_provenance(self.line_source)))
        self.line = []
        self.line_source = None

    def add(self, text: str | None, source: int | None) -> None:
        if text:
            if self.line_source is None and text.strip():
                self.line_source = source
            self.line.append(text)

    def walk(self, root: etree._Element) -> None:
        """The text and tables under `root` in document order; iterative, so a page nested 2,000 deep
        (libxml2's limit with `huge_tree`) is read without reaching Python's recursion limit."""
        stack: list[tuple[int, etree._Element | None]] = [(_ENTER, root)]
        pop, push = stack.pop, stack.append
        while stack:
            op, el = pop()
            if op == _FLUSH:
                self.flush()
                continue
            assert el is not None
            if op == _TAIL:
                self.add(el.tail, el.sourceline)
                continue
            tag = el.tag
            if tag.__class__ is not str or tag in _SKIP or not tag:  # comments and processing instructions
                continue
            if tag == "table" and not _holds_layout(el):
                self.flush()
                self.table(el)
                continue
            if tag == "br":
                self.flush()
                continue
            if tag == "img":
                self.flush()
                if el.get("src"):
                    self.images.append(ImageRef(el.get("src", ""), el.get("alt", ""), len(self.blocks), el.sourceline))
                continue
            block = tag in _BLOCK or tag in ("td", "th", "table")
            if block:
                self.flush()
                push((_FLUSH, None))
            self.add(el.text, el.sourceline)
            for child in reversed(el):
                push((_TAIL, child))
                push((_ENTER, child))

    def table(self, table: etree._Element) -> None:
        self.table_index += 1
        index = self.table_index
        append = self.blocks.append
        for cell, r, c in _grid_positions(table):
            append(Block(_cell_text(cell), grid_provenance(cell.sourceline, index, r, c), cell=True))


def html_blocks(text: str) -> tuple[list[Block], list[ImageRef]]:
    """Blocks of an HTML page in reading order, and the images it shows."""
    text = _XML_DECL.sub("", text, count=1)
    try:
        root = etree.fromstring(text, _PARSER)
    except (etree.ParserError, ValueError):
        return [], []
    if any(e.type == _RESOURCE_LIMIT for e in _PARSER.error_log):
        raise ReadError("too_deep", "网页的标签嵌套层数过多（超过 2048 层），无法完整读取；请修复网页后再试")
    if root is None:  # nothing but a doctype or comments: no document at all
        return [], []
    _remove_hidden(root)
    walker = _Walker()
    title = root.find(".//title")
    if title is not None and (title.text or "").strip():
        walker.blocks.append(Block(_WS.sub(" ", title.text).strip(), line_provenance(title.sourceline)))
    body = root.find("body")
    walker.walk(body if body is not None else root)
    walker.flush()
    return walker.blocks, walker.images
