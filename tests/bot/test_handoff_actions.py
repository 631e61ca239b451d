"""Handing a citizen to a job account: the handoff form's actions against a real backend.

The backend decides live queue or ticket (docs/handoff.md): live needs an office open now
and an operator seen in the last two minutes, so the live tests add an office open round
the clock and an online operator to the test database.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg2
import pytest

from tests.bot.appointments_chat import Chat
from tests.bot.backend_server import DATABASE

FORM = "form_handoff"
TAX_CODE = "RSSMRA85M01H501Q"
ALWAYS_OPEN = (
    '{"mon": [["00:00", "23:59"]], "tue": [["00:00", "23:59"]], '
    + ", ".join(f'"{d}": [["00:00", "23:59"]]' for d in ("wed", "thu", "fri", "sat", "sun"))
    + "}"
)


def sql(statement: str, *params: object) -> list[tuple]:
    conn = psycopg2.connect(DATABASE["url"])
    try:
        with conn, conn.cursor() as cur:
            cur.execute(statement, params)
            return cur.fetchall() if cur.description else []
    finally:
        conn.close()


@pytest.fixture
def open_office(live_backend: str) -> Iterator[str]:
    """An office open now with one operator online; its code."""
    code = f"cpi-test-{uuid.uuid4().hex[:8]}"
    office_id = sql(
        "INSERT INTO offices (code, name, region, province, comune, opening_hours, "
        "hours_verified, services, verified, sources) VALUES (%s, %s, 'Calabria', 'CS', "
        "'Cosenza', %s, true, '[]', false, '[]') RETURNING id",
        code,
        "Centro per l'Impiego di prova",
        ALWAYS_OPEN,
    )[0][0]
    operator_id = sql(
        "INSERT INTO operators (username, display_name, password_hash, role, region, active, "
        "failed_logins, last_seen_at, created_at) VALUES (%s, 'Giulia Test', 'x', 'operator', "
        "'Calabria', true, 0, now() at time zone 'utc', now() at time zone 'utc') RETURNING id",
        f"op-{code}",
    )[0][0]
    sql(
        "INSERT INTO operator_offices (operator_id, office_id) VALUES (%s, %s)",
        operator_id,
        office_id,
    )
    yield code
    sql("DELETE FROM operators WHERE id = %s", operator_id)


def new_chat(**slots: object) -> Chat:
    chat = Chat(form=FORM, sender_id=f"web:handoff-{uuid.uuid4().hex[:10]}")
    chat.slots.update(slots)
    return chat


async def start(
    chat: Chat, text: str = "voglio parlare con un operatore", intent: str = "request_human"
):
    chat.events.append(
        {"event": "bot", "text": "Ciao! Sono l'assistente virtuale.", "timestamp": 1.0}
    )
    await chat.say(text, intent=intent)
    assert chat.requested == "handoff_consent"
    return await chat.ask()


async def test_the_citizen_is_asked_consent_to_share_the_conversation(live_backend):
    chat = new_chat()
    question = await start(chat)
    text = question.responses[0]["text"]
    assert "operatore" in text and "Sei d'accordo?" in text
    assert [b["payload"] for b in question.responses[0]["buttons"]] == ["/affirm", "/deny"]


async def test_a_complaint_is_acknowledged_before_the_consent_question(live_backend):
    chat = new_chat()
    question = await start(chat, "è una vergogna, nessuno risponde", "complaint")
    assert question.responses[0]["text"].startswith("Mi dispiace per il disagio")


async def test_with_an_operator_online_the_citizen_is_queued_with_position_and_wait(
    live_backend, open_office
):
    chat = new_chat(appointment_office=open_office, comune="Cosenza")
    chat.events.append(
        {"event": "user", "text": f"il mio codice fiscale è {TAX_CODE}", "timestamp": 2.0}
    )
    await start(chat)
    await chat.say("sì", intent="affirm")
    assert chat.slots["handoff_status"] == "waiting"
    done = await chat.run("action_handoff_submit")
    text = done.responses[0]["text"]
    assert "Ti ho messo in coda" in text and "sei il primo in coda" in text
    assert "annulla" in text
    assert chat.slots["handoff_status"] is None  # the flow's slots are cleared
    rows = sql(
        "SELECT h.status, h.reason, h.channel, h.context FROM handoffs h "
        "WHERE h.conversation_id = %s",
        chat.sender_id,
    )
    assert len(rows) == 1
    status, reason, channel, context = rows[0]
    assert (status, reason, channel) == ("waiting", "request_human", "web")
    assert context["comune"] == "Cosenza" and "request_human" in context["intents"]
    stored = " ".join(
        r[0]
        for r in sql(
            "SELECT m.text FROM handoff_messages m JOIN handoffs h ON h.id = m.handoff_id "
            "WHERE h.conversation_id = %s",
            chat.sender_id,
        )
    )
    assert "voglio parlare con un operatore" in stored
    assert TAX_CODE not in stored and "[codice fiscale]" in stored


async def test_nobody_online_the_citizen_leaves_a_message_and_a_phone_number(live_backend):
    chat = new_chat(comune="Cosenza")
    await start(chat)
    consent = await chat.say("sì", intent="affirm")
    assert chat.slots["handoff_status"] == "ticket"
    assert "Puoi lasciare un messaggio" in consent.responses[0]["text"]
    assert chat.requested == "handoff_ticket_message"
    await chat.say("ho bisogno di sapere se la mia DID è attiva", intent="faq")
    assert chat.requested == "handoff_contact"
    wrong = await chat.say("telefono")
    assert wrong.said == ["utter_handoff_contact_phone"]
    await chat.say("333 123 4567")
    assert chat.slots["handoff_contact"] == {"preference": "telefono", "value": "+393331234567"}
    done = await chat.run("action_handoff_submit")
    assert "Ho registrato il tuo messaggio" in done.responses[0]["text"]
    assert "per telefono" in done.responses[0]["text"]
    rows = sql(
        "SELECT status, contact_preference, contact_value FROM handoffs WHERE conversation_id = %s",
        chat.sender_id,
    )
    assert rows == [("ticket", "telefono", "+393331234567")]


async def test_declining_keeps_the_assistant(live_backend):
    chat = new_chat()
    await start(chat)
    await chat.say("no", intent="deny")
    done = await chat.run("action_handoff_submit")
    assert done.said == ["utter_handoff_declined"]
    assert sql("SELECT count(*) FROM handoffs WHERE conversation_id = %s", chat.sender_id) == [(0,)]


async def test_backend_down_the_citizen_is_told_and_given_the_cpi_contacts(
    live_backend, monkeypatch
):
    from actions import backend_client
    from actions.settings import get_settings

    monkeypatch.setenv("BACKEND_URL", "http://127.0.0.1:9")
    get_settings.cache_clear()
    backend_client._client = None
    chat = new_chat()
    await start(chat)
    reply = await chat.say("sì", intent="affirm")
    assert reply.said == ["utter_handoff_unavailable"]
    done = await chat.run("action_handoff_submit")
    assert done.responses == []
