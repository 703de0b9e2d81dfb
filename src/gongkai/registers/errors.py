"""The registers' one error type: every refused entry of every register (requests, deadlines, fees)."""

from __future__ import annotations


class RegisterError(ValueError):
    """A refused entry: a stable English `code` for programs and tests, a Chinese `message_zh` for people."""

    def __init__(self, code: str, message_zh: str) -> None:
        super().__init__(message_zh)
        self.code = code
        self.message_zh = message_zh
