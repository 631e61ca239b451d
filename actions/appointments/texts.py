"""What the appointment actions say about a booking (the wording is in the domain)."""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.appointments import italian
from actions.appointments.slots import FLOW_SLOTS
from actions.settings import get_settings

NO_ADDRESS = "indirizzo in aggiornamento, verifica sul sito della Regione"


def clear_flow() -> list[EventType]:
    """Forget the flow, tax code first: nothing personal stays in the slots."""
    return [SlotSet(name, None) for name in FLOW_SLOTS]


def when(booking: dict[str, Any]) -> str:
    return italian.moment_text(italian.parse_instant(booking["starts_at"]))


def booking_values(booking: dict[str, Any]) -> dict[str, str]:
    """Template variables describing a booking: code, when, service, office, address."""
    office = booking["office"]
    return {
        "code": booking["code"],
        "when": when(booking),
        "service": booking["service"]["name"],
        "office": office["name"],
        "address": office.get("address") or NO_ADDRESS,
    }


def documents(booking: dict[str, Any]) -> str:
    return "\n".join(f"- {item}" for item in booking.get("documents") or [])


def calendar(dispatcher: CollectingDispatcher, code: str) -> None:
    """The .ics link when the gateway serves it (CALENDAR_BASE_URL), else how to note it."""
    base = get_settings().calendar_base_url
    if base:
        dispatcher.utter_message(
            response="utter_appointments_calendar_link", url=f"{base}/{code}.ics"
        )
    else:
        dispatcher.utter_message(response="utter_appointments_calendar_note")


def confirm_booking(
    dispatcher: CollectingDispatcher, booking: dict[str, Any], response: str, **extra: str
) -> None:
    """Booked or moved: code, date, address, what to bring, calendar."""
    dispatcher.utter_message(response=response, **booking_values(booking), **extra)
    if items := documents(booking):
        dispatcher.utter_message(response="utter_appointments_documents", documents=items)
    calendar(dispatcher, booking["code"])


def booking_line(booking: dict[str, Any]) -> str:
    values = booking_values(booking)
    return f"- {values['when']}: {values['service']}, {values['office']} (codice {values['code']})"
