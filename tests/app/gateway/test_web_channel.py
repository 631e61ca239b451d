"""The web channel answers every message in Italian, also when the assistant is down."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from integrations.app import create_app
from integrations.conversation import ASSISTANT_DOWN
from integrations.settings import GatewaySettings

SESSION = "test-session-0001"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def client_without_rasa(redis_prefix: str) -> Iterator[TestClient]:
    settings = GatewaySettings(
        rasa_urls=[f"http://127.0.0.1:{closed_port()}"],
        rasa_timeout_seconds=2,
        redis_key_prefix=redis_prefix,
        handoff_redis_prefix=f"{redis_prefix}handoff:",
    )
    with TestClient(create_app(settings)) as client:
        yield client


def post(client: TestClient, text: str, session_id: str = SESSION) -> dict:
    response = client.post("/api/web/messages", json={"session_id": session_id, "text": text})
    assert response.status_code == 200, response.text
    return response.json()


def test_with_the_assistant_down_the_citizen_gets_an_apology(client_without_rasa):
    assert post(client_without_rasa, "ciao")["replies"] == [ASSISTANT_DOWN.model_dump()]


def test_an_empty_message_gets_a_clear_answer(client_without_rasa):
    reply = post(client_without_rasa, "   ")["replies"][0]["text"]
    assert "vuoto" in reply


def test_a_too_long_message_is_refused_politely(client_without_rasa):
    reply = post(client_without_rasa, "a" * 10_000)["replies"][0]["text"]
    assert "troppo lungo" in reply


@pytest.mark.parametrize(
    "body",
    [{"text": "ciao"}, {"session_id": "short", "text": "ciao"}, {"session_id": SESSION}],
)
def test_malformed_requests_get_an_italian_422(client_without_rasa, body):
    response = client_without_rasa.post("/api/web/messages", json=body)
    assert response.status_code == 422
    assert "Richiesta non valida" in response.json()["detail"]


def test_invalid_json_gets_an_italian_422(client_without_rasa):
    response = client_without_rasa.post(
        "/api/web/messages", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422


def test_demo_page_embeds_the_widget_with_one_script_tag(client_without_rasa):
    page = client_without_rasa.get("/").text
    assert page.count("<script") == 1
    assert 'src="/static/widget.js"' in page
    assert client_without_rasa.get("/static/widget.js").status_code == 200


def test_health(client_without_rasa):
    assert client_without_rasa.get("/health").json() == {"status": "ok"}
