"""Human mode: citizens' messages go to the operator through the inbound stream, not to Rasa."""

from __future__ import annotations

import logging
import uuid

import pytest

from integrations import texts
from integrations.handoff import is_cancel
from tests.app.gateway.fakes import FakeGraph, FakeRasa, FakeTelegram, wait_for
from tests.app.gateway.handoff_helpers import Backend
from tests.app.gateway.test_guards import UNREACHABLE_REDIS
from tests.app.gateway.test_telegram import post_update, text_update
from tests.app.gateway.test_whatsapp import PHONE
from tests.app.gateway.test_whatsapp import post as post_whatsapp
from tests.app.gateway.test_whatsapp import text_message as whatsapp_text

SESSION = "handoff-session-01"
WEB = f"web:{SESSION}"


def say(client, text: str, message_id: str | None = None) -> list[dict]:
    body = {"session_id": SESSION, "text": text}
    if message_id:
        body["message_id"] = message_id
    response = client.post("/api/web/messages", json=body)
    assert response.status_code == 200, response.text
    return response.json()["replies"]


def test_without_a_mode_the_assistant_answers(gateway, backend: Backend, fake_rasa: FakeRasa):
    assert say(gateway, "ciao")[0]["text"].startswith("Ciao!")
    assert fake_rasa.texts_from(WEB) == ["ciao"]
    assert backend.inbound() == []


def test_in_human_mode_the_message_goes_to_the_stream_not_to_rasa(
    gateway, backend: Backend, fake_rasa: FakeRasa
):
    backend.set_mode(WEB, "active")
    assert say(gateway, "  ho perso il lavoro a marzo  ", message_id="msg-00000001") == []
    assert fake_rasa.received == []
    [entry] = backend.inbound()
    assert entry["kind"] == "message"
    assert entry["uid"] == f"web:{SESSION}.msg-00000001"
    assert entry["conversation_id"] == WEB
    assert entry["handoff_id"] == "17"
    assert entry["text"] == "ho perso il lavoro a marzo"
    assert entry["at"].endswith("Z") and entry["at"][:4].isdigit()
    # Without a message id of the channel's, a random uuid.
    assert say(gateway, "ci sei?") == []
    assert uuid.UUID(backend.inbound()[1]["uid"])
    # A retried request is still answered once, and forwarded once.
    assert say(gateway, "ho perso il lavoro a marzo", message_id="msg-00000001") == []
    assert len(backend.inbound()) == 2


def test_while_waiting_the_citizen_is_told_now_and_then(gateway, backend: Backend, fake_rasa):
    backend.set_mode(WEB, "waiting")
    assert say(gateway, "c'è qualcuno?") == [texts.HANDOFF_FORWARDED.model_dump()]
    # Within two minutes the note is not repeated: the assistant stays silent.
    assert say(gateway, "sto aspettando") == []
    assert [e["text"] for e in backend.inbound()] == ["c'è qualcuno?", "sto aspettando"]
    assert fake_rasa.received == []


def test_many_messages_of_one_chat_reach_the_stream_in_order(
    gateway, backend: Backend, fake_telegram: FakeTelegram, fake_rasa
):
    backend.set_mode("telegram:987654321", "active")
    words = [f"messaggio {i}" for i in range(10)]
    for i, word in enumerate(words):
        post_update(gateway, text_update(word, 834125000 + i))
    wait_for(lambda: len(backend.inbound()) == len(words))
    entries = backend.inbound()
    assert [e["text"] for e in entries] == words
    assert [e["uid"] for e in entries] == [f"telegram:{834125000 + i}" for i in range(10)]
    assert fake_rasa.received == [] and fake_telegram.sent() == []


@pytest.mark.parametrize("word", ["annulla", "ANNULLA!", " Stop. ", "bàsta", "/handoff_cancel"])
def test_cancelling_while_waiting_returns_to_the_assistant(
    gateway, backend: Backend, fake_rasa: FakeRasa, word
):
    backend.set_mode(WEB, "waiting")
    assert say(gateway, word) == [texts.HANDOFF_CANCELLED.model_dump()]
    assert backend.mode(WEB) is None
    [entry] = backend.inbound()
    assert entry["kind"] == "cancel" and entry["handoff_id"] == "17" and entry["text"] == ""
    assert fake_rasa.received == []
    assert say(gateway, "ciao")[0]["text"].startswith("Ciao!")
    assert fake_rasa.texts_from(WEB) == ["ciao"]


def test_the_cancel_words_are_whole_messages_only():
    assert is_cancel("Annulla.") and is_cancel("STOP") and is_cancel("  basta!! ")
    assert not is_cancel("annulla appuntamento") and not is_cancel("non basta")


def test_a_cancel_word_while_an_operator_answers_is_an_ordinary_message(
    gateway, backend: Backend, fake_rasa
):
    backend.set_mode(WEB, "active")
    assert say(gateway, "basta") == []
    assert backend.mode(WEB) is not None
    assert [(e["kind"], e["text"]) for e in backend.inbound()] == [("message", "basta")]
    assert fake_rasa.received == []


def test_whatsapp_in_human_mode_is_silent_and_keeps_the_window_open(
    gateway, backend: Backend, fake_graph: FakeGraph, fake_rasa
):
    backend.set_mode(f"whatsapp:{PHONE}", "active")
    post_whatsapp(gateway, whatsapp_text("mi serve un certificato", "wamid.handoff-1"))
    wait_for(lambda: backend.inbound())
    assert backend.inbound()[0]["uid"] == "whatsapp:wamid.handoff-1"
    assert fake_graph.sent == [] and fake_rasa.received == []
    window = backend.redis.keys(f"{backend.prefix.removesuffix('handoff:')}whatsapp:*")
    assert window  # the operator may answer within 24 hours


def test_an_unreadable_mode_lets_the_assistant_answer(gateway, backend: Backend, fake_rasa):
    backend.redis.set(f"{backend.prefix}mode:{WEB}", "not json")
    assert say(gateway, "ciao")[0]["text"].startswith("Ciao!")
    assert backend.inbound() == []


def test_with_redis_down_the_assistant_answers(make_gateway, fake_rasa: FakeRasa, caplog):
    caplog.set_level(logging.WARNING)
    client = make_gateway(redis_url=UNREACHABLE_REDIS)
    assert say(client, "ciao")[0]["text"].startswith("Ciao!")
    assert fake_rasa.texts_from(WEB) == ["ciao"]
    assert "Redis unavailable" in caplog.text


def test_a_message_that_cannot_be_forwarded_is_never_silence(gateway, backend: Backend, fake_rasa):
    backend.set_mode(WEB, "active")
    # The stream's key holds a string: XADD fails as it would with Redis going down.
    backend.redis.set(f"{backend.prefix}inbound", "in the way")
    assert say(gateway, "mi senti?") == [texts.HANDOFF_NOT_FORWARDED.model_dump()]
    assert fake_rasa.received == []


def test_a_cancel_that_cannot_be_recorded_keeps_the_handoff(gateway, backend: Backend, fake_rasa):
    backend.set_mode(WEB, "waiting")
    backend.redis.set(f"{backend.prefix}inbound", "in the way")
    assert say(gateway, "annulla") == [texts.HANDOFF_NOT_FORWARDED.model_dump()]
    assert backend.mode(WEB) is not None
    assert fake_rasa.received == []


def test_disabled_handoff_never_reads_the_mode(make_gateway, backend: Backend, fake_rasa):
    client = make_gateway(handoff_enabled=False)
    backend.set_mode(WEB, "active")
    assert say(client, "ciao")[0]["text"].startswith("Ciao!")
    assert backend.inbound() == []
