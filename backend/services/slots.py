"""Seats in slots: what is still free, and taking or giving back a seat safely.

A slot row is created the first time somebody books it. Taking a seat is one
conditional UPDATE (`booked = booked + 1 WHERE booked < capacity`): on PostgreSQL the
row lock makes concurrent updaters wait and then re-check the condition on the
committed row, so no more than `capacity` of them can succeed; on SQLite writers are
serialised by the database lock. The check constraint on the table is a second guard.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from backend.models import Office, Slot
from backend.services import calendar
from backend.services.appointment_data import ServiceDef
from backend.services.clock import to_local

ALTERNATIVES = 3


@dataclass(frozen=True)
class FreeSlot:
    starts_at: datetime
    ends_at: datetime
    free_places: int


def free_slots(
    session: Session,
    office: Office,
    service: ServiceDef,
    now: datetime,
    first_day: date | None = None,
    until_day: date | None = None,
    limit: int = 50,
) -> list[FreeSlot]:
    """Slots with at least one free place, earliest first."""
    candidates = list(
        calendar.bookable_slots(
            office.code, office.opening_hours, service, now, first_day, until_day
        )
    )
    if not candidates:
        return []
    rows = session.scalars(
        select(Slot).where(
            Slot.office_id == office.id,
            Slot.service_code == service.code,
            Slot.starts_at >= candidates[0].starts_at,
            Slot.starts_at <= candidates[-1].starts_at,
        )
    )
    free_by_start = {row.starts_at: row.capacity - row.booked for row in rows}
    found = []
    for slot in candidates:
        free = free_by_start.get(slot.starts_at, service.capacity)
        if free > 0:
            found.append(FreeSlot(slot.starts_at, slot.ends_at, free))
            if len(found) >= limit:
                break
    return found


def alternatives(
    session: Session, office: Office, service: ServiceDef, wanted: datetime, now: datetime
) -> list[FreeSlot]:
    """The next free slots after the one wanted, or the earliest ones if none follow."""
    day = to_local(wanted).date()
    # The week after the wanted day first: the common case, and cheap to compute.
    for until in (day + timedelta(days=6), None):
        later = [
            s
            for s in free_slots(session, office, service, now, day, until, limit=50)
            if s.starts_at > wanted
        ]
        if len(later) >= ALTERNATIVES:
            break
    if later:
        return later[:ALTERNATIVES]
    return free_slots(session, office, service, now, limit=ALTERNATIVES)


def _insert_ignoring_duplicate(session: Session) -> postgresql.Insert | sqlite.Insert:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(Slot)
    if dialect == "sqlite":
        return sqlite.insert(Slot)
    raise NotImplementedError(f"slot booking supports PostgreSQL and SQLite, not {dialect}")


def ensure_slot_row(
    session: Session, office: Office, service: ServiceDef, slot: calendar.SlotTime
) -> int:
    """The id of the slot's row, inserting it if this is its first booking."""
    insert = _insert_ignoring_duplicate(session)
    session.execute(
        insert.values(
            office_id=office.id,
            service_code=service.code,
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            capacity=service.capacity,
            booked=0,
        ).on_conflict_do_nothing(index_elements=["office_id", "service_code", "starts_at"])
    )
    slot_id = session.scalar(
        select(Slot.id).where(
            Slot.office_id == office.id,
            Slot.service_code == service.code,
            Slot.starts_at == slot.starts_at,
        )
    )
    assert slot_id is not None  # inserted above or by a transaction that committed it
    return slot_id


def take_seat(session: Session, slot_id: int) -> bool:
    """Take one place in the slot if one is free; False if it is full."""
    taken = session.execute(
        update(Slot)
        .where(Slot.id == slot_id, Slot.booked < Slot.capacity)
        .values(booked=Slot.booked + 1)
        .returning(Slot.id)
        .execution_options(synchronize_session=False)
    ).first()
    return taken is not None


def give_back_seat(session: Session, slot_id: int) -> None:
    session.execute(
        update(Slot)
        .where(Slot.id == slot_id, Slot.booked > 0)
        .values(booked=Slot.booked - 1)
        .execution_options(synchronize_session=False)
    )


def lock_slots(session: Session, slot_ids: list[int]) -> None:
    """Lock slot rows in id order, so two transactions never wait on each other in a cycle."""
    session.execute(
        select(Slot.id).where(Slot.id.in_(slot_ids)).order_by(Slot.id).with_for_update()
    ).all()
