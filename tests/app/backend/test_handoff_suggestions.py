"""Suggested FAQ answers from a fake Rasa answering in Rasa 3.6's /model/parse shape."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from backend.handoffs import service, suggestions
from backend.handoffs.schemas import HandoffIn
from backend.settings import get_settings
from tests.app.backend.console_helpers import console_client, make_operator, sign_in
from tests.app.backend.handoff_helpers import handoff_body

pytestmark = pytest.mark.integration


def parse_result(text: str) -> dict:
    """What Rasa 3.6 answers (trimmed): ResponseSelector for retrieval intent `faq`."""
    ranking = [
        {"id": -3431232, "confidence": 0.62, "intent_response_key": "faq/did"},
        {"id": 778123, "confidence": 0.21, "intent_response_key": "faq/naspi"},
        {"id": 1203, "confidence": 0.09, "intent_response_key": "faq/patto_servizio"},
        {"id": 99, "confidence": 0.05, "intent_response_key": "faq/non_esiste"},
        {"id": 98, "confidence": 0.03, "intent_response_key": "faq/iscrizione_cpi"},
    ]
    return {
        "text": text,
        "intent": {"name": "faq", "confidence": 0.97},
        "entities": [],
        "intent_ranking": [{"name": "faq", "confidence": 0.97}],
        "response_selector": {
            "all_retrieval_intents": ["faq"],
            "default": {"response": {}, "ranking": []},
            "faq": {
                "response": {
                    "responses": [{"text": "..."}],
                    "confidence": 0.62,
                    "intent_response_key": "faq/did",
                    "utter_action": "utter_faq/did",
                },
                "ranking": ranking,
            },
        },
    }


class FakeRasa(BaseHTTPRequestHandler):
    asked: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        FakeRasa.asked.append(body["text"])
        payload = json.dumps(parse_result(body["text"])).encode()
        if self.path != "/model/parse":
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def rasa_url(monkeypatch) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeRasa)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.setattr(get_settings(), "rasa_url", url)
    FakeRasa.asked = []
    yield url
    server.shutdown()
    server.server_close()


@pytest.fixture
def rasa_down(monkeypatch) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setattr(get_settings(), "rasa_url", f"http://127.0.0.1:{port}")


async def test_the_three_most_likely_faq_answers_with_their_texts(rasa_url):
    found = await suggestions.suggest("come faccio la did?")
    assert [s.key for s in found] == ["did", "naspi", "patto_servizio"]
    assert found[0].title == "DID"
    assert found[0].confidence == pytest.approx(0.62)
    assert found[0].text.startswith("La DID (Dichiarazione di Immediata Disponibilità)")
    assert "Prenota un appuntamento" not in found[0].text  # buttons left out
    assert FakeRasa.asked == ["come faccio la did?"]


async def test_the_privacy_answer_carries_the_notices_real_address(rasa_url, monkeypatch):
    # Rasa's parse is the recorded one; the answer chosen is the privacy FAQ's.
    def privacy_first(parse: dict, answers: dict[str, str]) -> list[suggestions.Suggestion]:
        text = answers["privacy"]
        return [suggestions.Suggestion(key="privacy", title="Privacy", text=text, confidence=0.9)]

    monkeypatch.setattr(suggestions, "rank", privacy_first)
    monkeypatch.setattr(get_settings(), "public_base_url", "https://sportello.regione.example/")
    (only,) = await suggestions.suggest("come usate i miei dati?")
    assert "%PRIVACY_URL%" not in only.text
    assert "https://sportello.regione.example/privacy" in only.text


async def test_without_rasa_there_are_no_suggestions(rasa_down):
    assert await suggestions.suggest("come faccio la did?") == []


def test_every_faq_answer_is_read_from_the_domain():
    answers = suggestions.faq_answers(get_settings().bot_domain_dir)
    assert len(answers) >= 20
    assert all(text and not text.startswith("utter_") for text in answers.values())


@pytest.fixture
def maria_on_a_conversation(db_session, now, redis_prefix):
    maria = make_operator(db_session, last_seen_at=now - timedelta(seconds=5))
    handoff, _ = service.create(db_session, HandoffIn(**handoff_body()))
    with console_client(db_session) as client:
        sign_in(client, maria)
        yield client, handoff


def test_the_console_route_asks_about_the_citizens_last_message(maria_on_a_conversation, rasa_url):
    client, handoff = maria_on_a_conversation
    response = client.get(f"/api/console/handoffs/{handoff.id}/suggestions")
    assert response.status_code == 200, response.text
    assert [s["key"] for s in response.json()] == ["did", "naspi", "patto_servizio"]
    assert set(response.json()[0]) == {"key", "title", "text", "confidence"}
    assert FakeRasa.asked == ["voglio parlare con qualcuno"]


def test_the_console_route_is_empty_without_rasa(maria_on_a_conversation, rasa_down):
    client, handoff = maria_on_a_conversation
    response = client.get(f"/api/console/handoffs/{handoff.id}/suggestions")
    assert response.status_code == 200
    assert response.json() == []
