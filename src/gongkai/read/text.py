"""Plain text as scraped: one block per line, numbered from 1 as an editor shows them.

Most scrapes are double spaced: an empty line after every line. There the empty lines only
separate (an empty table cell is printed as a line of spaces, never as an extra empty line), so
they are left out; every other text keeps its empty lines, which may be empty cells.
"""

from __future__ import annotations

import itertools

from gongkai.read.document import Block, line_provenance

_MIN_LINES = 20  # below this, too few lines to tell a layout
_SPACED_SHARE = 0.9


def text_blocks(text: str) -> list[Block]:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if double_spaced(lines):
        return [Block(line, line_provenance(i)) for i, line in enumerate(lines, 1) if line]
    return [Block(line, line_provenance(i)) for i, line in enumerate(lines, 1)]


def double_spaced(lines: list[str]) -> bool:
    """Whether (nearly) every non-empty line is followed by an empty one."""
    full = [bool(line) for line in lines]
    content = full.count(True)
    followed = len([1 for a, b in itertools.pairwise(full) if a and not b])
    return content > _MIN_LINES and followed / content >= _SPACED_SHARE
