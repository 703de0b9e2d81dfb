"""Extract stage: a Document (blocks in reading order) → a Report.

Steps: fold the text for matching; find the title and the six section headings; read each table
within its section with every format that defines it and keep the best reading; recognise the
format from the tables (or, when the tables are lost, from the format notice the report cites);
collect the prose of each section and the figures it states.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Literal

from gongkai.extract.legacy import read_legacy
from gongkai.extract.meta import format_by_year, read_meta
from gongkai.extract.narrative import find_figures
from gongkai.extract.sections import Heading, find_headings, is_debris
from gongkai.extract.tables import TableRead, read_table
from gongkai.extract.tokens import Tokens
from gongkai.extract.unglue import unglue
from gongkai.formats import formats, get_format, sections
from gongkai.model import TABLE_KEYS, Meta, Paragraph, Reading, Report
from gongkai.normalize import fold, fold_lines, squeeze
from gongkai.read.document import Block, Document, construct

__all__ = ["extract"]

_CITATION = {
    "2021": re.compile(r"国办公开办函[〔\[(【]2021[〕\])】]30号"),
    "2019": re.compile(r"国办公开办函[〔\[(【]2019[〕\])】]60号"),
}
_PROSE = re.compile(r"[。；;]")
Basis = Literal["tables", "citation", "year"]


def _regions(headings: list[Heading], n: int) -> dict[str, tuple[int, int]]:
    """Each section's block range, from after its heading to the next heading."""
    out: dict[str, tuple[int, int]] = {}
    for k, h in enumerate(headings):
        end = headings[k + 1].block if k + 1 < len(headings) else n
        if h.key is not None:
            out[h.key] = (h.block + 1, end)
    return out


def _body_end(folded: list[str], headings: list[Heading]) -> int:
    """The report ends at the first line of page furniture after its last heading."""
    start = headings[-1].block + 1 if headings else 0
    for i in range(start, len(folded)):
        if is_debris(folded[i]):
            return i
    return len(folded)


def _decide_format(reads: dict[str, TableRead], folded_text: str) -> tuple[str | None, Basis | None]:
    """(format, basis). The tables decide, by the labels that tell the formats apart; a table that reads
    equally well in several formats has no vote. Without tables, the format notice the report cites decides."""
    votes: dict[str, int] = {}
    for read in reads.values():
        # A table votes by the labels only its format has (table 2's columns, table 3's 2021 rows), not by
        # how many cells it holds: a 2021 table 3 printing （六） as one row reads fully as 2019's table 3.
        votes[read.format] = votes.get(read.format, 0) + 10 * read.signature_hits + 1
    if votes:
        return max(votes, key=lambda k: votes[k]), "tables"
    for fid, pattern in _CITATION.items():
        if pattern.search(folded_text):
            return fid, "citation"
    return None, None


