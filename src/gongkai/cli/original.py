"""`gongkai original`: a stored report's original file, back as it was ingested."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from gongkai.cli import app
from gongkai.cli.store_common import DbOption, store_or_exit


@app.command()
def original(
    ref: Annotated[str, typer.Argument(help="报告编号（库内），或原件 SHA-256（至少前 8 位）")],
    out: Annotated[str | None, typer.Option(
        "--out", "-o", help="写入的文件或目录（默认：当前目录下原件的文件名）；- 表示标准输出")] = None,
    db: DbOption = None,
) -> None:
    """取回入库报告的原件（与入库时逐字节相同）。"""
    from gongkai.export.original import OriginalNotFound
    from gongkai.export.original import original as find_original

    store = store_or_exit(db, create=False)
    with store:
        try:
            found = find_original(store, ref)
        except OriginalNotFound:
            print(f"库中没有找到报告或原件：{ref}", file=sys.stderr)
            raise typer.Exit(1) from None
    if out == "-":
        sys.stdout.buffer.write(found.content)
        return
    target = Path(out) if out else Path(found.name)
    if target.is_dir():
        target = target / found.name
    if target.exists():
        print(f"文件已存在，未覆盖：{target}", file=sys.stderr)
        raise typer.Exit(1)
    target.write_bytes(found.content)
    print(f"原件（{found.media_type}，{len(found.content)} 字节，SHA-256 {found.sha256[:16]}…）→ {target}")
