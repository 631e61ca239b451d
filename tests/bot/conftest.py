"""Tests that run in the bot environment (Python 3.10, Rasa, rasa-sdk)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from tests.bot.backend_server import SERVICE_TOKEN, running_backend


@pytest.fixture(scope="session")
def backend_url() -> Iterator[str]:
    """The base URL of a real backend (uvicorn + PostgreSQL) for the whole session."""
    with running_backend() as url:
        yield url


@pytest.fixture
async def live_backend(backend_url: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[str]:
    """Point the actions' backend client at the real backend, with a client of this test.

    pytest-asyncio gives each test its own event loop: the pooled httpx client must not
    outlive it, so it is reset before and closed after every test.
    """
    from actions import backend_client
    from actions.settings import get_settings

    monkeypatch.setenv("BACKEND_URL", backend_url)
    monkeypatch.setenv("BACKEND_SERVICE_TOKEN", SERVICE_TOKEN)
    get_settings.cache_clear()
    backend_client._client = None
    yield backend_url
    if backend_client._client is not None:
        await backend_client._client.aclose()
    backend_client._client = None
    get_settings.cache_clear()
