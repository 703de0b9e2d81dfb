"""The worker's job for one file: read, extract, check, resolve the organ, and flatten the result
into the rows the store writes (`Prepared`). Runs in worker processes; pure apart from reading."""

from __future__ import annotations

import contextlib
import hashlib
import json
from functools import cache
from importlib import resources
from typing import Any

from gongkai import __version__, is_report, parse_bytes
from gongkai.ingest.resolve import resolve
from gongkai.model import Provenance, Report
from gongkai.read import ReadError
from gongkai.read.detect import sniff
from gongkai.store.records import CellRow, FindingRow, Prepared

_PIPELINE_PACKAGES = ("read", "extract", "formats", "check", "organs")


@cache
def extractor_version() -> str:
    """`0.1.0+<hash>`: the package version and a hash of the code and data that make a report from
    bytes (read, extract, formats, check, organs). `gongkai reparse --outdated` uses it."""
    h = hashlib.sha256()
    root = resources.files("gongkai")
    for pkg in _PIPELINE_PACKAGES:
        base = root.joinpath(pkg)
        if not base.is_dir():
            continue
        stack = [base]
        files = []
        while stack:
            d = stack.pop()
            for e in d.iterdir():
                if e.is_dir():
                    if e.name != "__pycache__":
                        stack.append(e)
                elif e.name.endswith((".py", ".toml", ".csv", ".json", ".tsv")):
                    files.append(e)
        for f in sorted(files, key=lambda e: str(e)):
            h.update(str(f).split("gongkai", 1)[-1].encode())
            h.update(f.read_bytes())
    return f"{__version__}+{h.hexdigest()[:12]}"


def _prov(p: Provenance) -> str | None:
    """Provenance as compact JSON (hand-built: this runs for every cell of every report). Text lines
    share their Provenance objects, so the JSON is remembered per object while a report is prepared."""
    key = id(p)
    hit = _PROV_MEMO.get(key)
    if hit is not None and hit[0] is p:
        return hit[1]
    parts = []
    for k, v in p.__dict__.items():
        if v is not None:
            parts.append(f'"{k}":{json.dumps(list(v)) if k == "bbox" else v}')
    text = "{" + ",".join(parts) + "}" if parts else None
    if len(_PROV_MEMO) > 65536:
        _PROV_MEMO.clear()
    _PROV_MEMO[key] = (p, text)
    return text


_PROV_MEMO: dict[int, tuple[Provenance, str | None]] = {}


def _num(v: Any) -> float | None:
    """A cell's value as the store keeps it; a count beyond any float is kept only as printed (`raw`)."""
    if v is None:
        return None
    try:
        return float(v)
    except OverflowError:
        return None


def report_cells(report: Report) -> list[CellRow]:
    """Every cell read (tables 2–4), every figure stated in prose (`narrative`) and the legacy table's
    harmonised figures (`legacy`), with canonical keys."""
    out: list[CellRow] = []
    for key, row, col, c in report.present_cells():
        out.append((key, row, col, _num(c.value), c.raw, c.unit, _prov(c.provenance)))
    for key, fig in report.narrative.items():
        out.append(("narrative", key, "value", _num(fig.value), fig.text, None, _prov(fig.provenance)))
    if report.legacy is not None:
        for key, v in report.legacy.harmonised.items():
            if v is not None:
                out.append(("legacy", key, "value", _num(v), None, None, None))
    return out


def warm_up() -> None:
    """Load once what preparing any report needs: the extractor version, the checks, the divisions
    behind organ resolution (~0.6 s of CPU). Called before worker processes fork, they inherit it.
    Only an optimisation: whatever fails here fails again, and is reported, for each file."""
    with contextlib.suppress(Exception):
        extractor_version()
        import gongkai.check  # noqa: F401
    with contextlib.suppress(Exception):
        resolve("北京市人民政府")


