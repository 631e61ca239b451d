"""Opening hours as citizens read them."""

from datetime import datetime

from actions.offices.hours import today_text, week_text

HOURS = {
    "mon": [["09:00", "12:30"]],
    "tue": [["09:00", "12:30"], ["15:00", "17:00"]],
}


def at(day: int, hour: int, minute: int = 0) -> datetime:
    # 2026-11-23 is a Monday.
    return datetime(2026, 11, 23 + day, hour, minute)


def test_the_week_lists_open_days_only():
    assert week_text(HOURS) == "lunedì 9:00-12:30; martedì 9:00-12:30 e 15:00-17:00"


def test_open_now_says_until_when():
    assert today_text(HOURS, at(0, 10)) == "Oggi è aperto fino alle 12:30."


def test_before_opening_says_when_it_opens():
    assert today_text(HOURS, at(0, 7, 45)) == "Oggi apre alle 9:00."


def test_at_lunch_says_when_it_reopens():
    assert today_text(HOURS, at(1, 13)) == "Oggi riapre alle 15:00."


def test_after_closing_and_on_closed_days():
    assert today_text(HOURS, at(0, 18)) == "Per oggi ha già chiuso."
    assert today_text(HOURS, at(2, 10)) == "Oggi è chiuso."
