"""Telegram: the gateway against a local server speaking the Bot API's wire format."""

from __future__ import annotations

import copy
import logging
from typing import Any

import pytest
from fastapi.testclient import TestClient

from integrations import texts
from integrations.channels import telegram_setup
from integrations.channels.telegram import WEBHOOK_PATH
from tests.app.gateway.conftest import TELEGRAM_SECRET
from tests.app.gateway.fakes import (
    GREETING_BUTTONS,
    LONG_PAYLOAD,
    FakeTelegram,
    fixture,
    wait_for,
)

CHAT_ID = 987654321
SENDER = f"telegram:{CHAT_ID}"
HEADERS = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}


def post_update(client: TestClient, update: dict[str, Any], headers: dict | None = None):
    return client.post(WEBHOOK_PATH, json=update, headers=HEADERS if headers is None else headers)


def text_update(text: str, update_id: int) -> dict[str, Any]:
    update = fixture("telegram/update_text.json")
    update["update_id"] = update_id
    update["message"]["text"] = text
    return update


def test_start_gets_the_greeting_with_inline_buttons(gateway, fake_telegram, fake_rasa):
    response = post_update(gateway, fixture("telegram/update_start.json"))
    assert response.status_code == 200
    wait_for(lambda: fake_telegram.sent())
    assert fake_rasa.texts_from(SENDER) == ["ciao"]
    message = fake_telegram.sent()[0]
    assert message["chat_id"] == str(CHAT_ID)
    assert message["text"].startswith("Ciao! Sono l'assistente virtuale")
    keyboard = message["reply_markup"]["inline_keyboard"]
    assert [row[0]["callback_data"] for row in keyboard] == [b["payload"] for b in GREETING_BUTTONS]
    assert [row[0]["text"] for row in keyboard] == [b["title"] for b in GREETING_BUTTONS]


def test_a_full_exchange(gateway, fake_telegram, fake_rasa):
    post_update(gateway, fixture("telegram/update_start.json"))
    post_update(gateway, fixture("telegram/update_text.json"))
    wait_for(lambda: len(fake_telegram.sent()) == 2)
    assert fake_rasa.texts_from(SENDER) == ["ciao", "cos'è la DID?"]
    assert fake_telegram.sent()[1]["text"] == "Hai scritto: cos'è la DID?"
    assert "reply_markup" not in fake_telegram.sent()[1]


