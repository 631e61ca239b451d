"""Bad input on every backend route with a body, and on the console login: never a 5xx.

The routes are read from the app (every POST, PUT and PATCH), so a new one is covered
without touching this file. Each gets empty, invalid, non-UTF-8 and non-object bodies,
the wrong content type, and fields of 10,000 characters, emoji only or control
characters; the answer is a 4xx with an Italian `detail` that never echoes the input.
Service routes are called with the service token, console routes as a signed-in admin
with the CSRF token, so that the body itself is what gets judged.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from backend.main import create_app
from backend.models import Handoff
from tests.app.backend.console_helpers import console_client, make_operator, sign_in
from tests.app.backend.handoff_helpers import handoff_body

pytestmark = pytest.mark.integration

BODY_METHODS = {"POST", "PUT", "PATCH"}
# Login is covered on its own below; logout takes no body.
SKIP = {("POST", "/api/console/login"), ("POST", "/api/console/logout")}
LONG = "x" * 10_000
STRINGS = {
    "empty": "",
    "10k": LONG,
    "emoji": "😀🎉👍🏽🇮🇹",
    "control": "a\x00\x01\x07\x1b[31m\u202e",
    "markup": "<script>alert(1)</script>' OR 1=1 --",
}
BROKEN_BODIES = {
    "empty": b"",
    "invalid json": b"{not json",
    "not utf-8": b'{"a": "\xff\xfe"}',
    "array": b"[]",
    "string": b'"ciao"',
    "null": b"null",
    "deep": b"[" * 5_000 + b"]" * 5_000,
}
CONTENT_TYPES = ["text/plain", "application/x-www-form-urlencoded", "application/xml"]


def body_routes() -> list[tuple[str, str]]:
    found = set()
    for route in iter_route_contexts(create_app().routes):
        if isinstance(route.original_route, APIRoute):
            for method in set(route.methods or ()) & BODY_METHODS:
                if (method, route.path) not in SKIP:
                    found.add((method, route.path))
    return sorted(found)


ROUTES = body_routes()


def concrete(path: str) -> str:
    # An existing-looking id or code: the body is judged before anything is looked up.
    return re.sub(r"\{[^}]+\}", lambda m: "ABCDEF" if "code" in m.group() else "1", path)


def assert_clear_4xx(response, sent: str = "") -> None:
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    detail = response.json()["detail"]
    assert isinstance(detail, str) and detail
    if len(sent) > 20:
        assert sent not in response.text  # errors never echo what was sent


@pytest.fixture
def client(db_session, service_headers) -> Iterator[TestClient]:
    """Service token and a signed-in admin's session: each route judges the body."""
    with console_client(db_session) as client:
        csrf = sign_in(client, make_operator(db_session, role="admin"))
        client.headers.update({**service_headers, "X-CSRF-Token": csrf})
        yield client


def test_the_enumeration_sees_the_routes_with_a_body():
    assert ("POST", "/api/v1/bookings") in ROUTES
    assert ("POST", "/api/handoffs") in ROUTES
    assert ("POST", "/api/console/handoffs/{handoff_id}/messages") in ROUTES
    assert len(ROUTES) >= 15


def failures(check) -> list[str]:
    """Every route that did not answer a clear 4xx, with what it answered."""
    found = []
    for method, path in ROUTES:
        try:
            check(method, concrete(path))
        except AssertionError as exc:
            found.append(f"{method} {path}: {exc}")
    return found


# One test per kind of bad input, each over every route: the client (a signed-in admin)
# costs a start-up and an argon2 hash, too much to pay once per route.
@pytest.mark.parametrize("body", BROKEN_BODIES.values(), ids=BROKEN_BODIES.keys())
def test_broken_bodies_get_a_clear_4xx(client, body):
    def check(method: str, path: str) -> None:
        headers = {"Content-Type": "application/json"}
        assert_clear_4xx(client.request(method, path, content=body, headers=headers))

    assert failures(check) == []


@pytest.mark.parametrize("content_type", CONTENT_TYPES)
def test_the_wrong_content_type_gets_a_clear_4xx(client, content_type):
    def check(method: str, path: str) -> None:
        headers = {"Content-Type": content_type}
        assert_clear_4xx(client.request(method, path, content=b'{"text": "ciao"}', headers=headers))

    assert failures(check) == []


def every_field(value: Any) -> dict[str, Any]:
    """A body with each field any route knows set to the same awkward value."""
    names = [
        "office_code", "service_code", "starts_at", "tax_code", "channel", "conversation_id",
        "code", "new_starts_at", "facts", "reference_date", "reason", "comune", "context",
        "transcript", "message", "contact_preference", "contact_value", "text", "outcome",
        "operator_id", "title", "office_id", "username", "password", "display_name", "role",
        "region", "offices", "active",
    ]  # fmt: skip
    return dict.fromkeys(names, value)


@pytest.mark.parametrize("value", STRINGS.values(), ids=STRINGS.keys())
def test_awkward_strings_in_every_field_never_make_a_5xx(client, value):
    def check(method: str, path: str) -> None:
        assert_clear_4xx(client.request(method, path, json=every_field(value)), sent=value)

    assert failures(check) == []


# --- the console login --------------------------------------------------------------------


@pytest.fixture
def anonymous(db_session) -> Iterator[TestClient]:
    with console_client(db_session) as client:
        yield client


@pytest.mark.parametrize("value", STRINGS.values(), ids=STRINGS.keys())
def test_the_login_refuses_awkward_credentials_in_italian(anonymous, db_session, value):
    operator = make_operator(db_session)
    for body in (
        {"username": value, "password": value},
        {"username": operator.username, "password": value},
    ):
        response = anonymous.post("/api/console/login", json=body)
        assert response.status_code in (401, 422), response.text
        assert_clear_4xx(response, sent=value)
        assert "sportello_console" not in response.headers.get("set-cookie", "")


@pytest.mark.parametrize("body", BROKEN_BODIES.values(), ids=BROKEN_BODIES.keys())
def test_the_login_refuses_broken_bodies(anonymous, body):
    response = anonymous.post(
        "/api/console/login", content=body, headers={"Content-Type": "application/json"}
    )
    assert_clear_4xx(response)


@pytest.mark.parametrize("content_type", CONTENT_TYPES)
def test_the_login_refuses_the_wrong_content_type(anonymous, db_session, content_type):
    operator = make_operator(db_session)
    form = f"username={operator.username}&password=una-password-lunga-abbastanza"
    response = anonymous.post(
        "/api/console/login", content=form.encode(), headers={"Content-Type": content_type}
    )
    assert_clear_4xx(response)


# --- replayed requests are stored once ----------------------------------------------------


def test_a_replayed_handoff_request_is_stored_once(client, db_session, now):
    body = handoff_body("web:bad-input-replayed")
    first = client.post("/api/handoffs", json=body)
    again = [client.post("/api/handoffs", json=body) for _ in range(3)]
    assert first.status_code == 201, first.text
    assert {r.status_code for r in again} == {200}
    assert {r.json()["id"] for r in again} == {first.json()["id"]}
    count = db_session.scalar(
        select(func.count())
        .select_from(Handoff)
        .where(Handoff.conversation_id == "web:bad-input-replayed")
    )
    assert count == 1
