"""Shared test helpers: valid tax codes, a committed office of our own, API shortcuts."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session
from stdnum.it import codicefiscale

from backend.models import Booking, Office, Reminder, Slot
from backend.services import clock
from backend.services.calendar import WEEKDAYS

MONTHS = "ABCDEHLMPRST"


def tax_code(n: int) -> str:
    """The n-th of many distinct, valid (check character included) personal tax codes."""
    body = f"TSTPRV{n % 100:02d}{MONTHS[(n // 100) % 12]}{1 + (n // 1200) % 28:02d}H501"
    return body + codicefiscale.calc_check_digit(body)


def create_office(engine: Engine, services: list[str] | None = None) -> Office:
    """A committed office open every day 07:00-21:00, with a code no seed data uses."""
    office = Office(
        code=f"test-{uuid.uuid4().hex[:10]}",
        name="Centro per l'Impiego di prova",
        region="Calabria",
        province="CS",
        comune="Cosenza",
        opening_hours={day: [["07:00", "21:00"]] for day in WEEKDAYS},
        hours_verified=True,
        services=services or ["accoglienza_did"],
        verified=False,
        sources=[],
    )
    with Session(engine, expire_on_commit=False) as session:
        session.add(office)
        session.commit()
    return office


def drop_office(engine: Engine, office: Office) -> None:
    """Remove the office and everything booked in it."""
    with Session(engine) as session:
        slot_ids = select(Slot.id).where(Slot.office_id == office.id)
        booking_ids = select(Booking.id).where(Booking.slot_id.in_(slot_ids))
        session.execute(delete(Reminder).where(Reminder.booking_id.in_(booking_ids)))
        session.execute(delete(Booking).where(Booking.slot_id.in_(slot_ids)))
        session.execute(delete(Slot).where(Slot.office_id == office.id))
        session.execute(delete(Office).where(Office.id == office.id))
        session.commit()


def free_slots(
    client: Any, headers: dict[str, str], office: str, service: str, **params: Any
) -> list:
    params = {"office": office, "service": service, **params}
    response = client.get("/api/v1/slots", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["slots"]


def days_ahead(n: int) -> str:
    return (clock.today() + timedelta(days=n)).isoformat()
