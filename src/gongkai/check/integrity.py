"""Integrity: advertising injected by a hijacked site, garbled text, navigation debris inside sections,
and cells read by OCR that are doubtful. The vocabulary is text.toml's (`text_vocabulary()`)."""

from __future__ import annotations

import re
from functools import cache

from gongkai.check.labels import cell_label, table_title
from gongkai.check.registry import Context, cell_ref, register, rule
from gongkai.formats import sections, text_vocabulary
from gongkai.normalize import nfkc, to_simplified

_CONTEXT = 10


@cache
def _injected() -> re.Pattern[str]:
    terms = sorted(text_vocabulary().injected_terms, key=len, reverse=True)
    return re.compile("(?:" + "|".join(re.escape(t) for t in terms) + ")[a-z0-9]*", re.IGNORECASE)


@cache
def _garbled() -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in text_vocabulary().garbled_patterns))


@cache
def _section_names() -> dict[str, str]:
    return {s.key: s.label for s in sections()}


def _context(text: str, start: int, end: int) -> str:
    return text[max(0, start - _CONTEXT):end + _CONTEXT].replace("\n", " ")


def _texts(ctx: Context):
    traditional = ctx.report.reading.traditional
    for p in ctx.report.paragraphs:
        text = nfkc(to_simplified(p.text) if traditional else p.text)
        yield p, text


def _damaged(ctx: Context) -> set[int]:
    """Lines of a decoded text or page that hold U+FFFD (invalid bytes replaced), each flagged once."""
    r = ctx.report
    if r.source.encoding is None:
        return set()
    seen: dict[int, str] = {}
    texts: list[tuple[str, int | None]] = [(p.text, p.provenance.line) for p in r.paragraphs]
    for key in ("proactive", "requests", "review_litigation"):
        data = r.table(key)
        if data is None:
            continue
        texts += [(c.raw, c.provenance.line) for cols in data.cells.values() for c in cols.values() if c is not None]
        texts += [(x.raw, x.provenance.line) for x in data.labels.values()]
        texts += [(raw, s.provenance.line) for s in data.strays for raw in s.raws]
    if r.legacy is not None:
        texts += [(i.raw or "", i.provenance.line) for i in r.legacy.indicators]
        texts += [(raw, s.provenance.line) for s in r.legacy.strays for raw in s.raws]
    for text, line in texts:
        if line is not None and "\ufffd" in text and line not in seen:
            seen[line] = text
    for line, text in sorted(seen.items()):
        at = text.index("\ufffd")
        ctx.emit("integrity.decode_damaged", line=line, actual="\ufffd", count=text.count("\ufffd"),
                 context=_context(text, at, at + 1))
    return set(seen)


@register("integrity")
def check_integrity(ctx: Context) -> None:
    injected, garbled = _injected(), _garbled()
    damaged = _damaged(ctx)
    for p, text in _texts(ctx):
        line = p.provenance.line
        for m in injected.finditer(text):
            ctx.emit("integrity.injected_text", line=line, actual=m.group(0), term=m.group(0),
                     column=m.start() + 1, context=_context(text, m.start(), m.end()))
        g = garbled.search(p.text)
        if g is not None and line in damaged and g.group(0) == "\ufffd":
            g = garbled.search(p.text.replace("\ufffd", ""))  # told as damaged bytes already
        if g is not None:
            ctx.emit("integrity.garbled_text", line=line, actual=g.group(0),
                     context=_context(p.text, g.start(), g.end()))
        if p.role == "debris" and p.section is not None:
            ctx.emit("integrity.navigation_debris", line=line, actual=p.text.strip()[:40],
                     section=_section_names().get(p.section, p.section))
    _ocr(ctx)


def _ocr(ctx: Context) -> None:
    """Cells read by OCR (collected by the plausibility pass) with low confidence or in a failed identity."""
    threshold = rule("integrity.ocr_doubtful_cell").params.get("min_confidence", 0.8)
    for table, row, col, cell in ctx.ocr_cells:
        conf = cell.provenance.confidence or 0.0
        failed = ctx.doubtful.get((table, row, col))
        if conf >= threshold and failed is None:
            continue
        fid = ctx.report.table(table).format  # type: ignore[union-attr]
        reason = f"置信度低于{threshold}" if conf < threshold else f"所在勾稽关系不成立（{failed}）"
        ctx.emit("integrity.ocr_doubtful_cell", cells=[cell_ref(table, row, col, cell, doubtful=True)],  # type: ignore
                 actual=cell.value, table_title=table_title(fid, table), where=cell_label(fid, table, row, col),
                 raw=cell.raw, confidence=round(conf, 2), reason=reason)
