"""Read stage: bytes → a Document of text blocks and table cells, whatever the container.

`read_bytes` recognises the kind of file by its content. Text and HTML are read here; PDF, Word
and images by the readers registered in `CONTAINER_READERS` (see `gongkai.read.containers`).
"""

from __future__ import annotations

import contextlib
import hashlib
import stat
from collections.abc import Callable
from pathlib import Path

from gongkai.model import Source
from gongkai.read.decode import decode
from gongkai.read.detect import HTML, TEXT, sniff
from gongkai.read.document import Block, Document, ReadError
from gongkai.read.html import html_blocks
from gongkai.read.text import text_blocks

__all__ = ["CONTAINER_READERS", "Block", "Document", "ReadError", "read_bytes", "read_path"]

# media type → function(bytes) -> list[Block]; filled by the container readers (PDF, Word, images).
CONTAINER_READERS: dict[str, Callable[[bytes], list[Block]]] = {}


def _register_containers() -> None:
    with contextlib.suppress(ImportError):
        from gongkai.read import containers  # noqa: F401  (registers itself)


def read_bytes(data: bytes, path: str | None = None) -> Document:
    """Read one file's bytes into a Document. Raises ReadError when nothing can be read."""
    sha = hashlib.sha256(data).hexdigest()
    media_type = sniff(data)
    source = Source(path=path, sha256=sha, media_type=media_type, size=len(data))
    if media_type in (HTML, TEXT):
        text, encoding = decode(data, html=media_type == HTML)
        source.encoding = encoding
        if media_type == HTML:
            blocks, images = html_blocks(text)
            if not blocks and not images:
                raise ReadError("empty", "网页中没有可读取的文字")
            return Document(source, blocks, images=images)
        return Document(source, text_blocks(text))
    _register_containers()
    reader = CONTAINER_READERS.get(media_type)
    if reader is None:
        raise ReadError("unsupported", f"不支持的文件类型：{media_type}")
    return Document(source, reader(data))


def read_path(path: str | Path, images_dir: str | Path | None = None) -> Document:
    """Read a file; the images of an HTML page (tables published as pictures) are looked up beside
    the page, or in `images_dir`, and OCR'd in place (see `gongkai.read.image`)."""
    p = Path(path)
    try:
        if not stat.S_ISREG(p.stat().st_mode):  # a FIFO would block, a device (/dev/zero) never end
            raise ReadError("unreadable", "不是普通文件（设备、管道或套接字等），不读取")
        data = p.read_bytes()
    except FileNotFoundError as exc:
        raise ReadError("unreadable", "文件不存在") from exc
    except PermissionError as exc:
        raise ReadError("unreadable", "没有读取该文件的权限") from exc
    except IsADirectoryError as exc:
        raise ReadError("unreadable", "这是一个目录，不是文件") from exc
    except OSError as exc:
        raise ReadError("unreadable", f"无法读取文件（系统错误 {exc.errno}）") from exc
    doc = read_bytes(data, str(path))
    if doc.images:
        with contextlib.suppress(ImportError):
            from gongkai.read.image import attach_images

            attach_images(doc, Path(images_dir) if images_dir is not None else p.parent)
    return doc
