"""Erasure on request: POST /api/privacy/erase against real PostgreSQL and Redis."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest
from sqlalchemy import select

from backend.models import AuditEntry, Booking, Handoff, HandoffMessage, Reminder
from backend.privacy import erasure
from backend.settings import get_settings
from tests.app.backend.helpers import tax_code as other_tax_code
from tests.app.backend.privacy_helpers import add_booking, add_handoff

pytestmark = pytest.mark.integration

TAX_CODE = "RSSMRA85M01H501Q"


@pytest.fixture
def prefixes(redis_prefix: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """The Rasa tracker and gateway keys under the test's own prefix; Rasa unreachable."""
    names = {"tracker": f"{redis_prefix}tracker:", "gateway": f"{redis_prefix}gateway:"}
    monkeypatch.setenv("RASA_TRACKER_KEY_PREFIX", names["tracker"])
    monkeypatch.setenv("GATEWAY_REDIS_PREFIX", names["gateway"])
    monkeypatch.setenv("RASA_URL", "http://127.0.0.1:9")  # nothing listens on "discard"
    get_settings.cache_clear()
    yield names
    get_settings.cache_clear()


def erase(client, headers, **body):
    return client.post("/api/privacy/erase", json=body, headers=headers)


def test_the_conversation_is_erased_and_an_upcoming_booking_is_kept(
    backend_client, service_headers, db_session, now, redis_client, redis_prefix, prefixes
):
    conversation = "web:privacy-session-1"
    closed = add_handoff(db_session, conversation, "closed", now - timedelta(days=3), now)
    ticket = add_handoff(db_session, conversation, "ticket", now - timedelta(hours=1), messages=1)
    other = add_handoff(db_session, "web:someone-else", "closed", now - timedelta(days=3), now)
    upcoming = add_booking(
        db_session, now + timedelta(days=4), conversation=("web", "privacy-session-1")
    )
    past = add_booking(
        db_session, now - timedelta(days=2), conversation=("web", "privacy-session-1")
    )
    elsewhere = add_booking(db_session, now + timedelta(days=9), conversation=("web", "another-1"))
    keys = [
        f"{redis_prefix}mode:{conversation}",
        f"{prefixes['tracker']}{conversation}",
        f"{prefixes['gateway']}web:outbox:privacy-session-1",
    ]
    for key in keys:
        redis_client.set(key, "x")

    response = erase(backend_client, service_headers, conversation_id=conversation)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body == {
        "handoffs": 2,
        "handoff_messages": 3,
        "reminders": 2,
        "bookings_anonymised": 1,
        "redis_keys": 3,
        "upcoming_bookings": [
            {
                "code": upcoming.code,
                "starts_at": "2026-11-27T10:00:00+01:00",
                "office_name": "Centro per l'Impiego di Cosenza",
                "service_name": body["upcoming_bookings"][0]["service_name"],
            }
        ],
    }
    assert body["upcoming_bookings"][0]["service_name"].startswith("Prima accoglienza")
    db_session.expire_all()
    left = set(db_session.scalars(select(Handoff.id)))
    assert closed.id not in left and ticket.id not in left and other.id in left
    assert not db_session.scalars(
        select(HandoffMessage).where(HandoffMessage.handoff_id.in_([closed.id, ticket.id]))
    ).all()
    assert set(db_session.scalars(select(Reminder.booking_id))) >= {elsewhere.id}
    assert db_session.scalar(select(Reminder).where(Reminder.booking_id == upcoming.id)) is None
    # The office still reaches the citizen about the appointment to come, not the past one.
    assert db_session.get(Booking, upcoming.id).contact_value == "+393331234567"
    assert db_session.get(Booking, past.id).contact_value is None
    assert db_session.get(Booking, past.id).citizen_name is None
    assert all(redis_client.get(key) is None for key in keys)
    entry = db_session.scalars(
        select(AuditEntry).where(AuditEntry.action == "privacy_erased")
    ).one()
    assert "privacy-session-1" not in (entry.detail or "")


def test_with_the_tax_code_bookings_made_elsewhere_are_found_too(
    backend_client, service_headers, db_session, now, prefixes
):
    mine = add_booking(db_session, now + timedelta(days=6), tax_code=TAX_CODE)
    theirs = add_booking(db_session, now + timedelta(days=6, hours=1), tax_code=other_tax_code(7))
    body = erase(
        backend_client, service_headers, conversation_id="telegram:123456789", tax_code=TAX_CODE
    ).json()
    codes = [b["code"] for b in body["upcoming_bookings"]]
    assert mine.code in codes and theirs.code not in codes


def test_nothing_to_erase_is_not_an_error(backend_client, service_headers, prefixes):
    body = erase(backend_client, service_headers, conversation_id="whatsapp:393331234567").json()
    assert body == {
        "handoffs": 0,
        "handoff_messages": 0,
        "reminders": 0,
        "bookings_anonymised": 0,
        "redis_keys": 0,
        "upcoming_bookings": [],
    }


def test_refused_without_the_service_token_or_with_bad_input(backend_client, service_headers):
    assert erase(backend_client, {}, conversation_id="web:abcdefgh").status_code == 401
    bad_id = erase(backend_client, service_headers, conversation_id="senza canale")
    assert bad_id.status_code == 422
    bad_code = erase(
        backend_client, service_headers, conversation_id="web:abcdefgh", tax_code="RSSMRA85M01H501X"
    )
    assert bad_code.status_code == 422
    assert "RSSMRA85M01H501X" not in bad_code.text


class _FakeRasa(BaseHTTPRequestHandler):
    seen: ClassVar[list[tuple[str, str, object]]] = []

    def do_PUT(self) -> None:
        length = int(self.headers["Content-Length"])
        _FakeRasa.seen.append(("PUT", self.path, json.loads(self.rfile.read(length))))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *_: object) -> None:
        pass


def test_after_the_turn_rasa_gets_an_empty_tracker_and_the_key_goes_again(
    redis_client, prefixes, monkeypatch
):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeRasa)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        monkeypatch.setenv("RASA_URL", f"http://127.0.0.1:{server.server_port}")
        get_settings.cache_clear()
        key = f"{prefixes['tracker']}whatsapp:393331234567"
        redis_client.set(key, "saved by Rasa at the end of the turn")
        erasure.after_turn("whatsapp:393331234567")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    assert _FakeRasa.seen == [("PUT", "/conversations/whatsapp:393331234567/tracker/events", [])]
    assert redis_client.get(key) is None
