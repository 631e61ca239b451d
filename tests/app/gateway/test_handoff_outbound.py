"""Operators' messages: the outbound stream delivered on the citizen's channel, once."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from integrations import texts
from integrations.channels.telegram import REFUSED
from integrations.channels.whatsapp import OUTSIDE_WINDOW
from integrations.outbound import GROUP
from tests.app.gateway.fakes import FakeGraph, FakeTelegram, wait_for
from tests.app.gateway.handoff_helpers import Backend
from tests.app.gateway.test_guards import UNREACHABLE_REDIS
from tests.app.gateway.test_web_channel import closed_port
from tests.app.gateway.test_whatsapp import PHONE
from tests.app.gateway.test_whatsapp import post as post_whatsapp
from tests.app.gateway.test_whatsapp import text_message as whatsapp_text

SESSION = "outbound-session-1"
CHAT_ID = "987654321"


def updates(client: TestClient, after: int, session_id: str = SESSION) -> dict:
    response = client.get("/api/web/updates", params={"session_id": session_id, "after": after})
    assert response.status_code == 200, response.text
    return response.json()


def delivered(backend: Backend, count: int = 1) -> list[dict[str, str]]:
    wait_for(lambda: len(backend.deliveries()) >= count and backend.pending() == 0)
    return backend.deliveries()


def test_a_web_message_appears_in_the_updates_exactly_once(gateway, backend: Backend):
    assert updates(gateway, 0) == {"replies": [], "next": 0}
    backend.push(f"web:{SESSION}", "Buongiorno, sono Anna del CPI di Cosenza.", "hm:1")
    wait_for(lambda: updates(gateway, 0)["replies"])
    first = updates(gateway, 0)
    assert first == {
        "replies": [{"text": "Buongiorno, sono Anna del CPI di Cosenza.", "buttons": []}],
        "next": 1,
    }
    assert updates(gateway, first["next"]) == {"replies": [], "next": 1}
    [report] = delivered(backend)
    assert report["uid"] == "delivery:hm:1" and report["event_id"] == "hm:1"
    assert report["ok"] == "1" and report["detail"] == ""
    # The same event id again (the backend retried): never shown twice.
    backend.push(f"web:{SESSION}", "Buongiorno, sono Anna del CPI di Cosenza.", "hm:1")
    backend.push(f"web:{SESSION}", "Come posso aiutarti?", "hm:2")
    wait_for(lambda: updates(gateway, 1)["replies"])
    assert updates(gateway, 1) == {
        "replies": [{"text": "Come posso aiutarti?", "buttons": []}],
        "next": 2,
    }
    # Another session sees nothing of it.
    assert updates(gateway, 0, session_id="another-session-1") == {"replies": [], "next": 0}


def test_notices_are_delivered_without_a_delivery_report(gateway, backend: Backend):
    taken = "Un operatore ha preso in carico la conversazione."
    backend.push(f"web:{SESSION}", taken, "ev:a", kind="taken")
    backend.push(f"web:{SESSION}", "Ciao", "hm:3")
    wait_for(lambda: len(updates(gateway, 0)["replies"]) == 2)
    assert [r["event_id"] for r in delivered(backend)] == ["hm:3"]


def test_after_the_outbox_expired_a_widget_gets_everything_new(gateway, backend: Backend):
    backend.push(f"web:{SESSION}", "Sono ancora qui.", "hm:4")
    wait_for(lambda: updates(gateway, 0)["replies"])
    again = updates(gateway, 7)
    assert again == {"replies": [{"text": "Sono ancora qui.", "buttons": []}], "next": 1}


@pytest.mark.parametrize(
    "params",
    [{"session_id": "short"}, {"session_id": "x" * 65}, {"session_id": SESSION, "after": -1}, {}],
)
def test_invalid_update_requests_get_an_italian_422(gateway, params):
    response = gateway.get("/api/web/updates", params=params)
    assert response.status_code == 422
    assert "Richiesta non valida" in response.json()["detail"]


def test_with_redis_down_updates_answer_nothing_new_and_the_gateway_lives_on(make_gateway, caplog):
    caplog.set_level(logging.WARNING)
    client = make_gateway(redis_url=UNREACHABLE_REDIS)
    assert updates(client, 3) == {"replies": [], "next": 3}
    wait_for(lambda: "outbound: Redis unavailable" in caplog.text)
    assert client.get("/health").json() == {"status": "ok"}


def test_telegram_gets_the_operator_message(gateway, backend: Backend, fake_telegram: FakeTelegram):
    backend.push(f"telegram:{CHAT_ID}", "Sono Anna: mi dai il tuo comune?", "hm:10")
    [report] = delivered(backend)
    assert report["ok"] == "1"
    [message] = fake_telegram.sent()
    assert message["chat_id"] == CHAT_ID and message["text"] == "Sono Anna: mi dai il tuo comune?"


def test_a_telegram_outage_is_retried_and_order_is_kept(
    gateway, backend: Backend, fake_telegram: FakeTelegram
):
    fake_telegram.failures = 2
    backend.push(f"telegram:{CHAT_ID}", "primo", "hm:11")
    backend.push(f"telegram:{CHAT_ID}", "secondo", "hm:12")
    reports = delivered(backend, 2)
    assert [(r["event_id"], r["ok"]) for r in reports] == [("hm:11", "1"), ("hm:12", "1")]
    assert [m["text"] for m in fake_telegram.sent()] == ["primo", "secondo"]


def test_a_channel_that_stays_down_is_reported_after_the_last_attempt(
    make_gateway, backend: Backend
):
    make_gateway(
        telegram_api_base_url=f"http://127.0.0.1:{closed_port()}/bot", handoff_delivery_attempts=3
    )
    backend.push(f"telegram:{CHAT_ID}", "ci sei?", "hm:13")
    [report] = delivered(backend)
    assert report["ok"] == "0" and report["detail"] == texts.delivery_gave_up(3)


def test_a_chat_that_blocked_the_bot_is_reported_at_once(
    gateway, backend: Backend, fake_telegram: FakeTelegram
):
    fake_telegram.blocked.add(CHAT_ID)
    backend.push(f"telegram:{CHAT_ID}", "ci sei?", "hm:14")
    [report] = delivered(backend)
    assert report["ok"] == "0" and report["detail"] == REFUSED


def test_a_disabled_channel_is_reported_in_italian(make_gateway, backend: Backend):
    make_gateway(telegram_bot_token="", telegram_webhook_secret="")
    backend.push(f"telegram:{CHAT_ID}", "ci sei?", "hm:15")
    [report] = delivered(backend)
    assert report["ok"] == "0" and report["detail"] == texts.channel_unavailable("telegram")


def test_whatsapp_inside_the_24_hour_window(gateway, backend: Backend, fake_graph: FakeGraph):
    post_whatsapp(gateway, whatsapp_text("ciao", "wamid.outbound-1"))  # opens the window
    wait_for(lambda: fake_graph.sent)
    backend.push(f"whatsapp:{PHONE}", "Sono Anna del CPI: ti scrivo per la DID.", "hm:20")
    [report] = delivered(backend)
    assert report["ok"] == "1" and report["conversation_id"] == f"whatsapp:{PHONE}"
    assert fake_graph.sent[-1]["to"] == PHONE
    assert fake_graph.sent[-1]["text"]["body"] == "Sono Anna del CPI: ti scrivo per la DID."


def test_whatsapp_outside_the_window_without_a_template(gateway, backend, fake_graph: FakeGraph):
    backend.push(f"whatsapp:{PHONE}", "Sono Anna del CPI.", "hm:21")
    [report] = delivered(backend)
    assert report["ok"] == "0" and report["detail"] == OUTSIDE_WINDOW
    assert fake_graph.sent == []


def test_after_a_crash_each_event_is_delivered_once(
    make_gateway, backend: Backend, fake_telegram: FakeTelegram
):
    stream = f"{backend.prefix}outbound"
    backend.redis.xgroup_create(stream, GROUP, id="0", mkstream=True)
    backend.push(f"telegram:{CHAT_ID}", "già consegnato", "hm:30")
    backend.push(f"telegram:{CHAT_ID}", "letto ma non consegnato", "hm:31")
    backend.push(f"telegram:{CHAT_ID}", "di un processo morto", "hm:32")
    # A previous run of this gateway read the first two and stopped before acknowledging;
    # it had delivered the first. Another gateway took the third and died.
    [[_, read]] = backend.redis.xreadgroup(GROUP, "gateway-1", {stream: ">"}, count=2)
    backend.redis.set(f"{backend.prefix}delivered:hm:30", "1")
    [[_, [(dead_id, _)]]] = backend.redis.xreadgroup(GROUP, "gateway-9", {stream: ">"})
    backend.redis.xclaim(stream, GROUP, "gateway-9", 0, [dead_id], idle=60_000)
    assert backend.pending() == 3

    make_gateway()
    wait_for(lambda: backend.pending() == 0 and len(fake_telegram.sent()) == 2)
    assert [m["text"] for m in fake_telegram.sent()] == [
        "letto ma non consegnato",
        "di un processo morto",
    ]
    assert [r["event_id"] for r in backend.deliveries()] == ["hm:31", "hm:32"]
    assert len(read) == 2


def test_a_restarted_gateway_never_repeats_a_delivered_event(
    make_gateway, backend: Backend, fake_telegram: FakeTelegram
):
    first = make_gateway()
    backend.push(f"telegram:{CHAT_ID}", "una volta sola", "hm:40")
    delivered(backend)
    first.__exit__(None, None, None)
    make_gateway()
    backend.push(f"telegram:{CHAT_ID}", "una volta sola", "hm:40")  # the backend retried
    backend.push(f"telegram:{CHAT_ID}", "sentinella", "hm:41")
    wait_for(lambda: len(backend.deliveries()) == 2 and backend.pending() == 0)
    assert [m["text"] for m in fake_telegram.sent()] == ["una volta sola", "sentinella"]
