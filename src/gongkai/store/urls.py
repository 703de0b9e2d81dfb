"""Where the store is: `--db URL`, else `GONGKAI_DB`, else the embedded SQLite file."""

from __future__ import annotations

import os
from pathlib import Path


def default_path() -> Path:
    """`$XDG_DATA_HOME/gongkai/gongkai.db` (`~/.local/share/gongkai/gongkai.db`)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "gongkai" / "gongkai.db"


def normalise_url(url: str) -> str:
    """A SQLAlchemy URL from what a user may type: a URL, `postgresql://…` (psycopg 3), or a file path."""
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    if "://" in url:
        return url
    return f"sqlite:///{Path(url).expanduser().resolve()}"


def default_url(url: str | None = None) -> str:
    chosen = url or os.environ.get("GONGKAI_DB") or str(default_path())
    return normalise_url(chosen)
