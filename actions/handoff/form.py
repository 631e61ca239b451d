"""The handoff form: consent to share the conversation, then (when nobody can answer
live) the message for the operators and how the citizen wants the answer."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import contacts
from actions.backend_client import BackendUnavailable, NotFound
from actions.forms import FORM_STOPPED_SLOT, CitizenFormValidation, is_new_message
from actions.handoff import api, conversation, texts

CONSENT = "handoff_consent"
MESSAGE = "handoff_ticket_message"
CONTACT = "handoff_contact"
STATUS = "handoff_status"  # waiting | ticket | declined | failed
INFO = "handoff_info"  # the backend's answer: id, position, wait, office, reason
TICKET_SLOTS = [MESSAGE, CONTACT]
MAX_MESSAGE_CHARS = 2000

Values = dict[str, Any]


class ValidateFormHandoff(CitizenFormValidation):
    def name(self) -> str:
        return "validate_form_handoff"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        if tracker.get_slot(STATUS) == "ticket":
            return [*domain_slots, *TICKET_SLOTS]
        return domain_slots

    async def validate_handoff_consent(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Values:
        if value is not True:
            return {CONSENT: False, STATUS: "declined"}
        try:
            answer = await api.create(tracker, conversation.reason(tracker))
        except (BackendUnavailable, NotFound):
            dispatcher.utter_message(response="utter_handoff_unavailable")
            return {CONSENT: True, STATUS: "failed", FORM_STOPPED_SLOT: True}
        if answer["status"] == "ticket":
            dispatcher.utter_message(text=texts.nobody_available(answer))
        return {CONSENT: True, STATUS: answer["status"], INFO: answer}

    @staticmethod
    def _typed_answer(tracker: Tracker, slot: str) -> Values:
        text = str((tracker.latest_message or {}).get("text") or "").strip()
        if tracker.get_slot("requested_slot") != slot or not is_new_message(tracker):
            return {}
        return {slot: text} if text else {}

    async def extract_handoff_ticket_message(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Values:
        return self._typed_answer(tracker, MESSAGE)

    async def extract_handoff_contact(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Values:
        return self._typed_answer(tracker, CONTACT)

    async def validate_handoff_ticket_message(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Values:
        text = str(value or "").strip()
        if text.startswith("/") or len(text) < 2:
            dispatcher.utter_message(response="utter_handoff_message_empty")
            return {MESSAGE: None}
        return {MESSAGE: text[:MAX_MESSAGE_CHARS]}

    async def validate_handoff_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Values:
        parsed = contacts.parse(str(value or ""))
        if "problem" in parsed:
            dispatcher.utter_message(response=f"utter_handoff_contact_{parsed['problem']}")
            return {CONTACT: None}
        return {CONTACT: parsed}