def extract(doc: Document) -> Report:
    blocks = unglue(doc.blocks)
    texts = [b.text for b in blocks]
    folded, traditional = fold_lines(texts)
    cells = [b.cell for b in blocks]
    n = len(blocks)

    headings = find_headings(texts, folded, cells)
    body_end = _body_end(folded, headings)
    headings = [h for h in headings if h.block < body_end]
    head = read_meta(texts, folded, headings[0].block if headings else None, body_end)
    title_block = head.block
    regions = _regions(headings, body_end)

    # Tables 2–4: read within their sections with every format; keep the best reading.
    all_formats = [f for f in formats() if any(t.layout != "indicators" for t in get_format(f).tables)]
    best: dict[str, TableRead] = {}
    ties: dict[str, list[TableRead]] = {}  # tables that read as well in several formats: no vote on the format
    tokenised = Tokens(blocks)  # each block is tokenised once, whichever regions it falls in
    spans: dict[str, tuple[int, int]] = {}

    def read(key: str, start: int, end: int) -> None:
        tokens = tokenised.region(start, end)
        decided = [r.format for k, r in best.items() if k not in ties and k != key]
        prefer = decided[0] if decided else None
        reads = read_table(tokens, all_formats, key, tokenised.region_spaced(tokens), prefer, open_end=end >= body_end)
        best.pop(key, None)
        ties.pop(key, None)
        if reads and reads[0].found and (key in regions or _has_labels(reads[0]) or best.keys() - {key}):
            best[key] = reads[0]
            spans[key] = (start, end)
            tied = [r for r in reads if r.score == reads[0].score]
            if len(tied) > 1 or len(reads[0].formats) > 1:
                ties[key] = tied

    previous: str | None = None
    for key in TABLE_KEYS:
        start, end = _table_region(key, regions, headings, body_end)
        if key not in regions and previous is not None:
            # Its heading is missing: the table starts after the last cell placed in the table before it,
            # and that table, read up to here, ends where this one starts.
            start = max(start, best[previous].last_placed + 1)
        if start >= end:
            continue
        read(key, start, end)
        if key in best and previous is not None and key not in regions:
            first, last = best[key].first_block, best[previous].last_block
            if first is not None and last is not None and last >= first:
                read(previous, spans[previous][0], first)
        if key in best:
            previous = key
    decisive = {k: r for k, r in best.items() if k not in ties}
    fmt, basis = _decide_format(decisive, "".join(folded))
    if fmt is not None:
        for key, tied in ties.items():  # a table that reads as well in several formats takes the report's
            best[key] = next((r for r in tied if fmt in r.formats), tied[0])
            best[key].settle(fmt)

    # The legacy statistics table.
    legacy = None
    legacy_blocks: set[int] = set()
    legacy_def = get_format("legacy").table("legacy")
    anchor = _legacy_anchor(folded, legacy_def.anchors if legacy_def else (), body_end)
    if legacy_def is not None and anchor is not None:
        legacy, legacy_blocks = read_legacy(tokenised.region(anchor, body_end), legacy_def)
        if legacy is not None and not best:
            fmt, basis = "legacy", "tables"

    table_blocks = set(legacy_blocks)
    for key, table_read in best.items():
        lo, hi = table_read.first_block, table_read.last_block
        if lo is not None and hi is not None:
            # From the section's start (header rows the format does not name, headers stacked vertically
            # in PDF text) to the last cell read: every line that is not prose belongs to the table.
            table_blocks.update([i for i in range(lo, hi + 1) if _table_line(folded[i])])
            start = min(_table_region(key, regions, headings, body_end)[0], lo)
            table_blocks.update(i for i in range(start, lo) if _header_line(folded[i], texts[i]))

    paragraphs, section_text = _paragraphs(blocks, folded, headings, title_block, body_end, table_blocks)
    inline = {h.block: h.inline for h in headings if h.key is not None and h.inline}
    figures = find_figures([(folded[i] if p.role == "body" else squeeze(fold(inline[i])), blocks[i].provenance)
                            for i, p in paragraphs if p.role == "body" or i in inline])

    if format_by_year(head.year, fmt) != fmt:
        fmt, basis = format_by_year(head.year, fmt), "year"
    reading = Reading(
        format_basis=basis,
        table_formats={k: r.data.format for k, r in best.items()},
        traditional=traditional,
        truncated=_truncated(headings, best, body_end, n),
        notes=_damage_notes(doc),
    )
    meta = Meta(title=head.title, organ=head.organ, year=head.year, published=head.published, format=fmt)
    return Report(
        source=doc.source,
        meta=meta,
        sections=section_text,
        section_headings={h.key: blocks[h.block].provenance for h in headings if h.key},
        proactive=best["proactive"].data if "proactive" in best else None,
        requests=best["requests"].data if "requests" in best else None,
        review_litigation=best["review_litigation"].data if "review_litigation" in best else None,
        legacy=legacy,
        narrative=figures,
        paragraphs=[p for _, p in paragraphs],
        reading=reading,
    )


_MAX_DAMAGE_NOTES = 20


def _damage_notes(doc: Document) -> list[str]:
    """Where decoding replaced invalid bytes (U+FFFD): the text around them is kept, the damage is told."""
    if doc.source.encoding is None:
        return []
    lines = sorted({b.provenance.line for b in doc.blocks if "\ufffd" in b.text and b.provenance.line is not None})
    if not lines:
        return []
    shown = "、".join(str(x) for x in lines[:_MAX_DAMAGE_NOTES]) + ("等" if len(lines) > _MAX_DAMAGE_NOTES else "")
    return [f"decode_damaged: 第{shown}行有无法解码的字节，已替换为 U+FFFD"]


def _has_labels(read: TableRead) -> bool:
    """Whether a table was read by its labels. Table 4 may be read from values alone, but only where something
    says it is there (its section's heading, or the table before it): otherwise a date or a price in a file that
    is no report (`2024年12月31日 价格 12.50元`) would fill its cells."""
    return read.signature_hits > 0 or read.rows_matched > 0 or read.headers_matched > 0


