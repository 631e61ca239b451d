"""Italian time preferences read into slot filters (actions/appointments/when.py)."""

from datetime import date, datetime, time, timedelta, timezone

import pytest

from actions.appointments.when import NUMBER_WORDS, parse
from actions.appointments.when_text import describe

TODAY = date(2026, 11, 24)  # a Tuesday
ROME = timezone(timedelta(hours=1))


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ROME)


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("oggi", TODAY, TODAY),
        ("domani", date(2026, 11, 25), date(2026, 11, 25)),
        ("dopodomani", date(2026, 11, 26), date(2026, 11, 26)),
        ("tra 3 giorni", date(2026, 11, 27), date(2026, 11, 27)),
        ("fra tre giorni", date(2026, 11, 27), date(2026, 11, 27)),
        ("tra quindici giorni", date(2026, 12, 9), date(2026, 12, 9)),
        ("fra ventuno giorni", date(2026, 12, 15), date(2026, 12, 15)),
        ("tra un giorno", date(2026, 11, 25), date(2026, 11, 25)),
        ("la settimana prossima", date(2026, 11, 30), date(2026, 12, 6)),
        ("prossima settimana", date(2026, 11, 30), date(2026, 12, 6)),
        ("questa settimana", TODAY, date(2026, 11, 29)),
        ("fra due settimane", date(2026, 12, 8), date(2026, 12, 14)),
        ("dopo il 10 dicembre", date(2026, 12, 11), None),
        ("dopo il 10/12", date(2026, 12, 11), None),
        ("dopo il 10/12/2026", date(2026, 12, 11), None),
        ("prima del 5 dicembre", TODAY, date(2026, 12, 4)),
        ("entro il 5 dicembre", TODAY, date(2026, 12, 5)),
        ("entro l'11 dicembre", TODAY, date(2026, 12, 11)),
        ("dall'8 dicembre", date(2026, 12, 8), None),
        ("dal 1 al 4 dicembre", date(2026, 12, 1), date(2026, 12, 4)),
        ("il 3 dicembre", date(2026, 12, 3), date(2026, 12, 3)),
        ("giovedì 3 dicembre", date(2026, 12, 3), date(2026, 12, 3)),
        ("dopo il 28", date(2026, 11, 29), None),
        ("il mese prossimo", date(2026, 12, 1), date(2026, 12, 31)),
        ("entro fine mese", TODAY, date(2026, 11, 30)),
    ],
)
def test_days(text, first, last):
    pref = parse(text, TODAY)
    assert pref is not None
    assert (pref.first_day, pref.last_day) == (first, last)


def test_a_date_already_past_this_year_means_next_year():
    pref = parse("il 15 gennaio", TODAY)
    assert pref.first_day == date(2027, 1, 15)


@pytest.mark.parametrize(
    ("text", "weekdays"),
    [
        ("giovedì", {3}),
        ("giovedi prossimo", {3}),
        ("mercoledì o giovedì, indifferente", {2, 3}),
        ("qualsiasi giorno tranne il venerdì", {0, 1, 2, 3}),
        ("LUNEDI", {0}),
    ],
)
def test_weekdays(text, weekdays):
    assert parse(text, TODAY).weekdays == weekdays


def test_morning_and_afternoon_split_at_one_o_clock():
    morning = parse("giovedì mattina", TODAY)
    assert morning.accepts(at(date(2026, 11, 26), 9))
    assert morning.accepts(at(date(2026, 11, 26), 12, 45))
    assert not morning.accepts(at(date(2026, 11, 26), 15))
    assert not morning.accepts(at(date(2026, 11, 27), 9))  # a Friday
    afternoon = parse("nel pomeriggio", TODAY)
    assert afternoon.part_of_day == "pomeriggio"
    assert afternoon.accepts(at(date(2026, 11, 26), 15))
    assert not afternoon.accepts(at(date(2026, 11, 26), 9))


def test_times_of_day():
    pref = parse("nel pomeriggio dopo le 15:30", TODAY)
    assert pref.not_before == time(15, 30)
    assert not pref.accepts(at(TODAY, 15))
    pref = parse("lunedì alle 10", TODAY)
    assert pref.accepts(at(date(2026, 11, 30), 10, 30))
    assert not pref.accepts(at(date(2026, 11, 30), 11, 15))
    assert parse("prima delle 11", TODAY).not_after == time(11)


def test_combined_phrase():
    pref = parse("giovedì mattina dopo il 10 dicembre", TODAY)
    assert pref.first_day == date(2026, 12, 11)
    assert pref.weekdays == {3}
    assert pref.part_of_day == "mattina"
    assert pref.accepts(at(date(2026, 12, 17), 9))
    assert not pref.accepts(at(date(2026, 12, 10), 9))


def test_with_a_date_its_own_weekday_counts():
    # 3 February 2027 is a Wednesday: the date wins over a mistaken "martedì".
    pref = parse("martedì 3 febbraio verso le 9:30", TODAY)
    assert pref.weekdays == frozenset()
    assert pref.accepts(at(date(2027, 2, 3), 9, 30))


@pytest.mark.parametrize(
    "text",
    ["il prima possibile", "prima possibile", "prima data disponibile", "sono libero sempre"],
)
def test_as_soon_as_possible_is_any_free_slot_from_today(text):
    pref = parse(text, TODAY)
    assert pref is not None
    assert (pref.first_day, pref.last_day, pref.weekdays) == (TODAY, None, frozenset())


@pytest.mark.parametrize("text", ["Cosenza", "boh", "RSSMRA85M01H501Q", "", "ho 34 anni"])
def test_nothing_about_time_gives_none(text):
    assert parse(text, TODAY) is None


def test_number_words_cover_a_month():
    assert NUMBER_WORDS["ventotto"] == 28
    assert NUMBER_WORDS["trentuno"] == 31
    assert NUMBER_WORDS["ventidue"] == 22
    assert NUMBER_WORDS["una"] == 1


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("giovedì mattina", "giovedì mattina"),
        ("dopo il 10 dicembre", "dall'11 dicembre"),
        ("la settimana prossima", "dal 30 novembre al 6 dicembre"),
        ("dal 1 al 4 dicembre", "dall'1 al 4 dicembre"),
        ("dopodomani pomeriggio", "giovedì 26 novembre di pomeriggio"),
        ("prima del 5/12", "entro il 4 dicembre"),
        ("qualsiasi giorno tranne il venerdì", "tranne il venerdì"),
        ("lunedì alle 10", "lunedì, verso le 10:00"),
        ("il prima possibile", ""),
    ],
)
def test_the_preference_is_said_back_in_italian(text, said):
    assert describe(parse(text, TODAY), TODAY) == said
