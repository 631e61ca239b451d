"""Slot calendars from opening hours: holidays, patron saints, closures, the window."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from backend.seed import load_offices_file
from backend.services import calendar
from backend.services.appointment_data import calendar_rules, services

ROME = ZoneInfo("Europe/Rome")
HOURS = load_offices_file()["default_hours"]
DID = services()["accoglienza_did"]  # 30 minutes
PATTO = services()["patto_servizio"]  # 45 minutes


def local(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=ROME)


def starts(office: str, service, day: date) -> list[str]:
    return [
        s.starts_at.astimezone(ROME).strftime("%H:%M")
        for s in calendar.day_slots(office, HOURS, service, day)
    ]


def test_slots_follow_each_opening_interval_back_to_back():
    monday, tuesday = date(2026, 12, 14), date(2026, 12, 15)
    assert starts("cpi-paola", DID, monday) == [
        "09:00",
        "09:30",
        "10:00",
        "10:30",
        "11:00",
        "11:30",
        "12:00",
    ]
    afternoon = starts("cpi-paola", DID, tuesday)[7:]
    assert afternoon == ["15:00", "15:30", "16:00", "16:30"]


def test_a_longer_service_never_runs_past_closing_time():
    assert starts("cpi-paola", PATTO, date(2026, 12, 14)) == ["09:00", "09:45", "10:30", "11:15"]


def test_slots_are_instants_in_utc_across_daylight_saving_time():
    winter = calendar.day_slots("cpi-paola", HOURS, DID, date(2026, 12, 14))[0]
    summer = calendar.day_slots("cpi-paola", HOURS, DID, date(2027, 3, 30))[0]
    assert winter.starts_at == datetime(2026, 12, 14, 8, 0, tzinfo=UTC)
    assert summer.starts_at == datetime(2027, 3, 30, 7, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 12, 8),  # Immacolata Concezione
        date(2026, 12, 25),  # Natale
        date(2027, 1, 1),  # Capodanno
        date(2027, 1, 6),  # Epifania
        date(2027, 3, 29),  # Lunedì dell'Angelo
        date(2027, 4, 26),  # not a holiday: a Monday, control case below
    ],
)
def test_national_public_holidays_have_no_slots(day):
    slots = calendar.day_slots("cpi-paola", HOURS, DID, day)
    if day == date(2027, 4, 26):
        assert slots
        return
    assert slots == []
    assert "festivo" in (calendar.closed_reason("cpi-paola", HOURS, day) or "")


def test_weekends_are_closed():
    assert calendar.day_slots("cpi-paola", HOURS, DID, date(2026, 12, 12)) == []
    assert "chiuso" in (calendar.closed_reason("cpi-paola", HOURS, date(2026, 12, 13)) or "")


def test_the_patron_saint_closes_only_the_office_of_that_town():
    pilerio = date(2027, 2, 12)  # Madonna del Pilerio, Cosenza (a Friday)
    assert calendar.day_slots("cpi-cosenza", HOURS, DID, pilerio) == []
    assert calendar.day_slots("cpi-castrovillari", HOURS, DID, pilerio)
    peter_and_paul = date(2027, 6, 29)  # Roma (a Tuesday)
    assert calendar.day_slots("cpi-roma-cinecitta", HOURS, DID, peter_and_paul) == []
    assert calendar.day_slots("cpi-bracciano", HOURS, DID, peter_and_paul)


def test_extraordinary_closures_from_the_data_file():
    assert calendar.day_slots("cpi-lamezia-terme", HOURS, DID, date(2026, 3, 4)) == []
    assert calendar.day_slots("cpi-lamezia-terme", HOURS, DID, date(2026, 3, 5)) == []
    assert calendar.day_slots("cpi-lamezia-terme", HOURS, DID, date(2026, 3, 6))
    reason = calendar.closed_reason("cpi-lamezia-terme", HOURS, date(2026, 3, 4))
    assert reason and "energia elettrica" in reason


def test_the_window_starts_after_the_notice_and_lasts_window_days():
    now = local(date(2026, 12, 14), 8).astimezone(UTC)  # Monday 08:00
    slots = list(calendar.bookable_slots("cpi-paola", HOURS, DID, now))
    assert calendar_rules().min_notice_hours == 2  # the figures below assume it
    assert slots[0].starts_at.astimezone(ROME).strftime("%H:%M") == "10:00"
    assert calendar.last_day(now) == date(2027, 1, 13)  # window_days: 30
    assert max(s.starts_at for s in slots).astimezone(ROME).date() == date(2027, 1, 13)


def test_why_a_time_cannot_be_booked_is_said_in_italian():
    now = local(date(2026, 12, 14), 8).astimezone(UTC)

    def why(moment: datetime) -> str | None:
        return calendar.why_not_bookable("cpi-paola", HOURS, DID, moment.astimezone(UTC), now)

    assert why(local(date(2026, 12, 15), 9)) is None
    assert "passato" in (why(local(date(2026, 12, 14), 9)) or "")
    assert "festivo" in (why(local(date(2026, 12, 25), 9)) or "")
    assert "nessun appuntamento" in (why(local(date(2026, 12, 15), 9, 10)) or "")
    assert "nessun appuntamento" in (why(local(date(2026, 12, 15), 13)) or "")
    assert "giorni in anticipo" in (why(local(date(2027, 2, 1), 9)) or "")
