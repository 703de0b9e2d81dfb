"""The `gongkai` command line. Each command lives in its own module and registers on `app`.

Start-up matters (`gongkai parse ONE.txt`, `gongkai --help`): the command modules import only typer
at module level; the readers, the checks, the store (SQLAlchemy, Alembic), rich and the exporters
are imported inside the commands that use them.
"""

from __future__ import annotations

import gc
import importlib.abc
import importlib.util
import sys
from typing import Any

import typer
from typer.core import TyperGroup

# Modules whose exceptions are database errors: turned into the store's one-line messages (never imported here).
_DATABASE_MODULES = ("sqlalchemy", "sqlite3", "psycopg", "alembic")


class _Commands(TyperGroup):
    """Runs a command; a fault of the store (`gongkai.store.StoreError`, or a database error that escaped
    the store's edge) ends it with one Chinese line on stderr and the fault's exit code (3-7, see
    `gongkai.store.errors`), not a traceback. Applies under `main` and under typer's test runner alike."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except Exception as exc:
            err = _store_fault(exc)
            if err is None:
                raise
            print(err.line(), file=sys.stderr)
            raise typer.Exit(err.exit_code) from None


def _store_fault(exc: Exception) -> Any:
    """The `StoreError` behind `exc`, or None when it is no fault of the store."""
    module = type(exc).__module__ or ""
    orig = getattr(exc, "orig", None)
    if not module.startswith(("gongkai.store", *_DATABASE_MODULES)) and orig is None:
        return None
    from gongkai.store.errors import classify  # the store is loaded already when its error is raised

    return classify(exc, "")  # a StoreError names its store; an error that escaped the edge is not told which


class _ChineseWhenLoaded(importlib.abc.MetaPathFinder):
    """Typer's help and error display (`typer.rich_utils`, which imports Rich: ~0.1 s) is loaded only when help
    or a usage error is shown; its words are put in Chinese (`gongkai.cli.zh`) as it loads, so commands that
    show neither do not pay for it."""

    def find_spec(self, name: str, path: Any, target: Any = None) -> Any:
        if name != "typer.rich_utils":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            return spec
        load = spec.loader.exec_module

        def exec_module(module: Any) -> None:
            load(module)
            from gongkai.cli import zh

            zh.install()

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


if "typer.rich_utils" in sys.modules:
    from gongkai.cli import zh as _zh

    _zh.install()
elif not any(isinstance(f, _ChineseWhenLoaded) for f in sys.meta_path):
    sys.meta_path.insert(0, _ChineseWhenLoaded())

app = typer.Typer(
    name="gongkai",
    help="政府信息公开工作年度报告：读取、核查、入库与比较。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=_Commands,
)

def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            print(f"gongkai {version('gongkai')}")
        except PackageNotFoundError:  # run from a checkout that is not installed
            print("gongkai（未安装的源代码）")
        raise typer.Exit()


@app.callback()
def _options(
    show_version: bool = typer.Option(False, "--version", "-V", help="显示版本并退出。", callback=_version,
                                      is_eager=True),
) -> None:
    """政府信息公开工作年度报告：读取、核查、入库与比较。"""


# Command modules; each adds its commands to `app` when imported.
from gongkai.cli import check as _check  # noqa: E402,F401
from gongkai.cli import draft as _draft  # noqa: E402,F401
from gongkai.cli import export as _export  # noqa: E402,F401
from gongkai.cli import ingest as _ingest  # noqa: E402,F401
from gongkai.cli import original as _original  # noqa: E402,F401
from gongkai.cli import parse as _parse  # noqa: E402,F401
from gongkai.cli import register as _register  # noqa: E402,F401
from gongkai.cli import reparse as _reparse  # noqa: E402,F401
from gongkai.cli import serve as _serve  # noqa: E402,F401
from gongkai.cli import stats as _stats  # noqa: E402,F401
from gongkai.cli import user as _user  # noqa: E402,F401
from gongkai.cli import versions as _versions  # noqa: E402,F401


def main() -> None:
    # A command reads report after report, each making thousands of short-lived, acyclic objects:
    # the cyclic collector would mostly rescan the modules and format definitions loaded at start.
    # Those are frozen out of its sight (again once a command has imported what it needs, see
    # `gongkai.cli.jobs`), and it runs less often (cycles are still collected).
    gc.freeze()
    gc.set_threshold(*_GC_THRESHOLDS)
    app()


_GC_THRESHOLDS = (20_000, 20, 20)