def _check(report: Report) -> list[Any]:
    try:
        from gongkai.check import check
    except ImportError:
        return []
    return list(check(report))


def _jdump(v: Any) -> str | None:
    return None if v is None else json.dumps(v, ensure_ascii=False, separators=(",", ":"))


def finding_rows(found: list[Any]) -> list[FindingRow]:
    """Findings as rows of `findings` (without the report id), JSON columns serialised."""
    out = []
    for f in found:
        d = f.to_json(None) if hasattr(f, "to_json") else dict(f)
        out.append((d["code"], d["severity"], d["message"], _jdump(d.get("cells") or []), _jdump(d.get("expected")),
                    _jdump(d.get("actual")), d.get("line")))
    return out


def list_figures(cells: list[CellRow], format_id: str | None) -> dict[str, float | None]:
    """The figures kept with the report for lists and peer bands (see `reports.new_requests` and the indicator
    columns): new requests as read, and each indicator of the report's own cells."""
    from gongkai.stats.indicators import indicators

    flat = {f"{t}.{r}.{c}": v for t, r, c, v, *_rest in cells
            if t in ("requests", "review_litigation") and v is not None}
    return {"new_requests": flat.get("requests.new_received.total"),
            **indicators(flat, format_id if format_id in ("2021", "2019") else None)}


def prepare_report(report: Report, path: str | None) -> Prepared:
    """A report already extracted → the rows to store (no failure handling)."""
    src = report.source
    found = finding_rows(_check(report))
    meta = report.meta
    row: dict[str, Any] = {
        "title": meta.title,
        "organ": meta.organ,
        "year": meta.year,
        "format": meta.format,
        "published": meta.published,
        "recognised": True,
        "extractor_version": extractor_version(),
        "n_errors": sum(f[1] == "error" for f in found),
        "n_warnings": sum(f[1] == "warning" for f in found),
        "n_info": sum(f[1] == "info" for f in found),
    }
    row.update(resolve(meta.organ, meta.year))
    cells = report_cells(report)
    row.update(list_figures(cells, meta.format))
    # `model_dump_json` without decoding its bytes; exclude_none halves the size and round-trips exactly.
    # The report was built and validated by the extractor: checking each value's type again for
    # serialisation warnings is a sixth of the cost, and changes nothing in the output.
    as_json = report.__pydantic_serializer__.to_json(report, exclude_none=True, warnings=False)
    return Prepared(src.sha256, path, src.size, src.media_type, row=row, report_json=as_json,
                    cells=cells, findings=found)


def prepare(data: bytes, path: str | None) -> Prepared:
    """Read → extract → check → resolve one file. Never raises but MemoryError: a failure comes back as
    `ok=False`."""
    try:
        report = parse_bytes(data, path)
    except ReadError as exc:
        return _failed(data, path, None, exc.code, exc.message)
    except MemoryError:
        raise  # over the worker's memory limit: the worker reports it, and is replaced
    except Exception as exc:  # a bug in a reader must not stop the batch
        return _failed(data, path, None, "internal_error", f"内部错误：{type(exc).__name__}: {exc}")
    if not is_report(report):
        return _failed(data, path, report.source.media_type, "not_a_report", "未识别为政府信息公开工作年度报告")
    try:
        return prepare_report(report, path)
    except MemoryError:
        raise
    except Exception as exc:
        return _failed(data, path, report.source.media_type, "internal_error",
                       f"内部错误（核查或入库准备）：{type(exc).__name__}: {exc}")


def _failed(data: bytes, path: str | None, media_type: str | None, reason: str, message: str) -> Prepared:
    """A file that gives no report (the content is hashed here only: a report carries its hash)."""
    return Prepared(hashlib.sha256(data).hexdigest(), path, len(data), media_type or _sniff(data), ok=False,
                    reason=reason, message=message)


def _sniff(data: bytes) -> str:
    try:
        return sniff(data)
    except Exception:
        return "application/octet-stream"
