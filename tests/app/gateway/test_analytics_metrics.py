"""The gateway's analytics events and its /metrics, against a fake Rasa and a fake backend.

The fake Rasa answers as the gateway's channel does (bot/channels/gateway_channel.py):
the messages, and the turn's intent, the response selector's FAQ key and the place slots.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI, Request
from prometheus_client.parser import text_string_to_metric_families

from tests.app.gateway.fakes import serve, wait_for

TOKEN = "analytics-test-service-token"
# What Rasa understood of each text, as the channel's turn shows it.
UNDERSTOOD: dict[str, dict[str, Any]] = {
    "cos'è la DID?": {
        "intent": {"name": "faq", "confidence": 0.93},
        "response_selector": {
            "faq": {"response": {"intent_response_key": "faq/did", "confidence": 0.9}}
        },
    },
    "boh": {"intent": {"name": "nlu_fallback", "confidence": 0.45}},
    "dove si trova il CPI di Cosenza?": {"intent": {"name": "office_info", "confidence": 0.97}},
}


class FakeRasaWithTurns:
    def __init__(self) -> None:
        self.app = FastAPI()
        self.app.post("/webhooks/gateway/webhook")(self._webhook)

    async def _webhook(self, request: Request) -> dict[str, Any]:
        body = await request.json()
        text = body["message"]
        slots = {"comune": "Cosenza"} if "Cosenza" in text else {"comune": None}
        latest = UNDERSTOOD.get(text, {"intent": {"name": "greet"}})
        return {
            "messages": [{"recipient_id": body["sender"], "text": "Risposta di prova."}],
            "turn": {"latest_message": latest, "slots": slots},
        }


class FakeBackend:
    def __init__(self) -> None:
        self.batches: list[dict[str, Any]] = []
        self.raw: list[str] = []
        self.app = FastAPI()
        self.app.post("/api/analytics/events")(self._events)

    async def _events(self, request: Request) -> dict[str, int]:
        assert request.headers["authorization"] == f"Bearer {TOKEN}"
        self.raw.append((await request.body()).decode())
        body = await request.json()
        self.batches.append(body)
        return {"stored": len(body["events"])}

    @property
    def events(self) -> list[dict[str, Any]]:
        return [e for batch in self.batches for e in batch["events"]]


@pytest.fixture
def fakes() -> Iterator[tuple[FakeRasaWithTurns, str, FakeBackend, str]]:
    rasa, backend = FakeRasaWithTurns(), FakeBackend()
    with serve(rasa.app) as rasa_url, serve(backend.app) as backend_url:
        yield rasa, rasa_url, backend, backend_url


@pytest.fixture
def start(make_gateway: Callable[..., Any], fakes) -> Callable[..., Any]:
    _, rasa_url, _, backend_url = fakes

    def start_gateway(**overrides: Any) -> Any:
        settings = {
            "rasa_urls": [rasa_url],
            "backend_url": backend_url,
            "backend_service_token": TOKEN,
            "analytics_enabled": True,
            "analytics_flush_seconds": 0.1,
        }
        return make_gateway(**{**settings, **overrides})

    return start_gateway


def say(client: Any, session: str, text: str) -> None:
    response = client.post("/api/web/messages", json={"session_id": session, "text": text})
    assert response.status_code == 200, response.text


def test_events_carry_codes_not_texts_and_each_turn_its_own_intent(start, fakes):
    _, _, backend, _ = fakes
    gateway = start()
    say(gateway, "analytics-session-1", "cos'è la DID?")
    say(gateway, "analytics-session-1", "boh")
    say(gateway, "analytics-session-1", "dove si trova il CPI di Cosenza?")
    say(gateway, "analytics-session-2", "boh")
    wait_for(lambda: len([e for e in backend.events if e["kind"] == "intent"]) == 4, timeout=10)
    one = [e for e in backend.events if e["conversation_id"] == "web:analytics-session-1"]
    assert [(e["kind"], e.get("label")) for e in one] == [
        ("conversation_started", None),
        ("intent", "faq"),
        ("faq", "did"),
        ("intent", "nlu_fallback"),
        ("fallback", "nlu_fallback"),
        ("intent", "office_info"),
    ]
    assert one[-1]["comune"] == "Cosenza" and "comune" not in one[1]
    assert {e["channel"] for e in backend.events} == {"web"}
    started = [e for e in backend.events if e["kind"] == "conversation_started"]
    assert len(started) == 2
    sent = "".join(backend.raw)
    assert "DID?" not in sent and "boh" not in sent and "dove si trova" not in sent

    # Another replica, same citizen, same day: still one conversation.
    again = start()
    say(again, "analytics-session-1", "boh")
    wait_for(lambda: len([e for e in backend.events if e["kind"] == "intent"]) == 5, timeout=10)
    assert len([e for e in backend.events if e["kind"] == "conversation_started"]) == 2


def test_backend_down_costs_figures_not_replies(start):
    gateway = start(backend_url="http://127.0.0.1:9")  # nothing listens there
    body = {"session_id": "analytics-down", "text": "boh"}
    response = gateway.post("/api/web/messages", json=body)
    assert response.status_code == 200
    assert response.json()["replies"][0]["text"] == "Risposta di prova."


def metric_samples(text: str) -> dict[str, list]:
    found: dict[str, list] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found.setdefault(sample.name, []).append(sample)
    return found


def test_metrics_count_messages_by_channel_and_latency_by_route(start):
    gateway = start()
    say(gateway, "metrics-session-1", "boh")
    gateway.get("/api/calendar/ABCDEF.ics")
    response = gateway.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    found = metric_samples(response.text)
    web = [s for s in found["sportello_gateway_messages_total"] if s.labels["channel"] == "web"]
    assert web and web[0].value >= 1
    latency = found["sportello_gateway_http_request_duration_seconds_count"]
    routes = {s.labels["route"] for s in latency}
    assert "/api/web/messages" in routes
    assert not [r for r in routes if "ABCDEF" in r]


def test_metrics_token(start):
    gateway = start(metrics_token="gateway-metrics-token-0123456789")
    assert gateway.get("/metrics").status_code == 401
    assert gateway.get("/metrics", headers={"Authorization": "Bearer no"}).status_code == 401
    good = {"Authorization": "Bearer gateway-metrics-token-0123456789"}
    assert gateway.get("/metrics", headers=good).status_code == 200
    assert start(sportello_env="production").get("/metrics").status_code == 404
