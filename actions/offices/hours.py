"""Opening hours in Italian: the week, and whether the office is open now."""

from __future__ import annotations

from datetime import datetime, time

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = {
    "mon": "lunedì",
    "tue": "martedì",
    "wed": "mercoledì",
    "thu": "giovedì",
    "fri": "venerdì",
    "sat": "sabato",
    "sun": "domenica",
}

Hours = dict[str, list[list[str]]]


def _clock(value: str) -> str:
    hours, minutes = value.split(":")
    return f"{int(hours)}:{minutes}"


def _ranges(ranges: list[list[str]]) -> str:
    return " e ".join(f"{_clock(start)}-{_clock(end)}" for start, end in ranges)


def week_text(hours: Hours) -> str:
    """'lunedì 9:00-12:30; martedì 9:00-12:30 e 15:00-17:00; ...' (closed days omitted)."""
    return "; ".join(f"{DAY_NAMES[day]} {_ranges(hours[day])}" for day in DAYS if hours.get(day))


def today_text(hours: Hours, now: datetime) -> str:
    """Today's state: 'Oggi è aperto fino alle 12:30.', 'Oggi riapre alle 15:00.', ..."""
    ranges = hours.get(DAYS[now.weekday()], [])
    current = now.time()
    for start, end in ranges:
        opens, closes = time.fromisoformat(start), time.fromisoformat(end)
        if opens <= current < closes:
            return f"Oggi è aperto fino alle {_clock(end)}."
        if current < opens:
            verb = "riapre" if any(time.fromisoformat(e) <= current for _, e in ranges) else "apre"
            return f"Oggi {verb} alle {_clock(start)}."
    return "Oggi è chiuso." if not ranges else "Per oggi ha già chiuso."
