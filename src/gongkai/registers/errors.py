"""The registers' one error type: every refused entry of every register (requests, deadlines, fees)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gongkai.formats.schema import FormatDef


class RegisterError(ValueError):
    """A refused entry: a stable English `code` for programs and tests, a Chinese `message_zh` for people."""

    def __init__(self, code: str, message_zh: str) -> None:
        super().__init__(message_zh)
        self.code = code
        self.message_zh = message_zh


def known_format(format_id: str) -> FormatDef:
    """The format a register produces tables for; an unknown one is refused (`unknown_format`)."""
    from gongkai.formats import get_format

    try:
        return get_format(format_id)
    except KeyError:
        raise RegisterError("unknown_format", f"未知的年度报告格式「{format_id}」") from None
