"""Options shared by the commands that use the store (`--db`, `--organs`) and opening it."""

from __future__ import annotations

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


def store_or_exit(db: str | None, *, create: bool = True) -> Store:
    """The store named by `--db` (or `GONGKAI_DB`, or the default file), brought up to date.

    `create=False` for commands that only read: a missing SQLite file is an error (`store_missing`), not a
    new empty store. A fault is a `StoreError`, printed as one line with its exit code by the command
    line's handler (`gongkai.cli._Commands`)."""
    from gongkai.store import open_store  # SQLAlchemy and Alembic: only for the commands that use the store

    return open_store(db, create=create)
