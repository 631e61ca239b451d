"""Runs when the erasure form ends: ask the backend to erase, tell the citizen, restart."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, Restarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import backend_client
from actions.appointments.citizen_data import check_tax_code
from actions.forms import FORM_STOPPED_SLOT
from actions.privacy import texts
from actions.privacy.form import CONFIRM


async def erase(tracker: Tracker) -> dict[str, Any]:
    """POST /api/privacy/erase; raises BackendUnavailable."""
    body: dict[str, Any] = {"conversation_id": tracker.sender_id}
    # A tax code still in the conversation also finds bookings made elsewhere.
    held = tracker.get_slot("appointment_tax_code")
    if held and (tax_code := check_tax_code(str(held)).value):
        body["tax_code"] = tax_code
    answer = await backend_client.post_json("/api/privacy/erase", body)
    if "upcoming_bookings" not in answer:
        raise backend_client.BackendUnavailable("refused")
    return answer


class ActionDeleteMyData(Action):
    def name(self) -> str:
        return "action_delete_my_data"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reset: list[EventType] = [SlotSet(CONFIRM, None)]
        if tracker.get_slot(FORM_STOPPED_SLOT):
            return reset  # left with "annulla": already answered
        if tracker.get_slot(CONFIRM) is not True:
            dispatcher.utter_message(response="utter_privacy_erase_declined")
            return reset
        try:
            answer = await erase(tracker)
        except (backend_client.BackendUnavailable, backend_client.NotFound):
            dispatcher.utter_message(response="utter_privacy_erase_unavailable")
            return reset
        text, buttons = texts.erased(answer)
        dispatcher.utter_message(text=text, buttons=buttons)
        # Nothing of the conversation stays in this turn's state either; the backend
        # erases the stored tracker once Rasa has saved this turn.
        return [Restarted()]
