"""Every console route refuses anonymous callers, read from the app's own route table.

The routes are enumerated from `create_app()`, so a route added later under
/api/console (by any module) is covered without touching this file; the only route
open to anonymous callers is POST /api/console/login.
"""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI, WebSocket
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocketDisconnect

from backend.api.security_headers import CSP
from backend.console.auth import operator_from_websocket
from backend.console.sessions import COOKIE_NAME
from backend.main import create_app
from backend.settings import get_settings
from tests.app.backend.console_helpers import BASE_URL, console_client, make_operator, sign_in

PREFIX = "/api/console"
OPEN = {("POST", f"{PREFIX}/login")}
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def console_routes() -> list[tuple[str, str]]:
    """(method, path) of every console route; method "WS" for WebSockets."""
    found: set[tuple[str, str]] = set()
    for route in iter_route_contexts(create_app().routes):
        path = route.path
        if not path or not (path == PREFIX or path.startswith(f"{PREFIX}/")):
            continue
        if isinstance(route.original_route, WebSocketRoute):
            # APIWebSocketRoute subclasses starlette's WebSocketRoute.
            found.add(("WS", path))
            continue
        # A route without methods (a mount) is tried with GET.
        for method in route.methods or {"GET"}:
            if method != "HEAD" and (method, path) not in OPEN:
                found.add((method, path))
    return sorted(found)


ROUTES = console_routes()
HTTP_ROUTES = [(m, p) for m, p in ROUTES if m != "WS"]
WS_ROUTES = [p for m, p in ROUTES if m == "WS"]


def concrete(path: str) -> str:
    """Path parameters filled with 1 ({id}, {id:int}, {code:path} alike)."""
    return re.sub(r"\{[^}]+\}", "1", path)


def test_the_enumeration_sees_the_console_routes():
    # Guards the guard: if route enumeration broke, the tests below would pass empty.
    assert ("GET", f"{PREFIX}/me") in ROUTES
    assert ("PATCH", f"{PREFIX}/admin/operators/{{operator_id}}") in ROUTES
    assert len(HTTP_ROUTES) >= 10


@pytest.fixture
def client(db_session):
    with console_client(db_session) as client:
        yield client


@pytest.mark.parametrize(("method", "path"), HTTP_ROUTES, ids=[f"{m} {p}" for m, p in HTTP_ROUTES])
def test_every_console_route_refuses_an_anonymous_request(client, method, path):
    response = client.request(method, concrete(path))
    assert response.status_code == 401, response.text
    assert response.json() == {"detail": "Accesso richiesto."}


UNSAFE_ROUTES = [(m, p) for m, p in HTTP_ROUTES if m in UNSAFE]


@pytest.mark.parametrize(
    ("method", "path"), UNSAFE_ROUTES, ids=[f"{m} {p}" for m, p in UNSAFE_ROUTES]
)
def test_every_unsafe_console_route_refuses_a_request_without_the_csrf_token(
    client, db_session, method, path
):
    sign_in(client, make_operator(db_session, role="admin"))
    response = client.request(method, concrete(path), json={})
    assert response.status_code == 403, response.text
    assert response.json() == {"detail": "Token CSRF mancante o non valido."}


@pytest.mark.timeout(30)
@pytest.mark.parametrize(
    "path",
    WS_ROUTES or [pytest.param("", marks=pytest.mark.skip(reason="no console WebSocket yet"))],
)
def test_every_console_websocket_refuses_an_anonymous_connection(client, path):
    with pytest.raises(WebSocketDisconnect), client.websocket_connect(concrete(path)) as ws:
        ws.receive_text()  # closed before anything is sent


# --- the WebSocket's Origin check, on a route of its own --------------------------------


@pytest.fixture
def ws_client(db_session):
    app = FastAPI()

    @app.websocket("/ws")
    async def who_am_i(websocket: WebSocket) -> None:
        operator = operator_from_websocket(websocket, db_session)
        if operator is None:
            await websocket.close(code=1008)
            return
        await websocket.accept()
        await websocket.send_text(operator.username)
        await websocket.close()

    with console_client(db_session) as console, TestClient(app, base_url=BASE_URL) as client:
        operator = make_operator(db_session)
        sign_in(console, operator)
        # TestClient opens WebSockets as ws://, where a cookie jar withholds Secure
        # cookies: hand the token over as a plain cookie (browsers send it on wss://).
        client.cookies.set(COOKIE_NAME, console.cookies[COOKIE_NAME])
        client.operator = operator
        yield client


def connect(client: TestClient, origin: str | None) -> str:
    headers = {"Origin": origin} if origin else {}
    with client.websocket_connect("/ws", headers=headers) as ws:
        return ws.receive_text()


def test_the_websocket_accepts_the_console_from_its_own_origin(ws_client):
    assert connect(ws_client, "https://testserver") == ws_client.operator.username
    # Behind a proxy that ends TLS the backend sees ws:// for an https:// page.
    assert connect(ws_client, "http://testserver") == ws_client.operator.username
    assert connect(ws_client, None) == ws_client.operator.username  # not a browser


def test_the_websocket_refuses_a_page_of_another_site_even_with_the_cookie(ws_client):
    with pytest.raises(WebSocketDisconnect):
        connect(ws_client, "https://sito-malevolo.example")
    with pytest.raises(WebSocketDisconnect):
        connect(ws_client, "https://testserver.example")
    with pytest.raises(WebSocketDisconnect):
        connect(ws_client, "null")  # sandboxed frames and file:// pages


def test_the_websocket_accepts_a_configured_origin(ws_client, monkeypatch):
    monkeypatch.setattr(get_settings(), "console_allowed_origins", ["https://cpi.example.it"])
    assert connect(ws_client, "https://cpi.example.it/") == ws_client.operator.username


def test_the_websocket_refuses_a_missing_cookie(ws_client):
    ws_client.cookies.clear()
    with pytest.raises(WebSocketDisconnect):
        connect(ws_client, "https://testserver")


# --- security headers -------------------------------------------------------------------


def test_console_answers_carry_the_strict_headers_and_are_never_cached(client):
    headers = client.get(f"{PREFIX}/me").headers
    assert headers["content-security-policy"] == CSP
    assert "frame-ancestors 'none'" in CSP and "script-src 'self'" in CSP
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "no-referrer"
    assert "camera=()" in headers["permissions-policy"]
    assert headers["cache-control"] == "no-store"


def test_other_answers_carry_the_headers_but_may_be_cached(client):
    headers = client.get("/health").headers
    assert headers["content-security-policy"] == CSP
    assert "cache-control" not in headers


def test_the_api_documentation_still_loads_its_cdn_scripts(client):
    response = client.get("/docs")
    assert response.status_code == 200
    assert "content-security-policy" not in response.headers
    assert response.headers["x-content-type-options"] == "nosniff"
