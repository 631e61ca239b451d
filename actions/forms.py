"""What every form of the sportello shares: the citizen can always get out.

"annulla", "stop", "basta" (and a few more) typed while a form asks something end the
form at once, whatever the NLU thought the message was: a citizen who wants to leave
must never be asked the same question again.
"""

from __future__ import annotations

import re
from abc import abstractmethod
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
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


def wants_to_stop(tracker: Tracker) -> bool:
    text = (tracker.latest_message or {}).get("text") or ""
    normalised = re.sub(r"[^a-zà-ù ]+", " ", text.casefold()).strip()
    return normalised in STOP_PHRASES


class CitizenFormValidation(FormValidationAction):
    """Base of the sportello's form validations: handles the way out, then validates."""

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
        events: list[dict[str, Any]] = [SlotSet(FORM_STOPPED_SLOT, False)]
        return events + await super().run(dispatcher, tracker, domain)
