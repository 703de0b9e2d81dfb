"""Bytes → str for text and HTML, in whatever encoding Chinese government sites use.

UTF-8 with a few invalid bytes stays UTF-8: the invalid bytes become U+FFFD (flagged by the checks), every
other character and figure is kept exactly."""

from __future__ import annotations

import codecs
import re

from gongkai.read.document import ReadError

# GB2312 and GBK are subsets of GB18030: decoding with the superset never loses a character.
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "cp936": "gb18030", "euc_cn": "gb18030", "hz": "gb18030",
              "big5": "big5hkscs", "ascii": "utf-8"}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")


def _canonical(name: str) -> str:
    try:
        name = codecs.lookup(name).name
    except LookupError:
        return name
    return _SUPERSETS.get(name.replace("-", "_"), name)


def looks_binary(data: bytes) -> bool:
    """Binary junk: NUL bytes or many control characters (UTF-16 text is handled before this)."""
    sample = data[:16384]
    if not sample:
        return False
    return b"\x00" in sample or len(_CONTROL.findall(sample)) > max(8, len(sample) // 50)


# UTF-8 text damaged in a few places (a byte dropped or flipped in transfer): at least this many of its
# three-byte characters (Chinese) per invalid sequence. Text in another encoding read as UTF-8 has an invalid
# sequence every few characters, and its few valid ones are chance.
_WIDE_PER_DAMAGE = 50
_WIDE = re.compile(rb"[\xe0-\xef][\x80-\xbf]{2}")


def _damaged_utf8(data: bytes) -> str | None:
    """UTF-8 text with a few invalid bytes, each invalid sequence replaced by U+FFFD (the reader's checks flag
    the lines as `integrity.decode_damaged`): better than reading the whole text in another encoding, which
    loses every Chinese character. None when the bytes are not (mostly) UTF-8."""
    text = data.decode("utf-8", errors="replace")
    damage = text.count("\ufffd") - data.count(b"\xef\xbf\xbd")  # U+FFFD printed in the source is no damage
    if damage <= 0 or len(_WIDE.findall(data)) < _WIDE_PER_DAMAGE * damage:
        return None
    return text


def decode(data: bytes, *, html: bool = False) -> tuple[str, str]:
    """Decode `data`, returning (text, encoding). Raises ReadError for empty or binary input."""
    if not data.strip():
        raise ReadError("empty", "文件为空，没有可读取的内容")
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                     (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(enc, errors="replace"), enc.replace("-sig", "")
    if looks_binary(data):
        raise ReadError("binary", "文件是二进制数据，不是文本、网页或可识别的文档")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    damaged = _damaged_utf8(data)
    if damaged is not None:
        return damaged, "utf-8"
    candidates: list[str] = []
    if html:
        m = _META_CHARSET.search(data[:4096])
        if m:
            candidates.append(_canonical(m.group(1).decode("ascii", "ignore")))
    from charset_normalizer import from_bytes  # only for text that is not UTF-8: most is (and it costs start-up)

    best = from_bytes(data[:65536]).best()
    if best is not None:
        candidates.append(_canonical(best.encoding))
    candidates.append("gb18030")
    for enc in candidates:
        try:
            return data.decode(enc), enc
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("gb18030", errors="replace"), "gb18030"
