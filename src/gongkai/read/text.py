"""Plain text as scraped: one block per line, numbered from 1 as an editor shows them."""

from __future__ import annotations

from gongkai.read.document import Block, line_provenance


def text_blocks(text: str) -> list[Block]:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return [Block(line, line_provenance(i)) for i, line in enumerate(lines, 1)]
