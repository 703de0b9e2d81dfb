"""Who is signed in. Reading is public or private by a setting; writing (storing, deleting, re-parsing)
always needs a signed-in user. The session is a signed cookie (Starlette's SessionMiddleware)."""

from __future__ import annotations

from fastapi import HTTPException, Request, status

from gongkai.web.settings import WebSettings


def current_user(request: Request) -> str | None:
    """The signed-in user's name, or None."""
    user = request.session.get("user") if "session" in request.scope else None
    return user if isinstance(user, str) and user else None


def require_user(request: Request) -> str:
    """A route that writes: 401 unless someone is signed in."""
    user = current_user(request)
    if user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "需要登录后才能执行此操作")
    return user


def require_reader(request: Request) -> str | None:
    """A route that reads: open to all when reading is public, else only to signed-in users."""
    settings: WebSettings = request.app.state.settings
    user = current_user(request)
    if not settings.public_read and user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "本站仅向登录用户开放，请先登录")
    return user
