"""Reminders before an appointment: stored here, delivered by the channels later.

A reminder is due `days_before` the appointment at local time `at` (calendar.yml), on
the channel and conversation the citizen booked from. When that moment has already
passed at booking time no reminder is stored: the confirmation was just given.
"""

from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from backend.models import Booking, Reminder
from backend.services.appointment_data import calendar_rules
from backend.services.clock import local_zone, to_local


def due_at(starts_at: datetime) -> datetime:
    rule = calendar_rules().reminder
    day = to_local(starts_at).date() - timedelta(days=rule.days_before)
    return datetime.combine(day, rule.at, tzinfo=local_zone()).astimezone(UTC)


def schedule(
    session: Session, booking: Booking, starts_at: datetime, channel: str, conversation_id: str
) -> None:
    due = due_at(starts_at)
    if due <= booking.created_at:
        return
    session.add(
        Reminder(
            booking_id=booking.id,
            channel=channel,
            conversation_id=conversation_id,
            due_at=due,
            status="scheduled",
            created_at=booking.created_at,
        )
    )


def move(session: Session, booking_id: int, starts_at: datetime, now: datetime) -> None:
    """Follow a rescheduled appointment (only confirmed bookings are rescheduled)."""
    due = due_at(starts_at)
    session.execute(
        update(Reminder)
        .where(Reminder.booking_id == booking_id)
        .values(
            due_at=due,
            # Too late for a reminder of the new time: the citizen has just chosen it.
            status="scheduled" if due > now else "cancelled",
            sent_at=None,
        )
        .execution_options(synchronize_session=False)
    )


def cancel(session: Session, booking_id: int) -> None:
    session.execute(
        update(Reminder)
        .where(Reminder.booking_id == booking_id, Reminder.status == "scheduled")
        .values(status="cancelled")
        .execution_options(synchronize_session=False)
    )
