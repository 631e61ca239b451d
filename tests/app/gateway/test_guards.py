"""Shared guards: retried deliveries, rate limits, Redis outages, production settings."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest
from pydantic import ValidationError

from integrations import texts
from integrations.dedup import Deduplicator
from integrations.rate_limit import RateLimiter
from integrations.redis_store import RedisStore
from integrations.settings import GatewaySettings
from tests.app.gateway.conftest import redis_url
from tests.app.gateway.fakes import fixture, wait_for
from tests.app.gateway.test_telegram import post_update
from tests.app.gateway.test_web_channel import closed_port
from tests.app.gateway.test_whatsapp import post as post_whatsapp

SESSION = "guard-session-0001"
UNREACHABLE_REDIS = f"redis://127.0.0.1:{closed_port()}/0"


def say(client, text: str, message_id: str | None = None) -> list[dict]:
    body = {"session_id": SESSION, "text": text}
    if message_id:
        body["message_id"] = message_id
    response = client.post("/api/web/messages", json=body)
    assert response.status_code == 200, response.text
    return response.json()["replies"]


async def test_dedup_claims_an_id_once(redis_prefix):
    store = RedisStore(redis_url(), redis_prefix)
    dedup = Deduplicator(store, ttl_seconds=60)
    try:
        assert await dedup.first_delivery("telegram", "1")
        assert not await dedup.first_delivery("telegram", "1")
        assert await dedup.first_delivery("whatsapp", "1")
        assert await dedup.recall("telegram", "1") is None  # still being processed
        await dedup.remember("telegram", "1", "done")
        assert await dedup.recall("telegram", "1") == "done"
    finally:
        await store.aclose()


async def test_the_rate_limit_counts_per_sender(redis_prefix):
    store = RedisStore(redis_url(), redis_prefix)
    limiter = RateLimiter(store, per_minute=2)
    try:
        if time.time() % 60 > 58:  # do not straddle two windows
            await asyncio.sleep(2.5)
        assert [await limiter.allow("web", "a") for _ in range(3)] == [True, True, False]
        assert await limiter.allow("web", "b")
    finally:
        await store.aclose()


async def test_with_redis_down_the_guards_step_aside_quickly(caplog):
    store = RedisStore(UNREACHABLE_REDIS, "x:")
    try:
        started = time.monotonic()
        assert await Deduplicator(store, 60).first_delivery("web", "1")
        assert await RateLimiter(store, 0).allow("web", "a")
        assert time.monotonic() - started < 2
        assert "Redis unavailable" in caplog.text
    finally:
        await store.aclose()


def test_web_retry_with_the_same_message_id_gets_the_first_answer(gateway, fake_rasa):
    first = say(gateway, "cos'è la DID?", message_id="msg-0000000001")
    again = say(gateway, "cos'è la DID?", message_id="msg-0000000001")
    assert first == again == [{"text": "Hai scritto: cos'è la DID?", "buttons": []}]
    assert fake_rasa.texts_from(f"web:{SESSION}") == ["cos'è la DID?"]
    # Another session cannot read those replies by reusing the id.
    other = gateway.post(
        "/api/web/messages",
        json={"session_id": "other-session-01", "text": "ciao", "message_id": "msg-0000000001"},
    )
    assert other.json()["replies"][0]["text"].startswith("Ciao!")


def test_web_rate_limit_answers_politely(make_gateway, fake_rasa):
    client = make_gateway(rate_limit_per_minute=2)
    replies = [say(client, f"domanda {i}")[0]["text"] for i in range(3)]
    assert replies[2] == texts.RATE_LIMITED.text
    assert len(fake_rasa.received) == 2


def test_with_redis_down_every_channel_still_answers(
    make_gateway, fake_rasa, fake_telegram, caplog
):
    caplog.set_level(logging.WARNING)
    client = make_gateway(redis_url=UNREACHABLE_REDIS, rate_limit_per_minute=1)
    assert say(client, "ciao", message_id="msg-0000000002")[0]["text"].startswith("Ciao!")
    assert say(client, "di nuovo")[0]["text"] == "Hai scritto: di nuovo"
    post_update(client, fixture("telegram/update_text.json"))
    post_whatsapp(client, fixture("whatsapp/text.json"))
    wait_for(lambda: fake_telegram.sent() and len(fake_rasa.received) == 4)
    assert "Redis unavailable" in caplog.text


def test_settings_enable_a_channel_only_when_fully_configured():
    assert not GatewaySettings(telegram_bot_token="123:abc").telegram_enabled
    assert GatewaySettings(
        telegram_bot_token="123:abc", telegram_webhook_secret="s3cr3t"
    ).telegram_enabled
    assert not GatewaySettings(whatsapp_access_token="x", whatsapp_app_secret="y").whatsapp_enabled


def test_a_telegram_secret_with_invalid_characters_is_refused():
    with pytest.raises(ValidationError, match="TELEGRAM_WEBHOOK_SECRET"):
        GatewaySettings(telegram_webhook_secret="contiene spazi!")


@pytest.mark.parametrize(
    "values",
    [
        {"telegram_bot_token": "123:abc"},
        {"telegram_bot_token": "123:abc", "telegram_webhook_secret": "short"},
        {"telegram_bot_token": "123:abc", "telegram_webhook_secret": "please-change-me-now-123"},
        {"whatsapp_access_token": "EAAG", "whatsapp_app_secret": "s", "whatsapp_verify_token": ""},
    ],
)
def test_production_refuses_an_enabled_channel_with_weak_secrets(values):
    with pytest.raises(ValidationError, match="refused in production"):
        GatewaySettings(sportello_env="production", **values)


def test_production_starts_with_no_channel_configured_or_with_good_secrets():
    token = "a-real-service-token-of-32-chars"
    GatewaySettings(sportello_env="production", backend_service_token=token)
    settings = GatewaySettings(
        sportello_env="production",
        backend_service_token=token,
        telegram_bot_token="7012345678:AAHfRealLookingToken",
        telegram_webhook_secret="Zq3v9L_k2-Pw8sXr4tYb",
        whatsapp_access_token="EAAGrealtoken",
        whatsapp_app_secret="0f1e2d3c4b5a69788796a5b4c3d2e1f0",
        whatsapp_verify_token="a-long-random-verify-token",
        whatsapp_phone_number_id="106540352242922",
    )
    assert settings.telegram_enabled and settings.whatsapp_enabled


def test_a_refused_start_does_not_print_the_secrets():
    with pytest.raises(ValidationError) as refused:
        GatewaySettings(sportello_env="production", telegram_bot_token="7012345678:AAHsecret")
    assert "AAHsecret" not in str(refused.value)
