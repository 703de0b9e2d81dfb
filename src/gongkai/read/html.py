"""HTML pages: running text as lines, data tables as cells with their grid position.

The report is usually one part of a larger page (navigation, footers); everything is kept in
reading order and extraction decides what belongs to the report. Layout tables (a table that
holds other tables or whole articles) are read as containers, not as data.
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from gongkai.model import Provenance
from gongkai.read.document import Block, ImageRef

_SKIP = {"script", "style", "noscript", "head", "template", "iframe", "object", "svg", "select", "option",
         "button", "input", "textarea"}
_BLOCK = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "section", "article", "header",
          "footer", "nav", "aside", "blockquote", "pre", "dd", "dt", "dl", "form", "center", "address", "main",
          "figure", "figcaption", "hr", "caption", "tr", "tbody", "thead", "tfoot", "title", "body", "html"}
_WS = re.compile(r"[ \t\r\n\f\v]+")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_LONG_CELL = 300


def _is_container(cell: etree._Element) -> bool:
    """A cell that holds a table or a whole article is layout, not a table cell."""
    if cell.find(".//table") is not None:
        return True
    text = cell.text_content()
    return len(text) > _LONG_CELL and len(cell.findall(".//p")) + len(cell.findall(".//br")) >= 3


def _cell_text(cell: etree._Element) -> str:
    """A cell's text with <br>/<p> joined without a break: `商业<br>企业` is the label 商业企业."""
    parts: list[str] = []
    for piece in cell.itertext():
        parts.append(_WS.sub(" ", piece))
    text = "".join(parts)
    return text.strip(" ")


def _grid_positions(table: etree._Element) -> list[tuple[etree._Element, int, int]]:
    """Each physical cell with its (row, column) in the grid once rowspan/colspan are expanded."""
    occupied: set[tuple[int, int]] = set()
    result = []
    rows = [tr for tr in table.iter("tr") if _nearest_table(tr) is table]
    for r, tr in enumerate(rows):
        c = 0
        for cell in tr:
            if not isinstance(cell.tag, str) or cell.tag not in ("td", "th"):
                continue
            while (r, c) in occupied:
                c += 1
            try:
                rowspan = max(1, min(int(cell.get("rowspan", "1") or 1), 1000))
                colspan = max(1, min(int(cell.get("colspan", "1") or 1), 1000))
            except ValueError:
                rowspan = colspan = 1
            result.append((cell, r, c))
            for dr in range(rowspan):
                for dc in range(colspan):
                    occupied.add((r + dr, c + dc))
            c += colspan
    return result


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
            self.blocks.append(Block(text, Provenance(line=self.line_source)))
        self.line = []
        self.line_source = None

    def add(self, text: str | None, source: int | None) -> None:
        if text:
            if self.line_source is None and text.strip():
                self.line_source = source
            self.line.append(text)

    def walk(self, el: etree._Element) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _SKIP or not tag:
            return
        if tag == "table" and not any(_is_container(c) for c in el.iter("td", "th")):
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
        for cell, r, c in _grid_positions(table):
            prov = Provenance(line=cell.sourceline, table=self.table_index, row=r + 1, col=c + 1)
            self.blocks.append(Block(_cell_text(cell), prov, cell=True))


def html_blocks(text: str) -> tuple[list[Block], list[ImageRef]]:
    """Blocks of an HTML page in reading order, and the images it shows."""
    text = _XML_DECL.sub("", text, count=1)
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError):  # nothing but a doctype or comments: no document at all
        return [], []
    walker = _Walker()
    title = root.find(".//title")
    if title is not None and (title.text or "").strip():
        walker.blocks.append(Block(_WS.sub(" ", title.text).strip(), Provenance(line=title.sourceline)))
    body = root.find("body")
    walker.walk(body if body is not None else root)
    walker.flush()
    return walker.blocks, walker.images
