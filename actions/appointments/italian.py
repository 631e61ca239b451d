"""Dates and times as Italian citizens read them ("giovedì 10 dicembre alle 9:00")."""

from __future__ import annotations

from datetime import date, datetime

WEEKDAYS = ("lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica")
SHORT_WEEKDAYS = ("lun", "mar", "mer", "gio", "ven", "sab", "dom")
MONTHS = (
    "gennaio",
    "febbraio",
    "marzo",
    "aprile",
    "maggio",
    "giugno",
    "luglio",
    "agosto",
    "settembre",
    "ottobre",
    "novembre",
    "dicembre",
)


def day_month(day: date) -> str:
    """'10 dicembre'. No year: bookings are at most a few weeks ahead."""
    return f"{day.day} {MONTHS[day.month - 1]}"


def long_date(day: date) -> str:
    """'giovedì 10 dicembre'."""
    return f"{WEEKDAYS[day.weekday()]} {day_month(day)}"


def clock(moment: datetime) -> str:
    """'9:00', '15:30' (Italian usage: no leading zero on the hour)."""
    return f"{moment.hour}:{moment.minute:02d}"


def moment_text(moment: datetime) -> str:
    """'giovedì 10 dicembre alle 9:00'."""
    return f"{long_date(moment.date())} alle {clock(moment)}"


def button_label(moment: datetime) -> str:
    """Short enough for a button on every channel: 'gio 10 dic, 9:00'."""
    month = MONTHS[moment.month - 1][:3]
    return f"{SHORT_WEEKDAYS[moment.weekday()]} {moment.day} {month}, {clock(moment)}"


def from_day(day: date) -> str:
    """'dal 10 dicembre', with the elision Italian needs before a vowel: 'dall'11 dicembre'."""
    article = "dall'" if day.day in (1, 8, 11) else "dal "
    return f"{article}{day_month(day)}"


def until_day(day: date) -> str:
    """'al 10 dicembre' / 'all'8 dicembre'."""
    article = "all'" if day.day in (1, 8, 11) else "al "
    return f"{article}{day_month(day)}"


def on_or_before(day: date) -> str:
    """'entro il 10 dicembre' / 'entro l'11 dicembre'."""
    article = "l'" if day.day in (1, 8, 11) else "il "
    return f"entro {article}{day_month(day)}"


def parse_instant(value: str) -> datetime:
    """The backend's ISO 8601 times with offset ("2026-12-10T09:00:00+01:00")."""
    return datetime.fromisoformat(value)
