"""Bad input on every gateway endpoint: a clear answer, never a 5xx, nothing twice.

One matrix of awkward inputs (empty, 10,000 characters, emoji only, control characters,
a lone surrogate, invalid JSON, a JSON that is not an object, the wrong content type,
forged signatures, replayed deliveries) against the web API, its updates, the calendar
link and both webhooks. Citizens always get Italian; the assistant hears each message
once at most.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from integrations import texts
from integrations.channels.telegram import WEBHOOK_PATH as TELEGRAM
from integrations.channels.whatsapp import WEBHOOK_PATH as WHATSAPP
from tests.app.gateway.conftest import TELEGRAM_SECRET, WHATSAPP_APP_SECRET
from tests.app.gateway.fakes import FakeGraph, FakeRasa, FakeTelegram, fixture, wait_for

SESSION = "bad-input-session-01"
LONG = "a" * 10_000
# Texts a citizen (or a script) may send, with what the gateway makes of them.
TEXTS = {
    "empty": "",
    "blank": " \n\t ",
    "10k": LONG,
    "emoji": "😀🎉👍🏽🇮🇹",
    "control": "ciao\x00\x01\x07\x1b[31m\u202e\u200b",
    "lone surrogate": "ciao \ud800",
    "markup": "<script>alert(1)</script>{{7*7}}' OR 1=1 --",
}
# Bodies that are not a usable JSON object.
BROKEN_BODIES = {
    "empty": b"",
    "invalid json": b"{not json",
    "truncated": b'{"session_id": "x", "text": "ciao',
    "array": b"[]",
    "string": b'"ciao"',
    "null": b"null",
    "not utf-8": b'{"text": "\xff\xfe"}',
}
ITALIAN = (
    "Richiesta non valida",
    "non valid",
    "non è",
    "mancante",
    "errat",
    "non trovat",
    "consentito",
)


def json_bytes(value: Any) -> bytes:
    # ensure_ascii: a lone surrogate travels as the \ud800 escape, as a client would send it.
    return json.dumps(value, ensure_ascii=True).encode()


def is_italian_error(response) -> bool:
    detail = response.json().get("detail", "")
    return isinstance(detail, str) and any(word in detail for word in ITALIAN)


# --- web API -------------------------------------------------------------------------------


@pytest.mark.parametrize("text", TEXTS.values(), ids=TEXTS.keys())
def test_the_web_api_answers_any_text_in_italian(gateway: TestClient, fake_rasa: FakeRasa, text):
    body = json_bytes({"session_id": SESSION, "text": text})
    response = gateway.post(
        "/api/web/messages", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 200, response.text
    replies = response.json()["replies"]
    assert replies and all(r["text"].strip() for r in replies)
    if not text.strip():
        assert replies == [texts.EMPTY_MESSAGE.model_dump()]
    elif len(text) > 2000:
        assert "troppo lungo" in replies[0]["text"]
        assert fake_rasa.received == []
    else:  # the assistant heard it (a lone surrogate as U+FFFD), once
        assert replies[0]["text"].startswith("Hai scritto: ")
        assert len(fake_rasa.texts_from(f"web:{SESSION}")) == 1


@pytest.mark.parametrize("body", BROKEN_BODIES.values(), ids=BROKEN_BODIES.keys())
def test_the_web_api_refuses_broken_bodies_in_italian(gateway: TestClient, body):
    response = gateway.post(
        "/api/web/messages", content=body, headers={"Content-Type": "application/json"}
    )
    # 400 only for bytes that are not even text (Starlette's own check).
    assert response.status_code in (400, 422), response.text
    assert is_italian_error(response)


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/plain", json_bytes({"session_id": SESSION, "text": "ciao"})),
        ("application/x-www-form-urlencoded", b"session_id=bad-input-session-01&text=ciao"),
        ("multipart/form-data; boundary=x", b"--x--"),
        ("application/xml", b"<message>ciao</message>"),
    ],
)
def test_the_web_api_refuses_the_wrong_content_type(gateway: TestClient, content_type, body):
    response = gateway.post(
        "/api/web/messages", content=body, headers={"Content-Type": content_type}
    )
    assert response.status_code == 422, response.text
    assert is_italian_error(response)


@pytest.mark.parametrize(
    "session_id",
    ["", "x" * 10_000, "😀😀😀😀😀😀😀😀", "sessione\x00\x01\x02", "../../etc/passwd"],
)
def test_bad_session_ids_are_refused_everywhere(gateway: TestClient, session_id):
    response = gateway.post("/api/web/messages", json={"session_id": session_id, "text": "ciao"})
    assert response.status_code == 422 and is_italian_error(response)
    response = gateway.get("/api/web/updates", params={"session_id": session_id})
    assert response.status_code == 422 and is_italian_error(response)


@pytest.mark.parametrize("value", [12345678, None, ["a" * 8], {"id": "x" * 8}, True])
def test_the_web_api_refuses_fields_of_the_wrong_type(gateway: TestClient, value):
    for body in ({"session_id": value, "text": "ciao"}, {"session_id": SESSION, "text": value}):
        response = gateway.post("/api/web/messages", json=body)
        assert response.status_code == 422 and is_italian_error(response)


@pytest.mark.parametrize("after", ["-1", "abc", "1e3", "99999999999999999999", "", "😀"])
def test_the_updates_refuse_a_bad_position(gateway: TestClient, after):
    response = gateway.get("/api/web/updates", params={"session_id": SESSION, "after": after})
    assert response.status_code == 422 and is_italian_error(response)


def test_a_replayed_web_message_is_answered_once_and_heard_once(gateway, fake_rasa: FakeRasa):
    body = {"session_id": SESSION, "text": "una domanda", "message_id": "replayed-msg-0001"}
    answers = [gateway.post("/api/web/messages", json=body) for _ in range(3)]
    assert {a.status_code for a in answers} == {200}
    assert answers[0].json() == answers[1].json() == answers[2].json()
    assert fake_rasa.texts_from(f"web:{SESSION}") == ["una domanda"]


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/non-esiste", 404),
        ("GET", "/api/web/messages", 405),
        ("DELETE", "/api/telegram/webhook", 405),
        ("PUT", "/api/whatsapp/webhook", 405),
        ("GET", "/static/non-esiste.js", 404),
    ],
)
def test_unknown_paths_and_methods_answer_in_italian(gateway: TestClient, method, path, status):
    response = gateway.request(method, path)
    assert response.status_code == status
    assert is_italian_error(response), response.text


@pytest.mark.parametrize(
    "code", ["", "A" * 10_000, "😀😀😀😀😀😀", "ABC%00EF", "..%2F..%2Fhealth", "abcdef", "AAAAA0"]
)
def test_the_calendar_link_refuses_codes_that_cannot_exist(gateway: TestClient, code):
    response = gateway.get(f"/api/calendar/{code}.ics")
    assert response.status_code in (404, 422), response.text
    assert response.headers["content-type"].startswith("application/json")


# --- Telegram ------------------------------------------------------------------------------

TELEGRAM_HEADERS = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}


def telegram_update(text: str, update_id: int) -> dict[str, Any]:
    update = fixture("telegram/update_text.json")
    update["update_id"] = update_id
    update["message"]["text"] = text
    return update


@pytest.mark.parametrize("text", TEXTS.values(), ids=TEXTS.keys())
def test_telegram_answers_any_text_in_italian(
    gateway: TestClient, fake_telegram: FakeTelegram, fake_rasa: FakeRasa, text
):
    headers = {**TELEGRAM_HEADERS, "Content-Type": "application/json"}
    response = gateway.post(
        TELEGRAM, content=json_bytes(telegram_update(text, 7001)), headers=headers
    )
    assert response.status_code == 200, response.text
    wait_for(lambda: fake_telegram.sent())
    sent = [m["text"] for m in fake_telegram.sent()]
    assert all(piece.strip() and len(piece) <= 4096 for piece in sent)
    if not text.strip():
        assert sent == [texts.EMPTY_MESSAGE.text]


@pytest.mark.parametrize("body", BROKEN_BODIES.values(), ids=BROKEN_BODIES.keys())
def test_telegram_refuses_broken_bodies(gateway: TestClient, fake_rasa: FakeRasa, body):
    headers = {**TELEGRAM_HEADERS, "Content-Type": "application/json"}
    response = gateway.post(TELEGRAM, content=body, headers=headers)
    assert response.status_code == 400, response.text
    assert is_italian_error(response)
    assert fake_rasa.received == []


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml", ""]
)
def test_telegram_reads_the_body_whatever_the_content_type_says(
    gateway: TestClient, fake_telegram: FakeTelegram, content_type
):
    # Telegram always sends JSON; a wrong header changes nothing once the secret matched.
    headers = {**TELEGRAM_HEADERS, "Content-Type": content_type}
    body = json_bytes(telegram_update("ciao", 7002))
    assert gateway.post(TELEGRAM, content=body, headers=headers).status_code == 200
    assert gateway.post(TELEGRAM, content=b"update_id=1", headers=headers).status_code == 400


@pytest.mark.parametrize(
    "secret",
    [None, "", TELEGRAM_SECRET[:-1], TELEGRAM_SECRET + "x", TELEGRAM_SECRET.upper(), "😀"],
)
def test_telegram_refuses_a_forged_secret(gateway: TestClient, fake_rasa: FakeRasa, secret):
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret.encode()  # type: ignore[assignment]
    response = gateway.post(
        TELEGRAM, content=json_bytes(telegram_update("ciao", 7003)), headers=headers
    )
    assert response.status_code == 403 and is_italian_error(response)
    assert fake_rasa.received == []


@pytest.mark.parametrize(
    "message",
    [
        {"message_id": 1, "date": 10**15, "chat": {"id": 1, "type": "private"}, "text": "x"},
        {"message_id": 1, "date": 0, "chat": None, "text": "x"},
        {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}, "text": 42},
        {"message_id": 1, "date": 0, "chat": [], "text": "x"},
        True,
    ],
    ids=["date out of range", "null chat", "number as text", "list as chat", "not an object"],
)
def test_telegram_acknowledges_signed_shapes_it_does_not_know(
    gateway: TestClient, fake_rasa: FakeRasa, message
):
    # Found by the property tests: each of these was a 500, and Telegram would retry it.
    update = {"update_id": 7010, "message": message}
    response = gateway.post(TELEGRAM, json=update, headers=TELEGRAM_HEADERS)
    assert response.status_code == 200, response.text
    assert fake_rasa.received == []


def test_a_replayed_telegram_update_is_answered_once(
    gateway: TestClient, fake_telegram: FakeTelegram, fake_rasa: FakeRasa
):
    for _ in range(3):
        assert gateway.post(
            TELEGRAM, json=telegram_update("doppio", 7004), headers=TELEGRAM_HEADERS
        )
    gateway.post(TELEGRAM, json=telegram_update("dopo", 7005), headers=TELEGRAM_HEADERS)
    wait_for(lambda: len(fake_telegram.sent()) == 2)
    assert fake_rasa.texts_from("telegram:987654321") == ["doppio", "dopo"]


# --- WhatsApp ------------------------------------------------------------------------------


def signed(body: bytes, secret: str = WHATSAPP_APP_SECRET) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {"Content-Type": "application/json", "X-Hub-Signature-256": f"sha256={digest}"}


def whatsapp_message(text: str, message_id: str) -> dict[str, Any]:
    payload = fixture("whatsapp/text.json")
    message = payload["entry"][0]["changes"][0]["value"]["messages"][0]
    message["text"]["body"] = text
    message["id"] = message_id
    return payload


def whatsapp_texts(fake_graph: FakeGraph) -> list[str]:
    found = []
    for body in fake_graph.sent:
        if body["type"] == "text":
            found.append(body["text"]["body"])
        elif body["type"] == "interactive":
            found.append(body["interactive"]["body"]["text"])
    return found


@pytest.mark.parametrize("text", TEXTS.values(), ids=TEXTS.keys())
def test_whatsapp_answers_any_text_in_italian(
    gateway: TestClient, fake_graph: FakeGraph, fake_rasa: FakeRasa, text
):
    body = json_bytes(whatsapp_message(text, "wamid.bad-input-1"))
    assert gateway.post(WHATSAPP, content=body, headers=signed(body)).status_code == 200
    wait_for(lambda: fake_graph.sent or fake_graph.refused)
    assert fake_graph.refused == []  # within the Cloud API's limits (4,096 characters...)
    sent = whatsapp_texts(fake_graph)
    assert all(piece.strip() for piece in sent)
    if not text.strip():
        assert sent == [texts.EMPTY_MESSAGE.text]


@pytest.mark.parametrize("body", BROKEN_BODIES.values(), ids=BROKEN_BODIES.keys())
def test_whatsapp_refuses_broken_bodies_even_when_signed(gateway: TestClient, body):
    response = gateway.post(WHATSAPP, content=body, headers=signed(body))
    assert response.status_code == 400, response.text
    assert is_italian_error(response)


@pytest.mark.parametrize(
    "shape",
    [
        {"entry": "x"},
        {"entry": [{"changes": [{"value": {"messages": [{"type": "text", "from": 1}]}}]}]},
        {"entry": [None, 1, "x"]},
        {"entry": [{"changes": [{"value": {"metadata": []}}]}]},
    ],
)
def test_whatsapp_acknowledges_signed_shapes_it_does_not_know(
    gateway: TestClient, fake_rasa, shape
):
    body = json_bytes(shape)
    response = gateway.post(WHATSAPP, content=body, headers=signed(body))
    assert response.status_code == 200  # an error would only make Meta retry it
    assert fake_rasa.received == []


@pytest.mark.parametrize(
    "signature",
    [
        None,
        "",
        "sha256=",
        "sha1=0000",
        "sha256=" + "0" * 64,
        "sha256=😀",
        "signed-with-another-secret",
    ],
)
def test_whatsapp_refuses_a_forged_signature(gateway: TestClient, fake_rasa: FakeRasa, signature):
    body = json_bytes(whatsapp_message("ciao", "wamid.bad-input-2"))
    headers = {"Content-Type": "application/json"}
    if signature == "signed-with-another-secret":
        headers = signed(body, secret="another-app-secret")
    elif signature is not None:
        headers["X-Hub-Signature-256"] = signature.encode()  # type: ignore[assignment]
    response = gateway.post(WHATSAPP, content=body, headers=headers)
    assert response.status_code == 403 and is_italian_error(response)
    assert fake_rasa.received == []


def test_a_signature_of_another_body_is_refused(gateway: TestClient, fake_rasa: FakeRasa):
    original = json_bytes(whatsapp_message("ciao", "wamid.bad-input-3"))
    tampered = json_bytes(whatsapp_message("cancella tutto", "wamid.bad-input-3"))
    response = gateway.post(WHATSAPP, content=tampered, headers=signed(original))
    assert response.status_code == 403
    assert fake_rasa.received == []


def test_a_replayed_whatsapp_message_is_answered_once(
    gateway: TestClient, fake_graph: FakeGraph, fake_rasa: FakeRasa
):
    body = json_bytes(whatsapp_message("doppio", "wamid.bad-input-replayed"))
    for _ in range(3):
        assert gateway.post(WHATSAPP, content=body, headers=signed(body)).status_code == 200
    after = json_bytes(whatsapp_message("dopo", "wamid.bad-input-after"))
    gateway.post(WHATSAPP, content=after, headers=signed(after))
    wait_for(lambda: len(fake_graph.sent) == 2)
    assert fake_rasa.texts_from("whatsapp:393471234567") == ["doppio", "dopo"]


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"hub.mode": "subscribe"},
        {"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": "x" * 10_000, "hub.challenge": "1"},
        {"hub.mode": "subscribe", "hub.verify_token": "😀\x00", "hub.challenge": "1"},
    ],
)
def test_the_whatsapp_verification_refuses_anything_but_the_token(gateway: TestClient, params):
    response = gateway.get(WHATSAPP, params=params)
    assert response.status_code == 403 and is_italian_error(response)
