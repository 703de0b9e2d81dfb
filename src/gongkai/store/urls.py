"""Where the store is: `--db URL`, else `GONGKAI_DB`, else the embedded SQLite file."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_path
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError


def default_path() -> Path:
    """The user's data folder (platformdirs: `$XDG_DATA_HOME/gongkai`, `~/.local/share/gongkai` on Linux)."""
    return user_data_path("gongkai", appauthor=False) / "gongkai.db"


def normalise_url(url: str) -> str:
    """A SQLAlchemy URL from what a user may type: a URL (`postgresql://…` is driven by psycopg 3), or a file
    path. Parsed by SQLAlchemy, so a password with special characters stays as it was quoted."""
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser().resolve()}"
    try:
        parsed = make_url(url)
    except ArgumentError:
        return url  # not a URL SQLAlchemy knows: opening it gives the store's own message
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def default_url(url: str | None = None) -> str:
    chosen = url or os.environ.get("GONGKAI_DB") or str(default_path())
    return normalise_url(chosen)
