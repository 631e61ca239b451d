"""WhatsApp: the gateway against a local server speaking the Graph API's wire format."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import logging
from typing import Any

import pytest
from fastapi.testclient import TestClient

from integrations import texts
from integrations.channels.whatsapp import OUTSIDE_WINDOW, WEBHOOK_PATH
from integrations.messages import Button, Reply
from tests.app.gateway.conftest import (
    WHATSAPP_APP_SECRET,
    WHATSAPP_VERIFY_TOKEN,
)
from tests.app.gateway.fakes import GREETING_BUTTONS, FakeGraph, fixture, wait_for

PHONE = "393471234567"
SENDER = f"whatsapp:{PHONE}"


def sign(body: bytes, secret: str = WHATSAPP_APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post(client: TestClient, payload: dict[str, Any], signature: str | None = None):
    body = json.dumps(payload).encode()
    headers = {"Content-Type": "application/json"}
    headers["X-Hub-Signature-256"] = sign(body) if signature is None else signature
    return client.post(WEBHOOK_PATH, content=body, headers=headers)


def text_message(text: str, message_id: str) -> dict[str, Any]:
    payload = fixture("whatsapp/text.json")
    message = payload["entry"][0]["changes"][0]["value"]["messages"][0]
    message["text"]["body"] = text
    message["id"] = message_id
    return payload


def test_the_verify_token_challenge(gateway):
    params = {
        "hub.mode": "subscribe",
        "hub.verify_token": WHATSAPP_VERIFY_TOKEN,
        "hub.challenge": "1158201444",
    }
    response = gateway.get(WEBHOOK_PATH, params=params)
    assert response.status_code == 200
    assert response.text == "1158201444"
    wrong = gateway.get(WEBHOOK_PATH, params={**params, "hub.verify_token": "indovino"})
    assert wrong.status_code == 403


def test_a_full_exchange(gateway, fake_graph: FakeGraph, fake_rasa):
    assert post(gateway, fixture("whatsapp/text.json")).json() == {"ok": True}
    wait_for(lambda: fake_graph.sent)
    assert fake_rasa.texts_from(SENDER) == ["ciao"]
    greeting = fake_graph.sent[0]
    assert greeting["to"] == PHONE and greeting["messaging_product"] == "whatsapp"
    # Four options: more than three reply buttons, so a list message.
    interactive = greeting["interactive"]
    assert interactive["type"] == "list"
    assert interactive["body"]["text"].startswith("Ciao! Sono l'assistente virtuale")
    rows = interactive["action"]["sections"][0]["rows"]
    assert [r["id"] for r in rows] == [b["payload"] for b in GREETING_BUTTONS]
    assert fake_graph.refused == []


def test_a_button_round_trip(gateway, fake_graph: FakeGraph, fake_rasa):
    post(gateway, fixture("whatsapp/interactive_list_reply.json"))  # "Trova il tuo CPI"
    wait_for(lambda: fake_graph.sent)
    towns = fake_graph.sent[0]["interactive"]
    assert towns["type"] == "button"  # two short titles: reply buttons
    chosen = towns["action"]["buttons"][0]["reply"]
    assert chosen == {"id": '/inform{"comune":"Cosenza"}', "title": "Cosenza"}
    tap = fixture("whatsapp/interactive_button_reply.json")
    assert tap["entry"][0]["changes"][0]["value"]["messages"][0]["interactive"]["button_reply"] == (
        chosen
    )
    post(gateway, tap)
    wait_for(lambda: len(fake_graph.sent) == 2)
    assert fake_rasa.texts_from(SENDER) == ["/office_info", '/inform{"comune":"Cosenza"}']
    assert fake_graph.sent[1]["text"]["body"].startswith("📍 Centro per l'Impiego di Cosenza")


@pytest.mark.parametrize(
    "signature",
    [
        "",
        "sha256=" + "0" * 64,
        sign(b"another body"),
        sign(json.dumps(fixture("whatsapp/text.json")).encode(), secret="not-the-app-secret"),
    ],
    ids=["missing", "zeros", "other-body", "other-secret"],
)
def test_a_forged_signature_is_refused(gateway, fake_rasa, signature):
    response = post(gateway, fixture("whatsapp/text.json"), signature=signature)
    assert response.status_code == 403
    assert fake_rasa.received == []


def test_a_retried_message_is_processed_once(gateway, fake_graph: FakeGraph, fake_rasa):
    payload = fixture("whatsapp/text.json")
    for _ in range(3):
        assert post(gateway, copy.deepcopy(payload)).status_code == 200
    post(gateway, text_message("dopo", "wamid.sentinel"))
    wait_for(lambda: len(fake_graph.sent) == 2)
    assert fake_rasa.texts_from(SENDER) == ["ciao", "dopo"]


@pytest.mark.parametrize("name", ["status_delivered", "status_failed", "reaction"])
def test_statuses_and_reactions_are_acknowledged_and_ignored(gateway, fake_rasa, name):
    assert post(gateway, fixture(f"whatsapp/{name}.json")).status_code == 200
    post(gateway, text_message("dopo", f"wamid.after-{name}"))
    wait_for(lambda: fake_rasa.received)
    assert fake_rasa.texts_from(SENDER) == ["dopo"]


@pytest.mark.parametrize("name", ["image", "audio_voice", "sticker", "document"])
def test_media_get_a_clear_only_text_reply(gateway, fake_graph: FakeGraph, fake_rasa, name):
    post(gateway, fixture(f"whatsapp/{name}.json"))
    wait_for(lambda: fake_graph.sent)
    assert fake_graph.sent[0]["text"]["body"] == texts.ONLY_TEXT.text
    assert fake_rasa.received == []


def test_more_than_ten_options_fall_back_to_numbered_text(gateway, fake_graph: FakeGraph):
    post(gateway, text_message("tante opzioni", "wamid.many"))
    wait_for(lambda: fake_graph.sent)
    body = fake_graph.sent[0]["text"]["body"]
    assert body.startswith("Scegli:\n\n1. Opzione 1") and "11. Opzione 11" in body


def test_messages_for_another_business_number_are_ignored(gateway, fake_rasa):
    payload = text_message("ciao", "wamid.other-number")
    payload["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = "999"
    assert post(gateway, payload).status_code == 200
    post(gateway, text_message("dopo", "wamid.after-other"))
    wait_for(lambda: fake_rasa.received)
    assert fake_rasa.texts_from(SENDER) == ["dopo"]


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]"])
def test_invalid_payloads_get_a_400(gateway, body):
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": sign(body)}
    response = gateway.post(WEBHOOK_PATH, content=body, headers=headers)
    assert response.status_code == 400
    assert "non valida" in response.json()["detail"]


def test_an_unknown_signed_shape_is_acknowledged(gateway):
    assert post(gateway, {"object": "whatsapp_business_account", "entry": "?"}).status_code == 200


def test_the_rate_limit_answers_politely(make_gateway, fake_graph: FakeGraph, fake_rasa):
    client = make_gateway(rate_limit_per_minute=1)
    post(client, text_message("uno", "wamid.rl1"))
    post(client, text_message("due", "wamid.rl2"))
    wait_for(lambda: len(fake_graph.sent) == 2)
    assert fake_graph.sent[1]["text"]["body"] == texts.RATE_LIMITED.text
    assert fake_rasa.texts_from(SENDER) == ["uno"]


def test_phone_numbers_never_reach_the_logs(make_gateway, fake_graph: FakeGraph, caplog):
    caplog.set_level(logging.DEBUG)
    client = make_gateway()
    post(client, fixture("whatsapp/text.json"))
    post(client, fixture("whatsapp/interactive_list_reply.json"))
    post(client, fixture("whatsapp/status_failed.json"))
    post(client, fixture("whatsapp/image.json"))
    wait_for(lambda: len(fake_graph.sent) == 3)
    client.__exit__(None, None, None)  # shutdown logs too
    assert "whatsapp: message from" in caplog.text
    assert "131047" in caplog.text  # the failed status was logged, by its code
    assert PHONE not in caplog.text and PHONE[2:] not in caplog.text


def _channel(client: TestClient):
    return client.app.state.whatsapp


def _notify(client: TestClient, replies: list[Reply]):
    return client.portal.call(_channel(client).notify, PHONE, replies)


def test_within_24_hours_a_late_message_is_sent_as_is(gateway, fake_graph: FakeGraph):
    post(gateway, text_message("ciao", "wamid.window-open"))
    wait_for(lambda: fake_graph.sent)
    reply = Reply(text="Sono Anna, operatrice del CPI.", buttons=[Button(title="Ok", payload="/o")])
    delivery = _notify(gateway, [reply])
    assert delivery.sent
    assert fake_graph.sent[-1]["interactive"]["body"]["text"] == reply.text


def test_outside_24_hours_without_a_template_it_is_reported_unsent(gateway, fake_graph):
    delivery = _notify(gateway, [Reply(text="Promemoria: domani alle 9:30 al CPI.")])
    assert not delivery.sent and delivery.detail == OUTSIDE_WINDOW
    assert fake_graph.sent == []


def test_outside_24_hours_the_configured_template_is_used(make_gateway, fake_graph: FakeGraph):
    client = make_gateway(whatsapp_template_name="sportello_messaggio")
    delivery = _notify(client, [Reply(text="Promemoria:\ndomani alle 9:30.")])
    assert delivery.sent
    template = fake_graph.sent[0]["template"]
    assert template["name"] == "sportello_messaggio" and template["language"] == {"code": "it"}
    assert template["components"][0]["parameters"] == [
        {"type": "text", "text": "Promemoria: domani alle 9:30."}
    ]


def test_disabled_when_not_configured(make_gateway):
    client = make_gateway(whatsapp_access_token="", whatsapp_app_secret="")
    assert post(client, fixture("whatsapp/text.json")).status_code == 503
    response = client.get(WEBHOOK_PATH, params={"hub.mode": "subscribe"})
    assert response.status_code == 503
    assert "non è configurato" in response.json()["detail"]
