"""The users who may sign in to the web application and write. Passwords are kept only as argon2 hashes
(argon2-cffi's defaults); a sign-in with an unknown name costs as much as one with a wrong password, so
the time taken does not tell which names exist."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from gongkai.store.schema import users

if TYPE_CHECKING:
    from argon2 import PasswordHasher

    from gongkai.store import Store

MAX_NAME = 64  # the column's length
MIN_PASSWORD = 8
MAX_PASSWORD = 1024  # hashing is bounded work: a password is refused above this, unhashed


class UserError(ValueError):
    """A user that cannot be added as asked (message in Chinese)."""


@dataclass(frozen=True)
class User:
    name: str
    created_at: datetime


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    from argon2 import PasswordHasher

    return PasswordHasher()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Verified against when the name is unknown, so both failures take the same time."""
    return _hasher().hash("gongkai-no-such-user")


def check_name(name: str) -> str:
    """The name as stored (NFC, trimmed), or UserError: 1–64 characters, no spaces or control characters."""
    name = unicodedata.normalize("NFC", name.strip())
    if not name:
        raise UserError("用户名不能为空")
    if len(name) > MAX_NAME:
        raise UserError(f"用户名过长（最多 {MAX_NAME} 个字符）")
    if any(ch.isspace() or unicodedata.category(ch).startswith("C") for ch in name):
        raise UserError("用户名不能包含空格或控制字符")
    return name


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"密码太短（至少 {MIN_PASSWORD} 个字符）")
    if len(password) > MAX_PASSWORD:
        raise UserError(f"密码过长（最多 {MAX_PASSWORD} 个字符）")
    return password


def add_user(store: Store, name: str, password: str) -> str:
    """Add a user (the name as stored is returned); UserError when the name is taken or either is invalid."""
    name = check_name(name)
    hashed = _hasher().hash(check_password(password))
    try:
        with store.writing() as conn:
            conn.execute(users.insert().values(name=name, password_hash=hashed, created_at=datetime.now(UTC)))
    except IntegrityError:
        raise UserError(f"用户“{name}”已存在") from None
    return name


def list_users(store: Store) -> list[User]:
    with store.reading() as conn:
        rows = conn.execute(select(users.c.name, users.c.created_at).order_by(users.c.name)).all()
    return [User(r.name, r.created_at) for r in rows]


def remove_user(store: Store, name: str) -> bool:
    """Remove a user; False when there is none by that name. Their open sessions can no longer write
    (`gongkai.web.auth.require_writer` asks `user_exists`)."""
    name = unicodedata.normalize("NFC", name.strip())
    with store.writing() as conn:
        return conn.execute(delete(users).where(users.c.name == name)).rowcount > 0


def user_exists(store: Store, name: str) -> bool:
    with store.reading() as conn:
        return conn.execute(select(users.c.id).where(users.c.name == name)).first() is not None


def authenticate(store: Store, name: str, password: str) -> str | None:
    """The user's name when the password is theirs, else None (unknown name and wrong password alike)."""
    from argon2.exceptions import InvalidHashError, VerificationError

    name = unicodedata.normalize("NFC", name.strip())
    if not name or len(name) > MAX_NAME or len(password) > MAX_PASSWORD:
        return None
    with store.reading() as conn:
        stored = conn.execute(select(users.c.password_hash).where(users.c.name == name)).scalar()
    try:
        _hasher().verify(stored or _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return None
    if stored is None:
        return None
    if _hasher().check_needs_rehash(stored):  # parameters raised since it was hashed
        with store.writing() as conn:
            conn.execute(update(users).where(users.c.name == name).values(password_hash=_hasher().hash(password)))
    return name
