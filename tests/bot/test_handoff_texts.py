"""What a citizen reads when nobody can answer live, or when queued."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from actions.handoff import texts

REGION = "Centri per l'Impiego della Regione Calabria"
OFFICE = "Centro per l'Impiego di Cosenza"


def at_nine(days_ahead: int) -> str:
    now = datetime.now(ZoneInfo("Europe/Rome"))
    return (now + timedelta(days=days_ahead)).replace(hour=9, minute=0).isoformat()


def closed(office: str, opening: str | None) -> str:
    answer = {"office_name": office, "unavailable_reason": "closed", "next_opening": opening}
    return texts.nobody_available(answer)


def test_an_office_closed_until_tomorrow():
    text = closed(OFFICE, at_nine(1))
    assert text.startswith("In questo momento il Centro per l'Impiego di Cosenza è chiuso.")
    assert "Riapre domani alle 9:00." in text


def test_the_regions_queue_is_named_in_the_plural():
    text = closed(REGION, at_nine(0))
    assert "i Centri per l'Impiego della Regione Calabria sono chiusi. Riaprono oggi" in text


def test_a_later_opening_names_the_day():
    assert "Riapre " in closed(OFFICE, at_nine(5)) and "alle 9:00" in closed(OFFICE, at_nine(5))
    assert "domani" not in closed(OFFICE, at_nine(5))


def test_the_queue_message_says_position_wait_and_how_to_leave():
    text = texts.queued({"office_name": OFFICE, "position": 3, "estimated_wait_minutes": 12})
    assert "ci sono 2 persone prima di te" in text
    assert "circa 12 minuti" in text
    assert "«annulla»" in text
