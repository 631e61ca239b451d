"""What the four appointment forms share: reading answers, and the common questions.

Every slot of these forms has a `custom` mapping: the answer is read here, from the
button's entity or from the text typed while that slot was asked, so that a date, a
tax code or "il secondo" is understood whatever intent the NLU gave it. A FAQ asked
meanwhile is answered by a rule and the form resumes; asking for a person leaves it
(`interrupting_intents`).
Subclasses add `after_validation`: the backend call made once the needed slots are
filled (book, look up, move), whose refusal sends the citizen back to a question.
"""

from __future__ import annotations

from abc import abstractmethod
from datetime import date, datetime
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.appointments import offer, when
from actions.appointments.citizen_data import check_tax_code, find_booking_code
from actions.appointments.citizen_data import normalise_booking_code as booking_code
from actions.appointments.slots import (
    CODE,
    CONFIRMED,
    FLOW_SLOTS,
    OFFER,
    SLOT,
    TAX_CODE,
    WHEN,
)
from actions.backend_client import BackendUnavailable
from actions.forms import FORM_STOPPED_SLOT, CitizenFormValidation, is_new_message
from actions.settings import get_settings

Values = dict[str, Any]
YES = {"si", "ok", "va bene", "confermo", "certo", "esatto", "perfetto", "d accordo", "sicuro"}
NO = {"no", "non confermo", "no grazie", "meglio di no"}
UNCLEAR = "?"  # an answer to a yes/no question that is neither


def today() -> date:
    return datetime.now(ZoneInfo(get_settings().timezone)).date()


def ended(events: list[EventType]) -> bool:
    return any(
        e.get("event") in ("active_loop", "action_execution_rejected")
        or (e.get("event") == "slot" and e.get("name") == "requested_slot" and e["value"] is None)
        for e in events
    )


