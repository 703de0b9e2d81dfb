"""Building the application: the store opened once, templates, static files, security headers, routers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from fastapi_offline import FastAPIOffline

from gongkai.web.settings import WebSettings

HERE = Path(__file__).parent
TEMPLATES = Jinja2Templates(directory=str(HERE / "templates"))  # autoescape on for .html

# Scripts, styles, images and connections only from the application itself: report text that slipped
# through as markup could still run nothing. `img-src data:` for page pictures sent inline.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


DOCS_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")


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

    # FastAPIOffline: FastAPI whose /docs page (Swagger UI 5) loads its script and styles from this application,
    # not from a CDN: the documentation works offline too.
    app = FastAPIOffline(title="gongkai", description="政府信息公开工作年度报告：读取、核查、入库与比较（JSON 接口）",
                         lifespan=lifespan, docs_url="/docs", redoc_url=None, static_url="/static-docs")
    app.state.settings = settings

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        # The /docs page starts Swagger UI with an inline script (it shows the API's own schema, no report
        # content): it alone may run inline code, still only with scripts from this application.
        response.headers["Content-Security-Policy"] = DOCS_CSP if request.url.path == "/docs" else CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        return response

    from starlette.middleware.sessions import SessionMiddleware

    # Signed (itsdangerous) session cookie: who is signed in; HttpOnly, SameSite=Lax.
    app.add_middleware(SessionMiddleware, secret_key=settings.secret_key, session_cookie="gongkai_session",
                       same_site="lax", https_only=False, max_age=12 * 3600)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    from gongkai.web import account, api, check, compare, filing, pages, pdf_pages, registers

    for module in (api, pages, check, compare, account, pdf_pages, registers, filing):
        app.include_router(module.router)
    return app
