"""Creating a handoff (service token): live or ticket, queue, position, estimate, ticket."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from backend.console import audit
from backend.handoffs import routing
from backend.handoffs.queue import CREATED
from backend.models import Handoff, HandoffMessage, Office
from tests.app.backend.console_helpers import make_operator
from tests.app.backend.handoff_helpers import (
    MONDAY_CLOSED,
    handoff_body,
    set_now,
)

pytestmark = pytest.mark.integration


def create(client, headers, **fields):
    return client.post("/api/handoffs", json=handoff_body(**fields), headers=headers)


def test_open_office_and_an_operator_online_make_a_live_handoff(
    backend_client, service_headers, db_session, now, redis_client, redis_prefix
):
    make_operator(db_session, last_seen_at=now - timedelta(seconds=30))
    response = create(backend_client, service_headers, conversation_id="web:live-1")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body == {
        "id": body["id"],
        "status": "waiting",
        "office_name": "Centro per l'Impiego di Cosenza",
        "queue": "office",
        "position": 1,
        "estimated_wait_minutes": 5,
        "unavailable_reason": None,
        "next_opening": None,
    }
    mode = json.loads(redis_client.get(f"{redis_prefix}mode:web:live-1"))
    assert mode == {"handoff_id": body["id"], "status": "waiting"}
    assert 0 < redis_client.ttl(f"{redis_prefix}mode:web:live-1") <= 7 * 24 * 3600


def test_nobody_online_makes_a_ticket_without_mode(
    backend_client, service_headers, db_session, now, redis_client, redis_prefix
):
    make_operator(db_session, last_seen_at=now - timedelta(minutes=3))
    body = create(backend_client, service_headers, conversation_id="web:ticket-1").json()
    assert body["status"] == "ticket"
    assert body["unavailable_reason"] == "nobody_online"
    assert body["position"] is None and body["estimated_wait_minutes"] is None
    assert redis_client.get(f"{redis_prefix}mode:web:ticket-1") is None


def test_an_operator_of_another_office_does_not_make_it_live(
    backend_client, service_headers, db_session, now, redis_prefix
):
    make_operator(db_session, offices=("cpi-catanzaro",), last_seen_at=now)
    assert create(backend_client, service_headers).json()["status"] == "ticket"


def test_a_closed_office_makes_a_ticket_with_the_next_opening(
    backend_client, service_headers, db_session, monkeypatch, redis_prefix
):
    set_now(monkeypatch, MONDAY_CLOSED)
    make_operator(db_session, last_seen_at=MONDAY_CLOSED)
    body = create(backend_client, service_headers).json()
    assert body["status"] == "ticket"
    assert body["unavailable_reason"] == "closed"
    assert body["next_opening"] == "2026-11-24T09:00:00+01:00"


def test_a_public_holiday_closes_the_office(db_session):
    office = db_session.scalar(select(Office).where(Office.code == "cpi-cosenza"))
    christmas = MONDAY_CLOSED.replace(month=12, day=25, hour=9)  # a Friday, 10:00 in Rome
    assert not routing.office_open(office, christmas)
    assert routing.office_next_opening(office, christmas).isoformat() == "2026-12-28T09:00:00+01:00"


def test_creating_twice_returns_the_same_open_handoff(
    backend_client, service_headers, db_session, now, redis_prefix
):
    make_operator(db_session, last_seen_at=now)
    first = create(backend_client, service_headers, conversation_id="telegram:4242")
    again = create(backend_client, service_headers, conversation_id="telegram:4242")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    count = db_session.scalars(select(Handoff).where(Handoff.conversation_id == "telegram:4242"))
    assert len(list(count)) == 1


def test_position_and_estimate_follow_the_queue_and_last_weeks_waits(
    backend_client, service_headers, db_session, now, redis_prefix
):
    office = db_session.scalar(select(Office).where(Office.code == "cpi-cosenza"))
    # Taken in the last 7 days after 2, 4 and 12 minutes (median 4); a ticket answered
    # after 3 hours and a handoff of last month do not count.
    for minutes, days_ago in ((2, 1), (4, 2), (12, 3), (180, 1), (1, 30)):
        created = now - timedelta(days=days_ago)
        handoff = Handoff(
            conversation_id=f"web:old-{minutes}", channel="web", status="closed",
            reason="request_human", office_id=office.id, region="Calabria", context={},
            created_at=created, taken_at=created + timedelta(minutes=minutes),
        )  # fmt: skip
        db_session.add(handoff)
        db_session.flush()
        detail = "ticket" if minutes == 180 else "live"
        audit.record(db_session, CREATED, handoff_id=handoff.id, detail=detail)
    make_operator(db_session, last_seen_at=now)
    first = create(backend_client, service_headers).json()
    second = create(backend_client, service_headers).json()
    assert (first["position"], first["estimated_wait_minutes"]) == (1, 4)
    assert (second["position"], second["estimated_wait_minutes"]) == (2, 8)


def test_office_code_wins_over_the_comune(
    backend_client, service_headers, db_session, now, redis_prefix
):
    body = create(
        backend_client, service_headers, comune="Cosenza", office_code="cpi-catanzaro"
    ).json()
    assert body["office_name"] == "Centro per l'Impiego di Catanzaro"


def test_without_a_known_office_the_region_shares_a_queue(
    backend_client, service_headers, db_session, now, redis_prefix
):
    make_operator(db_session, offices=("cpi-crotone",), last_seen_at=now)
    body = create(backend_client, service_headers, comune="Milano").json()
    assert body["queue"] == "region"
    assert body["office_name"] == "Centri per l'Impiego della Regione Calabria"
    # Any office of the region open and an operator of the region online: live.
    assert body["status"] == "waiting"
    handoff = db_session.get(Handoff, body["id"])
    assert (handoff.office_id, handoff.region) == (None, "Calabria")


def test_transcript_and_context_are_stored_redacted(
    backend_client, service_headers, db_session, now, redis_prefix
):
    at = "2026-11-23T08:58:00Z"
    transcript = [
        {"sender": "citizen", "text": "sono RSSMRA85M01H501Q, tel 333 1234567", "at": at},
        {"sender": "bot", "text": "Grazie. Il codice M257SL è confermato.", "at": at},
    ]
    context = {"booking_code": "M257SL", "note": "mail mario@example.it"}
    body = create(backend_client, service_headers, transcript=transcript, context=context).json()
    lines = db_session.scalars(
        select(HandoffMessage)
        .where(HandoffMessage.handoff_id == body["id"])
        .order_by(HandoffMessage.id)
    ).all()
    assert [(m.sender, m.text) for m in lines] == [
        ("citizen", "sono [codice fiscale], tel [telefono]"),
        ("bot", "Grazie. Il codice M257SL è confermato."),
    ]
    assert db_session.get(Handoff, body["id"]).context == {
        "booking_code": "M257SL",
        "note": "mail [email]",
    }


def test_the_service_token_is_required(backend_client):
    assert backend_client.post("/api/handoffs", json=handoff_body()).status_code == 401
    assert backend_client.get("/api/handoffs/by-conversation/web:x").status_code == 401


def test_a_malformed_request_gets_an_italian_422(backend_client, service_headers):
    response = create(backend_client, service_headers, reason="boh")
    assert response.status_code == 422
    assert response.json()["detail"].startswith("Richiesta non valida")


# --- tickets --------------------------------------------------------------------------


def ticket(client, headers, handoff_id, **body):
    return client.post(f"/api/handoffs/{handoff_id}/ticket", json=body, headers=headers)


@pytest.fixture
def a_ticket(backend_client, service_headers, now, redis_prefix) -> int:
    body = create(backend_client, service_headers).json()
    assert body["status"] == "ticket"
    return body["id"]


@pytest.mark.parametrize(
    ("given", "stored"),
    [("333 123 4567", "+393331234567"), ("+39 0984-123456", "+390984123456"),
     ("0039 347.123.45.67", "+393471234567")],
)  # fmt: skip
def test_a_ticket_keeps_a_normalised_phone(
    backend_client, service_headers, db_session, a_ticket, given, stored
):
    response = ticket(
        backend_client, service_headers, a_ticket,
        message="Vorrei sapere della NASpI, chiamatemi al 3331234567",
        contact_preference="telefono", contact_value=given,
    )  # fmt: skip
    assert response.status_code == 200, response.text
    assert response.json() == {"id": a_ticket, "status": "ticket", "reference": f"T-{a_ticket}"}
    handoff = db_session.get(Handoff, a_ticket)
    assert (handoff.contact_preference, handoff.contact_value) == ("telefono", stored)
    assert handoff.messages[-1].text == "Vorrei sapere della NASpI, chiamatemi al [telefono]"


@pytest.mark.parametrize(
    ("preference", "value", "fragment"),
    [("telefono", "12345", "telefono"), ("telefono", None, "Indica il numero"),
     ("email", "non-una-mail", "e-mail"), ("email", "", "Indica l'indirizzo")],
)  # fmt: skip
def test_a_ticket_refuses_an_unusable_contact(
    backend_client, service_headers, a_ticket, preference, value, fragment
):
    response = ticket(
        backend_client, service_headers, a_ticket,
        message="ciao", contact_preference=preference, contact_value=value,
    )  # fmt: skip
    assert response.status_code == 422
    assert fragment in response.json()["detail"]


def test_a_ticket_by_email_and_by_chat(backend_client, service_headers, db_session, a_ticket):
    ticket(
        backend_client, service_headers, a_ticket,
        message="ciao", contact_preference="email", contact_value=" Mario.Rossi@Example.IT ",
    )  # fmt: skip
    assert db_session.get(Handoff, a_ticket).contact_value == "mario.rossi@example.it"
    ticket(
        backend_client, service_headers, a_ticket,
        message="ciao", contact_preference="chat", contact_value="ignorato",
    )  # fmt: skip
    handoff = db_session.get(Handoff, a_ticket)
    assert (handoff.contact_preference, handoff.contact_value) == ("chat", None)


def test_a_retried_ticket_is_stored_once(backend_client, service_headers, db_session, a_ticket):
    for _ in range(2):
        response = ticket(
            backend_client, service_headers, a_ticket,
            message="Vorrei un colloquio", contact_preference="chat", contact_value=None,
        )  # fmt: skip
        assert response.status_code == 200
    handoff = db_session.get(Handoff, a_ticket)
    db_session.refresh(handoff)
    assert [m.text for m in handoff.messages].count("Vorrei un colloquio") == 1


def test_a_ticket_message_is_required_and_at_most_2000_characters(
    backend_client, service_headers, a_ticket
):
    for message in ("", "x" * 2001):
        response = ticket(
            backend_client, service_headers, a_ticket, message=message, contact_preference="chat"
        )
        assert response.status_code == 422


def test_only_a_ticket_takes_a_ticket_message(
    backend_client, service_headers, db_session, now, redis_prefix
):
    make_operator(db_session, last_seen_at=now)
    live = create(backend_client, service_headers).json()
    response = ticket(
        backend_client, service_headers, live["id"], message="ciao", contact_preference="chat"
    )
    assert response.status_code == 409
    assert (
        ticket(
            backend_client, service_headers, 999999, message="ciao", contact_preference="chat"
        ).status_code
        == 404
    )


def test_the_open_handoff_is_found_by_conversation_id_with_its_colon(
    backend_client, service_headers, db_session, now, redis_prefix
):
    make_operator(db_session, last_seen_at=now)
    created = create(backend_client, service_headers, conversation_id="whatsapp:393331234567")
    found = backend_client.get(
        "/api/handoffs/by-conversation/whatsapp:393331234567", headers=service_headers
    )
    assert found.status_code == 200
    assert found.json() == created.json()
    missing = backend_client.get(
        "/api/handoffs/by-conversation/web:nessuno", headers=service_headers
    )
    assert missing.status_code == 404
    assert missing.json()["detail"] == "Richiesta di contatto con un operatore non trovata."
