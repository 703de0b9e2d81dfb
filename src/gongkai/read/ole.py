"""Legacy Word (.doc) and WPS (.wps) files: converted to .docx by LibreOffice headless, then read as .docx.

LibreOffice is a Debian package (libreoffice-writer-nogui) installed by scripts/setup.sh. The files are
untrusted, so each conversion:

- runs with its own throw-away user profile (conversions run side by side and never touch a user's
  settings), written before the start with macros disabled (`DisableMacrosExecution`, security level
  "very high") and every Internet protocol sent to a proxy that does not exist (127.0.0.1, port 9), so
  a linked picture or object is never fetched;
- runs without any network at all where the system lets a user create a network namespace
  (`unshare --user --map-root-user --net`; Debian and most distributions do);
- reads a copy of the data under a fixed safe name (`input.doc`) in a private temporary folder, the
  program started from an argument list (never a shell), so a file name starting with `-` or holding
  quotes and spaces never reaches LibreOffice's command line;
- has a time limit (`CONVERT_TIMEOUT`), after which LibreOffice and every process it started are killed.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from functools import cache
from pathlib import Path

from gongkai.read.document import Block, ReadError
from gongkai.read.docx import read_docx

CONVERT_TIMEOUT = 180
"""Seconds a conversion may take (a report converts in 2–5 s)."""

_DEAD_PROXY = ("127.0.0.1", 9)  # the discard port: nothing listens, every request fails at once
_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
{items}
</oor:items>
"""
_INET = "/org.openoffice.Inet/Settings"
_SETTINGS = (
    ("/org.openoffice.Office.Common/Security/Scripting", "DisableMacrosExecution", "true"),
    ("/org.openoffice.Office.Common/Security/Scripting", "MacroSecurityLevel", "3"),  # very high
    ("/org.openoffice.Office.Common/Security/Scripting", "BlockUntrustedRefererLinks", "true"),
    (_INET, "ooInetProxyType", "1"),  # manual proxy, for every host
    (_INET, "ooInetNoProxy", ""),
    *((_INET, f"ooInet{kind}Proxy{field}", value) for kind in ("HTTP", "HTTPS", "FTP")
      for field, value in (("Name", _DEAD_PROXY[0]), ("Port", str(_DEAD_PROXY[1])))),
)


def write_profile(profile: Path) -> None:
    """A LibreOffice user profile with macros off and the network unreachable (see the module's text)."""
    items = "\n".join(f'<item oor:path="{path}"><prop oor:name="{name}" oor:op="fuse"><value>{value}</value></prop>'
                      "</item>" for path, name, value in _SETTINGS)
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(_PROFILE.format(items=items), encoding="utf-8")


def soffice() -> str | None:
    """The LibreOffice binary, or None when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


@cache
def _no_network_prefix() -> tuple[str, ...]:
    """`unshare` arguments that run a program without network, when the system allows it; else none."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return ()
    prefix = (unshare, "--user", "--map-root-user", "--net")
    try:
        ok = subprocess.run([*prefix, "true"], capture_output=True, timeout=10, check=False).returncode == 0
    except (OSError, subprocess.SubprocessError):
        ok = False
    return prefix if ok else ()


def _environment(tmp: Path) -> dict[str, str]:
    """A plain environment: its own home, and every proxy variable pointing nowhere."""
    dead = f"http://{_DEAD_PROXY[0]}:{_DEAD_PROXY[1]}"
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp), "LANG": "C.UTF-8",
           "TMPDIR": str(tmp)}
    for name in ("http_proxy", "https_proxy", "ftp_proxy", "all_proxy"):
        env[name] = env[name.upper()] = dead
    return env


def convert(data: bytes, suffix: str, target: str) -> bytes:
    """Convert a document with LibreOffice headless (`target`: docx, pdf, doc …) and return the result."""
    binary = soffice()
    if binary is None:
        raise ReadError("converter_missing", "读取 .doc/.wps 文件需要 LibreOffice（Debian 软件包 "
                        "libreoffice-writer-nogui），当前未安装")
    if not suffix.startswith(".") or not suffix[1:].isalnum():
        raise ValueError(f"not a file suffix: {suffix!r}")
    with tempfile.TemporaryDirectory(prefix="gongkai-lo-") as name:
        tmp = Path(name)
        src = tmp / f"input{suffix}"
        src.write_bytes(data)
        out_dir = tmp / "out"
        profile = tmp / "profile"
        write_profile(profile)
        cmd = [*_no_network_prefix(), binary, f"-env:UserInstallation={profile.as_uri()}", "--headless",
               "--norestore", "--nolockcheck", "--convert-to", target, "--outdir", str(out_dir), str(src)]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                env=_environment(tmp), cwd=tmp, start_new_session=True)
        try:
            stdout, stderr = proc.communicate(timeout=CONVERT_TIMEOUT)
        except subprocess.TimeoutExpired as exc:
            raise ReadError("timeout", f"LibreOffice 转换超过 {CONVERT_TIMEOUT} 秒仍未完成，已终止；文件可能已损坏"
                            "或是恶意构造的") from exc
        finally:
            _kill_group(proc)  # on a timeout, and any helper LibreOffice left behind
        produced = list(out_dir.glob("*")) if out_dir.exists() else []
        if proc.returncode != 0 or not produced:
            detail = (stderr or stdout).decode("utf-8", "replace").strip()[:200]
            raise ReadError("corrupt", f"文件无法由 LibreOffice 打开（可能已损坏或已加密）：{detail}")
        return produced[0].read_bytes()


def _kill_group(proc: subprocess.Popen) -> None:  # type: ignore[type-arg]
    """Kill the conversion's process group (LibreOffice starts soffice.bin under oosplash), then reap it."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    if proc.returncode is None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=10)


def read_ole(data: bytes) -> list[Block]:
    """A .doc or .wps (both OLE compound files): LibreOffice recognises which by content."""
    return read_docx(convert(data, ".doc", "docx:MS Word 2007 XML"))
