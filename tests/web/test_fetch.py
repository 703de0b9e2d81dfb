"""Fetching a report from a visitor's URL: internal addresses in every spelling refused before any connection,
redirects re-checked hop by hop, the connection pinned to the address checked, size, type, time and status
limits — against a small HTTP server on 127.0.0.1 that only a test may allow."""

from __future__ import annotations

import http.server
import ipaddress
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import pytest

from gongkai.web import fetch
from gongkai.web.fetch import FetchRefused, fetch_report

LOOPBACK = ipaddress.ip_address("127.0.0.1")
REPORT = "<html><head><meta charset='utf-8'></head><body><h1>某县2023年政府信息公开工作年度报告</h1></body></html>"


def only_loopback(ip: fetch.IPAddress) -> bool:
    return ip == LOOPBACK


@dataclass
class Server:
    port: int
    seen: list[tuple[str, str]] = field(default_factory=list)  # (path, Host header) of every request

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"


def _handler(server: Server) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _send(self, status: int, media: str, body: bytes, length: bool = True, **headers: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", media)
            if length:
                self.send_header("Content-Length", str(len(body)))
            for k, v in headers.items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            server.seen.append((self.path, self.headers.get("Host", "")))
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            if parts.path == "/report.html":
                self._send(200, "text/html; charset=utf-8", REPORT.encode())
            elif parts.path == "/redirect":
                self._send(302, "text/plain", b"", Location=query["to"][0])
            elif parts.path == "/loop":
                self._send(302, "text/plain", b"", Location="/loop")
            elif parts.path == "/big":
                self._send(200, "text/plain", b"x" * 10_000)
            elif parts.path == "/big-unannounced":  # no Content-Length: HTTP/1.0, read until the server closes
                self._send(200, "text/plain", b"x" * 10_000, length=False)
            elif parts.path == "/json":
                self._send(200, "application/json", b'{"a": 1}')
            elif parts.path == "/zip":
                self._send(200, "application/octet-stream", b"PK\x03\x04" + b"\x00" * 100)
            elif parts.path == "/slow":
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                for _ in range(100):  # 10 s in all; the client gives up long before
                    try:
                        self.wfile.write(b"x")
                        self.wfile.flush()
                    except OSError:
                        return
                    time.sleep(0.1)
            else:
                self._send(404, "text/plain", b"not found")

    return Handler


@pytest.fixture
def server() -> Iterator[Server]:
    holder = Server(0)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(holder))
    httpd.daemon_threads = True
    holder.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield holder
    httpd.shutdown()
    httpd.server_close()


def refused(url: str, **kwargs: object) -> FetchRefused:
    with pytest.raises(FetchRefused) as info:
        fetch_report(url, max_bytes=kwargs.pop("max_bytes", 1_000_000), timeout=kwargs.pop("timeout", 5.0),
                     **kwargs)  # type: ignore[arg-type]
    return info.value


@pytest.mark.parametrize("host", ["127.0.0.1", "10.0.0.1", "169.254.169.254", "[::1]", "2130706433", "0x7f000001",
                                  "localhost", "[::ffff:127.0.0.1]", "100.64.0.1", "0.0.0.0", "192.168.1.1",
                                  "[fe80::1]", "224.0.0.1"])
def test_internal_addresses_are_refused_in_every_spelling(host: str) -> None:
    err = refused(f"http://{host}/latest/meta-data/")
    assert err.code == "address"
    assert "不能访问内部或保留网络地址" in err.message


def test_the_local_server_is_refused_without_the_test_hook_and_never_contacted(server: Server) -> None:
    for host in ("127.0.0.1", "2130706433", "localhost"):
        assert refused(server.url("/report.html", host)).code == "address"
    assert server.seen == []


def test_a_hostname_is_judged_by_every_address_it_resolves_to(monkeypatch: pytest.MonkeyPatch) -> None:
    answers = {"loopback.example.gov.cn": ["127.0.0.1"], "mixed.example.gov.cn": ["93.184.216.34", "10.1.2.3"]}

    def fake(host: str, port: int, *args: object, **kwargs: object) -> list:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port)) for ip in answers[host]]

    monkeypatch.setattr(fetch.socket, "getaddrinfo", fake)
    for host in answers:
        err = refused(f"https://{host}/report.html")
        assert err.code == "address" and host in err.message


@pytest.mark.parametrize("url", ["ftp://example.gov.cn/r.txt", "file:///etc/passwd", "javascript:alert(1)",
                                 "gopher://example.gov.cn/", "www.example.gov.cn/report.html", ""])
def test_only_http_and_https(url: str) -> None:
    err = refused(url)
    assert err.code == "scheme"
    assert "http" in err.message


