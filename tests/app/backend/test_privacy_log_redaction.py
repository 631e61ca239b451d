"""Log records lose tax codes, phone numbers, e-mails and IBANs, whatever logs them."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from redaction import logs
from redaction.text import PHONE, redact

SECRETS = [
    "RSSMRA85M01H501Q",
    "333 1234567",
    "3331234567",
    "mario.rossi@example.it",
    "IT60X0542811101000000123456",
    "393471234567",
]


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """A handler of its own on a logger of its own, with redaction installed."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger = logging.getLogger("tests.privacy")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    logs.install()
    yield stream
    logger.removeHandler(handler)


def test_message_arguments_and_tracebacks_are_redacted(captured):
    log = logging.getLogger("tests.privacy")
    log.info("il mio codice fiscale è RSSMRA85M01H501Q, telefono 333 1234567")
    log.warning("from %s: %s", "whatsapp:393471234567", "email mario.rossi@example.it")
    log.info("%(iban)s", {"iban": "IBAN IT60X0542811101000000123456"})
    try:
        raise ValueError("codice 3331234567 rifiutato")
    except ValueError:
        log.exception("failed for %s", {"tax_code": "RSSMRA85M01H501Q"})
    text = captured.getvalue()
    assert not [secret for secret in SECRETS if secret in text], text
    assert "[codice fiscale]" in text and "[telefono]" in text and "[IBAN]" in text
    assert "whatsapp:[telefono]" in text and "ValueError" in text


def test_the_shape_of_arguments_is_kept_for_formatters_that_unpack_them(captured):
    # uvicorn's access formatter unpacks (client, method, path, version, status).
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        (
            "127.0.0.1:5000",
            "GET",
            "/api/handoffs/by-conversation/whatsapp:393471234567",
            "1.1",
            200,
        ),
        None,
    )
    logs.redact_record(record)
    assert isinstance(record.args, tuple) and len(record.args) == 5
    assert record.args[4] == 200
    assert record.getMessage().endswith('whatsapp:[telefono] HTTP/1.1" 200')


def test_install_twice_redacts_once_and_covers_loggers_created_later(captured):
    logs.install()
    logs.install()
    late = logging.getLogger("tests.privacy.late")
    late.info("scrivimi a mario.rossi@example.it")
    assert "[email]" in captured.getvalue() and "[[" not in captured.getvalue()


def test_numbers_that_are_not_phones_stay():
    assert redact("prenotazione M257SL alle 9:30 del 23/11/2026, 350 euro") == (
        "prenotazione M257SL alle 9:30 del 23/11/2026, 350 euro"
    )


@pytest.mark.parametrize("sender", ["393471234567", "00393471234567", "390984123456"])
def test_whatsapp_senders_are_phone_numbers(sender):
    assert redact(f"whatsapp:{sender}") == f"whatsapp:{PHONE}"
