"""Every route of the backend and of the gateway is public on purpose or refuses strangers.

The routes are read from each app's own route table, so a route added later (by any
module) is covered without touching this file: it must either join the explicit public
list below, with the reason, or refuse an anonymous request. Complements
tests/app/backend/test_console_routes_guarded.py (console roles, CSRF, WebSocket origin).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from starlette.routing import Mount, WebSocketRoute
from starlette.websockets import WebSocketDisconnect

from backend.main import create_app as create_backend
from backend.settings import get_settings
from integrations.app import create_app as create_gateway
from integrations.settings import GatewaySettings

DOCS = {
    ("GET", "/openapi.json"),
    ("GET", "/docs"),
    ("GET", "/docs/oauth2-redirect"),
    ("GET", "/redoc"),
}
# Open to anyone, and why.
BACKEND_PUBLIC = DOCS | {
    ("GET", "/health"),  # the load balancer's probe: says only "ok"
    ("GET", "/console"),  # redirect to the console's page
    ("GET", "/console/*"),  # the console's static files: the data behind them is guarded
    ("POST", "/api/console/login"),  # how an operator gets a session
}
GATEWAY_PUBLIC = DOCS | {
    ("GET", "/health"),
    ("GET", "/"),  # the demo page
    ("GET", "/static/*"),  # the widget script, embedded by the Region's pages
    ("POST", "/api/web/messages"),  # citizens, anonymous by nature (rate-limited)
    ("GET", "/api/web/updates"),  # a session's pushed messages: the random id is the key
    ("GET", "/api/calendar/{code}.ics"),  # a booking's file: the code is the key
    ("GET", "/privacy"),  # the privacy notice (docs/privacy.md)
}
# Public routes that check a signature or secret of their own (docs/channels.md).
GATEWAY_SIGNED = {
    ("POST", "/api/telegram/webhook"),  # X-Telegram-Bot-Api-Secret-Token
    ("GET", "/api/whatsapp/webhook"),  # hub.verify_token
    ("POST", "/api/whatsapp/webhook"),  # X-Hub-Signature-256 of the body
}


def routes(app: FastAPI) -> set[tuple[str, str]]:
    """(method, path) of every route; "WS" for WebSockets, "<path>/*" for mounts."""
    found: set[tuple[str, str]] = set()
    for route in iter_route_contexts(app.routes):
        original = route.original_route
        if isinstance(original, WebSocketRoute):
            found.add(("WS", route.path))
        elif isinstance(original, Mount):
            found.add(("GET", f"{route.path}/*"))
        else:
            found.update((m, route.path) for m in route.methods or {"GET"} if m != "HEAD")
    return found


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path).replace("/*", "/")


BACKEND_ROUTES = sorted(routes(create_backend()))
BACKEND_GUARDED = [r for r in BACKEND_ROUTES if r not in BACKEND_PUBLIC and r[0] != "WS"]
BACKEND_WS = [p for m, p in BACKEND_ROUTES if m == "WS"]


def gateway_settings() -> GatewaySettings:
    extra = {}
    if "metrics_token" in GatewaySettings.model_fields:
        # /metrics is open in development and test only while no METRICS_TOKEN is set.
        extra["metrics_token"] = "route-test-metrics-token-0123456789"
    return GatewaySettings(
        **extra,
        sportello_env="test",
        redis_url="redis://127.0.0.1:1/0",  # nothing listens: guards skipped, fine here
        telegram_bot_token="7012345678:AAHf-test-token-for-the-route-test",
        telegram_webhook_secret="route-test-webhook-secret-0123",
        telegram_api_base_url="http://127.0.0.1:1/bot",
        whatsapp_access_token="EAAGroutetesttoken",
        whatsapp_app_secret="0f1e2d3c4b5a69788796a5b4c3d2e1f0",
        whatsapp_verify_token="route-test-verify-token-0123",
        whatsapp_phone_number_id="106540352242922",
        whatsapp_graph_base_url="http://127.0.0.1:1/v21.0",
    )


GATEWAY_ROUTES = sorted(routes(create_gateway(gateway_settings())))
GATEWAY_OTHERS = [r for r in GATEWAY_ROUTES if r not in GATEWAY_PUBLIC | GATEWAY_SIGNED]


def test_the_enumeration_sees_every_kind_of_route():
    # Guards the guard: an empty enumeration would make the tests below pass vacuously.
    assert ("POST", "/api/v1/bookings") in BACKEND_GUARDED
    assert ("POST", "/api/handoffs") in BACKEND_GUARDED
    assert ("GET", "/api/console/me") in BACKEND_GUARDED
    assert BACKEND_WS == ["/api/console/ws"]
    assert len(BACKEND_GUARDED) >= 30
    assert set(GATEWAY_ROUTES) >= GATEWAY_SIGNED | {("POST", "/api/web/messages")}


def test_every_public_route_in_the_lists_still_exists():
    # A route renamed away must leave the allow-list too, or the list rots.
    assert set(BACKEND_ROUTES) >= BACKEND_PUBLIC
    assert set(GATEWAY_ROUTES) >= GATEWAY_PUBLIC | GATEWAY_SIGNED


@pytest.fixture
def backend(backend_client: TestClient, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    settings = get_settings()
    if hasattr(settings, "metrics_token"):
        # /metrics is open in development and test only while no METRICS_TOKEN is set
        # (404 in production without one): with a token it is guarded like the rest.
        monkeypatch.setattr(settings, "metrics_token", "route-test-metrics-token-0123456789")
    return backend_client


@pytest.mark.parametrize(
    ("method", "path"), BACKEND_GUARDED, ids=[f"{m} {p}" for m, p in BACKEND_GUARDED]
)
def test_every_other_backend_route_refuses_an_anonymous_request(backend, method, path):
    for headers in ({}, {"Authorization": "Bearer not-the-service-token"}, {"Cookie": "x=y"}):
        response = backend.request(method, concrete(path), headers=headers)
        assert response.status_code == 401, (headers, response.text)
        assert response.json()["detail"]  # in Italian, e.g. "Accesso richiesto."


CONSOLE = [(m, p) for m, p in BACKEND_GUARDED if p.startswith("/api/console/")]


@pytest.mark.parametrize(("method", "path"), CONSOLE, ids=[f"{m} {p}" for m, p in CONSOLE])
def test_the_service_token_does_not_open_the_console(backend, service_headers, method, path):
    response = backend.request(method, concrete(path), headers=service_headers)
    assert response.status_code == 401, response.text


@pytest.mark.parametrize("path", BACKEND_WS)
def test_every_backend_websocket_refuses_an_anonymous_connection(backend, path):
    with pytest.raises(WebSocketDisconnect), backend.websocket_connect(path) as ws:
        ws.receive_text()


@pytest.fixture
def gateway() -> Iterator[TestClient]:
    with TestClient(create_gateway(gateway_settings())) as client:
        yield client


@pytest.mark.parametrize(
    ("method", "path"),
    GATEWAY_OTHERS or [pytest.param("GET", "", marks=pytest.mark.skip(reason="none"))],
)
def test_every_other_gateway_route_refuses_an_anonymous_request(gateway, method, path):
    # The gateway has no operator or admin route; anything beyond the lists above (its
    # /metrics) must refuse a request without its token.
    for headers in ({}, {"Authorization": "Bearer not-the-token"}):
        response = gateway.request(method, concrete(path), headers=headers)
        assert response.status_code == 401, (headers, response.text)
        assert response.json()["detail"]


@pytest.mark.parametrize(
    ("method", "path"), sorted(GATEWAY_SIGNED), ids=[f"{m} {p}" for m, p in sorted(GATEWAY_SIGNED)]
)
def test_every_signed_gateway_route_refuses_a_request_without_its_secret(gateway, method, path):
    if method == "GET":
        params = {"hub.mode": "subscribe", "hub.verify_token": "indovino", "hub.challenge": "1"}
        response = gateway.get(path, params=params)
    else:
        response = gateway.request(method, path, json={"update_id": 1, "entry": []})
    assert response.status_code == 403, response.text
    assert response.json()["detail"]
