"""Fetching a report from a URL a visitor gave, without letting the server be used against its own network.

A URL typed into the 核查 page makes this server connect somewhere: left open, that reaches the loopback
interface, the private network behind it and cloud metadata services (server-side request forgery). So:

* only `http` and `https`;
* the host is resolved once (`socket.getaddrinfo`) and refused when ANY of its addresses is not a public
  unicast address (loopback, private, link-local, multicast, reserved, unspecified, carrier-grade NAT, and the
  IPv4 inside IPv4-mapped, NAT64 and 6to4 IPv6 addresses). Decimal, hex or octal spellings of an address
  (`http://2130706433/`) go through the same resolver, so they are judged by the address they mean;
* the connection is pinned to the vetted address. Why a network backend of our own rather than rewriting the
  URL to the IP with a `Host` header and an `sni_hostname` extension: the URL, the `Host` header, SNI and the
  certificate check all stay those of the real host unchanged, and the backend — the only place a socket is
  opened — can connect nowhere but to the address checked, so a second DNS answer (DNS rebinding) is never
  asked for. The same backend clamps every socket operation to one deadline, so the time limit is total: a
  server that drips its headers a byte at a time cannot hold the request past it;
* redirects are followed by hand (at most `MAX_REDIRECTS`), each hop vetted and pinned anew;
* the body is streamed and refused past `max_bytes`; only the media types of reports are accepted, judged from
  `Content-Type` first (before the body is read) and then from the bytes, as `gongkai.read` recognises them.

Every refusal is a `FetchRefused` with a stable English code and a Chinese message for the user.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpcore
import httpx

from gongkai.read.detect import DOCX, HTML, OLE, PDF, TEXT, sniff

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Allow = Callable[[IPAddress], bool]

MAX_REDIRECTS = 5
CHUNK = 64 * 1024
USER_AGENT = "gongkai-check/0.1 (+report check)"

SCHEME, ADDRESS, TOO_LARGE, TIMEOUT, MEDIA_TYPE, HTTP_STATUS, REDIRECTS, UNREACHABLE = (
    "scheme", "address", "too_large", "timeout", "media_type", "http_status", "redirects", "unreachable")

_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
# Content-Type values of reports (before the bytes are sniffed) and values that say nothing (judged by the bytes).
_REPORT_TYPES = frozenset({
    "text/html", "application/xhtml+xml", "text/plain", "application/pdf", "application/x-pdf",
    "application/msword", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/wps-office.wps", "application/wps-office.doc", "application/wps-office.docx", "application/kswps",
    "application/vnd.ms-works", "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/wps-office.xls",
    "application/wps-office.et",
})
_GENERIC_TYPES = frozenset({"", "application/octet-stream", "binary/octet-stream", "application/x-download",
                            "application/download", "application/force-download"})
# What the bytes may turn out to be (gongkai.read.detect.sniff).
_SNIFFED = frozenset({HTML, TEXT, PDF, DOCX, OLE})


class FetchRefused(Exception):
    """A URL not fetched, or a response not accepted: `code` (stable, English) and `message` (Chinese)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


# --- addresses ---------------------------------------------------------------------------------------------

def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, NAT64 well-known prefix, 6to4), if any."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip.sixtofour


def is_public(ip: IPAddress) -> bool:
    """Whether a connection to `ip` reaches the public internet only (not this host, not a private network)."""
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_ipv4(ip)
        if inner is not None and not is_public(inner):
            return False
    if (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_reserved
            or ip.is_unspecified):
        return False
    if isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT:
        return False
    return ip.is_global


