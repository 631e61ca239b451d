"""Booking, listing, cancelling and moving appointments through the API (rolled back)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select, text

from backend.models import Booking, Reminder, Slot
from backend.services import confirmation_codes, tax_codes
from backend.services.clock import to_local
from tests.app.backend.helpers import days_ahead, free_slots, tax_code

OFFICE, SERVICE = "cpi-cosenza", "accoglienza_did"


def day_before(iso: str) -> str:
    return (date.fromisoformat(iso[:10]) - timedelta(days=1)).isoformat()


@pytest.fixture
def api(backend_client, service_headers):
    class Api:
        def post(self, path: str, body: dict[str, Any]) -> Any:
            return backend_client.post(path, json=body, headers=service_headers)

        def get(self, path: str, **params: Any) -> Any:
            return backend_client.get(path, params=params, headers=service_headers)

        def slots(self, **params: Any) -> list[dict[str, Any]]:
            params.setdefault("date_from", days_ahead(5))
            params.setdefault("days", 10)
            return free_slots(backend_client, service_headers, OFFICE, SERVICE, **params)

        def book(self, starts_at: str, who: int = 1, **extra: Any) -> Any:
            body = {
                "office_code": OFFICE,
                "service_code": SERVICE,
                "starts_at": starts_at,
                "tax_code": tax_code(who),
                **extra,
            }
            return self.post("/api/v1/bookings", body)

    return Api()


def test_the_services_list_names_each_bookable_service(api):
    services = {s["code"]: s for s in api.get("/api/v1/services").json()}
    assert set(services) == {
        "accoglienza_did",
        "patto_servizio",
        "orientamento",
        "assessment_gol",
        "collocamento_mirato",
        "servizi_imprese",
    }
    assert services["assessment_gol"]["duration_minutes"] == 60
    assert services["accoglienza_did"]["documents"]


def test_booking_returns_a_short_unambiguous_code_and_the_details(api):
    slot = api.slots()[0]
    response = api.book(slot["starts_at"])
    assert response.status_code == 201, response.text
    booking = response.json()
    assert confirmation_codes.is_well_formed(booking["code"])
    assert not set(booking["code"]) & set("0O1I")
    assert booking["status"] == "confirmed"
    assert booking["starts_at"] == slot["starts_at"]
    assert booking["office"]["name"] == "Centro per l'Impiego di Cosenza"
    assert booking["service"]["name"] == "Prima accoglienza e DID"
    assert booking["documents"]
    assert booking["ics_url"] == f"/api/v1/bookings/{booking['code']}/ics"


def test_a_duplicate_confirmation_code_is_redrawn(api, monkeypatch):
    first, second = api.slots()[:2]
    taken = api.book(first["starts_at"], who=1).json()["code"]
    draws = iter([taken, taken, "NEWCDE"])
    monkeypatch.setattr(confirmation_codes, "new_code", lambda: next(draws))
    response = api.book(second["starts_at"], who=2)
    assert response.status_code == 201, response.text
    assert response.json()["code"] == "NEWCDE"


def test_a_booked_slot_disappears_from_the_free_slots(api):
    first = api.slots()[0]
    api.book(first["starts_at"])
    assert first["starts_at"] not in [s["starts_at"] for s in api.slots()]


def test_a_full_slot_answers_409_in_italian_with_alternatives(api):
    slot = api.slots()[0]
    assert api.book(slot["starts_at"], who=1).status_code == 201
    taken = api.book(slot["starts_at"], who=2)
    assert taken.status_code == 409
    body = taken.json()
    assert "non è più disponibile" in body["detail"]
    assert len(body["alternatives"]) == 3
    assert all(a["starts_at"] > slot["starts_at"] for a in body["alternatives"])


def test_a_time_that_is_not_a_slot_is_refused_with_alternatives(api):
    start = api.slots()[0]["starts_at"]
    misaligned = start[:14] + "10" + start[16:]  # hh:10 never starts a slot
    response = api.book(misaligned)
    assert response.status_code == 422
    assert "Non si può prenotare in quell'orario" in response.json()["detail"]
    assert response.json()["alternatives"]


def test_a_naive_time_is_read_as_italian_local_time(api):
    slot = api.slots()[0]
    naive = slot["starts_at"][:19]  # drop the +01:00 offset
    assert api.book(naive).json()["starts_at"] == slot["starts_at"]


def test_unknown_office_or_service_is_a_404_in_italian(api):
    start = api.slots()[0]["starts_at"]
    body = {"starts_at": start, "tax_code": tax_code(1), "service_code": SERVICE}
    response = api.post("/api/v1/bookings", {**body, "office_code": "cpi-atlantide"})
    assert response.status_code == 404
    assert response.json()["detail"].startswith("Ufficio non trovato")
    response = api.post(
        "/api/v1/bookings", {**body, "office_code": OFFICE, "service_code": "massaggi"}
    )
    assert response.status_code == 404
    assert response.json()["detail"].startswith("Servizio non trovato")


def test_an_invalid_tax_code_is_refused_without_echoing_it(api):
    start = api.slots()[0]["starts_at"]
    response = api.book(start, tax_code="RSSMRA85M01H501X")
    assert response.status_code == 422
    assert "codice fiscale non è valido" in response.json()["detail"]
    assert "RSSMRA85M01H501X" not in response.text


def test_the_tax_code_is_never_stored_in_clear(api, db_session):
    slot = api.slots()[0]
    code = tax_code(42)
    booking = api.book(slot["starts_at"], who=42, channel="web", conversation_id="sess-123456")
    assert booking.status_code == 201
    stored = db_session.scalar(select(Booking).where(Booking.code == booking.json()["code"]))
    assert stored is not None
    assert stored.tax_code_hash == tax_codes.lookup_hash(code)
    for table in ("bookings", "reminders", "slots"):
        rows = db_session.execute(text(f"SELECT * FROM {table}")).all()  # noqa: S608
        assert code not in repr(rows)
        assert code.lower() not in repr(rows).lower()


def test_a_citizen_lists_their_upcoming_bookings_only(api):
    slots = api.slots()
    mine = [api.book(s["starts_at"], who=5).json()["code"] for s in slots[1:3][::-1]]
    api.book(slots[0]["starts_at"], who=6)
    listed = api.post("/api/v1/bookings/search", {"tax_code": tax_code(5)}).json()
    assert [b["code"] for b in listed] == mine[::-1]  # earliest first
    assert api.post("/api/v1/bookings/search", {"tax_code": tax_code(7)}).json() == []


def test_cancel_needs_code_and_tax_code_and_frees_the_slot(api):
    slot = api.slots()[0]
    code = api.book(slot["starts_at"], who=1).json()["code"]
    wrong = api.post(f"/api/v1/bookings/{code}/cancel", {"tax_code": tax_code(2)})
    assert wrong.status_code == 404
    assert "Non trovo nessun appuntamento" in wrong.json()["detail"]
    cancelled = api.post(f"/api/v1/bookings/{code.lower()}/cancel", {"tax_code": tax_code(1)})
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["cancelled_at"]
    again = api.post(f"/api/v1/bookings/{code}/cancel", {"tax_code": tax_code(1)})
    assert again.status_code == 200, "cancelling twice is not an error"
    assert slot["starts_at"] in [s["starts_at"] for s in api.slots()]
    assert api.book(slot["starts_at"], who=3).status_code == 201
    listed = api.post("/api/v1/bookings/search", {"tax_code": tax_code(1)}).json()
    assert listed == []
    with_cancelled = api.post(
        "/api/v1/bookings/search", {"tax_code": tax_code(1), "include_cancelled": True}
    ).json()
    assert [b["status"] for b in with_cancelled] == ["cancelled"]


def test_reschedule_moves_the_booking_and_frees_the_old_slot(api, db_session):
    old, new = api.slots()[:2]
    code = api.book(old["starts_at"], who=1).json()["code"]
    body = {"tax_code": tax_code(1), "starts_at": new["starts_at"]}
    moved = api.post(f"/api/v1/bookings/{code}/reschedule", body)
    assert moved.status_code == 200, moved.text
    assert moved.json()["code"] == code
    assert moved.json()["starts_at"] == new["starts_at"]
    free = [s["starts_at"] for s in api.slots()]
    assert old["starts_at"] in free
    assert new["starts_at"] not in free
    counts = dict(db_session.execute(select(Slot.starts_at, Slot.booked)).all())
    assert sorted(counts.values()) == [0, 1]


def test_reschedule_into_a_full_slot_is_409_and_changes_nothing(api):
    mine, full = api.slots()[:2]
    code = api.book(mine["starts_at"], who=1).json()["code"]
    api.book(full["starts_at"], who=2)
    body = {"tax_code": tax_code(1), "starts_at": full["starts_at"]}
    response = api.post(f"/api/v1/bookings/{code}/reschedule", body)
    assert response.status_code == 409
    assert "non è più disponibile" in response.json()["detail"]
    assert response.json()["alternatives"]
    listed = api.post("/api/v1/bookings/search", {"tax_code": tax_code(1)}).json()
    assert [b["starts_at"] for b in listed] == [mine["starts_at"]]


def test_a_cancelled_booking_cannot_be_rescheduled(api):
    first, second = api.slots()[:2]
    code = api.book(first["starts_at"], who=1).json()["code"]
    api.post(f"/api/v1/bookings/{code}/cancel", {"tax_code": tax_code(1)})
    body = {"tax_code": tax_code(1), "starts_at": second["starts_at"]}
    response = api.post(f"/api/v1/bookings/{code}/reschedule", body)
    assert response.status_code == 409
    assert "disdetto" in response.json()["detail"]


def test_a_reminder_is_scheduled_for_the_day_before_on_the_citizens_channel(api, db_session):
    slot = api.slots()[0]
    booking = api.book(slot["starts_at"], channel="telegram", conversation_id="123456789").json()
    assert booking["reminder_at"][:10] == day_before(booking["starts_at"])
    assert booking["reminder_at"][11:16] == "10:00"
    reminder = db_session.scalar(select(Reminder))
    assert reminder is not None
    assert (reminder.channel, reminder.conversation_id, reminder.status) == (
        "telegram",
        "123456789",
        "scheduled",
    )
    later = api.slots(date_from=days_ahead(9))[0]
    code = booking["code"]
    moved = api.post(
        f"/api/v1/bookings/{code}/reschedule",
        {"tax_code": tax_code(1), "starts_at": later["starts_at"]},
    ).json()
    assert moved["reminder_at"][:10] == day_before(later["starts_at"])
    db_session.refresh(reminder)
    assert to_local(reminder.due_at).date().isoformat() == day_before(later["starts_at"])
    assert reminder.status == "scheduled"
    api.post(f"/api/v1/bookings/{code}/cancel", {"tax_code": tax_code(1)})
    db_session.refresh(reminder)
    assert reminder.status == "cancelled"


def test_channel_without_conversation_is_refused(api):
    response = api.book(api.slots()[0]["starts_at"], channel="web")
    assert response.status_code == 422
    assert "conversazione" in response.json()["detail"]


def test_the_ics_file_describes_the_appointment_without_personal_data(api, backend_client):
    slot = api.slots()[0]
    code = api.book(slot["starts_at"], who=9).json()["code"]
    response = api.get(f"/api/v1/bookings/{code}/ics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    body = response.text
    assert body.startswith("BEGIN:VCALENDAR\r\n")
    assert f"UID:{code}@sportello-cpi" in body
    assert "STATUS:CONFIRMED" in body
    assert "Centro per l'Impiego di Cosenza" in body.replace("\r\n ", "")
    assert tax_code(9) not in body
    api.post(f"/api/v1/bookings/{code}/cancel", {"tax_code": tax_code(9)})
    cancelled = api.get(f"/api/v1/bookings/{code}/ics").text
    assert "METHOD:CANCEL" in cancelled
    assert "SEQUENCE:1" in cancelled
    assert api.get("/api/v1/bookings/ZZZZZZ/ics").status_code == 404


def test_slots_of_an_unknown_office_are_a_404(api):
    response = api.get("/api/v1/slots", office="cpi-atlantide", service=SERVICE)
    assert response.status_code == 404
    assert "Ufficio non trovato" in response.json()["detail"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/services"),
        ("get", "/api/v1/slots?office=cpi-cosenza&service=accoglienza_did"),
        ("post", "/api/v1/bookings"),
        ("post", "/api/v1/bookings/search"),
        ("post", "/api/v1/bookings/ABCDEF/cancel"),
        ("post", "/api/v1/bookings/ABCDEF/reschedule"),
        ("get", "/api/v1/bookings/ABCDEF/ics"),
        ("get", "/api/v1/eligibility/measures"),
        ("post", "/api/v1/eligibility/sfl/check"),
    ],
)
def test_every_new_route_requires_the_service_token(backend_client, method, path):
    response = getattr(backend_client, method)(path)
    assert response.status_code == 401
    assert response.json()["detail"] == "Autenticazione del servizio mancante o non valida."


def test_name_and_contact_are_kept_for_the_office_normalised(api, db_session):
    start = api.slots()[0]["starts_at"]
    contact = {"kind": "phone", "value": "333 123 4567"}
    answer = api.book(start, citizen_name="  Maria   Rossi ", contact=contact)
    assert answer.status_code == 201
    booking = db_session.scalar(select(Booking).where(Booking.code == answer.json()["code"]))
    assert booking.citizen_name == "Maria Rossi"
    assert (booking.contact_kind, booking.contact_value) == ("phone", "+393331234567")


@pytest.mark.parametrize(
    ("name", "contact"),
    [
        ("Maria <script>", None),
        ("Maria Rossi", {"kind": "phone", "value": "12345"}),
        ("Maria Rossi", {"kind": "email", "value": "maria@"}),
    ],
)
def test_an_invalid_name_or_contact_is_refused_in_italian(api, name, contact):
    start = api.slots()[0]["starts_at"]
    answer = api.book(start, citizen_name=name, contact=contact)
    assert answer.status_code == 422
    field = "body.citizen_name" if contact is None else "body.contact"
    assert answer.json()["errors"][0]["field"] == field
    assert answer.json()["detail"].startswith("Richiesta non valida")
