"""Word .docx: paragraphs as text lines, tables as cells on their grid (merged cells once).

Read straight from the document XML (through python-docx's element tree) so that the body's
order of paragraphs and tables is kept, and merged cells (w:gridSpan across, w:vMerge down) are
emitted once, at their first grid position, as HTML cells with rowspan/colspan are.
"""

from __future__ import annotations

import io
import zipfile

from gongkai.model import Provenance
from gongkai.read.document import Block, ReadError

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


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


def _val(el, tag: str) -> str | None:  # type: ignore[no-untyped-def]
    pr = el.find(f"{_W}tcPr")
    node = pr.find(f"{_W}{tag}") if pr is not None else None
    if node is None:
        return None
    return node.get(f"{_W}val", "continue" if tag == "vMerge" else "1")


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
                span = int(_val(tc, "gridSpan") or 1)
                if _val(tc, "vMerge") not in (None, "restart"):
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
    try:
        from docx import Document as Docx
    except ImportError as exc:  # pragma: no cover - installed with the package
        raise ReadError("reader_missing", "缺少读取 Word 文档所需的 python-docx") from exc
    try:
        doc = Docx(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ReadError("corrupt", f"Word 文档已损坏，无法打开：{exc}") from exc
    except Exception as exc:
        raise ReadError("corrupt", f"Word 文档无法解析：{exc}") from exc
    reader = _Reader()
    reader.body(doc.element.body)
    return reader.blocks
