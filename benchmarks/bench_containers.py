"""Container readers: pages per second for text PDFs, seconds per table picture (OCR), .docx reads.

    .venv/bin/python benchmarks/bench_containers.py [--reports 6] [--tables 6] [--cpu 0]

Synthetic reports (both formats) are rendered before timing: to .docx (python-docx), to PDF
(LibreOffice converting the .docx) and to PNG table pictures. Only reading is timed: `read_bytes`
for PDF and .docx (blocks only), `parse_bytes` for the PDF end to end, and OCR of each picture
(`read_bytes` on the PNG: grid from the ruling lines, Tesseract per cell). One CPU.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import time

from gongkai import parse_bytes
from gongkai.read import read_bytes
from gongkai.render.docx import synthetic_page, to_docx
from gongkai.render.image import png_bytes, table_image
from gongkai.render.pdf import docx_to_pdf
from gongkai.render.synthetic import synthesize


def _pages(pdf: bytes) -> int:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return len(doc.pages)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reports", type=int, default=6)
    ap.add_argument("--tables", type=int, default=6)
    ap.add_argument("--cpu", type=int, default=0)
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {args.cpu})
        os.environ["OMP_THREAD_LIMIT"] = "1"
    reps = [synthesize(("2021", "2019")[i % 2], random.Random(i)) for i in range(args.reports)]
    docxs = [to_docx(synthetic_page(r)) for r in reps]
    pdfs = [docx_to_pdf(d) for d in docxs]
    pages = sum(_pages(p) for p in pdfs)

    t = time.perf_counter()
    for d in docxs:
        read_bytes(d)
    docx_s = time.perf_counter() - t

    t = time.perf_counter()
    for p in pdfs:
        read_bytes(p)
    pdf_s = time.perf_counter() - t
    t = time.perf_counter()
    for p in pdfs:
        parse_bytes(p)
    pdf_parse_s = time.perf_counter() - t

    grids = [g for r in reps for g in synthetic_page(r).grids][: args.tables * 3]
    by_kind: dict[str, list[float]] = {"表2": [], "表3": [], "表4": []}
    for k, g in enumerate(grids):
        png = png_bytes(table_image(g))
        t = time.perf_counter()
        read_bytes(png)
        by_kind[("表2", "表3", "表4")[k % 3]].append(time.perf_counter() - t)
    ocr_all = [s for v in by_kind.values() for s in v]

    print(f"text PDF: {pages} pages in {len(pdfs)} reports; read {pages / pdf_s:.1f} pages/s "
          f"({pdf_s / len(pdfs) * 1000:.0f} ms per report), read+extract {pages / pdf_parse_s:.1f} pages/s")
    print(f".docx: {len(docxs) / docx_s:.1f} reports/s ({docx_s / len(docxs) * 1000:.0f} ms per report)")
    print(f"table pictures (OCR): {sum(ocr_all) / len(ocr_all):.2f} s per table on average "
          + ", ".join(f"{k} {sum(v) / len(v):.2f} s" for k, v in by_kind.items() if v))


if __name__ == "__main__":
    main()
