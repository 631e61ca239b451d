"""An iCalendar (RFC 5545) file for one booking, for the citizen's calendar app.

Times are written in UTC so the file needs no VTIMEZONE block; the UID is the booking
code and SEQUENCE grows at each change, so importing a newer file updates (or, once
cancelled, removes) the same event. It holds nothing personal: no tax code, no name.
"""

from datetime import UTC, datetime

from backend.models import Booking
from backend.services.appointment_data import services

PRODID = "-//Sportello virtuale CPI//Prenotazioni//IT"
UID_DOMAIN = "sportello-cpi"


def escape(text: str) -> str:
    """TEXT value escaping (RFC 5545 §3.3.11)."""
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """Split a content line into 75-octet pieces, never inside a UTF-8 character."""
    pieces, current, size = [], "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        # The first piece may hold 75 octets; continuations start with a space.
        limit = 75 if not pieces else 74
        if size + width > limit:
            pieces.append(current)
            current, size = "", 0
        current += char
        size += width
    pieces.append(current)
    return "\r\n ".join(pieces)


def _stamp(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def booking_calendar(
    *,
    code: str,
    sequence: int,
    cancelled: bool,
    starts_at: datetime,
    ends_at: datetime,
    summary: str,
    location: str,
    description: str,
    now: datetime,
) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        f"METHOD:{'CANCEL' if cancelled else 'PUBLISH'}",
        "BEGIN:VEVENT",
        f"UID:{code}@{UID_DOMAIN}",
        f"DTSTAMP:{_stamp(now)}",
        f"SEQUENCE:{sequence}",
        f"DTSTART:{_stamp(starts_at)}",
        f"DTEND:{_stamp(ends_at)}",
        f"SUMMARY:{escape(summary)}",
        f"LOCATION:{escape(location)}",
        f"DESCRIPTION:{escape(description)}",
        f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
    ]
    if not cancelled:
        lines += [
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            "TRIGGER:-P1D",
            f"DESCRIPTION:{escape('Domani: ' + summary)}",
            "END:VALARM",
        ]
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "".join(fold(line) + "\r\n" for line in lines)


def for_booking(booking: Booking, now: datetime) -> str:
    slot = booking.slot
    office = slot.office
    service = services().get(slot.service_code)
    service_name = service.name if service else slot.service_code
    where = ", ".join(part for part in (office.name, office.address, office.comune) if part)
    notes = [
        f"Codice di prenotazione: {booking.code}",
        f"Servizio: {service_name}",
    ]
    if service and service.documents:
        notes.append("Cosa portare: " + "; ".join(service.documents) + ".")
    notes.append(
        "Per spostare o disdire scrivi allo sportello virtuale indicando il codice di "
        "prenotazione e il tuo codice fiscale."
    )
    return booking_calendar(
        code=booking.code,
        sequence=booking.sequence,
        cancelled=booking.status == "cancelled",
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        summary=f"Appuntamento al Centro per l'Impiego: {service_name}",
        location=where,
        description="\n".join(notes),
        now=now,
    )
