"""Cancel, reschedule and list: the citizen proves the booking with its code + tax code.

Listing needs the code too: a tax code can be worked out from anyone's name and birth
date, and a list of appointments (collocamento mirato...) says too much about a person.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.appointments import api, italian, offer, texts
from actions.appointments.form_base import AppointmentForm, Values
from actions.appointments.slots import BOOKING, CODE, CONFIRMED, DETAILS, OFFER, SLOT, TAX_CODE
from actions.backend_client import BackendUnavailable, NotFound
from actions.forms import FORM_STOPPED_SLOT

END: Values = {FORM_STOPPED_SLOT: True, "requested_slot": None}


class IdentifiedBookingForm(AppointmentForm):
    """Forms that start from a booking: once code and tax code are in, find it."""

    async def look_up(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> Values:
        slots = tracker.slots
        if slots.get(BOOKING) or not (slots.get(CODE) and slots.get(TAX_CODE)):
            return {}
        try:
            upcoming = await api.upcoming(slots[TAX_CODE])
        except BackendUnavailable:
            return self.give_up(dispatcher)
        found = next((b for b in upcoming if b["code"] == slots[CODE]), None)
        if found is None:
            # Same answer for a wrong code and a wrong tax code: it reveals neither.
            dispatcher.utter_message(response="utter_appointments_not_found")
            return {CODE: None, TAX_CODE: None}
        return {BOOKING: found, DETAILS: {"upcoming": upcoming}}

    async def after_validation(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> Values:
        return await self.look_up(dispatcher, tracker)


class ValidateFormAppointmentsCancel(IdentifiedBookingForm):
    retry_payload: ClassVar[str] = "/cancel_appointment"

    def name(self) -> str:
        return "validate_form_appointments_cancel"

    async def declined(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> Values:
        return {CONFIRMED: False}  # "no": the appointment stays as it is


class ValidateFormAppointmentsList(IdentifiedBookingForm):
    retry_payload: ClassVar[str] = "/list_appointments"

    def name(self) -> str:
        return "validate_form_appointments_list"


class ValidateFormAppointmentsReschedule(IdentifiedBookingForm):
    retry_payload: ClassVar[str] = "/reschedule_appointment"

    def name(self) -> str:
        return "validate_form_appointments_reschedule"

    def target(self, tracker: Tracker) -> tuple[str, str]:
        booking = tracker.get_slot(BOOKING)
        return booking["office"]["code"], booking["service"]["code"]

    async def after_validation(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> Values:
        if found := await self.look_up(dispatcher, tracker):
            if found.get(BOOKING):
                values = texts.booking_values(found[BOOKING])
                dispatcher.utter_message(response="utter_appointments_found", **values)
            return found
        slots = tracker.slots
        booking: dict[str, Any] = slots.get(BOOKING) or {}
        if not (booking and slots.get(SLOT)) or slots.get(CONFIRMED) is not True:
            return {}
        try:
            moved = await api.reschedule(slots[CODE], slots[TAX_CODE], slots[SLOT])
        except NotFound as problem:
            dispatcher.utter_message(response="utter_appointments_refused", detail=problem.detail)
            return END
        except BackendUnavailable:
            return self.give_up(dispatcher)
        if isinstance(moved, api.Refused):
            if not moved.alternatives:
                # Cancelled or already past meanwhile: the backend says which, in Italian.
                dispatcher.utter_message(response="utter_appointments_refused", detail=moved.detail)
                return END
            dispatcher.utter_message(response="utter_appointments_slot_taken")
            return {SLOT: None, CONFIRMED: None, OFFER: offer.alternatives(moved.alternatives)}
        return {BOOKING: moved, DETAILS: {"previous": booking["starts_at"]}}


def _stopped(tracker: Tracker) -> bool:
    return bool(tracker.get_slot(FORM_STOPPED_SLOT)) or not tracker.get_slot(BOOKING)


class ActionAppointmentsCancel(Action):
    def name(self) -> str:
        return "action_appointments_cancel"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if _stopped(tracker):
            return texts.clear_flow()
        booking = tracker.get_slot(BOOKING)
        if tracker.get_slot(CONFIRMED) is not True:
            dispatcher.utter_message(
                response="utter_appointments_kept", **texts.booking_values(booking)
            )
            return texts.clear_flow()
        try:
            result = await api.cancel(tracker.get_slot(CODE), tracker.get_slot(TAX_CODE))
        except NotFound:
            dispatcher.utter_message(response="utter_appointments_not_found")
            return texts.clear_flow()
        except BackendUnavailable:
            dispatcher.utter_message(
                response="utter_appointments_unavailable",
                buttons=[{"title": "Riprova", "payload": "/cancel_appointment"}],
            )
            return texts.clear_flow()
        if isinstance(result, api.Refused):
            dispatcher.utter_message(response="utter_appointments_refused", detail=result.detail)
        else:
            dispatcher.utter_message(
                response="utter_appointments_cancelled", **texts.booking_values(booking)
            )
        return texts.clear_flow()


class ActionAppointmentsReschedule(Action):
    def name(self) -> str:
        return "action_appointments_reschedule"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        previous = (tracker.get_slot(DETAILS) or {}).get("previous")
        if not _stopped(tracker) and previous:
            old = italian.moment_text(italian.parse_instant(previous))
            booking = tracker.get_slot(BOOKING)
            texts.confirm_booking(
                dispatcher, booking, "utter_appointments_rescheduled", old_when=old
            )
        return texts.clear_flow()


class ActionAppointmentsList(Action):
    def name(self) -> str:
        return "action_appointments_list"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if not _stopped(tracker):
            upcoming = (tracker.get_slot(DETAILS) or {}).get("upcoming") or []
            lines = "\n".join(texts.booking_line(b) for b in upcoming)
            dispatcher.utter_message(response="utter_appointments_list", bookings=lines)
        return texts.clear_flow()


class ActionAppointmentsForget(Action):
    """After the citizen left a form for a person: forget what the form collected."""

    def name(self) -> str:
        return "action_appointments_forget"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return texts.clear_flow()
