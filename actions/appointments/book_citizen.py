"""Booking: who the citizen is and how the office reaches them (name and a contact).

Asked after the summary is confirmed, around the tax code: the office must be able to
warn the citizen if the appointment moves. Both go to the backend with the booking and
nowhere else; their slots are cleared with the rest of the flow, and nothing here logs them.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import contacts
from actions.appointments.citizen_data import check_name
from actions.appointments.form_base import AppointmentForm, Values
from actions.appointments.slots import CONTACT, NAME

# contacts.parse's preferences, as the backend names them.
KINDS = {"telefono": "phone", "email": "email"}


def read_contact(text: str) -> dict[str, str] | str:
    """{"kind", "value"} (normalised), or the problem: "phone", "email" or "unknown"."""
    parsed = contacts.parse(text)
    kind = KINDS.get(parsed.get("preference") or "")
    if kind and parsed.get("value"):
        return {"kind": kind, "value": parsed["value"]}
    # "qui in chat" is no contact: the office must reach the citizen outside the chat.
    return parsed.get("problem") or "unknown"


class CitizenQuestions(AppointmentForm):
    """Name and contact questions of the booking form (still abstract: no `name`)."""

    async def extract_appointment_name(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Values:
        value = self.answer(tracker, NAME)
        return {NAME: value} if value else {}

    def validate_appointment_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Values:
        check = check_name(str(value or ""))
        if check.value:
            return {NAME: check.value}
        if check.problem == "incomplete":
            dispatcher.utter_message(response="utter_appointments_name_incomplete")
        else:
            dispatcher.utter_message(response="utter_appointments_name_invalid")
        return {NAME: None}

    async def extract_appointment_contact(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Values:
        value = self.answer(tracker, CONTACT)
        return {CONTACT: value} if value else {}

    def validate_appointment_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Values:
        # Already read (a dict) when the form runs again after a slot taken meanwhile.
        text = value.get("value") if isinstance(value, dict) else value
        found = read_contact(str(text or ""))
        if isinstance(found, dict):
            return {CONTACT: found}
        dispatcher.utter_message(response=f"utter_appointments_contact_{found}")
        return {CONTACT: None}
