"""Bytes → str for text and HTML, in whatever encoding Chinese government sites use."""

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
