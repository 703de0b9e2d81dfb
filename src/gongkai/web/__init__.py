"""The web application (`gongkai serve`): pages and a JSON API over the same functions as the command line.

`create_app(settings)` builds a FastAPI application over one store. Pages are Jinja2 templates (autoescaped:
report content is data, never markup); the API lives under `/api` and is documented at `/docs`. Every
response carries a strict Content-Security-Policy: scripts and styles only from the application itself.
"""

from __future__ import annotations

from gongkai.web.app import create_app
from gongkai.web.settings import WebSettings

__all__ = ["WebSettings", "create_app"]
