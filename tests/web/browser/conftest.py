"""Browser test kit: a store of seeds and synthetic reports, the application serving it over HTTP in a
background thread, and one headless Debian chromium (driven by Playwright, nothing downloaded) per module."""

from __future__ import annotations

import random
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from gongkai.ingest import ingest
from gongkai.render.layouts import render_html, render_text
from gongkai.render.synthetic import synthesize
from gongkai.store import open_store
from tests.conftest import SEEDS
from tests.store.storekit import ORGANS

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1280, "height": 800}
# A report whose table 3 breaks two identities: new requests' total is off by 5 (findings with cells).
BROKEN_ORGAN, BROKEN_YEAR = "岳阳市财政局", 2024


def _synthetic_files(folder: Path) -> list[Path]:
    """20 generated reports, no two of the same organ and year, as text and web pages, plus one broken."""
    out = []
    for i in range(20):
        organ = ORGANS[i % len(ORGANS)]
        fmt, year = ("2019", 2020) if i < len(ORGANS) else ("2021", 2023)
        rep = synthesize(fmt, random.Random(i), organ=organ, year=year)
        path = folder / (f"s{i:02d}.html" if i % 2 else f"s{i:02d}.txt")
        text = render_html(rep) if i % 2 else render_text(rep, ("cells", "lines", "pipes")[i % 3])
        path.write_text(text, encoding="utf-8")
        out.append(path)
    rep = synthesize("2021", random.Random(99), organ=BROKEN_ORGAN, year=BROKEN_YEAR)
    rep.values["requests"]["new_received"]["total"] += 5
    broken = folder / "broken.html"
    broken.write_text(render_html(rep), encoding="utf-8")
    return [*out, broken]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(folder: Path, files: list[Path]) -> Iterator[str]:
    """The application over a fresh SQLite store in `folder` holding `files`, served on a free port: its URL."""
    import uvicorn

    from gongkai.web import create_app
    from gongkai.web.settings import WebSettings

    db_url = f"sqlite:///{folder / 'store.db'}"
    store = open_store(db_url)
    try:
        summary = ingest(store, [str(p) for p in files], workers=0)
    finally:
        store.close()
    assert not summary.failed, summary.failed
    app = create_app(WebSettings(db_url=db_url, secret_key="test", public_read=True))
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while not server.started:  # uvicorn sets this once it listens
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the web application did not start")
        time.sleep(0.05)
    assert httpx.get(f"{url}/api/reports", timeout=10).status_code == 200
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The application over a fresh SQLite store (5 seeds + 21 synthetic reports), served on a free port."""
    folder = tmp_path_factory.mktemp("browser")
    with serving(folder, [*sorted(SEEDS.iterdir()), *_synthetic_files(folder)]) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """One headless chromium for the module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser) -> Iterator[object]:
    """A fresh page at 1280×800 in its own context."""
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    try:
        yield pg
    finally:
        context.close()


@pytest.fixture
def console(page) -> list[str]:
    """The page's console messages, and every Content-Security-Policy violation written to the console
    (a listener added before any page script, which the policy does not govern)."""
    messages: list[str] = []
    page.on("console", lambda msg: messages.append(f"{msg.type}: {msg.text}"))
    page.add_init_script("document.addEventListener('securitypolicyviolation', e => console.error("
                         "'Content Security Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI));")
    return messages


@pytest.fixture
def api(base_url: str) -> Iterator[httpx.Client]:
    """The JSON API of the same application (to compare what the pages show with)."""
    with httpx.Client(base_url=base_url, timeout=30) as client:
        yield client

