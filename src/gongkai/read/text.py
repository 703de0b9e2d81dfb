"""Plain text as scraped: one block per line, numbered from 1 as an editor shows them.

Most scrapes are double spaced: an empty line after every line. There the empty lines separate,
and are left out, except that an empty table cell is an empty line of its own between two
separators: a run of 2k+1 empty lines holds k empty cells, read as empty cells. Every other text
keeps its empty lines, which may be empty cells.
"""

from __future__ import annotations

import itertools

from gongkai.read.document import Block, line_provenance

_MIN_LINES = 20  # below this, too few lines to tell a layout
_SPACED_SHARE = 0.9


def text_blocks(text: str) -> list[Block]:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if double_spaced(lines):
        return _without_separators(lines)
    return [Block(line, line_provenance(i)) for i, line in enumerate(lines, 1)]


def double_spaced(lines: list[str]) -> bool:
    """Whether (nearly) every non-empty line is followed by an empty one."""
    full = [bool(line) for line in lines]
    content = full.count(True)
    followed = len([1 for a, b in itertools.pairwise(full) if a and not b])
    return content > _MIN_LINES and followed / content >= _SPACED_SHARE


def _without_separators(lines: list[str]) -> list[Block]:
    """The lines of double-spaced text, separators left out and empty cells kept (see the module's doc)."""
    out: list[Block] = []
    run = 0
    for i, line in enumerate(lines, 1):
        if not line:
            run += 1
            if run % 2 == 0 and out:  # the second, fourth … empty line of a run stands between two separators
                out.append(Block("", line_provenance(i), cell=True))
            continue
        if run % 2 == 0 and run and out and out[-1].cell and not out[-1].text:
            out.pop()  # an even run ends on a separator that is not followed by one: its last empty line separates
        run = 0
        out.append(Block(line, line_provenance(i)))
    while out and out[-1].cell and not out[-1].text:
        out.pop()  # empty lines at the end of the text separate nothing
    return out
