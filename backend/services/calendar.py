"""Slot calendars: the times an office offers a service, from its opening hours.

Pure functions, no database: which days are open (weekday hours, Italian public
holidays, the local patron saint, extraordinary closures) and which slot start times
fall inside the opening intervals. What is already booked is slots.py's business.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

import holidays

from backend.services.appointment_data import ServiceDef, calendar_rules
from backend.services.clock import local_zone, to_local

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class SlotTime:
    starts_at: datetime  # aware, UTC
    ends_at: datetime


@lru_cache(maxsize=256)
def _holidays(subdivision: str | None, year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("IT", subdiv=subdivision, years=year, language="it_IT")


def closed_reason(office_code: str, hours: Mapping[str, Any], day: date) -> str | None:
    """Why the office is closed on `day` (Italian, for the citizen), or None if open."""
    if not hours.get(WEEKDAYS[day.weekday()]):
        return "l'ufficio è chiuso in questo giorno della settimana"
    rules = calendar_rules()
    holiday = _holidays(rules.local_holidays.get(office_code), day.year).get(day)
    if holiday:
        return f"è un giorno festivo ({holiday})"
    for closure in rules.closures:
        if closure.office == office_code and closure.first_day <= day <= closure.last_day:
            return closure.reason
    return None


def day_slots(
    office_code: str, hours: Mapping[str, Any], service: ServiceDef, day: date
) -> list[SlotTime]:
    """Back-to-back slots from the start of each opening interval; none if closed."""
    if closed_reason(office_code, hours, day):
        return []
    zone = local_zone()
    step = timedelta(minutes=service.duration_minutes)
    slots = []
    for opens, closes in hours[WEEKDAYS[day.weekday()]]:
        start = datetime.combine(day, time.fromisoformat(opens), tzinfo=zone)
        end = datetime.combine(day, time.fromisoformat(closes), tzinfo=zone)
        while start + step <= end:
            slots.append(SlotTime(start.astimezone(UTC), (start + step).astimezone(UTC)))
            start += step
    return slots


def earliest_start(now: datetime) -> datetime:
    """The first instant a new booking may start (a little notice for the office)."""
    return now + timedelta(hours=calendar_rules().min_notice_hours)


def last_day(now: datetime) -> date:
    """The last bookable day of the rolling window."""
    return to_local(now).date() + timedelta(days=calendar_rules().window_days)


def bookable_slots(
    office_code: str,
    hours: Mapping[str, Any],
    service: ServiceDef,
    now: datetime,
    first_day: date | None = None,
    until_day: date | None = None,
) -> Iterator[SlotTime]:
    """Every slot inside the booking window, from `first_day` to `until_day` (local)."""
    earliest = earliest_start(now)
    day = max(first_day or to_local(earliest).date(), to_local(earliest).date())
    end = min(until_day or last_day(now), last_day(now))
    while day <= end:
        for slot in day_slots(office_code, hours, service, day):
            if slot.starts_at >= earliest:
                yield slot
        day += timedelta(days=1)


def why_not_bookable(
    office_code: str,
    hours: Mapping[str, Any],
    service: ServiceDef,
    starts_at: datetime,
    now: datetime,
) -> str | None:
    """Why a citizen cannot book a slot starting at `starts_at` (Italian), or None."""
    day = to_local(starts_at).date()
    if starts_at < earliest_start(now):
        return "l'orario scelto è già passato o troppo vicino: scegli un orario più avanti"
    if day > last_day(now):
        days = calendar_rules().window_days
        return f"si può prenotare al massimo {days} giorni in anticipo"
    reason = closed_reason(office_code, hours, day)
    if reason:
        return reason
    if all(slot.starts_at != starts_at for slot in day_slots(office_code, hours, service, day)):
        return "a quest'ora non inizia nessun appuntamento per questo servizio"
    return None
