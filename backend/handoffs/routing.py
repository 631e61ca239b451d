"""Which queue a handoff joins, and whether that queue's offices are open at an instant.

A queue is one office's (the competent CPI) or, when no office is known, the shared
queue of a region. Office hours, public holidays and closures come from the same
calendar that decides bookable slots (backend/services/calendar.py).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.models import Office
from backend.services.calendar import WEEKDAYS, closed_reason
from backend.services.clock import local_zone, to_local
from backend.services.comuni import resolve
from backend.settings import get_settings

# How far ahead the next opening is looked for (long closures, August).
_LOOKAHEAD_DAYS = 31


@dataclass(frozen=True)
class Queue:
    """An office's queue, or the region's shared one (office None)."""

    office: Office | None
    region: str

    @property
    def kind(self) -> str:
        return "office" if self.office is not None else "region"

    @property
    def name(self) -> str:
        if self.office is not None:
            return self.office.name
        return f"Centri per l'Impiego della Regione {self.region}"


def find_queue(session: Session, office_code: str | None, comune: str | None) -> Queue:
    """office_code wins, then the comune's competent office, then the default region."""
    if office_code:
        office = session.scalar(select(Office).where(Office.code == office_code))
        if office is not None:
            return Queue(office, office.region)
    if comune:
        found = resolve(session, comune)
        if found is not None and found.office is not None:
            return Queue(found.office, found.office.region)
    return Queue(None, get_settings().default_region)


def _intervals(office: Office, day: date) -> list[tuple[datetime, datetime]]:
    """The office's opening intervals on a local day, as aware datetimes; none if closed."""
    if closed_reason(office.code, office.opening_hours, day):
        return []
    zone = local_zone()
    return [
        (
            datetime.combine(day, time.fromisoformat(opens), tzinfo=zone),
            datetime.combine(day, time.fromisoformat(closes), tzinfo=zone),
        )
        for opens, closes in office.opening_hours.get(WEEKDAYS[day.weekday()], [])
    ]


def office_open(office: Office, now: datetime) -> bool:
    local = to_local(now)
    return any(opens <= local < closes for opens, closes in _intervals(office, local.date()))


def office_next_opening(office: Office, now: datetime) -> datetime | None:
    """The next local instant the office opens after `now`, within a month, or None."""
    local = to_local(now)
    for offset in range(_LOOKAHEAD_DAYS + 1):
        for opens, _closes in _intervals(office, local.date() + timedelta(days=offset)):
            if opens > local:
                return opens
    return None


def queue_offices(session: Session, queue: Queue) -> list[Office]:
    """The offices whose hours make the queue open: its office, or the region's."""
    if queue.office is not None:
        return [queue.office]
    return list(session.scalars(select(Office).where(Office.region == queue.region)))


def queue_open(session: Session, queue: Queue, now: datetime) -> bool:
    return any(office_open(office, now) for office in queue_offices(session, queue))


def queue_next_opening(session: Session, queue: Queue, now: datetime) -> datetime | None:
    openings = [office_next_opening(o, now) for o in queue_offices(session, queue)]
    found = [instant for instant in openings if instant is not None]
    return min(found) if found else None
