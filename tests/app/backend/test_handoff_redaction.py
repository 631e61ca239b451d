"""Redaction of handed-off conversations: personal data out, the case's facts in."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.handoffs.redaction import EMAIL, IBAN, PHONE, TAX_CODE, redact
from tests.app.backend.helpers import tax_code

REDACTED = [
    # tax codes: plain, lower case, spaced, omocodic, inside sentences
    ("il mio codice fiscale è RSSMRA85M01H501Q", f"il mio codice fiscale è {TAX_CODE}"),
    ("rssmra85m01h501q", TAX_CODE),
    ("CF: RSS MRA 85M01 H501Q grazie", f"CF: {TAX_CODE} grazie"),
    ("cf BNCLRA90A41F205X.", f"cf {TAX_CODE}."),
    ("omocodico RSSMRA85M01H50MQ", f"omocodico {TAX_CODE}"),
    ("VRDGPP 75 C 15 D 086 R", TAX_CODE),
    # Italian mobiles
    ("chiamami al 3331234567", f"chiamami al {PHONE}"),
    ("cell. 333 123 4567", f"cell. {PHONE}"),
    ("+39 333 1234567", PHONE),
    ("+393331234567", PHONE),
    ("0039 333.123.45.67", PHONE),
    ("(+39) 347-1234567 dopo le 17", f"{PHONE} dopo le 17"),
    ("il numero è 320 12 34 567.", f"il numero è {PHONE}."),
    ("tel:3891234567", f"tel:{PHONE}"),
    # landlines
    ("ufficio 0984 123456", f"ufficio {PHONE}"),
    ("06 1234 5678", PHONE),
    ("06-12345678", PHONE),
    ("0984/123456", PHONE),
    ("+39 06 69011234", PHONE),
    ("02.1234.5678", PHONE),
    # foreign numbers
    ("mio fratello: +44 20 7946 0958", f"mio fratello: {PHONE}"),
    ("+49 1512 3456789", PHONE),
    # e-mails
    ("scrivimi a mario.rossi@example.it", f"scrivimi a {EMAIL}"),
    ("MARIO_ROSSI+cpi@posta.regione.calabria.it.", f"{EMAIL}."),
    # IBANs
    ("IBAN IT60X0542811101000000123456", f"IBAN {IBAN}"),
    ("it60 x054 2811 1010 0000 0123 456 grazie", f"{IBAN} grazie"),
    ("IT60 X054 2811 1010 0000 0123 456", IBAN),
    ("DE89 3704 0044 0532 0130 00", IBAN),
    ("GB82WEST12345698765432 è il conto", f"{IBAN} è il conto"),
]

KEPT = [
    "il mio codice di prenotazione è M257SL",
    "codice prenotazione 7KXQ2P",
    "codice 234567",
    "appuntamento il 23/11/2026 alle 9:30",
    "nato il 01.02.1985",
    "scadenza 2026-11-23",
    "dal 01-02-2024 al 31-12-2024",
    "il mio ISEE è 9.360 euro",
    "guadagno 8.500 € l'anno",
    "€ 330.000.000 di fondi",
    "ho ricevuto 350000 euro",
    "ho 30 anni e due figli di 3 e 7 anni",
    "abito a Roma, CAP 00184",
    "CAP 87100 Cosenza",
    "orari 9.00-12.30 e 15.00-17.00",
    "entro 30 giorni dalla DID",
    "il 3 dicembre 2025",
    "ISEE sotto i 10.140 euro, patrimonio 30.000",
    "PRECEDENTEMENTE ho lavorato",
    "assegno di inclusione e supporto formazione e lavoro",
    "sono stato al centro per l'impiego di Cosenza",
    "una casa nuova sole mare",
    "ho 2 figli, il più piccolo ha 12 mesi",
]


@pytest.mark.parametrize(("text", "expected"), REDACTED)
def test_personal_data_is_replaced(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize("text", KEPT)
def test_what_the_case_is_about_is_kept(text: str) -> None:
    assert redact(text) == text


def test_several_items_in_one_message() -> None:
    text = "Sono RSSMRA85M01H501Q, tel 3331234567, mail a@b.it, IBAN IT60X0542811101000000123456"
    assert redact(text) == f"Sono {TAX_CODE}, tel {PHONE}, mail {EMAIL}, IBAN {IBAN}"


@given(n=st.integers(min_value=0, max_value=10_000), upper=st.booleans(), spaced=st.booleans())
def test_every_valid_tax_code_is_redacted(n: int, upper: bool, spaced: bool) -> None:
    code = tax_code(n) if upper else tax_code(n).lower()
    if spaced:
        code = f"{code[:3]} {code[3:6]} {code[6:11]} {code[11:]}"
    assert redact(f"il mio cf è {code} ok") == f"il mio cf è {TAX_CODE} ok"


_digits = st.text(alphabet="0123456789", min_size=1, max_size=1)


@given(
    prefix=st.sampled_from(["", "+39 ", "+39", "0039 ", "(+39) "]),
    operator=st.integers(min_value=300, max_value=399),
    rest=st.text(alphabet="0123456789", min_size=7, max_size=7),
    sep=st.sampled_from(["", " ", ".", "-"]),
)
def test_every_mobile_shape_is_redacted(prefix: str, operator: int, rest: str, sep: str) -> None:
    number = f"{prefix}{operator}{sep}{rest[:3]}{sep}{rest[3:]}"
    assert redact(f"chiamami al {number} grazie") == f"chiamami al {PHONE} grazie"


@given(
    day=st.integers(min_value=1, max_value=28),
    month=st.integers(min_value=1, max_value=12),
    year=st.integers(min_value=1940, max_value=2030),
    sep=st.sampled_from(["/", ".", "-"]),
    pad=st.booleans(),
)
def test_dates_are_never_redacted(day: int, month: int, year: int, sep: str, pad: bool) -> None:
    text = f"{day:02d}{sep}{month:02d}{sep}{year}" if pad else f"{day}{sep}{month}{sep}{year}"
    assert redact(f"il {text}") == f"il {text}"


@given(
    amount=st.integers(min_value=0, max_value=999_999_999),
    euro=st.sampled_from(["{} €", "€ {}", "{} euro", "{} EUR", "{}€"]),
)
def test_amounts_in_euro_are_never_redacted(amount: int, euro: str) -> None:
    figure = f"{amount:,}".replace(",", ".")
    text = euro.format(figure)
    assert redact(f"ho {text} di reddito") == f"ho {text} di reddito"


@given(age=st.integers(min_value=0, max_value=120), cap=st.integers(min_value=0, max_value=99999))
def test_ages_and_caps_are_never_redacted(age: int, cap: int) -> None:
    text = f"ho {age} anni e abito al CAP {cap:05d}"
    assert redact(text) == text


@given(st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ23456789", min_size=6, max_size=6))
def test_booking_codes_are_never_redacted(code: str) -> None:
    assert redact(f"codice {code}") == f"codice {code}"
