"""Word .docx: paragraphs as text lines, tables as cells on their grid (merged cells once).

Read straight from the document XML (lxml on the package's main part) so that the body's
order of paragraphs and tables is kept, and merged cells (w:gridSpan across, w:vMerge down) are
emitted once, at their first grid position, as HTML cells with rowspan/colspan are.
"""

from __future__ import annotations

import io
import zipfile

from gongkai.model import Provenance
from gongkai.read.document import Block, ReadError

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_VAL = f"{_W}val"


def _text(el) -> str:  # type: ignore[no-untyped-def]
    """The text of a paragraph (runs, tabs, breaks as spaces)."""
    parts = []
    for node in el.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr"):
        if node.tag == f"{_W}t":
            parts.append(node.text or "")
        else:
            parts.append(" ")
    return "".join(parts)


def _cell_text(tc) -> str:  # type: ignore[no-untyped-def]
    """A cell's paragraphs joined without a break: `商业` / `企业` is the label 商业企业."""
    paras = [_text(p).strip() for p in tc.iter(f"{_W}p")]
    return "".join(paras).strip()


def _val(pr, tag: str) -> str | None:  # type: ignore[no-untyped-def]
    """A cell property (`pr`: the cell's w:tcPr) as Word writes it, its default when given bare."""
    if pr is None:
        return None
    node = pr.find(_W + tag)
    if node is None:
        return None
    return node.get(_VAL, "continue" if tag == "vMerge" else "1")


class _Reader:
    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.tables = 0
        self.paragraphs = 0

    def paragraph(self, p) -> None:  # type: ignore[no-untyped-def]
        self.paragraphs += 1
        text = _text(p)
        if text.strip():
            self.blocks.append(Block(text.strip(), Provenance(line=self.paragraphs)))

    def table(self, tbl) -> None:  # type: ignore[no-untyped-def]
        if any(True for _ in tbl.iter(f"{_W}tbl") if _ is not tbl):
            # a layout table holding tables: read its content as the body it lays out
            for tc in tbl.iter(f"{_W}tc"):
                if tc.getparent().getparent() is tbl:
                    self.body(tc)
            return
        self.tables += 1
        for r, tr in enumerate(tbl.findall(f"{_W}tr")):
            col = 0
            trpr = tr.find(f"{_W}trPr")
            before = trpr.find(f"{_W}gridBefore") if trpr is not None else None
            if before is not None:
                col += int(before.get(f"{_W}val", "0") or 0)
            for tc in tr.findall(f"{_W}tc"):
                pr = tc.find(f"{_W}tcPr")
                span = int(_val(pr, "gridSpan") or 1)
                if _val(pr, "vMerge") not in (None, "restart"):
                    col += span  # covered by the cell above: that cell was emitted once already
                    continue
                prov = Provenance(table=self.tables, row=r + 1, col=col + 1)
                self.blocks.append(Block(_cell_text(tc), prov, cell=True))
                col += span

    def body(self, parent) -> None:  # type: ignore[no-untyped-def]
        for child in parent:
            if child.tag == f"{_W}p":
                self.paragraph(child)
            elif child.tag == f"{_W}tbl":
                self.table(child)
            elif child.tag in (f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml", f"{_W}ins"):
                self.body(child)


def read_docx(data: bytes) -> list[Block]:
    reader = _Reader()
    reader.body(_body(data))
    return reader.blocks


_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_MAIN = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument",
         "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument")


def _body(data: bytes):  # type: ignore[no-untyped-def]
    """The w:body of the package's main document part, parsed by lxml alone: python-docx's loading of
    every part and its element classes took most of the time of reading a report."""
    from lxml import etree

    parser = etree.XMLParser(remove_blank_text=True, resolve_entities=False)  # python-docx's settings
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            rels = etree.fromstring(package.read("_rels/.rels"), parser)
            target = next((r.get("Target") for r in rels.iter(f"{_RELS}Relationship") if r.get("Type") in _MAIN),
                          "word/document.xml")
            root = etree.fromstring(package.read(target.lstrip("/")), parser)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ReadError("corrupt", f"Word 文档已损坏，无法打开：{exc}") from exc
    except etree.XMLSyntaxError as exc:
        raise ReadError("corrupt", f"Word 文档无法解析：{exc}") from exc
    body = root.find(f"{_W}body")
    if root.tag != f"{_W}document" or body is None:
        raise ReadError("corrupt", "Word 文档无法解析：缺少正文（w:body）")
    return body
