"""Building the application: the store opened once, templates, static files, security headers, routers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from gongkai.web.settings import WebSettings

HERE = Path(__file__).parent
TEMPLATES = Jinja2Templates(directory=str(HERE / "templates"))  # autoescape on for .html

# Scripts, styles, images and connections only from the application itself: report text that slipped
# through as markup could still run nothing. `img-src data:` for page pictures sent inline.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def create_app(settings: WebSettings | None = None) -> FastAPI:
    """The application over the store of `settings` (opened at start-up, closed at shutdown)."""
    from gongkai.store import open_store

    settings = settings or WebSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.store = open_store(settings.db_url)
        try:
            yield
        finally:
            app.state.store.close()

    app = FastAPI(title="gongkai", description="政府信息公开工作年度报告：读取、核查、入库与比较（JSON 接口）",
                  lifespan=lifespan, docs_url="/docs", redoc_url=None)
    app.state.settings = settings

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        # FastAPI's own /docs page loads Swagger UI from a CDN: it alone gets a policy allowing that.
        if not request.url.path.startswith("/docs"):
            response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        return response

    from starlette.middleware.sessions import SessionMiddleware

    # Signed (itsdangerous) session cookie: who is signed in; HttpOnly, SameSite=Lax.
    app.add_middleware(SessionMiddleware, secret_key=settings.secret_key, session_cookie="gongkai_session",
                       same_site="lax", https_only=False, max_age=12 * 3600)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    from gongkai.web import account, api, check, compare, pages

    for module in (api, pages, check, compare, account):
        app.include_router(module.router)
    return app
