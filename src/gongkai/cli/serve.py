"""`gongkai serve`: the web application over a store."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from gongkai.cli import app
from gongkai.cli.store_common import DbOption, store_or_exit


@app.command()
def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option("--host", help="监听地址（默认只在本机可访问）")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="端口")] = 8000,
    private: Annotated[bool, typer.Option(
        "--private", help="只有登录用户可以浏览（默认任何人可浏览，写入需登录）")] = False,
) -> None:
    """启动网页应用：报告库、报告原文与表格对照、核查、比较、统计与规则目录。

    中文界面，附 JSON 接口 /api 与接口文档 /docs。
    """
    import uvicorn

    from gongkai.web import WebSettings, create_app

    store_or_exit(db, create=False).close()  # a missing or unreachable store is said here, in one line
    settings = WebSettings(db_url=db, public_read=not private)
    print(f"网页应用：http://{host}:{port}/ （Ctrl+C 停止）", file=sys.stderr)
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")
