"""Backend down or too slow: the citizen is told, in Italian, and offered a person.

Never silence, never a stack trace: each action still answers, and the form ends so the
same question is not asked again.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Iterator

import pytest

from tests.bot.appointments_chat import Chat
from tests.bot.backend_server import free_port


@pytest.fixture
def silent_server() -> Iterator[str]:
    """Accepts connections and never answers: a backend that hangs."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        yield f"http://127.0.0.1:{server.getsockname()[1]}"


@pytest.fixture(params=["down", "slow"])
async def broken_backend(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[str]:
    from actions import backend_client
    from actions.settings import get_settings

    url = (
        f"http://127.0.0.1:{free_port()}"  # nothing listens there
        if request.param == "down"
        else request.getfixturevalue("silent_server")
    )
    monkeypatch.setenv("BACKEND_URL", url)
    monkeypatch.setenv("BACKEND_TIMEOUT_SECONDS", "0.3")
    get_settings.cache_clear()
    backend_client._client = None
    yield request.param
    if backend_client._client is not None:
        await backend_client._client.aclose()
    backend_client._client = None
    get_settings.cache_clear()


def assert_offers_a_person(reply, retry: str) -> None:
    assert reply.said == ["utter_appointments_unavailable"]
    payloads = [b["payload"] for b in reply.responses[0]["buttons"]]
    assert payloads == [retry]  # the operator button is in the response itself


async def test_booking_form_ends_with_an_explanation(broken_backend):
    chat = Chat("form_appointments_book")
    reply = await chat.say("vorrei un appuntamento per la DID", intent="book_appointment")
    assert_offers_a_person(reply, "/book_appointment")
    assert reply.set["form_stopped"] is True
    assert reply.set["requested_slot"] is None
    done = await chat.run("action_appointments_book")
    assert done.said == []  # already explained: no second message


async def test_the_list_of_services_cannot_be_shown(broken_backend):
    chat = Chat("form_appointments_book", active=True)
    chat.slots["requested_slot"] = "appointment_service"
    reply = await chat.run("action_ask_appointment_service")
    assert_offers_a_person(reply, "/book_appointment")
    assert reply.set == {"form_stopped": True, "requested_slot": None}


async def test_finding_the_booking_to_cancel(broken_backend):
    chat = Chat("form_appointments_cancel")
    await chat.say("disdire", intent="cancel_appointment")
    await chat.say("K7M3QX")
    reply = await chat.say("RSSMRA85M01H501Q")
    assert_offers_a_person(reply, "/cancel_appointment")
    assert reply.set["form_stopped"] is True


async def test_cancelling_once_confirmed(broken_backend):
    chat = Chat("form_appointments_cancel")
    chat.slots.update(
        {
            "appointment_code": "K7M3QX",
            "appointment_tax_code": "RSSMRA85M01H501Q",
            "appointment_confirmed": True,
            "appointment_booking": {"code": "K7M3QX", "starts_at": "2026-12-03T09:00:00+01:00"},
        }
    )
    reply = await chat.run("action_appointments_cancel")
    assert_offers_a_person(reply, "/cancel_appointment")
    assert reply.set["appointment_tax_code"] is None


async def test_looking_for_free_slots_to_reschedule(broken_backend):
    chat = Chat("form_appointments_reschedule", active=True)
    chat.slots.update(
        {
            "appointment_code": "K7M3QX",
            "appointment_tax_code": "RSSMRA85M01H501Q",
            "appointment_booking": {
                "code": "K7M3QX",
                "office": {"code": "cpi-cosenza"},
                "service": {"code": "orientamento"},
            },
            "requested_slot": "appointment_when",
        }
    )
    reply = await chat.say("lunedì")
    assert_offers_a_person(reply, "/reschedule_appointment")
    assert reply.set["form_stopped"] is True
