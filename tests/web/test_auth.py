"""Users and signing in (SQLite and PostgreSQL): users are added on the command line with their password
kept only as an argon2 hash; signing in needs the right password and the session's CSRF token, and says
the same thing for an unknown name as for a wrong password; the session cookie is signed, so a cookie
made up by the client signs no one in; signing out and removing a user end what a session may do."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from itsdangerous import TimestampSigner
from sqlalchemy import select
from typer.testing import CliRunner

from gongkai.cli import app as cli
from gongkai.store import Store
from gongkai.store.schema import users
from gongkai.web import WebSettings, create_app

NAME, PASSWORD = "审核员", "correct horse battery"


def add_user(store: Store, name: str = NAME, password: str = PASSWORD) -> None:
    res = CliRunner().invoke(cli, ["user", "add", name, "--password-stdin", "--db", store.url], input=password + "\n")
    assert res.exit_code == 0, res.output
    assert f"已添加用户“{name}”" in res.output


def page_csrf(client: TestClient, path: str = "/login") -> str:
    """The CSRF token in a page's form, as a browser would submit it."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found is not None, f"no CSRF field on {path}"
    return found.group(1)


def sign_in(client: TestClient, name: str = NAME, password: str = PASSWORD, **extra: str):
    token = page_csrf(client)
    return client.post("/login", data={"name": name, "password": password, "csrf_token": token, **extra},
                       follow_redirects=False)


@pytest.fixture
def client(store: Store) -> Iterator[TestClient]:
    add_user(store)
    with TestClient(create_app(WebSettings(db_url=store.url, secret_key="test"))) as c:
        yield c


def test_a_user_is_stored_with_a_hash_never_the_password(store: Store) -> None:
    add_user(store)
    with store.reading() as conn:
        (row,) = conn.execute(select(users.c.name, users.c.password_hash)).all()
    assert row.name == NAME
    assert row.password_hash.startswith("$argon2id$") and PASSWORD not in row.password_hash

    listed = CliRunner().invoke(cli, ["user", "list", "--db", store.url])
    assert listed.exit_code == 0 and NAME in listed.output and PASSWORD not in listed.output
    again = CliRunner().invoke(cli, ["user", "add", NAME, "--password-stdin", "--db", store.url], input="another pw\n")
    assert again.exit_code == 1 and "已存在" in again.output
    short = CliRunner().invoke(cli, ["user", "add", "新人", "--password-stdin", "--db", store.url], input="short\n")
    assert short.exit_code == 1 and "密码太短" in short.output


def test_the_password_is_asked_twice_when_not_piped(store: Store) -> None:
    res = CliRunner().invoke(cli, ["user", "add", "admin", "--db", store.url], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert res.exit_code == 0, res.output
    assert PASSWORD not in res.output  # not echoed
    with TestClient(create_app(WebSettings(db_url=store.url, secret_key="test"))) as c:
        assert sign_in(c, "admin").status_code == 303


def test_signing_in_shows_the_user_and_opens_the_upload_page(client: TestClient) -> None:
    assert client.get("/upload", follow_redirects=False).headers["location"] == "/login?next=/upload"
    res = sign_in(client)
    assert (res.status_code, res.headers["location"]) == (303, "/")
    home = client.get("/")
    assert f"{NAME} · " in home.text and 'href="/logout"' in home.text
    upload = client.get("/upload", follow_redirects=False)
    assert upload.status_code == 200 and "上传报告" in upload.text


def test_a_wrong_password_and_an_unknown_name_get_the_same_answer(client: TestClient) -> None:
    wrong = sign_in(client, NAME, "not the password")
    unknown = sign_in(client, "nobody", PASSWORD)
    for res in (wrong, unknown):
        assert res.status_code == 401
        assert "用户名或密码错误" in res.text
    strip = re.compile(r'name="(?:csrf_token|name)" value="[^"]*"')
    assert strip.sub("", wrong.text) == strip.sub("", unknown.text)  # nothing tells which was wrong
    assert client.get("/upload", follow_redirects=False).status_code == 303  # still signed out


def test_signing_in_without_the_csrf_token_is_refused(client: TestClient) -> None:
    client.get("/login")
    res = client.post("/login", data={"name": NAME, "password": PASSWORD}, follow_redirects=False)
    assert res.status_code == 403 and "CSRF" in res.json()["detail"]
    res = client.post("/login", data={"name": NAME, "password": PASSWORD, "csrf_token": "guessed"},
                      follow_redirects=False)
    assert res.status_code == 403
    assert client.get("/upload", follow_redirects=False).status_code == 303


def test_after_signing_in_it_goes_back_only_within_the_site(client: TestClient) -> None:
    assert sign_in(client, next="/upload").headers["location"] == "/upload"
    client.get("/logout")
    assert sign_in(client, next="//evil.example/x").headers["location"] == "/"
    client.get("/logout")
    assert sign_in(client, next="https://evil.example/").headers["location"] == "/"


def _cookie(payload: dict[str, str], key: str | None) -> str:
    """A session cookie as Starlette makes it (base64 JSON, signed with `key`), or unsigned when None."""
    data = base64.b64encode(json.dumps(payload).encode())
    return (TimestampSigner(key).sign(data) if key else data).decode()


def test_only_a_cookie_signed_with_the_secret_key_signs_anyone_in(client: TestClient) -> None:
    forged = {"user": NAME, "csrf": "made-up"}
    for key in (None, "another key"):
        client.cookies.set("gongkai_session", _cookie(forged, key))
        assert f"{NAME} · " not in client.get("/").text
        res = client.post("/api/reports", files={"file": ("a.txt", b"x")}, headers={"X-CSRF-Token": "made-up"})
        assert res.status_code == 401 and "登录" in res.json()["detail"]
    client.cookies.set("gongkai_session", _cookie(forged, "test"))  # the application's own key: accepted
    assert f"{NAME} · " in client.get("/").text


def test_signing_out_ends_the_session(client: TestClient) -> None:
    sign_in(client)
    token = client.get("/api/csrf").json()["csrf_token"]
    res = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert (res.status_code, res.headers["location"]) == (303, "/")
    assert client.get("/upload", follow_redirects=False).status_code == 303
    assert client.delete("/api/reports/1", headers={"X-CSRF-Token": token}).status_code == 401

    sign_in(client)
    assert client.get("/logout", follow_redirects=False).status_code == 303  # the header's link
    assert "登录</a>" in client.get("/").text


def test_a_removed_user_can_no_longer_write(client: TestClient, store: Store) -> None:
    sign_in(client)
    token = client.get("/api/csrf").json()["csrf_token"]
    res = CliRunner().invoke(cli, ["user", "remove", NAME, "--db", store.url])
    assert res.exit_code == 0 and "已删除用户" in res.output
    res = client.delete("/api/reports/1", headers={"X-CSRF-Token": token})
    assert res.status_code == 401 and "不存在" in res.json()["detail"]
    assert sign_in(client).status_code == 401
