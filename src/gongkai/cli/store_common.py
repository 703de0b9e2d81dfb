"""Options shared by the commands that use the store (`--db`, `--organs`) and opening it."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from gongkai.store import Store

DbOption = Annotated[
    str | None,
    typer.Option("--db", envvar="GONGKAI_DB", show_envvar=True,
                 help="数据库 URL（sqlite:///文件 或 postgresql://用户:密码@主机/库）或 SQLite 文件路径；"
                      "默认 ~/.local/share/gongkai/gongkai.db"),
]
OrgansOption = Annotated[
    str | None,
    typer.Option("--organs", help="机关名称覆盖文件（TOML），用于解决有歧义的机关名称"),
]
WORKERS_HELP = "处理进程数（默认 CPU 核数；0 = 不用子进程）"


def store_or_exit(db: str | None) -> Store:
    from gongkai.store import open_store  # SQLAlchemy and Alembic: only for the commands that use the store

    try:
        return open_store(db)
    except Exception as exc:  # connection refused, bad URL …
        print(f"无法打开数据库：{exc}", file=sys.stderr)
        raise typer.Exit(3) from exc
