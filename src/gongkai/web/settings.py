"""What a running web application is configured with (command-line options, else environment variables)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class WebSettings:
    db_url: str | None = None  # the store: --db, else GONGKAI_DB, else the embedded SQLite file
    public_read: bool = field(default_factory=lambda: _env_bool("GONGKAI_PUBLIC_READ", True))
    # Signs session cookies; a random key per start unless set (sessions then end with the process).
    secret_key: str = field(default_factory=lambda: os.environ.get("GONGKAI_SECRET_KEY") or secrets.token_hex(32))
    max_upload: int = 50 * 1024 * 1024  # bytes: a report file checked or stored through the web
    page_size: int = 50
