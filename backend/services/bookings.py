"""Booking, cancelling, rescheduling and listing appointments.

Each public function is one transaction and commits it. Locks are always taken in the
same order (the booking row first, then slot rows by id) so that two transactions never
wait on each other in a cycle. The tax code is hashed on the way in and never stored.
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from backend.models import Booking, Office, Slot
from backend.services import calendar, confirmation_codes, reminders, slots, tax_codes
from backend.services.appointment_data import ServiceDef, services
from backend.services.calendar import SlotTime
from backend.services.clock import to_local
from backend.services.slots import FreeSlot

_CODE_ATTEMPTS = 8


@dataclass
class BookingProblem(Exception):
    """Why a booking operation did not happen; `message` is Italian, for the citizen."""

    message: str
    alternatives: list[FreeSlot] = field(default_factory=list)

    def __str__(self) -> str:
        return self.message


class NotFound(BookingProblem):
    """An office, a service or a booking that does not exist (or not for this tax code)."""


class NotBookable(BookingProblem):
    """The time asked for is not a slot of this office and service."""


class SlotTaken(BookingProblem):
    """The slot is full: somebody else took the last place."""


class Conflict(BookingProblem):
    """The booking cannot change any more (cancelled, already past, changed meanwhile)."""


@dataclass(frozen=True)
class Target:
    office: Office
    service: ServiceDef


def resolve_target(session: Session, office_code: str, service_code: str) -> Target:
    office = session.scalar(select(Office).where(Office.code == office_code))
    if office is None:
        raise NotFound("Ufficio non trovato: controlla il codice del Centro per l'Impiego.")
    service = services().get(service_code)
    if service is None:
        raise NotFound("Servizio non trovato: scegli uno dei servizi prenotabili.")
    if service.code not in office.services:
        raise NotBookable(f"Questo ufficio non offre il servizio «{service.name}».")
    return Target(office, service)


def _slot_time(session: Session, target: Target, starts_at: datetime, now: datetime) -> SlotTime:
    reason = calendar.why_not_bookable(
        target.office.code, target.office.opening_hours, target.service, starts_at, now
    )
    if reason:
        raise NotBookable(
            f"Non si può prenotare in quell'orario: {reason}.",
            slots.alternatives(session, target.office, target.service, starts_at, now),
        )
    day = calendar.day_slots(
        target.office.code,
        target.office.opening_hours,
        target.service,
        to_local(starts_at).date(),
    )
    return next(s for s in day if s.starts_at == starts_at)


def _slot_taken(session: Session, target: Target, starts_at: datetime, now: datetime) -> SlotTaken:
    # Roll back first: the alternatives must be read outside the failed attempt.
    session.rollback()
    return SlotTaken(
        "L'orario scelto non è più disponibile: un'altra persona l'ha appena prenotato. "
        "Scegli uno degli orari liberi proposti.",
        slots.alternatives(session, target.office, target.service, starts_at, now),
    )


def _insert_booking(session: Session, slot_id: int, tax_code_hash: str, now: datetime) -> Booking:
    for _ in range(_CODE_ATTEMPTS):
        booking = Booking(
            code=confirmation_codes.new_code(),
            slot_id=slot_id,
            tax_code_hash=tax_code_hash,
            status="confirmed",
            sequence=0,
            created_at=now,
            updated_at=now,
        )
        try:
            # A savepoint, so a (very unlikely) duplicate code costs one retry, not the seat.
            with session.begin_nested():
                session.add(booking)
            return booking
        except IntegrityError:
            continue
    raise RuntimeError("could not draw a unique confirmation code")


def book(
    session: Session,
    *,
    office_code: str,
    service_code: str,
    starts_at: datetime,
    tax_code: str,
    now: datetime,
    channel: str | None = None,
    conversation_id: str | None = None,
    citizen_name: str | None = None,
    contact: tuple[str, str] | None = None,
) -> Booking:
    target = resolve_target(session, office_code, service_code)
    slot_time = _slot_time(session, target, starts_at, now)
    tax_code_hash = tax_codes.lookup_hash(tax_code)
    slot_id = slots.ensure_slot_row(session, target.office, target.service, slot_time)
    if not slots.take_seat(session, slot_id):
        raise _slot_taken(session, target, starts_at, now)
    booking = _insert_booking(session, slot_id, tax_code_hash, now)
    booking.citizen_name = citizen_name
    booking.contact_kind, booking.contact_value = contact or (None, None)
    if channel and conversation_id:
        reminders.schedule(session, booking, slot_time.starts_at, channel, conversation_id)
    session.commit()
    return booking


def _find(session: Session, code: str, tax_code: str, lock: bool = False) -> Booking:
    code = confirmation_codes.normalise(code)
    query = select(Booking).where(
        Booking.code == code, Booking.tax_code_hash == tax_codes.lookup_hash(tax_code)
    )
    if lock:
        query = query.with_for_update()
    booking = session.scalar(query) if confirmation_codes.is_well_formed(code) else None
    if booking is None:
        # Same answer for a wrong code and a wrong tax code: no hint to whoever guesses.
        raise NotFound("Non trovo nessun appuntamento con questo codice e questo codice fiscale.")
    return booking


def _must_be_open(booking: Booking, now: datetime, verb: str) -> None:
    if booking.status != "confirmed":
        raise Conflict(f"Questo appuntamento è stato disdetto: non si può {verb}.")
    if booking.slot.starts_at <= now:
        raise Conflict(f"Questo appuntamento è già passato: non si può {verb}.")


def cancel(session: Session, *, code: str, tax_code: str, now: datetime) -> Booking:
    """Cancel a future booking; cancelling twice answers with the cancelled booking."""
    booking = _find(session, code, tax_code, lock=True)
    if booking.status == "cancelled":
        return booking
    _must_be_open(booking, now, "disdire")
    # Conditional on the status: of two concurrent cancellations only one gives the seat back.
    changed = session.execute(
        update(Booking)
        .where(Booking.id == booking.id, Booking.status == "confirmed")
        .values(
            status="cancelled",
            cancelled_at=now,
            updated_at=now,
            sequence=Booking.sequence + 1,
        )
        .returning(Booking.id)
        .execution_options(synchronize_session=False)
    ).first()
    if changed is not None:
        slots.give_back_seat(session, booking.slot_id)
        reminders.cancel(session, booking.id)
    session.commit()
    session.expire_all()
    return booking


def reschedule(
    session: Session, *, code: str, tax_code: str, starts_at: datetime, now: datetime
) -> Booking:
    booking = _find(session, code, tax_code, lock=True)
    _must_be_open(booking, now, "spostare")
    old_slot = booking.slot
    if old_slot.starts_at == starts_at:
        return booking
    target = resolve_target(session, old_slot.office.code, old_slot.service_code)
    slot_time = _slot_time(session, target, starts_at, now)
    new_slot_id = slots.ensure_slot_row(session, target.office, target.service, slot_time)
    slots.lock_slots(session, [old_slot.id, new_slot_id])
    if not slots.take_seat(session, new_slot_id):
        raise _slot_taken(session, target, starts_at, now)
    # Conditional on the old slot: on SQLite, where FOR UPDATE is a no-op, a concurrent
    # change of the same booking makes this match nothing instead of losing a seat.
    moved = session.execute(
        update(Booking)
        .where(Booking.id == booking.id, Booking.slot_id == old_slot.id)
        .where(Booking.status == "confirmed")
        .values(slot_id=new_slot_id, updated_at=now, sequence=Booking.sequence + 1)
        .returning(Booking.id)
        .execution_options(synchronize_session=False)
    ).first()
    if moved is None:
        session.rollback()
        raise Conflict("L'appuntamento è stato modificato nel frattempo: riprova.")
    slots.give_back_seat(session, old_slot.id)
    reminders.move(session, booking.id, slot_time.starts_at, now)
    session.commit()
    # The conditional UPDATEs bypassed the ORM: reload what the caller will read.
    session.expire_all()
    return booking


def list_for(
    session: Session,
    *,
    tax_code: str,
    now: datetime,
    include_past: bool = False,
    include_cancelled: bool = False,
) -> list[Booking]:
    query = (
        select(Booking)
        .join(Booking.slot)
        .options(joinedload(Booking.slot).joinedload(Slot.office))
        .where(Booking.tax_code_hash == tax_codes.lookup_hash(tax_code))
        .order_by(Slot.starts_at)
    )
    if not include_past:
        query = query.where(Slot.starts_at > now)
    if not include_cancelled:
        query = query.where(Booking.status == "confirmed")
    return list(session.scalars(query))


def by_code(session: Session, code: str) -> Booking:
    """A booking by its code alone (for its calendar file, which holds nothing personal)."""
    code = confirmation_codes.normalise(code)
    booking = (
        session.scalar(select(Booking).where(Booking.code == code))
        if confirmation_codes.is_well_formed(code)
        else None
    )
    if booking is None:
        raise NotFound("Prenotazione non trovata: controlla il codice.")
    return booking
