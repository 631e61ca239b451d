"""Fixtures of the gateway tests: fake Rasa, Telegram and Graph servers, real Redis."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis
from fastapi.testclient import TestClient

from integrations.app import create_app
from integrations.settings import GatewaySettings
from tests.app.gateway.fakes import FakeGraph, FakeRasa, FakeTelegram, serve
from tests.app.gateway.handoff_helpers import Backend

TELEGRAM_TOKEN = "7012345678:AAHf-test-token-for-the-fake-bot-api"
TELEGRAM_SECRET = "test-webhook-secret-0123456789"
WHATSAPP_TOKEN = "EAAGtestaccesstokenforthefakegraphapi"
WHATSAPP_APP_SECRET = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
WHATSAPP_VERIFY_TOKEN = "test-verify-token-0123456789"
WHATSAPP_PHONE_NUMBER_ID = "106540352242922"


def redis_url() -> str:
    return os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix of this test's own in the real Redis, cleaned up afterwards."""
    prefix = f"test:gateway:{uuid.uuid4().hex[:12]}:"
    yield prefix
    client = redis.Redis.from_url(redis_url())
    try:
        keys = list(client.scan_iter(match=prefix + "*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


@pytest.fixture
def backend(redis_prefix: str) -> Iterator[Backend]:
    """The backend's side of the handoff, under this test's prefix."""
    client = redis.Redis.from_url(redis_url(), decode_responses=True)
    try:
        yield Backend(client, f"{redis_prefix}handoff:")
    finally:
        client.close()


@pytest.fixture(scope="session")
def _rasa_server() -> Iterator[tuple[FakeRasa, str]]:
    fake = FakeRasa()
    with serve(fake.app) as url:
        yield fake, url


@pytest.fixture(scope="session")
def _telegram_server() -> Iterator[tuple[FakeTelegram, str]]:
    fake = FakeTelegram(TELEGRAM_TOKEN)
    with serve(fake.app) as url:
        yield fake, url


@pytest.fixture(scope="session")
def _graph_server() -> Iterator[tuple[FakeGraph, str]]:
    fake = FakeGraph(WHATSAPP_TOKEN, WHATSAPP_PHONE_NUMBER_ID)
    with serve(fake.app) as url:
        yield fake, url


@pytest.fixture
def fake_rasa(_rasa_server: tuple[FakeRasa, str]) -> FakeRasa:
    _rasa_server[0].reset()
    return _rasa_server[0]


@pytest.fixture
def fake_telegram(_telegram_server: tuple[FakeTelegram, str]) -> FakeTelegram:
    _telegram_server[0].reset()
    return _telegram_server[0]


@pytest.fixture
def fake_graph(_graph_server: tuple[FakeGraph, str]) -> FakeGraph:
    _graph_server[0].reset()
    return _graph_server[0]


@pytest.fixture
def make_settings(
    redis_prefix: str,
    _rasa_server: tuple[FakeRasa, str],
    _telegram_server: tuple[FakeTelegram, str],
    _graph_server: tuple[FakeGraph, str],
) -> Callable[..., GatewaySettings]:
    """Settings with every channel enabled against the fakes; keywords override."""

    def make(**overrides: Any) -> GatewaySettings:
        values: dict[str, Any] = {
            "sportello_env": "test",
            "rasa_urls": [_rasa_server[1]],
            "rasa_timeout_seconds": 5,
            "redis_url": redis_url(),
            "redis_key_prefix": redis_prefix,
            # Under the test's prefix too: cleaned up with it, never the real streams.
            "handoff_redis_prefix": f"{redis_prefix}handoff:",
            "handoff_retry_seconds": 0.2,
            # Fixed, so that a test can play a previous run of the same gateway.
            "gateway_consumer_name": "gateway-1",
            "telegram_bot_token": TELEGRAM_TOKEN,
            "telegram_webhook_secret": TELEGRAM_SECRET,
            "telegram_api_base_url": f"{_telegram_server[1]}/bot",
            "whatsapp_access_token": WHATSAPP_TOKEN,
            "whatsapp_app_secret": WHATSAPP_APP_SECRET,
            "whatsapp_verify_token": WHATSAPP_VERIFY_TOKEN,
            "whatsapp_phone_number_id": WHATSAPP_PHONE_NUMBER_ID,
            "whatsapp_graph_base_url": f"{_graph_server[1]}/v21.0",
            "whatsapp_template_name": "",
            # No batches to whatever backend listens on the default port; the analytics
            # tests turn it on against a fake backend.
            "analytics_enabled": False,
        }
        return GatewaySettings(**{**values, **overrides})

    return make


@pytest.fixture
def make_gateway(
    make_settings: Callable[..., GatewaySettings],
) -> Iterator[Callable[..., TestClient]]:
    """Start a gateway (lifespan included) with the given setting overrides."""
    clients: list[TestClient] = []

    def start(**overrides: Any) -> TestClient:
        client = TestClient(create_app(make_settings(**overrides)))
        client.__enter__()
        clients.append(client)
        return client

    yield start
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def gateway(make_gateway: Callable[..., TestClient]) -> TestClient:
    return make_gateway()
