"""How the office answer reads, from what the backend returns."""

from datetime import datetime

from actions.offices.office_info import describe_office, not_covered_text

OFFICE = {
    "name": "Centro per l'Impiego di Cosenza",
    "address": "Via Giulia",
    "opening_hours": {"mon": [["09:00", "12:30"]]},
    "hours_verified": False,
    "phone": None,
    "email": None,
    "notes": None,
    "verified": False,
}


def test_an_unverified_office_says_so_and_calls_its_hours_indicative():
    text = describe_office(OFFICE, datetime(2026, 11, 23, 10, 0))
    assert "Indirizzo: Via Giulia" in text
    assert "Orari indicativi: lunedì 9:00-12:30." in text
    assert "Oggi è aperto fino alle 12:30." in text
    assert "in corso di verifica" in text


def test_a_verified_office_with_contacts():
    office = {
        **OFFICE,
        "verified": True,
        "hours_verified": True,
        "phone": "06 1234",
        "email": "a@b.it",
    }
    text = describe_office(office, datetime(2026, 11, 23, 10, 0))
    assert "Orari: lunedì" in text
    assert "Telefono: 06 1234" in text
    assert "verifica" not in text


def test_a_missing_address_is_not_invented():
    text = describe_office({**OFFICE, "address": None}, datetime(2026, 11, 23, 10, 0))
    assert "Indirizzo: in aggiornamento" in text


def test_comuni_outside_the_covered_regions_are_redirected():
    text = not_covered_text({"name": "Milano", "region": "Lombardia"})
    assert "Milano è in Lombardia" in text
    assert "Calabria e Lazio" in text


def test_a_holiday_closure_from_the_backend_wins_over_the_weekly_hours():
    text = describe_office(OFFICE, datetime(2026, 12, 8, 10, 0), "è un giorno festivo (Immacolata)")
    assert "Oggi è chiuso: è un giorno festivo (Immacolata)." in text
    assert "aperto" not in text
