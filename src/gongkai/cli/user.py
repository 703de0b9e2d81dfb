"""`gongkai user add|list|remove|grant|roles`: who may sign in to the web application and write, and their roles
in offices (registers, report drafts and their review)."""

from __future__ import annotations

import sys
from datetime import UTC
from typing import Annotated

import typer

from gongkai.cli import app
from gongkai.cli.store_common import DbOption, store_or_exit

user_app = typer.Typer(help="管理网页应用的用户：登录后可上传、删除报告。", no_args_is_help=True)
app.add_typer(user_app, name="user")


def _password(from_stdin: bool) -> str:
    """The password: one line of stdin (scripts), else asked twice without echo."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password = typer.prompt("密码", hide_input=True)
    if typer.prompt("再次输入密码", hide_input=True) != password:
        print("两次输入的密码不一致，未添加。", file=sys.stderr)
        raise typer.Exit(1)
    return password


@user_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="用户名")],
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="从标准输入读取一行作为密码")] = False,
    db: DbOption = None,
) -> None:
    """添加用户（密码只保存其 argon2 散列）。"""
    from gongkai.web.users import UserError, add_user

    password = _password(password_stdin)
    with store_or_exit(db) as store:
        try:
            stored = add_user(store, name, password)
        except UserError as exc:
            print(f"未添加：{exc}", file=sys.stderr)
            raise typer.Exit(1) from None
    print(f"已添加用户“{stored}”。")


@user_app.command("list")
def list_(db: DbOption = None) -> None:
    """列出用户。"""
    from gongkai.web.users import list_users

    with store_or_exit(db, create=False) as store:
        found = list_users(store)
    if not found:
        print("还没有用户：可用 gongkai user add 用户名 添加。")
        return
    for u in found:
        at = u.created_at if u.created_at.tzinfo else u.created_at.replace(tzinfo=UTC)  # SQLite keeps UTC, naive
        print(f"{u.name}\t添加于 {at.astimezone():%Y-%m-%d %H:%M}")


@user_app.command("remove")
def remove(name: Annotated[str, typer.Argument(help="用户名")], db: DbOption = None) -> None:
    """删除用户（其已登录的会话随即不能再写入）。"""
    from gongkai.web.users import remove_user

    with store_or_exit(db, create=False) as store:
        removed = remove_user(store, name)
    if not removed:
        print(f"没有用户“{name}”。", file=sys.stderr)
        raise typer.Exit(1)
    print(f"已删除用户“{name}”。")


_ROLE_HELP = "角色：drafter（撰写人）、approver（审核人，机关负责人）、reviewer（上级审核人，政务公开办）"


@user_app.command("grant")
def grant(
    name: Annotated[str, typer.Argument(help="用户名")],
    office: Annotated[str, typer.Option("--office", help="机关名称")],
    role: Annotated[str, typer.Option("--role", help=_ROLE_HELP)] = "drafter",
    parent: Annotated[str | None, typer.Option("--parent", help="该机关的上级机关（报送年度报告的对象）")] = None,
    db: DbOption = None,
) -> None:
    """让用户在某机关担任角色：撰写人和审核人可以管理该机关的台账、撰写其年度报告，上级审核人审核其报送的报告。"""
    from gongkai.registers.errors import RegisterError
    from gongkai.store import registers as regs

    if role not in regs.ROLES:
        allowed = "、".join(regs.ROLES)
        raise typer.BadParameter(f"“{role}”不是可选的角色；可选：{allowed}", param_hint="--role")
    with store_or_exit(db) as store:
        try:
            target = regs.ensure_office(store, office, parent)
            regs.grant(store, name, target, role)
        except RegisterError as exc:
            print(f"未授权：{exc.message_zh}", file=sys.stderr)
            raise typer.Exit(1) from None
    print(f"“{name}”现为{target.name}的{regs.ROLES[role]}。")


@user_app.command("roles")
def roles(name: Annotated[str, typer.Argument(help="用户名")], db: DbOption = None) -> None:
    """列出用户在各机关的角色。"""
    from gongkai.store import registers as regs

    with store_or_exit(db, create=False) as store:
        held = regs.roles_of(store, name)
        names = {o.key: o.name for o in regs.list_offices(store)}
    if not held:
        print(f"“{name}”在任何机关都没有角色：可用 gongkai user grant 授权。")
        return
    for key, rs in sorted(held.items()):
        print(f"{names.get(key, key)}\t{'、'.join(regs.ROLES[r] for r in sorted(rs))}")
