"""The eligibility verdict leaves one analytics event in the real backend: codes only."""

from __future__ import annotations

import psycopg2
import pytest

from actions import backend_client
from actions.analytics import channel_of
from tests.bot.backend_server import DATABASE
from tests.bot.eligibility_chat import Chat

pytestmark = pytest.mark.usefixtures("live_backend")


def checks() -> list[tuple[str, str, str | None]]:
    conn = psycopg2.connect(DATABASE["url"])
    try:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT channel, label, province FROM conversation_events"
                " WHERE kind = 'eligibility_check' ORDER BY id"
            )
            return cur.fetchall()
    finally:
        conn.close()


async def test_a_final_verdict_records_measure_and_verdict():
    before = checks()
    chat = Chat()
    await chat.say("posso avere l'assegno di inclusione?", intent="check_eligibility", misura="adi")
    for _ in range(4):
        await chat.say("sì", intent="affirm")
    assert chat.question == "isee"
    await chat.say("circa 8 mila")
    assert checks() == before  # nothing until the verdict
    await chat.say("no", intent="deny")
    assert chat.slots["eligibility_state"] == "done"
    assert checks() == [*before, ("web", "adi:likely_eligible", None)]


async def test_backend_down_costs_the_event_not_the_verdict(monkeypatch):
    async def down(path, body):
        raise backend_client.BackendUnavailable("down")

    from actions import analytics

    monkeypatch.setattr(analytics.backend_client, "post_json", down)
    tracker = type("T", (), {"sender_id": "telegram:1", "get_slot": lambda self, name: None})()
    await analytics.record(tracker, "eligibility_check", "adi:to_verify")  # no exception


def test_channel_from_the_conversation_id():
    assert channel_of("whatsapp:39333") == "whatsapp"
    assert channel_of("default") == "other"
