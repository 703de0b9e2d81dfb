"""The `gongkai` command line. Each command lives in its own module and registers on `app`.

Start-up matters (`gongkai parse ONE.txt`, `gongkai --help`): the command modules import only typer
at module level; the readers, the checks, the store (SQLAlchemy, Alembic), rich and the exporters
are imported inside the commands that use them.
"""

from __future__ import annotations

import gc

import typer

app = typer.Typer(
    name="gongkai",
    help="政府信息公开工作年度报告：读取、核查、入库与比较。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Command modules; each adds its commands to `app` when imported.
from gongkai.cli import check as _check  # noqa: E402,F401
from gongkai.cli import export as _export  # noqa: E402,F401
from gongkai.cli import ingest as _ingest  # noqa: E402,F401
from gongkai.cli import parse as _parse  # noqa: E402,F401
from gongkai.cli import reparse as _reparse  # noqa: E402,F401
from gongkai.cli import stats as _stats  # noqa: E402,F401


def main() -> None:
    # A command reads report after report, each making thousands of short-lived, acyclic objects:
    # the cyclic collector would mostly rescan the modules and format definitions loaded at start.
    # Those are frozen out of its sight (again once a command has imported what it needs, see
    # `gongkai.cli.jobs`), and it runs less often (cycles are still collected).
    gc.freeze()
    gc.set_threshold(*_GC_THRESHOLDS)
    app()


_GC_THRESHOLDS = (20_000, 20, 20)