def test_a_button_round_trip(gateway, fake_telegram, fake_rasa):
    post_update(gateway, fixture("telegram/update_start.json"))
    wait_for(lambda: fake_telegram.sent())
    # The citizen taps "Trova il tuo CPI": Telegram sends its callback_data back.
    tapped = fake_telegram.sent()[0]["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    update = fixture("telegram/update_callback_query.json")
    assert update["callback_query"]["data"] == tapped
    assert post_update(gateway, update).status_code == 200
    wait_for(lambda: len(fake_telegram.sent()) == 2 and fake_telegram.sent("answerCallbackQuery"))
    answered = fake_telegram.sent("answerCallbackQuery")[0]
    assert answered["callback_query_id"] == update["callback_query"]["id"]
    assert fake_rasa.texts_from(SENDER) == ["ciao", "/office_info"]
    towns = fake_telegram.sent()[1]["reply_markup"]["inline_keyboard"]
    assert towns[0][0] == {"text": "Cosenza", "callback_data": '/inform{"comune":"Cosenza"}'}


def test_a_payload_longer_than_64_bytes_falls_back_to_the_title(gateway, fake_telegram):
    post_update(gateway, text_update("payload lungo", 834120100))
    wait_for(lambda: fake_telegram.sent())
    button = fake_telegram.sent()[0]["reply_markup"]["inline_keyboard"][0][0]
    assert len(LONG_PAYLOAD.encode()) > 64
    assert button["callback_data"] == "San Giovanni in Fiore"


@pytest.mark.parametrize(
    "headers", [{}, {"X-Telegram-Bot-Api-Secret-Token": "forged-secret"}], ids=["none", "forged"]
)
def test_a_request_without_the_right_secret_is_refused(gateway, fake_rasa, headers):
    response = post_update(gateway, fixture("telegram/update_text.json"), headers=headers)
    assert response.status_code == 403
    assert "segreto" in response.json()["detail"]
    assert fake_rasa.received == []


def test_the_secret_is_checked_before_the_body_is_parsed(gateway):
    bad = {"X-Telegram-Bot-Api-Secret-Token": "nope", "Content-Type": "application/json"}
    assert gateway.post(WEBHOOK_PATH, content=b"{not json", headers=bad).status_code == 403


def test_a_retried_update_is_processed_once(gateway, fake_telegram, fake_rasa):
    update = fixture("telegram/update_text.json")
    for _ in range(3):
        assert post_update(gateway, copy.deepcopy(update)).status_code == 200
    wait_for(lambda: fake_telegram.sent())
    post_update(gateway, text_update("dopo", 834120999))  # a sentinel after the retries
    wait_for(lambda: len(fake_telegram.sent()) == 2)
    assert fake_rasa.texts_from(SENDER) == ["cos'è la DID?", "dopo"]


@pytest.mark.parametrize("kind", ["photo", "voice", "sticker", "document"])
def test_media_get_a_clear_only_text_reply(gateway, fake_telegram, fake_rasa, kind):
    post_update(gateway, fixture(f"telegram/update_{kind}.json"))
    wait_for(lambda: fake_telegram.sent())
    assert fake_telegram.sent()[0]["text"] == texts.ONLY_TEXT.text
    assert fake_rasa.received == []


def test_edited_messages_are_acknowledged_and_ignored(gateway, fake_telegram, fake_rasa):
    response = post_update(gateway, fixture("telegram/update_edited_message.json"))
    assert response.status_code == 200
    post_update(gateway, text_update("dopo", 834120998))
    wait_for(lambda: fake_telegram.sent())
    assert fake_rasa.texts_from(SENDER) == ["dopo"]


@pytest.mark.parametrize("body", [b"{not json", b"[]", b'{"message": {}}'])
def test_invalid_payloads_get_a_400_not_a_crash(gateway, body):
    headers = {**HEADERS, "Content-Type": "application/json"}
    response = gateway.post(WEBHOOK_PATH, content=body, headers=headers)
    assert response.status_code == 400
    assert "non valido" in response.json()["detail"]


def test_an_oversized_body_is_refused(gateway):
    response = post_update(gateway, {"update_id": 1, "padding": "x" * 1_100_000})
    assert response.status_code == 413


def test_a_too_long_or_empty_message_gets_a_polite_answer(make_gateway, fake_telegram, fake_rasa):
    client = make_gateway(max_message_chars=50)
    post_update(client, text_update("a" * 51, 834120200))
    post_update(client, text_update("   ", 834120201))
    wait_for(lambda: len(fake_telegram.sent()) == 2)
    assert "troppo lungo" in fake_telegram.sent()[0]["text"]
    assert fake_telegram.sent()[1]["text"] == texts.EMPTY_MESSAGE.text
    assert fake_rasa.received == []


def test_messages_of_one_chat_reach_rasa_one_at_a_time_in_order(gateway, fake_telegram, fake_rasa):
    fake_rasa.delay = 0.05
    words = [f"messaggio {i}" for i in range(8)]
    for i, word in enumerate(words):
        post_update(gateway, text_update(word, 834121000 + i))
    wait_for(lambda: len(fake_telegram.sent()) == len(words))
    assert fake_rasa.texts_from(SENDER) == words
    assert fake_rasa.max_parallel_per_sender == 1
    assert [m["text"] for m in fake_telegram.sent()] == [f"Hai scritto: {w}" for w in words]


def test_the_rate_limit_answers_politely(make_gateway, fake_telegram, fake_rasa):
    client = make_gateway(rate_limit_per_minute=2)
    for i in range(3):
        post_update(client, text_update(f"domanda {i}", 834120300 + i))
    wait_for(lambda: len(fake_telegram.sent()) == 3)
    assert fake_telegram.sent()[2]["text"] == texts.RATE_LIMITED.text
    assert fake_rasa.texts_from(SENDER) == ["domanda 0", "domanda 1"]


def test_the_chat_id_never_reaches_the_logs(gateway, fake_telegram, caplog):
    caplog.set_level(logging.DEBUG)
    post_update(gateway, fixture("telegram/update_start.json"))
    wait_for(lambda: fake_telegram.sent())
    assert "telegram: message from" in caplog.text
    assert str(CHAT_ID) not in caplog.text
    assert "AAHf-test-token" not in caplog.text


def test_disabled_when_not_configured(make_gateway):
    client = make_gateway(telegram_bot_token="", telegram_webhook_secret="")
    response = post_update(client, fixture("telegram/update_text.json"))
    assert response.status_code == 503
    assert "non è configurato" in response.json()["detail"]


def test_the_setup_command_sets_the_webhook_with_the_secret(
    make_settings, fake_telegram: FakeTelegram, monkeypatch, capsys
):
    settings = make_settings(public_base_url="https://lavoro.regione.example.it")
    monkeypatch.setattr(telegram_setup, "get_settings", lambda: settings)
    assert telegram_setup.main([]) == 0
    params = fake_telegram.sent("setWebhook")[0]
    assert params["url"] == "https://lavoro.regione.example.it/api/telegram/webhook"
    assert params["secret_token"] == TELEGRAM_SECRET
    assert params["allowed_updates"] == ["message", "callback_query"]
    assert "Webhook set for @SportelloLavoroCPIBot" in capsys.readouterr().out


def test_the_setup_command_refuses_without_configuration(make_settings, monkeypatch):
    settings = make_settings(telegram_bot_token="")
    monkeypatch.setattr(telegram_setup, "get_settings", lambda: settings)
    assert telegram_setup.main([]) == 2
