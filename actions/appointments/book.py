"""Booking: service, comune and office, time, summary, name, tax code, contact; then the
booking (name and contact questions: book_citizen.py)."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import backend_client
from actions.appointments import api, offer, texts
from actions.appointments.book_citizen import CitizenQuestions
from actions.appointments.form_base import YES, Values
from actions.appointments.services import service_in_text
from actions.appointments.slots import (
    BOOKING,
    COMUNE,
    CONFIRMED,
    CONTACT,
    DETAILS,
    NAME,
    OFFER,
    OFFICE,
    SERVICE,
    SLOT,
    TAX_CODE,
    WHEN,
)
from actions.appointments.when import normalise
from actions.backend_client import BackendUnavailable, NotFound
from actions.forms import FORM_STOPPED_SLOT

OFFICE_CODE = re.compile(r"cpi-[a-z0-9-]{1,36}")
END: Values = {FORM_STOPPED_SLOT: True, "requested_slot": None}


def brief(office: dict[str, Any]) -> dict[str, Any]:
    """What the chat shows of an office, kept in `appointment_details`."""
    keys = ("code", "name", "address", "comune", "services")
    return {key: office.get(key) for key in keys}


class ValidateFormAppointmentsBook(CitizenQuestions):
    def name(self) -> str:
        return "validate_form_appointments_book"

    def target(self, tracker: Tracker) -> tuple[str, str]:
        return tracker.get_slot(OFFICE), tracker.get_slot(SERVICE)

    @staticmethod
    def details(tracker: Tracker) -> dict[str, Any]:
        return dict(tracker.get_slot(DETAILS) or {})

    async def extract_appointment_service(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Values:
        if value := self.button(tracker, SERVICE):
            return {SERVICE: value}
        if self.starting(tracker):
            # "vorrei un appuntamento per la DID": no need to ask.
            found = service_in_text(self.message(tracker))
            return {SERVICE: found} if found else {}
        text = self.answer(tracker, SERVICE)
        return {SERVICE: service_in_text(text) or text} if text else {}

    async def validate_appointment_service(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Values:
        try:
            services = await api.services()
        except BackendUnavailable:
            return self.give_up(dispatcher)
        found = next((s for s in services if s["code"] == value), None)
        if found is None:
            dispatcher.utter_message(response="utter_appointments_service_unknown")
            return {SERVICE: None}
        details = self.details(tracker)
        details["service"] = {k: found[k] for k in ("code", "name", "documents")}
        return {SERVICE: found["code"], DETAILS: details}

    async def extract_comune(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Values:
        # A comune the NLU recognised is already set by the slot's own mapping.
        text = self.answer(tracker, COMUNE)
        return {COMUNE: text} if text and COMUNE not in tracker.slots_to_validate() else {}

    async def validate_comune(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Values:
        known = self.details(tracker).get("comune")
        if known and tracker.get_slot("requested_slot") in (NAME, TAX_CODE, CONTACT):
            # A surname that is also a comune ("Giulia Marino", "Mario Palermo") tagged by
            # the NLU: not a new comune, and no reason to leave the form.
            return {COMUNE: known}
        text = str(value)
        try:
            found = await backend_client.find_comune_in_text(text)
            answer = await backend_client.competent_office(found["name"]) if found else None
        except NotFound:
            answer = None
        except BackendUnavailable:
            return self.give_up(dispatcher)
        if answer is None:
            dispatcher.utter_message(
                response="utter_appointments_comune_unknown", written=text[:60]
            )
            return {COMUNE: None}
        comune = answer["comune"]
        if not answer["covered"] or not answer.get("office"):
            dispatcher.utter_message(
                response="utter_appointments_not_covered",
                comune_name=comune["name"],
                region=comune["region"],
            )
            return {COMUNE: comune["name"], **END}
        details = self.details(tracker)
        details["comune"] = comune["name"]
        offices = [answer["office"], *answer.get("other_offices", [])]
        details["office_options"] = [brief(o) for o in offices]
        return {COMUNE: comune["name"], DETAILS: details, OFFICE: None}

    async def extract_appointment_office(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Values:
        value = self.button(tracker, OFFICE) or self.answer(tracker, OFFICE)
        return {OFFICE: value} if value else {}

    async def _office_for(
        self, value: str, details: dict[str, Any], affirmed: bool
    ) -> dict[str, Any] | None:
        options = details.get("office_options") or []
        chosen = next((o for o in options if o["code"] == value), None)
        if chosen is None and options and (affirmed or normalise(value) in YES):
            chosen = options[0]  # "sì" to "Vuoi prenotare lì?"
        if chosen is None and OFFICE_CODE.fullmatch(value):
            chosen = brief(await api.office(value))
        if chosen is None:
            # Another office: the citizen wrote the comune where it is.
            found = await backend_client.find_comune_in_text(value)
            answer = await backend_client.competent_office(found["name"]) if found else None
            if answer and answer["covered"] and answer.get("office"):
                chosen = brief(answer["office"])
        return chosen

    async def validate_appointment_office(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Values:
        details = self.details(tracker)
        affirmed = (tracker.latest_message.get("intent") or {}).get("name") == "affirm"
        try:
            chosen = await self._office_for(str(value), details, affirmed)
        except NotFound:
            chosen = None
        except BackendUnavailable:
            return self.give_up(dispatcher)
        if chosen is None:
            dispatcher.utter_message(response="utter_appointments_office_unknown")
            return {OFFICE: None}
        service = details.get("service") or {}
        if service.get("code") not in (chosen.get("services") or []):
            dispatcher.utter_message(
                response="utter_appointments_service_not_offered",
                office=chosen["name"],
                service=service.get("name", ""),
            )
            return {OFFICE: None}
        details["office"] = chosen
        return {OFFICE: chosen["code"], DETAILS: details}

    async def after_validation(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> Values:
        slots = tracker.slots
        needed = (SERVICE, COMUNE, OFFICE, WHEN, SLOT, NAME, TAX_CODE, CONTACT)
        if slots.get(BOOKING) or slots.get(CONFIRMED) is not True:
            return {}
        if not all(slots.get(name) for name in needed):
            return {}
        office_code, service_code = self.target(tracker)
        try:
            result = await api.book(
                office_code,
                service_code,
                slots[SLOT],
                slots[TAX_CODE],
                tracker.sender_id,
                citizen_name=slots[NAME],
                contact=slots[CONTACT],
            )
        except NotFound as problem:
            dispatcher.utter_message(response="utter_appointments_refused", detail=problem.detail)
            return END
        except BackendUnavailable:
            return self.give_up(dispatcher)
        if isinstance(result, api.Refused):
            if not result.alternatives:
                dispatcher.utter_message(
                    response="utter_appointments_refused", detail=result.detail
                )
                return END
            # Taken meanwhile (409): choose again among the next free slots, then confirm.
            dispatcher.utter_message(response="utter_appointments_slot_taken")
            return {SLOT: None, CONFIRMED: None, OFFER: offer.alternatives(result.alternatives)}
        return {BOOKING: result}


class ActionAppointmentsBook(Action):
    """Runs when the booking form ends: the confirmation, or nothing if it was left."""

    def name(self) -> str:
        return "action_appointments_book"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        booking = tracker.get_slot(BOOKING)
        if booking and not tracker.get_slot(FORM_STOPPED_SLOT):
            texts.confirm_booking(dispatcher, booking, "utter_appointments_booked")
        return texts.clear_flow()