class AppointmentForm(CitizenFormValidation):
    # A FAQ is answered and the form resumes; asking for a person leaves the form (rules).
    interrupting_intents: ClassVar[frozenset[str]] = frozenset({"faq", "request_human"})
    retry_payload: ClassVar[str] = "/book_appointment"

    @abstractmethod
    def name(self) -> str:
        """Abstract, so rasa-sdk does not register this base class as an action."""

    def target(self, tracker: Tracker) -> tuple[str, str]:
        """(office code, service code) whose free slots the citizen chooses from."""
        raise NotImplementedError

    async def after_validation(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> Values:
        return {}

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if not self.starting(tracker):
            events = await super().run(dispatcher, tracker, domain)
        else:
            # Starting: the stop words do not apply yet ("annulla" alone may be how the
            # citizen asked to cancel an appointment), and what a previous flow left goes.
            events = self._start(tracker)
            events += await FormValidationAction.run(self, dispatcher, tracker, domain)
        if ended(events):
            return events
        extra = await self.after_validation(dispatcher, tracker)
        tracker.slots.update(extra)
        return events + [SlotSet(name, value) for name, value in extra.items()]

    @staticmethod
    def _start(tracker: Tracker) -> list[EventType]:
        stale = [s for s in FLOW_SLOTS if tracker.slots.get(s) is not None]
        events = [SlotSet(s, None) for s in stale]
        if tracker.slots.get(FORM_STOPPED_SLOT):
            events.append(SlotSet(FORM_STOPPED_SLOT, False))
        tracker.slots.update({s: None for s in stale})
        # Without their SlotSet events, stale values are not validated again as answers.
        tracker.events = [
            e for e in tracker.events if not (e.get("event") == "slot" and e["name"] in stale)
        ]
        return events

    def answer_accepted(self, before: dict[str, Any], events: list[EventType]) -> bool:
        """A new offer of slots ("Altri giorni", "martedì pomeriggio" at the slot question)
        moves the form on too: it is no failed answer (actions/forms.py)."""
        return super().answer_accepted(before, events) or any(
            e.get("event") == "slot" and e.get("name") == OFFER and e.get("value") for e in events
        )

    # --- reading answers -------------------------------------------------------------

    def starting(self, tracker: Tracker) -> bool:
        """True when the form is being activated by this very message.

        At activation Rasa validates twice: first on a tracker where the form is already
        active (the ActiveLoop event after the latest user message tells), then, if that
        returned nothing, on the tracker from before (the form is not active yet).
        """
        if tracker.active_loop_name != self.form_name():
            return True
        for event in reversed(tracker.events):
            if event.get("event") == "user":
                return False
            if event.get("event") == "active_loop" and event.get("name") == self.form_name():
                return True
        return False

    def message(self, tracker: Tracker) -> str:
        return str((tracker.latest_message or {}).get("text") or "")

    def asked(self, tracker: Tracker, slot: str) -> bool:
        return (
            not self.starting(tracker)
            and tracker.get_slot("requested_slot") == slot
            and is_new_message(tracker)
        )

    def answer(self, tracker: Tracker, slot: str) -> str | None:
        """The text typed in answer to `slot` (not a button meant for another slot)."""
        text = self.message(tracker).strip()
        return text if self.asked(tracker, slot) and text and not text.startswith("/") else None

    def button(self, tracker: Tracker, entity: str) -> Any:
        if not (self.starting(tracker) or is_new_message(tracker)):
            return None
        return next(tracker.get_latest_entity_values(entity), None)

    async def extract_appointment_when(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Values:
        value = self.button(tracker, WHEN) or self.answer(tracker, WHEN)
        return {WHEN: value} if value else {}

    async def extract_appointment_slot(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Values:
        value = self.button(tracker, SLOT) or self.answer(tracker, SLOT)
        return {SLOT: value} if value else {}

    async def extract_appointment_tax_code(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Values:
        if not self.asked(tracker, TAX_CODE):
            return {}
        value = self.button(tracker, "codice_fiscale") or self.answer(tracker, TAX_CODE)
        return {TAX_CODE: value} if value else {}

    async def extract_appointment_code(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Values:
        if self.starting(tracker):
            found = find_booking_code(self.message(tracker))
            return {CODE: found} if found else {}
        value = self.answer(tracker, CODE)
        return {CODE: value} if value else {}

    async def extract_appointment_confirmed(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Values:
        if not self.asked(tracker, CONFIRMED):
            return {}
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        plain = when.normalise(self.message(tracker))
        if intent == "affirm" or plain in YES:
            return {CONFIRMED: True}
        if intent == "deny" or plain in NO:
            return {CONFIRMED: False}
        return {CONFIRMED: UNCLEAR}

    # --- validating the common answers -------------------------------------------------

    def give_up(self, dispatcher: CollectingDispatcher) -> Values:
        """The backend is down or slow: say so, offer a person or a retry, end the form."""
        dispatcher.utter_message(
            response="utter_appointments_unavailable",
            buttons=[{"title": "Riprova", "payload": self.retry_payload}],
        )
        return {FORM_STOPPED_SLOT: True, "requested_slot": None}

    async def new_offer(
        self, text: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> Values:
        pref = when.parse(text, today())
        if pref is None:
            dispatcher.utter_message(response="utter_appointments_when_unclear")
            return {WHEN: None}
        try:
            found = await offer.make_offer(*self.target(tracker), pref, today())
        except BackendUnavailable:
            return self.give_up(dispatcher)
        if found["kind"] == "none":
            return self.no_slots(dispatcher, tracker)
        return {WHEN: text, OFFER: found, SLOT: None}

    def no_slots(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> Values:
        dispatcher.utter_message(response="utter_appointments_no_slots")
        return {FORM_STOPPED_SLOT: True, "requested_slot": None}

    async def validate_appointment_when(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Values:
        return await self.new_offer(str(value), dispatcher, tracker)

    async def validate_appointment_slot(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Values:
        if chosen := offer.chosen_slot(str(value), tracker.get_slot(OFFER)):
            return {SLOT: chosen}
        if when.parse(str(value), today()) is not None:
            return await self.new_offer(str(value), dispatcher, tracker)
        dispatcher.utter_message(response="utter_appointments_slot_unclear")
        return {SLOT: None}

    async def declined(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> Values:
        """'No' to the summary: choose another time (cancelling overrides this)."""
        dispatcher.utter_message(response="utter_appointments_other_time")
        return {CONFIRMED: None, SLOT: None, WHEN: None, OFFER: None}

    async def validate_appointment_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Values:
        if value is True:
            return {CONFIRMED: True}
        if value is False:
            return await self.declined(dispatcher, tracker)
        dispatcher.utter_message(response="utter_appointments_yes_or_no")
        return {CONFIRMED: None}

    def validate_appointment_tax_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Values:
        check = check_tax_code(str(value))
        if check.value:
            return {TAX_CODE: check.value}
        if check.problem == "length":
            dispatcher.utter_message(
                response="utter_appointments_tax_code_length", count=check.length
            )
        elif check.problem == "characters":
            dispatcher.utter_message(
                response="utter_appointments_tax_code_characters", position=check.position
            )
        else:
            dispatcher.utter_message(response="utter_appointments_tax_code_check")
        return {TAX_CODE: None}

    def validate_appointment_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Values:
        if code := booking_code(str(value)):
            return {CODE: code}
        dispatcher.utter_message(response="utter_appointments_code_invalid")
        return {CODE: None}
