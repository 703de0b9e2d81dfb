"""Dependencies of the routes (FastAPI's injection): the store and the settings of the running application."""

from __future__ import annotations

from fastapi import Request

from gongkai.store import Store
from gongkai.web.settings import WebSettings


def get_store(request: Request) -> Store:
    return request.app.state.store


def get_settings(request: Request) -> WebSettings:
    return request.app.state.settings
