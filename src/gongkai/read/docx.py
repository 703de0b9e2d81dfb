"""Word .docx: paragraphs as text lines, tables as cells on their grid (merged cells once).

Read straight from the document XML (lxml on the package's main part) so that the body's
order of paragraphs and tables is kept, and merged cells (w:gridSpan across, w:vMerge down) are
emitted once, at their first grid position, as HTML cells with rowspan/colspan are.
"""

from __future__ import annotations

import io
import zipfile
import zlib

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


MAX_PART_BYTES = 64 * 1024 * 1024
"""A package part (the document XML) larger than this once decompressed is refused: a report's is a few
hundred KB, and a zip bomb's is gigabytes of zeros."""
MAX_RATIO = 200
"""Decompressed size over compressed size beyond which a part (past its first MiB) is a zip bomb: Word's
document XML compresses about 10–30 times; zeros about 1,000 times."""
_RATIO_FROM = 1024 * 1024
_CHUNK = 1024 * 1024


def _part(package: zipfile.ZipFile, name: str) -> bytes:
    """A part of the package, decompressed in chunks and given up as soon as it is too large or expands
    like a zip bomb: memory and time stay bounded whatever the sizes the zip declares."""
    info = package.getinfo(name)
    if info.file_size > MAX_PART_BYTES:
        raise _bomb(name, info.file_size)
    out = bytearray()
    with package.open(info) as member:
        while chunk := member.read(_CHUNK):
            out += chunk
            expands = len(out) > _RATIO_FROM and len(out) > MAX_RATIO * max(info.compress_size, 1)
            if len(out) > MAX_PART_BYTES or expands:
                raise _bomb(name, len(out))
    return bytes(out)


def _bomb(name: str, size: int) -> ReadError:
    return ReadError("zip_bomb", f"Word 文档的部件 {name} 解压后过大（已超过 {size // 2**20} MiB 或压缩比异常），"
                     "疑似压缩炸弹，未读取")


def _parse(xml: bytes, parser, name: str):  # type: ignore[no-untyped-def]
    """A part's XML; a document type declaration (where entities are declared: entity expansion, files
    or URLs named as external entities) is refused. Word never writes one."""
    from lxml import etree

    root = None if b"<!DOCTYPE" in xml or b"<!ENTITY" in xml else etree.fromstring(xml, parser)
    info = root.getroottree().docinfo if root is not None else None
    if info is None or info.doctype or info.internalDTD is not None or info.externalDTD is not None:
        raise ReadError("unsafe_xml", f"Word 文档的部件 {name} 含有文档类型声明（DTD/实体），"
                        "可能是恶意构造的文件，未读取")
    return root


def _body(data: bytes):  # type: ignore[no-untyped-def]
    """The w:body of the package's main document part, parsed by lxml alone: python-docx's loading of
    every part and its element classes took most of the time of reading a report."""
    from lxml import etree

    # python-docx's settings, and nothing fetched or expanded: no DTD, no entities, no network
    parser = etree.XMLParser(remove_blank_text=True, resolve_entities=False, load_dtd=False, no_network=True,
                             huge_tree=False)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            rels = _parse(_part(package, "_rels/.rels"), parser, "_rels/.rels")
            target = next((r.get("Target") for r in rels.iter(f"{_RELS}Relationship") if r.get("Type") in _MAIN),
                          "word/document.xml")
            name = (target or "").lstrip("/")
            root = _parse(_part(package, name), parser, name)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, NotImplementedError, RuntimeError, EOFError,
            KeyError, ValueError, OSError) as exc:
        raise ReadError("corrupt", f"Word 文档已损坏，无法打开：{exc}") from exc
    except etree.XMLSyntaxError as exc:
        raise ReadError("corrupt", f"Word 文档无法解析：{exc}") from exc
    body = root.find(f"{_W}body")
    if root.tag != f"{_W}document" or body is None:
        raise ReadError("corrupt", "Word 文档无法解析：缺少正文（w:body）")
    return body
