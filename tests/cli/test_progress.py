"""Long commands show a progress bar on the terminal (stderr), and the bar never gets into the results:
`parse --json` and `check` piped to a file while stderr is a terminal, and `export` to XLSX."""

from __future__ import annotations

import json
import os
import pty
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from gongkai.cli.jobs import BAR_DELAY
from tests.conftest import needs, seed_path

GONGKAI = [str(Path(sys.executable).parent / "gongkai")]
SEEDS = [str(seed_path(n)) for n in ("001", "002", "003")]


def _on_a_terminal(*args: str, delay: str = "0") -> tuple[str, str]:
    """Run with stderr on a pseudo-terminal and stdout to a file: (stdout, what the terminal showed).
    `delay`: seconds before a bar appears (the seeds are read faster than the default)."""
    master, slave = pty.openpty()
    env = {**os.environ, "COLUMNS": "100", "TERM": "xterm", "GONGKAI_PROGRESS_DELAY": delay}
    with tempfile.TemporaryFile("w+", encoding="utf-8") as out_file:
        proc = subprocess.Popen([*GONGKAI, *args], stdout=out_file, stderr=slave, env=env)
        os.close(slave)
        shown = bytearray()
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the terminal's other end closed: the command is done
                break
            if not chunk:
                break
            shown += chunk
        proc.wait(timeout=120)
        os.close(master)
        out_file.seek(0)
        return out_file.read(), shown.decode("utf-8", "replace")

def test_parse_json_to_a_file_shows_a_bar_and_keeps_every_result():
    out, shown = _on_a_terminal("parse", "--json", "-j", "1", *SEEDS)
    results = [json.loads(line) for line in out.splitlines()]
    assert [r["source"]["path"] for r in results] == SEEDS
    assert "读取" in shown and "3/3" in shown
    assert "{" not in shown  # no result went to the terminal


def test_check_to_a_file_shows_a_bar():
    out, shown = _on_a_terminal("check", "-j", "1", *SEEDS)
    assert "核查" in shown and "3/3" in shown
    assert out.strip() and all(s.split("/")[-1] in out for s in SEEDS)


def test_export_to_xlsx_shows_a_bar_per_report(tmp_path: Path):
    db = f"sqlite:///{tmp_path / 'store.db'}"
    subprocess.run([*GONGKAI, "ingest", "--db", db, "--no-progress", *SEEDS], check=True, capture_output=True)
    out, shown = _on_a_terminal("export", "--db", db, "-o", str(tmp_path / "all.xlsx"))
    assert "导出" in shown and "3/3" in shown
    assert "导出 3 份报告" in out


def test_a_quick_file_shows_no_bar():
    out, shown = _on_a_terminal("parse", str(seed_path("001")), delay="30")
    assert "标题" in out and "读取" not in shown


@needs(shutil.which("soffice") is not None and shutil.which("tesseract") is not None,
       "LibreOffice or Tesseract not installed")
def test_a_scan_read_by_ocr_shows_a_bar_by_itself(tmp_path: Path):
    """The default delay: a scanned PDF takes seconds a table, and the terminal shows it is being read."""
    import io
    import random

    import pdfplumber

    from gongkai.render.docx import synthetic_page, to_docx
    from gongkai.render.pdf import docx_to_pdf, scanned_pdf
    from gongkai.render.synthetic import synthesize

    text_pdf = docx_to_pdf(to_docx(synthetic_page(synthesize("2021", random.Random(3)))))
    with pdfplumber.open(io.BytesIO(text_pdf)) as pdf:
        pictures = [p.to_image(resolution=150).original.convert("RGB") for p in pdf.pages]
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(scanned_pdf(pictures, dpi=150))
    out, shown = _on_a_terminal("parse", str(scan), delay=str(BAR_DELAY))
    assert "读取" in shown and "0/1" in shown
    assert "表3" in out
