"""Tax codes, names, confirmation codes, channels, services and slot choice, without a
backend."""

import pytest

from actions.appointments.citizen_data import (
    channel_of,
    check_name,
    check_tax_code,
    find_booking_code,
    normalise_booking_code,
)
from actions.appointments.offer import chosen_slot, pick
from actions.appointments.services import service_in_text
from actions.appointments.when import parse

VALID = "RSSMRA85M01H501Q"  # the textbook example; its check character is Q


@pytest.mark.parametrize(
    "text",
    [
        VALID,
        VALID.lower(),
        "RSS MRA 85M01 H501Q",
        "il mio codice fiscale è RSSMRA85M01H501Q",
        "cf: RSSMRA85M01H501Q grazie",
        "c.f. RSSMRA85M01H501Q.",
    ],
)
def test_valid_tax_codes_are_normalised(text):
    assert check_tax_code(text).value == VALID


def test_wrong_length_says_how_many_characters():
    check = check_tax_code("RSSMRA85M01H50")
    assert (check.value, check.problem, check.length) == (None, "length", 14)


def test_wrong_character_says_where():
    check = check_tax_code("RSSMRA8XM01H501Q")
    assert (check.problem, check.position) == ("characters", 8)
    assert check_tax_code("RSSMRA85M01H501@").position == 16


def test_wrong_check_character():
    assert check_tax_code("RSSMRA85M01H501Z").problem == "check"


def test_omocodia_letters_stand_for_digits():
    # Same person as VALID with the last digit replaced by its letter (1 -> M).
    from stdnum.it import codicefiscale

    body = "RSSMRA85M01H50M"
    code = body + codicefiscale.calc_check_digit(body)
    assert check_tax_code(code).value == code


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("mi chiamo mario rossi", "Mario Rossi"),
        ("Io mi chiamo Ana María López", "Ana María López"),
        ("sono GIUSEPPE D'AMICO.", "Giuseppe D'Amico"),
        ("Ciao, sono marco neri", "Marco Neri"),
        ("il mio nome e luca bianchi", "Luca Bianchi"),  # "è" without its accent
        ("Nome e cognome: Maria-Luisa Verdi grazie", "Maria-Luisa Verdi"),
        ("Sonoda Kenji", "Sonoda Kenji"),  # "sono" only as a word of its own
        ("van der Berg Anna", "van der Berg Anna"),  # mixed case stays as written
        ("  M.   Rossi  ", "M. Rossi"),
    ],
)
def test_names_lose_their_lead_in(text, name):
    assert check_name(text).value == name


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("Mario", "incomplete"),
        ("mi chiamo", "incomplete"),
        ("sono Rossi", "incomplete"),
        ("Mario Rossi 85", "characters"),
        ("mario@rossi.it", "characters"),
        ("RSSMRA85M01H501Q", "characters"),
        ("non te lo voglio dire per niente", "characters"),  # a sentence, not a name
        ("A" * 70 + " " + "B" * 60, "characters"),  # longer than the backend accepts
    ],
)
def test_wrong_names_say_what_is_wrong(text, problem):
    check = check_name(text)
    assert (check.value, check.problem) == (None, problem)


def test_booking_codes():
    assert find_booking_code("disdici K7M3QX per favore") == "K7M3QX"
    assert find_booking_code("DOMANI") is None  # a word is not a code
    assert find_booking_code("disdico questa prenotazione") is None  # "QUESTA" is a word
    assert find_booking_code("devo disdire l'appuntamento YGGYMP") == "YGGYMP"
    assert find_booking_code("DISDICO QUESTA PRENOTAZIONE") is None
    # In answer to "what is the code?", codes without digits are codes too.
    assert normalise_booking_code(" k7m-3qx ") == "K7M3QX"
    assert normalise_booking_code("KXMQPZ") == "KXMQPZ"
    assert normalise_booking_code("il codice è kxmqpz") == "KXMQPZ"
    assert normalise_booking_code("K7M0QX") is None  # no 0 in codes


def test_channel_and_conversation_from_the_gateway_id():
    assert channel_of("web:abc-123") == ("web", "abc-123")
    assert channel_of("telegram:12345") == ("telegram", "12345")
    assert channel_of("default") is None
    assert channel_of("rest:x") is None


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("vorrei un appuntamento per la DID", "accoglienza_did"),
        ("devo firmare il patto di servizio", "patto_servizio"),
        ("colloquio GOL", "assessment_gol"),
        ("collocamento mirato, ho la 104", "collocamento_mirato"),
        ("sono un'azienda e devo assumere", "servizi_imprese"),
        ("vorrei un appuntamento", None),
        ("DID o patto, non so", None),  # two services: the buttons will ask
    ],
)
def test_service_in_text(text, code):
    assert service_in_text(text) == code


SLOTS = [
    "2026-11-25T09:00:00+01:00",
    "2026-11-25T09:30:00+01:00",
    "2026-11-25T10:00:00+01:00",
    "2026-11-26T09:00:00+01:00",
    "2026-11-26T15:00:00+01:00",
]


def test_offers_show_two_slots_a_day_unless_one_day_is_asked():
    from datetime import date

    today = date(2026, 11, 24)
    assert pick(SLOTS, parse("il prima possibile", today)) == [SLOTS[0], SLOTS[1], *SLOTS[3:]]
    assert pick(SLOTS, parse("domani", today)) == SLOTS[:3]
    assert pick(SLOTS, parse("giovedì pomeriggio", today)) == [SLOTS[4]]


@pytest.mark.parametrize(
    ("answer", "index"),
    [
        ("2026-11-25T09:30:00+01:00", 1),
        ("il secondo", 1),
        ("2", 1),
        ("alle 10", 2),
        ("giovedì alle 15", 4),
        ("alle 15.00", 4),
    ],
)
def test_the_citizen_picks_a_slot_in_words(answer, index):
    assert chosen_slot(answer, {"slots": SLOTS}) == SLOTS[index]


@pytest.mark.parametrize("answer", ["alle 9", "boh", "il decimo"])
def test_an_ambiguous_or_unknown_pick_gives_none(answer):
    # 9:00 is offered on two days: which one is not guessed.
    assert chosen_slot(answer, {"slots": SLOTS}) is None
