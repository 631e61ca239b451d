"""The consent question, worded for why the citizen is being handed over."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.handoff import conversation

OPENINGS = {
    "request_human": "Certo, posso passarti a un operatore del Centro per l'Impiego.",
    "complaint": (
        "Mi dispiace per il disagio. Posso passare la tua segnalazione a un operatore "
        "del Centro per l'Impiego."
    ),
    "fallback": "Posso passarti a un operatore del Centro per l'Impiego.",
    "form_failures": "Posso passarti a un operatore del Centro per l'Impiego.",
}
CONSENT = (
    "Per aiutarti, l'operatore vedrà questa conversazione e le informazioni che mi hai "
    "dato (non il codice fiscale). Sei d'accordo?"
)
BUTTONS = [
    {"title": "Sì, passami a un operatore", "payload": "/affirm"},
    {"title": "No, resto con l'assistente", "payload": "/deny"},
]


class ActionAskHandoffConsent(Action):
    def name(self) -> str:
        return "action_ask_handoff_consent"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        opening = OPENINGS[conversation.reason(tracker)]
        dispatcher.utter_message(text=f"{opening} {CONSENT}", buttons=BUTTONS)
        return []