def _resolve(host: str, port: int) -> list[IPAddress]:
    """Every address `host` resolves to (a literal IP in any spelling the resolver accepts: itself)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        raise FetchRefused(UNREACHABLE, f"无法解析主机名「{host}」") from None
    out: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        ip = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])  # an IPv6 zone (%eth0) is not part of it
        if ip not in out:
            out.append(ip)
    if not out:
        raise FetchRefused(UNREACHABLE, f"无法解析主机名「{host}」")
    return out


def vet(url: httpx.URL, allow: Allow | None = None) -> IPAddress:
    """The address to connect to for `url`: refused unless http(s) and every address of its host is public
    (`allow`, for tests only, admits addresses it returns True for)."""
    if url.scheme not in ("http", "https"):
        raise FetchRefused(SCHEME, "只能核查以 http:// 或 https:// 开头的网址")
    host = url.raw_host.decode("ascii", "replace")
    if not host:
        raise FetchRefused(SCHEME, "网址中没有主机名")
    port = url.port or (443 if url.scheme == "https" else 80)
    addresses = _resolve(host, port)
    for ip in addresses:
        if not is_public(ip) and not (allow is not None and allow(ip)):
            raise FetchRefused(ADDRESS, f"不能访问内部或保留网络地址（{host} → {ip}）")
    return addresses[0]


# --- a transport that connects only to the vetted address, within one deadline ---------------------------------

def _left(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise httpcore.ReadTimeout("deadline")
    return left


class _DeadlineStream(httpcore.NetworkStream):
    """A socket stream whose every operation waits at most until the deadline."""

    def __init__(self, inner: httpcore.NetworkStream, deadline: float) -> None:
        self.inner, self.deadline = inner, deadline

    def _timeout(self, timeout: float | None) -> float:
        left = _left(self.deadline)
        return left if timeout is None else min(timeout, left)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self.inner.read(max_bytes, self._timeout(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.inner.write(buffer, self._timeout(timeout))

    def close(self) -> None:
        self.inner.close()

    def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        tls = self.inner.start_tls(ssl_context, server_hostname, self._timeout(timeout))
        return _DeadlineStream(tls, self.deadline)

    def get_extra_info(self, info: str) -> Any:
        return self.inner.get_extra_info(info)


class _PinnedBackend(httpcore.NetworkBackend):
    """Opens TCP connections to `host` only, and only at the vetted `address`."""

    def __init__(self, host: str, address: IPAddress, deadline: float) -> None:
        self.host, self.address, self.deadline = host, address, deadline
        self.inner = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Any = None) -> httpcore.NetworkStream:
        if host != self.host:  # never happens without a proxy (none is configured): refuse rather than resolve
            raise httpcore.ConnectError(f"unexpected host {host!r}")
        left = _left(self.deadline)
        stream = self.inner.connect_tcp(str(self.address), port, min(timeout or left, left),
                                        socket_options=socket_options)
        return _DeadlineStream(stream, self.deadline)

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Any = None) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("no unix sockets")


class _Body(httpx.SyncByteStream):
    def __init__(self, response: httpcore.Response) -> None:
        self.response = response

    def __iter__(self) -> Iterator[bytes]:
        yield from self.response.iter_stream()

    def close(self) -> None:
        self.response.close()


class _PinnedTransport(httpx.BaseTransport):
    """httpx's transport over an httpcore pool whose network backend is pinned (see the module docstring)."""

    def __init__(self, host: str, address: IPAddress, deadline: float) -> None:
        self.pool = httpcore.ConnectionPool(ssl_context=ssl.create_default_context(), max_connections=1,
                                            network_backend=_PinnedBackend(host, address, deadline))

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.SyncByteStream)
        req = httpcore.Request(method=request.method, url=httpcore.URL(
            scheme=request.url.raw_scheme, host=request.url.raw_host, port=request.url.port,
            target=request.url.raw_path), headers=request.headers.raw, content=request.stream,
            extensions=request.extensions)
        resp = self.pool.handle_request(req)
        return httpx.Response(resp.status, headers=resp.headers, stream=_Body(resp), extensions=resp.extensions)

    def close(self) -> None:
        self.pool.close()


# --- fetching ----------------------------------------------------------------------------------------------