def test_an_allowed_report_is_fetched_with_its_media_type(server: Server) -> None:
    data, final, media = fetch_report(server.url("/report.html"), max_bytes=100_000, timeout=5, allow=only_loopback)
    assert data.decode() == REPORT
    assert final == server.url("/report.html")
    assert media == "text/html"


def test_redirects_are_followed_and_every_hop_is_checked_again(server: Server) -> None:
    data, final, _ = fetch_report(server.url("/redirect?to=/report.html"), max_bytes=100_000, timeout=5,
                                  allow=only_loopback)
    assert data.decode() == REPORT and final == server.url("/report.html")

    err = refused(server.url("/redirect?to=http://169.254.169.254/latest/meta-data/"), allow=only_loopback)
    assert err.code == "address" and "169.254.169.254" in err.message

    # The server counts as public for the first hop only: its redirect back to itself is refused, unfetched.
    server.seen.clear()
    calls: list[fetch.IPAddress] = []

    def first_hop_only(ip: fetch.IPAddress) -> bool:
        calls.append(ip)
        return len(calls) == 1

    err = refused(server.url("/redirect?to=/report.html"), allow=first_hop_only)
    assert err.code == "address"
    assert [path for path, _host in server.seen] == ["/redirect?to=/report.html"]


def test_too_many_redirects(server: Server) -> None:
    err = refused(server.url("/loop"), allow=only_loopback)
    assert err.code == "redirects" and "跳转次数过多" in err.message
    assert len(server.seen) == fetch.MAX_REDIRECTS + 1


def test_the_connection_goes_to_the_address_checked_not_a_second_answer(server: Server,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """DNS rebinding: the name resolves to the vetted address once; any later lookup of the name would fail the
    fetch. (Connecting to the numeric address passes it through getaddrinfo too, which answers it unasked.)"""
    lookups: list[str] = []

    def rebinding(host: str, port: int, *args: object, **kwargs: object) -> list:
        if host == "127.0.0.1":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (host, port))]
        lookups.append(host)
        if len(lookups) > 1:
            raise socket.gaierror("second lookup")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

    monkeypatch.setattr(fetch.socket, "getaddrinfo", rebinding)
    data, _, _ = fetch_report(f"http://report.example.gov.cn:{server.port}/report.html", max_bytes=100_000,
                              timeout=5, allow=only_loopback)
    assert data.decode() == REPORT
    assert lookups == ["report.example.gov.cn"]
    assert server.seen == [("/report.html", f"report.example.gov.cn:{server.port}")]


@pytest.mark.parametrize("path", ["/big", "/big-unannounced"])
def test_a_body_past_the_limit_is_refused(server: Server, path: str) -> None:
    err = refused(server.url(path), max_bytes=1000, allow=only_loopback)
    assert err.code == "too_large" and "过大" in err.message
    data, _, media = fetch_report(server.url(path), max_bytes=10_000, timeout=5, allow=only_loopback)
    assert len(data) == 10_000 and media == "text/plain"


@pytest.mark.parametrize("path", ["/json", "/zip"])
def test_what_is_not_a_report_is_refused_by_its_type(server: Server, path: str) -> None:
    err = refused(server.url(path), allow=only_loopback)
    assert err.code == "media_type" and "不是" in err.message


def test_an_error_status(server: Server) -> None:
    err = refused(server.url("/missing"), allow=only_loopback)
    assert err.code == "http_status" and "404" in err.message


def test_the_time_limit_is_total_even_for_a_server_that_keeps_sending(server: Server) -> None:
    started = time.monotonic()
    err = refused(server.url("/slow"), timeout=0.5, allow=only_loopback)
    assert err.code == "timeout" and "超时" in err.message
    assert time.monotonic() - started < 3


def test_a_closed_port_is_unreachable() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    err = refused(f"http://127.0.0.1:{port}/", allow=only_loopback)
    assert err.code == "unreachable" and "无法连接" in err.message


def test_the_address_rule() -> None:
    public = ["93.184.216.34", "2606:4700:4700::1111", "1.1.1.1"]
    internal = ["127.0.0.1", "10.0.0.1", "172.16.0.1", "192.168.0.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
                "224.0.0.1", "240.0.0.1", "255.255.255.255", "::1", "::", "fe80::1", "fc00::1", "ff02::1",
                "::ffff:10.0.0.1", "64:ff9b::a00:1", "2002:7f00:1::"]
    assert all(fetch.is_public(ipaddress.ip_address(a)) for a in public)
    assert not any(fetch.is_public(ipaddress.ip_address(a)) for a in internal)
