"""Tax codes: check character validated, stored only as a keyed HMAC."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from backend.services import tax_codes
from tests.app.backend.helpers import tax_code


def test_valid_codes_are_normalised_to_upper_case_without_spaces():
    assert tax_codes.normalise("rssmra85m01h501q") == "RSSMRA85M01H501Q"
    assert tax_codes.normalise(" RSS MRA 85M01 H501Q ") == "RSSMRA85M01H501Q"


def test_an_eleven_digit_provisional_code_is_accepted():
    assert tax_codes.normalise("00743110157") == "00743110157"


@pytest.mark.parametrize(
    "raw",
    [
        "RSSMRA85M01H501X",  # wrong check character
        "RSSMRA85M01H501",  # too short
        "RSSMRA85M41H501Q",  # impossible birth day
        "ЯSSMRA85M01H501Q",  # not ASCII
        "",
        "\x00" * 16,
    ],
)
def test_invalid_codes_are_refused_in_italian(raw):
    with pytest.raises(tax_codes.InvalidTaxCode, match="codice fiscale non è valido"):
        tax_codes.normalise(raw)


def test_the_stored_value_is_an_hmac_under_the_configured_key():
    code = tax_code(7)
    expected = hmac.new(b"k1", code.encode(), hashlib.sha256).hexdigest()
    assert tax_codes.lookup_hash(code.lower(), key="k1") == expected
    assert tax_codes.lookup_hash(code, key="k2") != expected
    assert code not in expected


def test_helper_codes_are_valid_and_distinct():
    codes = {tax_code(n) for n in range(500)}
    assert len(codes) == 500
    assert all(tax_codes.normalise(c) == c for c in codes)
