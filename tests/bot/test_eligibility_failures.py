"""When the backend is down or slow the citizen is told so, in Italian, with a way on;
the answers given so far are kept for "Riprova"; personal facts never reach the logs."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import AsyncIterator, Iterator

import pytest

from actions import backend_client
from actions.eligibility import texts
from actions.settings import get_settings
from tests.bot.backend_server import SERVICE_TOKEN, free_port
from tests.bot.eligibility_chat import Chat


async def point_backend_at(url: str, monkeypatch: pytest.MonkeyPatch, timeout: float = 4) -> None:
    if backend_client._client is not None:
        await backend_client._client.aclose()
    monkeypatch.setenv("BACKEND_URL", url)
    monkeypatch.setenv("BACKEND_SERVICE_TOKEN", SERVICE_TOKEN)
    monkeypatch.setenv("BACKEND_TIMEOUT_SECONDS", str(timeout))
    get_settings.cache_clear()
    backend_client._client = None


@pytest.fixture
async def fresh_client() -> AsyncIterator[None]:
    yield
    if backend_client._client is not None:
        await backend_client._client.aclose()
    backend_client._client = None
    get_settings.cache_clear()


@pytest.fixture
def silent_server() -> Iterator[str]:
    """Accepts connections and never answers: a backend that hangs."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


def assert_told_unavailable(chat: Chat) -> None:
    assert texts.UNAVAILABLE in chat.texts
    assert chat.buttons == ["Riprova", "Parla con un operatore"]
    assert chat.slots["eligibility_state"] == "unavailable"
    assert not chat.active


@pytest.mark.usefixtures("fresh_client")
async def test_backend_down_at_the_start(monkeypatch):
    await point_backend_at(f"http://127.0.0.1:{free_port()}", monkeypatch)
    chat = Chat()
    await chat.say("posso avere l'adi?", intent="check_eligibility", misura="adi")
    assert_told_unavailable(chat)
    # The verdict action adds nothing: one clear message, not two.
    assert chat.texts.count(texts.UNAVAILABLE) == 1


@pytest.mark.usefixtures("fresh_client")
async def test_backend_too_slow_is_cut_short(monkeypatch, silent_server):
    await point_backend_at(silent_server, monkeypatch, timeout=0.5)
    chat = Chat()
    started = time.monotonic()
    await chat.say("ho 40 anni, mi spetta l'sfl?", intent="check_eligibility", misura="sfl")
    assert time.monotonic() - started < 3
    assert_told_unavailable(chat)
    assert chat.facts == {"age": 40}


async def test_backend_down_mid_questionnaire_then_retry_goes_on(
    backend_url, monkeypatch, fresh_client
):
    await point_backend_at(backend_url, monkeypatch)
    chat = Chat()
    await chat.say("posso avere l'adi?", intent="check_eligibility", misura="adi")
    await chat.say("sì", intent="affirm")
    assert chat.question == "eligible_citizenship"
    await point_backend_at(f"http://127.0.0.1:{free_port()}", monkeypatch)
    await chat.say("sì", intent="affirm")
    assert_told_unavailable(chat)
    await point_backend_at(backend_url, monkeypatch)
    await chat.say('/check_eligibility{"misura": "adi"}', "check_eligibility", misura="adi")
    # Nothing asked twice: on to residence.
    assert chat.facts == {"household_has_minor": True, "eligible_citizenship": True}
    assert chat.question == "resident_5_years"


@pytest.mark.usefixtures("fresh_client")
async def test_garanzia_giovani_needs_no_backend(monkeypatch):
    await point_backend_at(f"http://127.0.0.1:{free_port()}", monkeypatch)
    chat = Chat()
    await chat.say("garanzia giovani fa per me?", "check_eligibility", misura="garanzia_giovani")
    assert chat.texts == "utter_eligibility_garanzia_giovani"


async def test_personal_facts_never_reach_the_logs(backend_url, monkeypatch, fresh_client, caplog):
    caplog.set_level(logging.DEBUG)  # every logger, httpx included
    await point_backend_at(backend_url, monkeypatch)
    chat = Chat()
    await chat.say("ho 47 anni, vivo da solo, mi spetta l'sfl?", "check_eligibility", misura="sfl")
    for answer, intent in [("no", "deny")] * 2 + [("sì", "affirm")] * 2:
        await chat.say(answer, intent=intent)
    assert chat.question == "isee"
    await chat.say("isee 7.654,32 euro")
    await point_backend_at(f"http://127.0.0.1:{free_port()}", monkeypatch)
    await chat.say("no", intent="deny")
    assert chat.facts["isee"] == 7654.32
    logged = caplog.text
    assert "backend unreachable" in logged  # the outage is logged...
    for secret in ("7654.32", "7654,32", "7.654,32", "47 anni", "vivo da solo"):
        assert secret not in logged  # ...what the citizen said is not
