"""What every form of the sportello shares: the citizen can always get out.

"annulla", "stop", "basta" (and a few more) typed while a form asks something end the
form at once, whatever the NLU thought the message was: a citizen who wants to leave
must never be asked the same question again.

A form may also name intents that interrupt it (a question to the FAQ, a request for a
person): the validation then rejects the form, a rule of that form answers, and the form
resumes by asking its question again.
"""

from __future__ import annotations

import re
from abc import abstractmethod
from typing import Any, ClassVar

from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecutionRejected, ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

STOP_PHRASES = {
    "annulla",
    "annullare",
    "stop",
    "basta",
    "esci",
    "fine",
    "lascia stare",
    "lascia perdere",
    "non importa",
    "ricomincia",
    "torna indietro",
}
# The slot the submit actions read to tell "the form ended because the citizen left"
# from "the form ended because every slot is filled".
FORM_STOPPED_SLOT = "form_stopped"
# Consecutive answers a form could not accept; at FORM_FAILURES_FOR_OFFER the citizen is
# offered a person (docs/handoff.md), and the handoff records that reason.
FORM_FAILURES_SLOT = "form_failures"
FORM_FAILURES_FOR_OFFER = 3


def wants_to_stop(tracker: Tracker) -> bool:
    text = (tracker.latest_message or {}).get("text") or ""
    normalised = re.sub(r"[^a-zà-ù ]+", " ", text.casefold()).strip()
    return normalised in STOP_PHRASES


def is_new_message(tracker: Tracker) -> bool:
    """True when the citizen's latest message is still unanswered.

    False when the form resumes after an interruption: another action (a FAQ answer)
    has run since that message, so it must not be read again as an answer.
    """
    form = (tracker.active_loop or {}).get("name")
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            return True
        if kind == "action_execution_rejected":
            return False
        if kind == "action" and event.get("name") not in (form, "action_listen"):
            return False
    return True


class CitizenFormValidation(FormValidationAction):
    """Base of the sportello's form validations: handles the way out, then validates."""

    # Intents answered outside the form; each needs a rule with `condition: active_loop`.
    interrupting_intents: ClassVar[frozenset[str]] = frozenset()

    @abstractmethod
    def name(self) -> str:
        """Abstract, so rasa-sdk does not register this base class as an action."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if wants_to_stop(tracker):
            dispatcher.utter_message(response="utter_form_stopped")
            return [
                SlotSet(FORM_STOPPED_SLOT, True),
                SlotSet("requested_slot", None),
                ActiveLoop(None),
            ]
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        if intent in self.interrupting_intents and is_new_message(tracker):
            return [ActionExecutionRejected(self.form_name())]
        # rasa-sdk writes the validated slots into `tracker`: keep what was asked before.
        before = dict(tracker.slots)
        counting = bool(before.get("requested_slot")) and is_new_message(tracker)
        events: list[dict[str, Any]] = [SlotSet(FORM_STOPPED_SLOT, False)]
        events += await super().run(dispatcher, tracker, domain)
        if not counting:
            return events
        return events + self._count_failures(dispatcher, before, events)

    def answer_accepted(self, before: dict[str, Any], events: list[dict[str, Any]]) -> bool:
        """Whether this turn moved the form on; by default, the asked slot was filled.

        `before` holds the slots as they were when the citizen's answer arrived.
        """
        asked = before.get("requested_slot")
        return any(
            e.get("event") == "slot" and e.get("name") == asked and e.get("value") is not None
            for e in events
        ) or any(e.get("event") == "active_loop" and e.get("name") is None for e in events)

    def _count_failures(
        self, dispatcher: CollectingDispatcher, before: dict[str, Any], events: list[dict[str, Any]]
    ) -> list[EventType]:
        if self.answer_accepted(before, events):
            return [SlotSet(FORM_FAILURES_SLOT, 0)]
        failures = int(before.get(FORM_FAILURES_SLOT) or 0) + 1
        if failures == FORM_FAILURES_FOR_OFFER:
            dispatcher.utter_message(response="utter_offer_human_form")
        return [SlotSet(FORM_FAILURES_SLOT, failures)]