def _base_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def _accept_header_type(media: str) -> None:
    if media in _REPORT_TYPES or media in _GENERIC_TYPES or media.startswith("image/"):
        return
    raise FetchRefused(MEDIA_TYPE, f"网址返回的内容类型（{media}）不是报告（网页、文本、PDF、Word/WPS、Excel 或图片）")


def _read_body(response: httpx.Response, max_bytes: int, deadline: float) -> bytes:
    length = response.headers.get("content-length", "")
    if length.isdigit() and int(length) > max_bytes:
        raise FetchRefused(TOO_LARGE, f"网址返回的文件过大（{int(length)} 字节，上限 {max_bytes} 字节）")
    parts: list[bytes] = []
    total = 0
    for chunk in response.iter_bytes(CHUNK):
        total += len(chunk)
        if total > max_bytes:
            raise FetchRefused(TOO_LARGE, f"网址返回的文件过大（超过上限 {max_bytes} 字节）")
        parts.append(chunk)
        _left(deadline)
    return b"".join(parts)


def _hop(url: httpx.URL, max_bytes: int, deadline: float,
         allow: Allow | None) -> tuple[httpx.URL | None, bytes, str]:
    """One request: (the next URL of a redirect, or None with the body and its sniffed media type)."""
    address = vet(url, allow)
    transport = _PinnedTransport(url.raw_host.decode("ascii"), address, deadline)
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity", "Accept": "*/*"}
    timeout = httpx.Timeout(max(0.01, deadline - time.monotonic()))
    with (httpx.Client(transport=transport, trust_env=False, follow_redirects=False, timeout=timeout) as client,
          client.stream("GET", url, headers=headers) as response):
        if response.is_redirect:
            location = response.headers.get("location", "")
            if not location:
                raise FetchRefused(HTTP_STATUS, f"网址返回跳转（{response.status_code}）但没有给出目标")
            return url.join(location), b"", ""
        if response.status_code != 200:
            raise FetchRefused(HTTP_STATUS, f"网址返回错误状态 {response.status_code}，未取得报告")
        _accept_header_type(_base_type(response.headers.get("content-type")))
        data = _read_body(response, max_bytes, deadline)
    media = sniff(data)
    if media not in _SNIFFED and not media.startswith("image/"):
        raise FetchRefused(MEDIA_TYPE, f"网址返回的文件（{media}）不是可读取的报告格式")
    return None, data, media


def fetch_report(url: str, *, max_bytes: int, timeout: float, allow: Allow | None = None) -> tuple[bytes, str, str]:
    """(content, final URL, media type as sniffed) of the report at `url`, or `FetchRefused`.

    `allow` admits otherwise refused addresses: for tests against a local server only, never passed by the web.
    """
    deadline = time.monotonic() + timeout
    try:
        current = httpx.URL(url.strip())
    except (httpx.InvalidURL, TypeError, ValueError):
        raise FetchRefused(SCHEME, "网址格式不正确") from None
    try:
        for _ in range(MAX_REDIRECTS + 1):
            nxt, data, media = _hop(current, max_bytes, deadline, allow)
            if nxt is None:
                if not data:
                    raise FetchRefused(MEDIA_TYPE, "网址返回的内容为空")
                return data, str(current), media
            current = nxt
    except httpx.InvalidURL:
        raise FetchRefused(SCHEME, "跳转目标网址格式不正确") from None
    except (httpcore.TimeoutException, httpx.TimeoutException):
        raise FetchRefused(TIMEOUT, f"获取网址超时（超过 {timeout:.0f} 秒）") from None
    except (httpcore.ProxyError, httpcore.UnsupportedProtocol, httpcore.ProtocolError, httpcore.NetworkError,
            httpx.HTTPError, ssl.SSLError, OSError) as exc:
        raise FetchRefused(UNREACHABLE, f"无法连接该网址（{type(exc).__name__}）") from None
    raise FetchRefused(REDIRECTS, f"网址跳转次数过多（超过 {MAX_REDIRECTS} 次）")
