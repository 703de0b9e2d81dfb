"""Legacy Word (.doc) and WPS (.wps) files: converted to .docx by LibreOffice headless, then read as .docx.

LibreOffice is a Debian package (libreoffice-writer-nogui) installed by scripts/setup.sh. Each
conversion uses its own throw-away user profile, so conversions can run side by side and never
touch a user's settings.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from gongkai.read.document import Block, ReadError
from gongkai.read.docx import read_docx

CONVERT_TIMEOUT = 180


def soffice() -> str | None:
    """The LibreOffice binary, or None when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(data: bytes, suffix: str, target: str) -> bytes:
    """Convert a document with LibreOffice headless (`target`: docx, pdf, doc …) and return the result."""
    binary = soffice()
    if binary is None:
        raise ReadError("converter_missing", "读取 .doc/.wps 文件需要 LibreOffice（Debian 软件包 "
                        "libreoffice-writer-nogui），当前未安装")
    with tempfile.TemporaryDirectory(prefix="gongkai-lo-") as tmp:
        src = Path(tmp) / f"input{suffix}"
        src.write_bytes(data)
        out_dir = Path(tmp) / "out"
        profile = Path(tmp) / "profile"
        cmd = [binary, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
               "--convert-to", target, "--outdir", str(out_dir), str(src)]
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=CONVERT_TIMEOUT, check=False)
        except subprocess.TimeoutExpired as exc:
            raise ReadError("corrupt", "LibreOffice 转换超时，文件可能已损坏") from exc
        produced = list(out_dir.glob("*")) if out_dir.exists() else []
        if proc.returncode != 0 or not produced:
            detail = (proc.stderr or proc.stdout).decode("utf-8", "replace").strip()[:200]
            raise ReadError("corrupt", f"文件无法由 LibreOffice 打开（可能已损坏或已加密）：{detail}")
        return produced[0].read_bytes()


def read_ole(data: bytes) -> list[Block]:
    """A .doc or .wps (both OLE compound files): LibreOffice recognises which by content."""
    return read_docx(convert(data, ".doc", "docx:MS Word 2007 XML"))
