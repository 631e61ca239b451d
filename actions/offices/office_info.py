"""Where the competent CPI is, when it is open and how to reach it."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import backend_client
from actions.forms import FORM_STOPPED_SLOT, CitizenFormValidation
from actions.messages import BACKEND_DOWN
from actions.offices.hours import today_text, week_text
from actions.settings import get_settings

# The comune stays in its slot: "Riprova" asks the backend again without asking it.
RETRY_BUTTONS = [
    {"title": "Riprova", "payload": "/office_info"},
    {"title": "Parla con un operatore", "payload": "/request_human"},
]


def describe_office(office: dict[str, Any], now: datetime, closed_today: str | None = None) -> str:
    lines = [f"📍 {office['name']}"]
    if office.get("address"):
        lines.append(f"Indirizzo: {office['address']}")
    else:
        lines.append("Indirizzo: in aggiornamento, verifica sul sito della Regione.")
    label = "Orari" if office.get("hours_verified") else "Orari indicativi"
    lines.append(f"{label}: {week_text(office['opening_hours'])}.")
    # The backend knows holidays and closures; the weekly hours alone do not.
    if closed_today:
        lines.append(f"Oggi è chiuso: {closed_today}.")
    else:
        lines.append(today_text(office["opening_hours"], now))
    if office.get("phone"):
        lines.append(f"Telefono: {office['phone']}")
    if office.get("email"):
        lines.append(f"Email: {office['email']}")
    if office.get("notes"):
        lines.append(office["notes"])
    if not office.get("verified"):
        lines.append(
            "Questi dati sono in corso di verifica: "
            "prima di andare, controlla sul sito della Regione."
        )
    return "\n".join(lines)


def not_covered_text(comune: dict[str, Any]) -> str:
    return (
        f"{comune['name']} è in {comune['region']}: questo sportello copre per ora i Centri per "
        "l'Impiego di Calabria e Lazio. Trovi il tuo CPI sul sito della tua Regione "
        "o su www.lavoro.gov.it."
    )


class ActionOfficeInfo(Action):
    def name(self) -> str:
        return "action_office_info"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        if tracker.get_slot(FORM_STOPPED_SLOT):
            return []
        comune = tracker.get_slot("comune")
        if not comune:
            dispatcher.utter_message(response="utter_ask_form_office_info_comune")
            return []
        try:
            answer = await backend_client.competent_office(comune)
        except backend_client.NotFound as exc:
            dispatcher.utter_message(text=f"{exc.detail} Controlla come è scritto e riprova.")
            return []
        except backend_client.BackendUnavailable:
            dispatcher.utter_message(text=BACKEND_DOWN, buttons=RETRY_BUTTONS)
            return []
        if not answer["covered"]:
            dispatcher.utter_message(text=not_covered_text(answer["comune"]))
            return []
        now = datetime.now(ZoneInfo(get_settings().timezone))
        dispatcher.utter_message(
            text=describe_office(answer["office"], now, answer.get("closed_today"))
        )
        others = answer.get("other_offices") or []
        if others:
            names = ", ".join(o["name"].replace("Centro per l'Impiego di ", "") for o in others)
            dispatcher.utter_message(
                text=f"A {answer['comune']['name']} ci sono anche altri CPI: {names}."
            )
        return []


class ValidateFormOfficeInfo(CitizenFormValidation):
    interrupting_intents = frozenset({"faq", "request_human"})

    def name(self) -> str:
        return "validate_form_office_info"

    async def validate_comune(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        text = slot_value if isinstance(slot_value, str) else None
        if not text:
            return {"comune": None}
        try:
            found = await backend_client.find_comune_in_text(text)
        except backend_client.BackendUnavailable:
            # Keep what the citizen said: the office action reports the outage.
            return {"comune": text}
        if found is None:
            dispatcher.utter_message(
                text=f"Non trovo un comune chiamato «{text[:60]}». Puoi scriverlo per intero?"
            )
            return {"comune": None}
        return {"comune": found["name"]}
