"""Plain text: one block per line, numbered as in the source; separators of double-spaced text left out."""

from __future__ import annotations

from gongkai.read.text import text_blocks


def _lines(n: int) -> list[str]:
    return [f"第{i}行" for i in range(n)]


def test_double_spaced_text_drops_its_separator_lines_and_keeps_line_numbers():
    text = "\n\n".join(_lines(30)) + "\n"
    blocks = text_blocks(text)
    assert [b.text for b in blocks] == _lines(30)
    assert [b.provenance.line for b in blocks] == list(range(1, 60, 2))


def test_a_line_of_spaces_is_kept_in_double_spaced_text():
    lines = _lines(30)
    lines[10] = "   "  # a printed empty cell
    blocks = text_blocks("\n\n".join(lines))
    assert [b.text for b in blocks][10] == "   "
    assert blocks[10].provenance.line == 21


def test_single_spaced_text_keeps_its_empty_lines():
    lines = _lines(30)
    lines[5] = ""  # may be an empty cell
    blocks = text_blocks("\r\n".join(lines))
    assert len(blocks) == 30
    assert blocks[5].text == "" and blocks[5].provenance.line == 6


def test_short_text_is_never_taken_for_double_spaced():
    blocks = text_blocks("\n\n".join(_lines(5)))
    assert len(blocks) == 9
