"""A stored report's original file, back as it was ingested (the bytes every figure's provenance points into)."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from sqlalchemy import or_, select

from gongkai.store import Store, originals, reports


@dataclass(frozen=True)
class Original:
    report_id: int | None
    sha256: str
    name: str  # a safe file name: the original's own name, else its hash with the extension of its media type
    media_type: str
    content: bytes


class OriginalNotFound(LookupError):
    """No stored original matches the report id or hash given."""


def original(store: Store, ref: str) -> Original:
    """The original of the report `ref`: its id in the store, or the SHA-256 of its original (a prefix of at
    least 8 hex digits is enough when it names one file)."""
    o, r = originals.c, reports.c
    q = select(o.sha256, o.first_path, o.media_type, o.content, r.id).select_from(
        originals.outerjoin(reports, r.sha256 == o.sha256))
    with store.reading() as conn:
        rows = conn.execute(q.where(_matching(ref)).limit(2)).all()
    if len(rows) != 1:
        raise OriginalNotFound(ref)
    sha, path, media_type, content, report_id = rows[0]
    return Original(report_id, sha, _safe_name(path, sha, media_type), media_type, bytes(content))


def report_id_of(store: Store, ref: str) -> int:
    """The id of the report `ref` names (its id, or its original's SHA-256 or a prefix of 8+ hex digits)."""
    o, r = originals.c, reports.c
    q = select(r.id).select_from(originals.join(reports, r.sha256 == o.sha256)).where(_matching(ref))
    with store.reading() as conn:
        ids = conn.execute(q.limit(2)).scalars().all()
    if len(ids) != 1:
        raise OriginalNotFound(ref)
    return int(ids[0])


def _matching(ref: str) -> Any:
    o, r = originals.c, reports.c
    ref = ref.strip()
    if ref.isdigit() and len(ref) < 12:
        return r.id == int(ref)
    if len(ref) >= 8 and all(ch in "0123456789abcdefABCDEF" for ch in ref):
        return or_(o.sha256 == ref.lower(), o.sha256.startswith(ref.lower()))
    raise OriginalNotFound(ref)


def _safe_name(path: str | None, sha: str, media_type: str) -> str:
    """The original's base name (never a path: a stored name cannot point a download elsewhere)."""
    if path:
        name = PurePath(path.replace("\\", "/")).name.strip()
        if name and name not in (".", "..") and not name.startswith("."):
            return name
    return sha[:16] + (mimetypes.guess_extension(media_type) or ".bin")
