"""The question of the eligibility questionnaire, as the form asks it."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.eligibility import texts
from actions.eligibility.form import QUESTION_SLOT


class ActionAskEligibilityAnswer(Action):
    """Asks the missing fact chosen by the validation, with buttons where they help."""

    def name(self) -> str:
        return "action_ask_eligibility_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        question = tracker.get_slot(QUESTION_SLOT) or {}
        buttons = [{"title": "Non so", "payload": "non so"}]
        if question.get("type") == "boolean":
            buttons[:0] = [
                {"title": "Sì", "payload": "/affirm"},
                {"title": "No", "payload": "/deny"},
            ]
        elif question.get("key") == "age":
            buttons = []  # everyone can answer this one
        text = question.get("question", texts.GENERIC_QUESTION)
        dispatcher.utter_message(text=text, buttons=buttons)
        return []
