"""A preference said back in Italian, so the citizen sees what was understood."""

from __future__ import annotations

from datetime import date, time

from actions.appointments import italian
from actions.appointments.when import WORKDAYS, Preference


def _clock(at: time) -> str:
    return f"{at.hour}:{at.minute:02d}"


def _weekdays(days: frozenset[int]) -> str:
    missing = sorted(WORKDAYS - days)
    if len(days) >= 3 and missing and days <= WORKDAYS:
        return "tranne " + " e ".join(f"il {italian.WEEKDAYS[d]}" for d in missing)
    return " o ".join(italian.WEEKDAYS[d] for d in sorted(days))


def _times(pref: Preference) -> str:
    if pref.around:
        return f"verso le {_clock(pref.around)}"
    if pref.not_before and pref.not_after:
        return f"tra le {_clock(pref.not_before)} e le {_clock(pref.not_after)}"
    if pref.not_before:
        return f"dopo le {_clock(pref.not_before)}"
    if pref.not_after:
        return f"prima delle {_clock(pref.not_after)}"
    return ""


def _days(pref: Preference, today: date) -> str:
    if pref.single_day:
        return italian.long_date(pref.first_day)
    starts_later = pref.first_day > today
    if starts_later and pref.last_day is not None:
        first = italian.from_day(pref.first_day)
        if pref.first_day.month == pref.last_day.month:
            first = first.rsplit(" ", 1)[0]  # "dall'1 al 4 dicembre"
        return f"{first} {italian.until_day(pref.last_day)}"
    if starts_later:
        return italian.from_day(pref.first_day)
    if pref.last_day is not None:
        return italian.on_or_before(pref.last_day)
    return ""


def describe(pref: Preference, today: date) -> str:
    """'giovedì mattina, dall'11 dicembre'; '' when the citizen has no preference."""
    days = _days(pref, today)
    part = pref.part_of_day or ""
    if pref.single_day:
        head = f"{days} di {part}" if part else days
        return ", ".join(p for p in (head, _times(pref)) if p)
    weekdays = _weekdays(pref.weekdays) if pref.weekdays else ""
    if weekdays and part and len(pref.weekdays) == 1:
        head = f"{weekdays} {part}"
    else:
        head = ", ".join(p for p in (weekdays, f"di {part}" if part else "") if p)
    return ", ".join(p for p in (head, _times(pref), days) if p)
