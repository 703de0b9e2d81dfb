"""Plain text as scraped: one block per line, numbered from 1 as an editor shows them."""

from __future__ import annotations

from gongkai.model import Provenance
from gongkai.read.document import Block


def text_blocks(text: str) -> list[Block]:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return [Block(line, Provenance(line=i)) for i, line in enumerate(lines, 1)]
