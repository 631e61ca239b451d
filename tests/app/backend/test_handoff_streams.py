"""The inbound stream's consumer on the real Redis: exactly once, in order, never fatal."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from datetime import timedelta

import pytest
import redis.asyncio
from fastapi.testclient import TestClient
from sqlalchemy import select

from backend.handoffs import citizen, events, keys, service
from backend.handoffs.inbound import InboundConsumer
from backend.handoffs.schemas import HandoffIn
from backend.handoffs.visibility import Viewer
from backend.models import AuditEntry, Handoff, HandoffMessage
from backend.services import clock
from backend.settings import get_settings
from tests.app.backend.console_helpers import make_operator
from tests.app.backend.handoff_helpers import handoff_body, outbound, shared_session

pytestmark = pytest.mark.integration

GROUP = "backend"


@pytest.fixture
def live(db_session, now, redis_prefix) -> Handoff:
    make_operator(db_session, last_seen_at=now - timedelta(seconds=5))
    handoff, _ = service.create(db_session, HandoffIn(**handoff_body(f"web:{uuid.uuid4().hex}")))
    assert handoff.status == "waiting"
    return handoff


def consumer(db_session, name: str = "backend-test", **options) -> InboundConsumer:
    return InboundConsumer(lambda: shared_session(db_session), name, **options)


def entry(handoff: Handoff, kind: str = "message", **fields: str) -> dict[str, str]:
    return {
        "uid": f"web:{uuid.uuid4().hex}",
        "kind": kind,
        "conversation_id": handoff.conversation_id,
        "handoff_id": str(handoff.id),
        "text": "",
        "at": "2026-11-23T09:00:05Z",
        **fields,
    }


def citizen_lines(db_session, handoff: Handoff) -> list[str]:
    db_session.expire_all()
    return list(
        db_session.scalars(
            select(HandoffMessage.text)
            .where(HandoffMessage.handoff_id == handoff.id, HandoffMessage.sender == "citizen")
            .where(HandoffMessage.uid.not_like("t:%"))
            .order_by(HandoffMessage.id)
        )
    )


@pytest.fixture
async def aredis(redis_prefix):
    client = redis.asyncio.Redis.from_url(get_settings().redis_url, decode_responses=True)
    yield client
    await client.aclose()


async def test_a_redelivered_entry_is_stored_once_and_in_order(db_session, live, aredis):
    stream = keys.inbound_stream()
    texts = ["prima riga", "il mio cf è RSSMRA85M01H501Q", "terza riga"]
    sent = [entry(live, text=text) for text in texts]
    for fields in sent:
        await aredis.xadd(stream, fields)
    first = consumer(db_session)
    await first.ensure_group(aredis)
    # The consumer reads all three, stores the first, then dies before any XACK.
    read = await aredis.xreadgroup(GROUP, first.name, {stream: ">"})
    assert len(read[0][1]) == 3
    await asyncio.to_thread(citizen.handle, db_session, sent[0])
    assert (await aredis.xpending(stream, GROUP))["pending"] == 3

    # Restarted with the same name: its own pending entries come first.
    restarted = consumer(db_session)
    assert await restarted.run_once(aredis) == 3
    assert citizen_lines(db_session, live) == [
        "prima riga",
        "il mio cf è [codice fiscale]",
        "terza riga",
    ]
    assert (await aredis.xpending(stream, GROUP))["pending"] == 0
    # The gateway sending the same uid again as a new entry changes nothing either.
    await aredis.xadd(stream, sent[1])
    assert await restarted.run_once(aredis) == 1
    assert len(citizen_lines(db_session, live)) == 3


async def test_entries_a_dead_consumer_left_pending_are_claimed(db_session, live, aredis):
    stream = keys.inbound_stream()
    await aredis.xadd(stream, entry(live, text="scritto mentre l'altro moriva"))
    dead = consumer(db_session, "backend-dead")
    await dead.ensure_group(aredis)
    await aredis.xreadgroup(GROUP, dead.name, {stream: ">"})
    survivor = consumer(db_session, "backend-2", claim_idle_ms=0)
    assert await survivor.run_once(aredis) == 1
    assert citizen_lines(db_session, live) == ["scritto mentre l'altro moriva"]
    assert (await aredis.xpending(stream, GROUP))["pending"] == 0


async def test_a_message_for_a_closed_handoff_is_not_stored_and_the_citizen_is_told(
    db_session, live, aredis, redis_client, redis_prefix
):
    live.status = "closed"
    db_session.commit()
    redis_client.set(
        f"{redis_prefix}mode:{live.conversation_id}", json.dumps({"handoff_id": live.id})
    )
    message = entry(live, text="ci sei?")
    await aredis.xadd(keys.inbound_stream(), message)
    await aredis.xadd(keys.inbound_stream(), message)  # redelivered: one notice only
    assert await consumer(db_session).run_once(aredis) == 2
    assert citizen_lines(db_session, live) == []
    notices = outbound(redis_client, redis_prefix)
    assert {n["event_id"] for n in notices} == {f"ev:notice:{message['uid']}"}
    assert notices[0]["kind"] == "notice"
    assert notices[0]["conversation_id"] == live.conversation_id
    assert "assistente virtuale" in notices[0]["text"]
    assert redis_client.get(f"{redis_prefix}mode:{live.conversation_id}") is None


async def test_cancel_while_waiting_returns_to_the_assistant(
    db_session, live, aredis, redis_client, redis_prefix
):
    viewer = Viewer(operator_id=0, role="admin", regions=frozenset(), office_ids=frozenset())
    connection = events.hub.connect(viewer)
    try:
        await aredis.xadd(keys.inbound_stream(), entry(live, kind="cancel"))
        assert await consumer(db_session).run_once(aredis) == 1
        event = await asyncio.wait_for(connection.queue.get(), timeout=5)
    finally:
        events.hub.disconnect(connection)
    db_session.refresh(live)
    assert live.status == "cancelled" and live.closed_at is not None
    assert event == {"type": "handoff_updated", "handoff_id": live.id, "status": "cancelled"}
    assert redis_client.get(f"{redis_prefix}mode:{live.conversation_id}") is None
    audit = db_session.scalar(
        select(AuditEntry).where(AuditEntry.handoff_id == live.id, AuditEntry.action == "cancel")
    )
    assert audit.operator_id is None


async def test_a_cancel_does_not_touch_a_closed_handoff(db_session, live, aredis):
    live.status = "closed"
    db_session.commit()
    await aredis.xadd(keys.inbound_stream(), entry(live, kind="cancel"))
    await consumer(db_session).run_once(aredis)
    db_session.refresh(live)
    assert live.status == "closed"


async def test_delivery_reports_mark_operator_messages(db_session, live, aredis):
    def operator_line() -> HandoffMessage:
        line = HandoffMessage(
            handoff_id=live.id, uid=f"operator:{uuid.uuid4().hex}", sender="operator",
            text="Buongiorno", at=clock.now(),
        )  # fmt: skip
        db_session.add(line)
        db_session.commit()
        return line

    delivered, refused = operator_line(), operator_line()
    window = "Fuori dalla finestra di 24 ore di WhatsApp: serve un modello approvato."
    for line, ok, detail in ((delivered, "1", ""), (refused, "0", window)):
        await aredis.xadd(
            keys.inbound_stream(),
            {"uid": f"delivery:hm:{line.id}", "kind": "delivery", "event_id": f"hm:{line.id}",
             "ok": ok, "detail": detail},
        )  # fmt: skip
    assert await consumer(db_session).run_once(aredis) == 2
    db_session.refresh(delivered)
    db_session.refresh(refused)
    assert delivered.delivered_at is not None and delivered.delivery_error is None
    assert refused.delivered_at is None and refused.delivery_error == window


async def test_the_consumer_survives_redis_being_down(db_session, caplog):
    down = consumer(
        db_session, redis_factory=lambda: redis.asyncio.Redis.from_url("redis://127.0.0.1:1")
    )
    stop = asyncio.Event()
    caplog.set_level(logging.WARNING, logger="backend.handoffs.inbound")
    task = asyncio.create_task(down.run(stop))
    await asyncio.sleep(1.5)
    assert not task.done()
    stop.set()
    await asyncio.wait_for(task, timeout=5)
    assert "inbound stream unavailable" in caplog.text


def test_the_backend_answers_while_redis_is_down(monkeypatch):
    from backend.main import create_app

    monkeypatch.setenv("HANDOFF_STREAMS_ENABLED", "true")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    get_settings.cache_clear()
    try:
        with TestClient(create_app()) as client:
            assert client.get("/health").status_code == 200
    finally:
        get_settings.cache_clear()


async def test_an_entry_that_breaks_the_handler_does_not_hold_the_others(
    db_session, live, aredis, monkeypatch, caplog
):
    original = citizen.HANDLERS["message"]

    def fragile(session, fields):
        if fields["text"] == "rompe tutto":
            raise KeyError("a bug")
        original(session, fields)

    monkeypatch.setitem(citizen.HANDLERS, "message", fragile)
    for text in ("prima", "rompe tutto", "dopo"):
        await aredis.xadd(keys.inbound_stream(), entry(live, text=text))
    assert await consumer(db_session).run_once(aredis) == 3
    assert citizen_lines(db_session, live) == ["prima", "dopo"]
    assert "could not be handled: dropped" in caplog.text
