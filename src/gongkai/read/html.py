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

from gongkai.read.document import Block, ImageRef, grid_provenance, line_provenance

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

_PARSER = etree.HTMLParser()
"""The options of `lxml.html`'s parser (same defaults), without its per-element class lookup."""
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

    One pass over the tables, paragraphs and line breaks under `table`, each walking up to the
    table, instead of searching below every cell: data tables have many cells and few breaks.
    """
    breaks: dict[etree._Element, int] = {}
    for el in table.iter("table", "p", "br"):
        if el is table:
            continue
        nested = el.tag == "table"
        parent = el.getparent()
        while parent is not None and parent is not table:
            if parent.tag in _CELLS:
                if nested:
                    return True
                breaks[parent] = breaks.get(parent, 0) + 1
            parent = parent.getparent()
    return any(n >= 3 and len(_text_content(cell)) > _LONG_CELL for cell, n in breaks.items())


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
    return [tr for tr in table.iter("tr") if _nearest_table(tr) is table]


def _span(cell: etree._Element) -> tuple[int, int]:
    """(rowspan, colspan) of a cell, each within 1..1000; both 1 when either is not a number."""
    try:
        rowspan = max(1, min(int(cell.get("rowspan", "1") or 1), 1000))
        colspan = max(1, min(int(cell.get("colspan", "1") or 1), 1000))
    except ValueError:
        rowspan = colspan = 1
    return rowspan, colspan


def _grid_positions(table: etree._Element) -> Iterator[tuple[etree._Element, int, int]]:
    """Each physical cell with its (row, column), from 1, in the grid once rowspan/colspan are expanded.

    Only the columns that rowspans of earlier rows take in later rows are remembered: within a row
    the next cell always starts right of the previous one.
    """
    below: dict[int, set[int]] = {}  # row → columns taken by a rowspan from a row above
    for r, tr in enumerate(_rows(table), 1):
        taken = below.pop(r, None)
        c = 1
        for cell in tr.iterchildren(*_CELLS):
            if taken:
                while c in taken:
                    c += 1
            yield cell, r, c
            if cell.get("rowspan") is None and cell.get("colspan") is None:
                c += 1
                continue
            rowspan, colspan = _span(cell)
            for dr in range(1, rowspan):
                below.setdefault(r + dr, set()).update(range(c, c + colspan))
            c += colspan


def _nearest_table(el: etree._Element) -> etree._Element | None:
    parent = el.getparent()
    while parent is not None and parent.tag != "table":
        parent = parent.getparent()
    return parent


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

    def walk(self, el: etree._Element) -> None:
        tag = el.tag
        if tag.__class__ is not str or tag in _SKIP or not tag:  # comments and processing instructions
            return
        if tag == "table" and not _holds_layout(el):
            self.flush()
            self.table(el)
            return
        if tag == "br":
            self.flush()
            return
        if tag == "img":
            self.flush()
            if el.get("src"):
                self.images.append(ImageRef(el.get("src", ""), el.get("alt", ""), len(self.blocks), el.sourceline))
            return
        block = tag in _BLOCK or tag in ("td", "th", "table")
        if block:
            self.flush()
        self.add(el.text, el.sourceline)
        for child in el:
            self.walk(child)
            self.add(child.tail, child.sourceline)
        if block:
            self.flush()

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
    if root is None:  # nothing but a doctype or comments: no document at all
        return [], []
    walker = _Walker()
    title = root.find(".//title")
    if title is not None and (title.text or "").strip():
        walker.blocks.append(Block(_WS.sub(" ", title.text).strip(), line_provenance(title.sourceline)))
    body = root.find("body")
    walker.walk(body if body is not None else root)
    walker.flush()
    return walker.blocks, walker.images
