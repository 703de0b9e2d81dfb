"""Who is signed in. Reading is public or private by a setting; writing (storing, deleting, re-parsing)
always needs a signed-in user. The session is a signed cookie (Starlette's SessionMiddleware)."""

from __future__ import annotations

import secrets

from fastapi import HTTPException, Request, status
from starlette.datastructures import FormData
from starlette.types import Message

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


# --- writers and CSRF ---------------------------------------------------------------------------------

CSRF_FIELD = "csrf_token"  # the form field
CSRF_HEADER = "X-CSRF-Token"  # the header JSON clients send (the token of their session: GET /api/csrf)
_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
FORM_SLACK = 64 * 1024  # bytes of a form beyond its file: boundaries, headers, the other fields


def csrf_token(request: Request) -> str:
    """This session's CSRF token, made on first use. Forms carry it in a hidden field `csrf_token`."""
    token = request.session.get("csrf")
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def require_writer(request: Request) -> str:
    """A route that writes: `require_user`, and the user still exists (removed users' sessions cannot write)."""
    from gongkai.web.users import user_exists

    user = require_user(request)
    if not user_exists(request.app.state.store, user):
        request.session.clear()
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "该用户已不存在，请重新登录")
    return user


class _TooLarge(Exception):
    pass


async def read_form(request: Request) -> FormData:
    """The request's form, read at most once and at most `max_upload` plus `FORM_SLACK` bytes (413 beyond:
    the rest is never read). Routes that read forms this way declare no Form or File parameters, so the
    body is still unread when this runs."""
    cached = getattr(request.state, "gongkai_form", None)
    if cached is not None:
        return cached
    parsed = getattr(request, "_form", None)  # a route with Form parameters: FastAPI has read it already
    if parsed is not None:
        return parsed
    limit = request.app.state.settings.max_upload + FORM_SLACK
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        raise too_large(request)
    seen = 0

    async def receive() -> Message:
        nonlocal seen
        message = await request.receive()
        seen += len(message.get("body", b""))
        if seen > limit:
            raise _TooLarge
        return message

    try:
        form = await Request(request.scope, receive).form(max_files=1, max_fields=20)
    except _TooLarge:
        raise too_large(request) from None
    request.state.gongkai_form = form
    return form


def too_large(request: Request) -> HTTPException:
    mib = request.app.state.settings.max_upload / (1024 * 1024)
    return HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, f"文件过大：网页上传的文件最大 {mib:g} MiB")


async def verify_csrf(request: Request) -> None:
    """A route that writes: 403 unless the request carries this session's CSRF token, in the header
    `X-CSRF-Token` or the form field `csrf_token` (a page of another site cannot know it)."""
    if request.method not in _UNSAFE:
        return
    expected = request.session.get("csrf")
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        ctype = request.headers.get("content-type", "")
        if ctype.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
            value = (await read_form(request)).get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
    if not (isinstance(expected, str) and expected and sent
            and secrets.compare_digest(sent.encode(), expected.encode())):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "请求缺少有效的防跨站令牌（CSRF），请刷新页面后重试；"
                                                       "接口调用须在请求头 X-CSRF-Token 中附上令牌")
