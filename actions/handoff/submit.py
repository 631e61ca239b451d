"""Runs when the handoff form ends: the queue message, the ticket, or back to the bot."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.backend_client import BackendUnavailable, NotFound
from actions.forms import FORM_FAILURES_SLOT, FORM_STOPPED_SLOT
from actions.handoff import api, texts
from actions.handoff.form import CONSENT, CONTACT, INFO, MESSAGE, STATUS

# Cleared at the end so that the next request for a person starts afresh.
FLOW_SLOTS = (CONSENT, MESSAGE, CONTACT, STATUS, INFO, FORM_FAILURES_SLOT)


class ActionHandoffSubmit(Action):
    def name(self) -> str:
        return "action_handoff_submit"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reset: list[EventType] = [SlotSet(name, None) for name in FLOW_SLOTS]
        status = tracker.get_slot(STATUS)
        info = tracker.get_slot(INFO) or {}
        if tracker.get_slot(FORM_STOPPED_SLOT) or status == "failed":
            return reset  # left with "annulla", or the failure was already explained
        if status == "declined" or tracker.get_slot(CONSENT) is False:
            dispatcher.utter_message(response="utter_handoff_declined")
        elif status == "waiting":
            # From here the gateway sends the citizen's messages to the operator.
            dispatcher.utter_message(text=texts.queued(info))
        elif status == "ticket":
            contact = tracker.get_slot(CONTACT) or {"preference": "chat"}
            try:
                answer = await api.leave_ticket(
                    info["id"], tracker.get_slot(MESSAGE) or "", contact
                )
            except (BackendUnavailable, NotFound, KeyError):
                dispatcher.utter_message(response="utter_handoff_unavailable")
                return reset
            dispatcher.utter_message(text=texts.ticket_left(answer["reference"], contact))
        return reset
