"""Options shared by the commands that use the store (`--db`, `--organs`) and opening it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from gongkai.labels import FORMAT_WORDS, GROUPING_WORDS, kind_words, level_words

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


# The values selection options accept, with what they mean (listed when a value is not one of them).
KINDS = kind_words()
LEVELS = level_words()
FORMATS = FORMAT_WORDS
GROUPINGS = GROUPING_WORDS


def choice(value: str | None, option: str, allowed: dict[str, str]) -> str | None:
    """`value` when it is one of `allowed`; otherwise a usage error that lists what is accepted."""
    if value is None or value in allowed:
        return value
    listed = "、".join(f"{k}（{v}）" for k, v in allowed.items())
    raise typer.BadParameter(f"“{value}”不是可选值；可选：{listed}", param_hint=option)


RegionOption = Annotated[
    list[str] | None,
    typer.Option("--region", help="地区：GB/T 2260 代码或省、市、县名称（可简写：湖南、长沙）；可重复，任一即可"),
]


def regions_or_exit(store: Store, regions: list[str] | None) -> tuple[str, ...] | None:
    """The regions named, as the store names them (`湖南` → 湖南省); a name that matches nothing stored ends the
    command with a message (exit 2), rather than selecting nothing in silence."""
    if not regions:
        return None
    from gongkai.stats import match_regions

    matched, unmatched = match_regions(store, tuple(regions))
    if unmatched:
        import sys

        print(f"地区“{'、'.join(unmatched)}”没有匹配到库中任何省、市、县（可用 GB/T 2260 代码或名称，如 湖南、长沙市）",
              file=sys.stderr)
        raise typer.Exit(2)
    return matched
