"""The iCalendar file: RFC 5545 escaping, folding, line endings, cancellation."""

from __future__ import annotations

from datetime import UTC, datetime

from backend.services import ics

WHEN = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def calendar(**changes: object) -> str:
    values: dict[str, object] = {
        "code": "K7M3QX",
        "sequence": 0,
        "cancelled": False,
        "starts_at": WHEN,
        "ends_at": WHEN.replace(minute=30),
        "summary": "Appuntamento al Centro per l'Impiego: Prima accoglienza e DID",
        "location": "Centro per l'Impiego di Cosenza, Via Giulia; ex scuola «Mario Dionesalvi»",
        "description": "Codice: K7M3QX\nCosa portare: documento d'identità, codice fiscale",
        "now": datetime(2026, 11, 22, 10, 0, tzinfo=UTC),
    }
    values.update(changes)
    return ics.booking_calendar(**values)  # type: ignore[arg-type]


def unfold(text: str) -> str:
    return text.replace("\r\n ", "")


def test_lines_end_with_crlf_and_are_at_most_75_octets():
    text = calendar()
    assert text.endswith("END:VCALENDAR\r\n")
    lines = text.split("\r\n")[:-1]
    assert all(len(line.encode("utf-8")) <= 75 for line in lines)
    assert "\n" not in text.replace("\r\n", "")


def test_folding_never_splits_a_multibyte_character():
    long = "«" + "è" * 200 + "»"
    folded = ics.fold("DESCRIPTION:" + long)
    for piece in folded.split("\r\n"):
        piece.encode("utf-8").decode("utf-8")  # would raise on a split character
    assert unfold(folded) == "DESCRIPTION:" + long


def test_text_values_are_escaped():
    body = unfold(calendar())
    assert "LOCATION:Centro per l'Impiego di Cosenza\\, Via Giulia\\; ex scuola" in body
    assert "DESCRIPTION:Codice: K7M3QX\\nCosa portare: documento d'identità\\, codice" in body


def test_times_are_utc_and_the_event_is_identified_by_the_booking_code():
    body = unfold(calendar())
    assert "DTSTART:20261201T080000Z" in body
    assert "DTEND:20261201T083000Z" in body
    assert "UID:K7M3QX@sportello-cpi" in body
    assert "METHOD:PUBLISH" in body
    assert "BEGIN:VALARM" in body


def test_a_cancelled_booking_gives_a_cancel_with_a_higher_sequence():
    body = unfold(calendar(cancelled=True, sequence=2))
    assert "METHOD:CANCEL" in body
    assert "STATUS:CANCELLED" in body
    assert "SEQUENCE:2" in body
    assert "VALARM" not in body
