"""The gateway's security headers and CORS: read from real responses of the app."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from integrations.app import STATIC_DIR
from integrations.security_headers import content_security_policy, inline_style_hashes

ALLOWED = "https://lavoro.regione.example.it"
OTHER = "https://sito-malevolo.example"


@pytest.fixture
def client(make_gateway) -> TestClient:
    return make_gateway(widget_allowed_origins=[ALLOWED])


def csp_directives(value: str) -> dict[str, list[str]]:
    parts = (d.split() for d in value.split(";") if d.strip())
    return {p[0]: p[1:] for p in parts}


def test_the_demo_page_is_strict_and_cannot_be_framed(client):
    response = client.get("/")
    assert response.status_code == 200
    headers = response.headers
    csp = csp_directives(headers["content-security-policy"])
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["script-src"] == ["'self'"]  # no inline script, no eval
    assert csp["object-src"] == ["'none'"] and csp["base-uri"] == ["'none'"]
    # The page's one inline <style> is allowed by its hash, nothing else inline.
    assert "'unsafe-inline'" not in headers["content-security-policy"]
    assert csp["style-src"] == ["'self'", *inline_style_hashes(response.text)]
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert "camera=()" in headers["permissions-policy"]


def test_the_widget_script_is_javascript_and_stays_embeddable(client):
    response = client.get("/static/widget.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["x-content-type-options"] == "nosniff"
    # Loaded by the Region's pages from another origin: nothing that would stop that.
    assert "x-frame-options" not in response.headers
    assert "cross-origin-resource-policy" not in response.headers
    script = response.text
    # Nothing a strict host CSP refuses: no eval, no inline handlers, no <style> by default.
    for hostile in ("eval(", "new Function", "innerHTML", 'setAttribute("style"', "onclick="):
        assert hostile not in script
    assert "adoptedStyleSheets" in script


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/health"),
        ("POST", "/api/web/messages"),
        ("GET", "/api/web/updates?session_id=x"),
        ("POST", "/api/telegram/webhook"),
        ("GET", "/pagina-che-non-esiste"),
    ],
)
def test_json_answers_and_errors_carry_the_headers(client, method, path):
    headers = client.request(method, path).headers
    assert headers["content-security-policy"] == content_security_policy(STATIC_DIR / "index.html")
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"


def test_the_api_documentation_still_loads_its_cdn_scripts(client):
    response = client.get("/docs")
    assert response.status_code == 200
    assert "content-security-policy" not in response.headers
    assert response.headers["x-content-type-options"] == "nosniff"


# --- CORS: only the origins in WIDGET_ALLOWED_ORIGINS may call the web API ---------------


def preflight(client: TestClient, origin: str, path: str = "/api/web/messages"):
    return client.options(
        path,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )


def test_an_allowed_origin_may_call_the_web_api(client, fake_rasa):
    answer = preflight(client, ALLOWED)
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == ALLOWED
    assert "POST" in answer.headers["access-control-allow-methods"]
    body = {"session_id": "cors-session-001", "text": "ciao"}
    response = client.post("/api/web/messages", json=body, headers={"Origin": ALLOWED})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ALLOWED
    updates = client.get(
        "/api/web/updates?session_id=cors-session-001", headers={"Origin": ALLOWED}
    )
    assert updates.headers["access-control-allow-origin"] == ALLOWED


@pytest.mark.parametrize("origin", [OTHER, f"{ALLOWED}.example", "null", "http://127.0.0.1:9"])
def test_another_origin_gets_no_cors_permission(client, fake_rasa, origin):
    answer = preflight(client, origin)
    assert answer.status_code == 400
    assert "access-control-allow-origin" not in answer.headers
    body = {"session_id": "cors-session-002", "text": "ciao"}
    response = client.post("/api/web/messages", json=body, headers={"Origin": origin})
    # The browser withholds the answer from the page: no allow-origin header, no wildcard.
    assert "access-control-allow-origin" not in response.headers
    assert "access-control-allow-credentials" not in response.headers


def test_a_page_cannot_send_the_webhooks_signature_headers(client):
    # Telegram and Meta call the webhooks server to server; a page of even an allowed
    # origin may not send their secret or signature headers.
    for header in ("x-telegram-bot-api-secret-token", "x-hub-signature-256"):
        answer = client.options(
            "/api/telegram/webhook",
            headers={
                "Origin": ALLOWED,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": header,
            },
        )
        assert answer.status_code == 400
        assert header not in answer.headers.get("access-control-allow-headers", "").lower()
