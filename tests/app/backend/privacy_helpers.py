"""Rows for the privacy tests, added to the test's session (rolled back afterwards)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.models import Booking, Handoff, HandoffMessage, Office, Reminder, Slot
from backend.services import tax_codes


def office_id(session: Session, code: str = "cpi-cosenza") -> int:
    return session.scalar(select(Office.id).where(Office.code == code))


def add_handoff(
    session: Session,
    conversation_id: str,
    status: str,
    created_at: datetime,
    closed_at: datetime | None = None,
    messages: int = 2,
) -> Handoff:
    handoff = Handoff(
        conversation_id=conversation_id,
        channel=conversation_id.partition(":")[0],
        status=status,
        reason="request_human",
        region="Calabria",
        context={"comune": "Cosenza"},
        created_at=created_at,
        closed_at=closed_at,
    )
    session.add(handoff)
    session.flush()
    for n in range(messages):
        session.add(
            HandoffMessage(
                handoff_id=handoff.id,
                uid=f"privacy-test:{uuid.uuid4().hex}",
                sender="citizen",
                text=f"messaggio {n}",
                at=created_at,
            )
        )
    session.flush()
    return handoff


def add_booking(
    session: Session,
    starts_at: datetime,
    *,
    tax_code: str = "RSSMRA85M01H501Q",
    status: str = "confirmed",
    cancelled_at: datetime | None = None,
    conversation: tuple[str, str] | None = None,
    created_at: datetime | None = None,
) -> Booking:
    """A booking with the citizen's name and phone; a reminder when `conversation` is given."""
    slot = Slot(
        office_id=office_id(session),
        service_code="accoglienza_did",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=30),
        capacity=1,
        booked=0 if status == "cancelled" else 1,
    )
    session.add(slot)
    session.flush()
    created = created_at or starts_at - timedelta(days=5)
    booking = Booking(
        code=uuid.uuid4().hex[:6].upper(),
        slot_id=slot.id,
        tax_code_hash=tax_codes.lookup_hash(tax_code),
        status=status,
        sequence=0,
        created_at=created,
        updated_at=created,
        cancelled_at=cancelled_at,
        citizen_name="Mario Rossi",
        contact_kind="phone",
        contact_value="+393331234567",
    )
    session.add(booking)
    session.flush()
    if conversation:
        session.add(
            Reminder(
                booking_id=booking.id,
                channel=conversation[0],
                conversation_id=conversation[1],
                due_at=starts_at - timedelta(days=1),
                status="scheduled",
                created_at=created,
            )
        )
        session.flush()
    return booking
