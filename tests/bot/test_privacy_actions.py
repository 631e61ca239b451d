"""Erasure on request: the form's actions against a real backend (docs/privacy.md).

The citizen confirms, the backend erases the conversation's handoffs and reminders, the
citizen hears what was erased and that an upcoming booking is kept (with a button to
cancel it), and the conversation restarts. No, "annulla" and a backend that is down each
get their own answer, and nothing is erased.
"""

from __future__ import annotations

import logging
import uuid
from datetime import date, timedelta

import httpx
import psycopg2
import pytest

from tests.bot.appointments_chat import Chat
from tests.bot.backend_server import DATABASE, SERVICE_TOKEN, free_port

FORM = "form_delete_my_data"
TAX_CODE = "RSSMRA85M01H501Q"


def sql(statement: str, *params: object) -> list[tuple]:
    conn = psycopg2.connect(DATABASE["url"])
    try:
        with conn, conn.cursor() as cur:
            cur.execute(statement, params)
            return cur.fetchall() if cur.description else []
    finally:
        conn.close()


def new_chat() -> Chat:
    return Chat(form=FORM, sender_id=f"web:privacy-{uuid.uuid4().hex[:10]}")


def add_handoff(conversation_id: str) -> int:
    handoff_id = sql(
        "INSERT INTO handoffs (conversation_id, channel, status, reason, region, context, "
        "created_at) VALUES (%s, 'web', 'ticket', 'request_human', 'Calabria', '{}', "
        "now() at time zone 'utc') RETURNING id",
        conversation_id,
    )[0][0]
    sql(
        "INSERT INTO handoff_messages (handoff_id, uid, sender, text, at) VALUES "
        "(%s, %s, 'citizen', 'il mio codice fiscale è [codice fiscale]', now() at time zone 'utc')",
        handoff_id,
        f"privacy-test:{uuid.uuid4().hex}",
    )
    return handoff_id


def book(backend_url: str, conversation_id: str) -> dict:
    """An appointment days ahead, booked from this conversation (so, with a reminder)."""
    headers = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
    slots = httpx.get(
        f"{backend_url}/api/v1/slots",
        params={
            "office": "cpi-cosenza",
            "service": "accoglienza_did",
            "date_from": (date.today() + timedelta(days=3)).isoformat(),
            "days": 20,
            "limit": 20,
        },
        headers=headers,
    ).json()["slots"]
    channel, _, conversation = conversation_id.partition(":")
    for slot in slots:
        response = httpx.post(
            f"{backend_url}/api/v1/bookings",
            json={
                "office_code": "cpi-cosenza",
                "service_code": "accoglienza_did",
                "starts_at": slot["starts_at"],
                "tax_code": TAX_CODE,
                "channel": channel,
                "conversation_id": conversation,
            },
            headers=headers,
        )
        if response.status_code == 201:
            return response.json()
    raise AssertionError("no free slot to book")


async def confirm(chat: Chat, answer: str = "sì", intent: str = "affirm"):
    await chat.say("cancellate i miei dati", intent="delete_my_data")
    assert chat.requested == "privacy_erase_confirm"
    return await chat.say(answer, intent=intent)


async def test_confirmed_the_conversation_is_erased_and_the_upcoming_booking_offered(
    live_backend,
):
    chat = new_chat()
    handoff_id = add_handoff(chat.sender_id)
    booking = book(live_backend, chat.sender_id)
    conversation = chat.sender_id.partition(":")[2]
    assert sql("SELECT count(*) FROM reminders WHERE conversation_id = %s", conversation) == [(1,)]
    await confirm(chat)
    assert chat.slots["privacy_erase_confirm"] is True
    assert not chat.active

    done = await chat.run("action_delete_my_data")

    message = done.responses[0]
    text = message["text"]
    assert text.startswith("Fatto: ho cancellato i messaggi di questa conversazione")
    assert "le richieste a un operatore" in text and "i promemoria" in text
    assert f"(codice {booking['code']})" in text and "Prima accoglienza" in text
    assert "fino alla data" in text and "puoi disdirlo" in text
    assert [b["payload"] for b in message["buttons"]] == ["/cancel_appointment"]
    assert {"event": "restart"} in [{"event": e["event"]} for e in done.events]
    assert sql("SELECT count(*) FROM handoffs WHERE id = %s", handoff_id) == [(0,)]
    assert sql("SELECT count(*) FROM handoff_messages WHERE handoff_id = %s", handoff_id) == [(0,)]
    assert sql("SELECT count(*) FROM reminders WHERE conversation_id = %s", conversation) == [(0,)]
    # The office's record of the appointment stays, with the name and contact it needs.
    assert sql("SELECT status FROM bookings WHERE code = %s", booking["code"]) == [("confirmed",)]
    sql("UPDATE bookings SET status = 'cancelled' WHERE code = %s", booking["code"])


async def test_with_nothing_stored_the_citizen_hears_that_nothing_is_left(live_backend):
    chat = new_chat()
    await confirm(chat)
    done = await chat.run("action_delete_my_data")
    text = done.responses[0]["text"]
    assert text == (
        "Fatto: ho cancellato i messaggi di questa conversazione.\n"
        "Non resta nulla di questa conversazione.\n"
        "Da adesso la conversazione riparte da zero."
    )
    assert done.responses[0]["buttons"] == []


async def test_no_erases_nothing(live_backend):
    chat = new_chat()
    handoff_id = add_handoff(chat.sender_id)
    await confirm(chat, "no", intent="deny")
    assert chat.slots["privacy_erase_confirm"] is False
    done = await chat.run("action_delete_my_data")
    assert done.said == ["utter_privacy_erase_declined"]
    assert all(e["event"] != "restart" for e in done.events)
    assert sql("SELECT count(*) FROM handoffs WHERE id = %s", handoff_id) == [(1,)]


async def test_annulla_leaves_without_erasing(live_backend):
    chat = new_chat()
    handoff_id = add_handoff(chat.sender_id)
    stopped = await confirm(chat, "annulla", intent="deny")
    assert stopped.said == ["utter_form_stopped"]
    done = await chat.run("action_delete_my_data")
    assert done.responses == []
    assert sql("SELECT count(*) FROM handoffs WHERE id = %s", handoff_id) == [(1,)]


async def test_something_else_than_yes_or_no_asks_again(live_backend):
    chat = new_chat()
    await confirm(chat, "boh", intent="inform")
    assert chat.requested == "privacy_erase_confirm" and chat.active


async def test_backend_down_the_citizen_is_told_and_can_retry(monkeypatch):
    from actions import backend_client
    from actions.settings import get_settings

    monkeypatch.setenv("BACKEND_URL", f"http://127.0.0.1:{free_port()}")
    get_settings.cache_clear()
    backend_client._client = None
    try:
        chat = new_chat()
        await confirm(chat)
        done = await chat.run("action_delete_my_data")
    finally:
        if backend_client._client is not None:
            await backend_client._client.aclose()
        backend_client._client = None
        get_settings.cache_clear()
    assert done.said == ["utter_privacy_erase_unavailable"]
    assert all(e["event"] != "restart" for e in done.events)


def test_the_action_server_redacts_its_logs(caplog: pytest.LogCaptureFixture):
    import actions  # noqa: F401  (rasa-sdk imports it at start: that installs redaction)

    with caplog.at_level(logging.INFO):
        logging.getLogger("actions.test").info(
            "cf %s, tel 333 1234567, %s", TAX_CODE, "mario.rossi@example.it"
        )
    assert caplog.messages == ["cf [codice fiscale], tel [telefono], [email]"]