def _table_region(key: str, regions: dict[str, tuple[int, int]], headings: list[Heading],
                  body_end: int) -> tuple[int, int]:
    """A table lies in its section; when that heading is missing, between the previous and next one."""
    section = key  # the table keys are the keys of their sections
    if section in regions:
        return regions[section]
    order = [s.key for s in sections()]
    pos = order.index(section)
    start = max((h.block + 1 for h in headings if h.key in order[:pos]), default=0)
    end = min((h.block for h in headings if h.key in order[pos + 1:] and h.block >= start), default=body_end)
    return start, end


def _legacy_anchor(folded: list[str], anchors: tuple[str, ...], body_end: int) -> int | None:
    """The first short line naming the statistics table (统计指标, 政府信息公开情况统计表)."""
    pattern = _anchor_pattern(anchors)
    text = "\n".join(folded[:body_end])
    for m in pattern.finditer(text):
        start = text.rfind("\n", 0, m.start()) + 1
        end = text.find("\n", m.end())
        if (end if end >= 0 else len(text)) - start <= 40:
            return text.count("\n", 0, start)
    return None


@cache
def _anchor_pattern(anchors: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(squeeze(fold(a))) for a in anchors) or "(?!)")


def _table_line(folded: str) -> bool:
    """A line inside a table's extent that belongs to the table: short or without prose punctuation, and not a
    sentence (a note ending in 。 printed between the heading and the table, whose figure started the table's
    extent, stays prose in its section)."""
    return not folded.endswith("。") and (len(folded) < 40 or not _PROSE.search(folded))


def _header_line(folded: str, text: str) -> bool:
    """A line above a table's first label that is a header or header row, not a sentence of prose."""
    if _PROSE.search(folded):
        return False
    return len(folded) < 40 or all(len(piece) <= 20 for piece in text.split())


def _truncated(headings: list[Heading], best: dict[str, TableRead], body_end: int, n: int) -> bool:
    """A page cut short: the last section is missing and a table stops before its last cell."""
    keys = {h.key for h in headings}
    if "other" in keys or "problems" in keys:
        return False
    return any(r.data.ended_early for r in best.values()) or (bool(keys) and body_end >= n and "problems" not in keys)


def _paragraphs(blocks: list[Block], folded: list[str], headings: list[Heading], title_block: int | None,
                body_end: int, table_blocks: set[int]) -> tuple[list[tuple[int, Paragraph]], dict[str, str | None]]:
    """Running text with its role, and the text of each section (tables and debris left out)."""
    heading_at = {h.block: h for h in headings}
    first = headings[0].block if headings else body_end
    out: list[tuple[int, Paragraph]] = []
    texts: dict[str, list[str]] = {s.key: [] for s in sections()}
    current: str | None = None
    # Table lines are most of a report: leave them out before looking at each line.
    kept = [i for i, f in enumerate(folded) if f and (i not in table_blocks or i in heading_at or i == title_block)]
    for i in kept:
        block = blocks[i]
        text = block.text.strip()
        h = heading_at.get(i)
        if h is not None:
            current = h.key
            out.append((i, construct(Paragraph, text=text, role="heading", section=h.key, provenance=block.provenance)))
            if h.key is not None and h.inline:
                texts[h.key].append(h.inline)
            continue
        if i == title_block:
            out.append((i, construct(Paragraph, text=text, role="title", provenance=block.provenance)))
            continue
        if i in table_blocks:
            continue
        if i >= body_end or is_debris(folded[i]):
            out.append((i, construct(Paragraph, text=text, role="debris", section=current if i < body_end else None,
                                     provenance=block.provenance)))
            continue
        if i < first and (title_block is None or i < title_block) and not _is_sentence(folded[i]):
            out.append((i, construct(Paragraph, text=text, role="debris", provenance=block.provenance)))
            continue
        role = "meta" if i < first and _is_meta_line(folded[i]) else "body"
        out.append((i, construct(Paragraph, text=text, role=role, section=current, provenance=block.provenance)))
        if current is not None and role == "body":
            texts[current].append(text)
    section_text = {k: ("\n".join(v) if v else None) for k, v in texts.items()}
    return out, section_text


_SENTENCE_MIN = 20


def _is_sentence(folded: str) -> bool:
    """A line of running prose (a report's opening paragraph when the page lost its title), not page debris."""
    return len(folded) >= _SENTENCE_MIN and bool(_PROSE.search(folded))


_META_LINE = re.compile(r"^(?:发布|来源|发文|索引|主题|主\s*题|文\s*号|成文|生成|信息来源|公开|浏览)")


def _is_meta_line(folded: str) -> bool:
    return bool(_META_LINE.match(folded)) and len(folded) < 120

