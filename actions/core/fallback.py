"""Two-stage fallback: first ask to rephrase, then offer a person."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

ACTION_NAME = "action_two_stage_fallback"


def previous_turn_was_fallback(tracker: Tracker) -> bool:
    """True when the bot's last action before this user message was this fallback."""
    seen_current_user_message = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_current_user_message:
                return False
            seen_current_user_message = True
        elif event.get("event") == "action" and seen_current_user_message:
            name = event.get("name")
            if name in ("action_listen", None):
                continue
            return name == ACTION_NAME
    return False


class ActionTwoStageFallback(Action):
    def name(self) -> str:
        return ACTION_NAME

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        if previous_turn_was_fallback(tracker):
            dispatcher.utter_message(response="utter_offer_human")
        else:
            dispatcher.utter_message(response="utter_ask_rephrase")
        return []
