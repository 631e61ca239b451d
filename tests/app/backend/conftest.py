"""Backend tests: handoff background work off, and a key prefix of this package's own.

Apps the tests start (TestClient, uvicorn) would otherwise consume the real inbound
stream and listen on the console channel under the default prefix. Tests of the streams
run the consumer themselves, under a prefix of their own (fixture `redis_prefix`).
Package scope: the end-to-end slice, outside this package, keeps the real defaults.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime

import pytest
import redis

from backend.services import clock
from backend.settings import get_settings
from tests.app.backend.handoff_helpers import MONDAY_OPEN


@pytest.fixture(autouse=True, scope="package")
def _handoff_test_settings() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HANDOFF_STREAMS_ENABLED", "false")
        patch.setenv("HANDOFF_REDIS_PREFIX", f"test:backend:{uuid.uuid4().hex[:12]}:handoff:")
        get_settings.cache_clear()
        yield
    get_settings.cache_clear()


@pytest.fixture
def now(monkeypatch: pytest.MonkeyPatch) -> datetime:
    """clock.now() is Monday 10:00 in Rome for the test (tests may move it with set_now)."""
    monkeypatch.setattr(clock, "now", lambda: MONDAY_OPEN)
    return MONDAY_OPEN


@pytest.fixture
def redis_prefix(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """HANDOFF_REDIS_PREFIX of this test's own in the real Redis, deleted afterwards."""
    prefix = f"test:handoff:{uuid.uuid4().hex[:12]}:"
    monkeypatch.setenv("HANDOFF_REDIS_PREFIX", prefix)
    get_settings.cache_clear()
    url = get_settings().redis_url  # tests may point the settings at a Redis that is down
    yield prefix
    client = redis.Redis.from_url(url, decode_responses=True)
    try:
        found = list(client.scan_iter(match=prefix + "*"))
        if found:
            client.delete(*found)
    finally:
        client.close()
    get_settings.cache_clear()


@pytest.fixture
def redis_client(redis_prefix: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(get_settings().redis_url, decode_responses=True)
    yield client
    client.close()
