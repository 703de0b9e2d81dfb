"""Untrusted .doc files through LibreOffice: linked pictures never fetched, macros off, a time limit,
hostile file names harmless."""

from __future__ import annotations

import http.server
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree

from gongkai.read import ReadError, ole, read_path

pytestmark = pytest.mark.skipif(ole.soffice() is None, reason="LibreOffice is not installed")


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[int, list[str]]]:
    """A local web server recording the paths asked of it."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd.server_address[1], hits
    finally:
        httpd.shutdown()
        httpd.server_close()


def _soffice_plain(src: Path, target: str, out: Path) -> Path:
    """LibreOffice as anyone would run it (no hardening): to make the fixture and show that it does fetch."""
    profile = out / "profile"
    subprocess.run([ole.soffice(), f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                    "--convert-to", target, "--outdir", str(out), str(src)], capture_output=True, timeout=120,
                   check=True)
    return next(p for p in out.iterdir() if p.is_file())


@pytest.fixture(scope="module")
def linked_doc(tmp_path_factory: pytest.TempPathFactory, server: tuple[int, list[str]]) -> Path:
    """A .doc with a picture linked to the local server, under a name that looks like options and quotes."""
    port, hits = server
    tmp_path = tmp_path_factory.mktemp("linked")
    page = tmp_path / "page.html"
    page.write_text(f'<html><body><p>年度报告正文</p><img src="http://127.0.0.1:{port}/linked.png"></body></html>',
                    encoding="utf-8")
    (tmp_path / "made").mkdir()
    made = _soffice_plain(page, "doc:MS Word 97", tmp_path / "made")
    hostile = tmp_path / "-rf --convert-to x \"a b' c.doc"
    hostile.write_bytes(made.read_bytes())
    hits.clear()
    return hostile


def test_linked_picture_is_not_fetched_and_hostile_name_is_harmless(linked_doc: Path, server, tmp_path: Path):
    _, hits = server
    hits.clear()
    (tmp_path / "plain").mkdir()
    _soffice_plain(_copy(linked_doc, tmp_path / "copy.doc"), "docx:MS Word 2007 XML", tmp_path / "plain")
    assert hits, "an unhardened LibreOffice fetches the linked picture (the fixture links it)"
    hits.clear()
    doc = read_path(linked_doc)
    assert [b.text for b in doc.blocks] == ["年度报告正文"]
    assert hits == []


def test_profile_alone_keeps_the_network_out(linked_doc: Path, server, monkeypatch: pytest.MonkeyPatch):
    _, hits = server
    hits.clear()
    monkeypatch.setattr(ole, "_no_network_prefix", lambda: ())  # as on a system without user namespaces
    assert [b.text for b in ole.read_ole(linked_doc.read_bytes())] == ["年度报告正文"]
    assert hits == []


def test_profile_disables_macros_and_sends_every_protocol_nowhere(tmp_path: Path):
    ole.write_profile(tmp_path)
    root = etree.parse(str(tmp_path / "user" / "registrymodifications.xcu")).getroot()
    ns = "{http://openoffice.org/2001/registry}"
    settings = {(item.get(f"{ns}path"), prop.get(f"{ns}name")): prop.findtext("value")
                for item in root for prop in item}
    scripting = "/org.openoffice.Office.Common/Security/Scripting"
    assert settings[(scripting, "DisableMacrosExecution")] == "true"
    assert settings[(scripting, "MacroSecurityLevel")] == "3"
    inet = "/org.openoffice.Inet/Settings"
    assert settings[(inet, "ooInetProxyType")] == "1"
    for kind in ("HTTP", "HTTPS", "FTP"):
        assert (settings[(inet, f"ooInet{kind}ProxyName")], settings[(inet, f"ooInet{kind}ProxyPort")]) == (
            "127.0.0.1", "9")


def test_conversion_past_its_time_limit_is_a_timeout(linked_doc: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(ole, "CONVERT_TIMEOUT", 0.2)
    with pytest.raises(ReadError) as err:
        ole.read_ole(linked_doc.read_bytes())
    assert err.value.code == "timeout"
    assert "已终止" in err.value.message


def _copy(src: Path, dst: Path) -> Path:
    dst.write_bytes(src.read_bytes())
    return dst
