"""Questions whose buttons come from the backend or from earlier answers.

Forms call `action_ask_<slot>` to ask for a slot; these build the buttons (services,
offices, free slots) and the summary to confirm. The wording is in the domain.
"""

from __future__ import annotations

import json
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.appointments import api, italian, texts
from actions.appointments.slots import BOOKING, DETAILS, OFFER, SLOT
from actions.backend_client import BackendUnavailable
from actions.forms import FORM_STOPPED_SLOT


def inform(slot: str, value: str) -> str:
    """A button payload that fills `slot` without going through the NLU."""
    return "/inform" + json.dumps({slot: value}, ensure_ascii=False)


def short_office_name(name: str) -> str:
    return name.replace("Centro per l'Impiego di ", "CPI di ")


class ActionAskAppointmentService(Action):
    def name(self) -> str:
        return "action_ask_appointment_service"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        try:
            services = await api.services()
        except BackendUnavailable:
            dispatcher.utter_message(
                response="utter_appointments_unavailable",
                buttons=[{"title": "Riprova", "payload": "/book_appointment"}],
            )
            return [SlotSet(FORM_STOPPED_SLOT, True), SlotSet("requested_slot", None)]
        buttons = [
            {"title": s["name"], "payload": inform("appointment_service", s["code"])}
            for s in services
        ]
        dispatcher.utter_message(response="utter_appointments_choose_service", buttons=buttons)
        return []


class ActionAskAppointmentOffice(Action):
    def name(self) -> str:
        return "action_ask_appointment_office"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        details: dict[str, Any] = tracker.get_slot(DETAILS) or {}
        options = details.get("office_options") or []
        if not options:
            dispatcher.utter_message(response="utter_appointments_which_office")
            return []
        first = options[0]
        buttons = [
            {
                "title": short_office_name(o["name"]),
                "payload": inform("appointment_office", o["code"]),
            }
            for o in options
        ]
        dispatcher.utter_message(
            response="utter_appointments_choose_office",
            buttons=buttons,
            comune_name=details.get("comune", ""),
            office=first["name"],
            address=first.get("address") or texts.NO_ADDRESS,
        )
        return []


class ActionAskAppointmentSlot(Action):
    def name(self) -> str:
        return "action_ask_appointment_slot"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        offer: dict[str, Any] = tracker.get_slot(OFFER) or {}
        starts = offer.get("slots") or []
        buttons = [
            {"title": italian.button_label(italian.parse_instant(s)), "payload": inform(SLOT, s)}
            for s in starts
        ]
        if starts:
            last_day = italian.parse_instant(starts[-1]).date()
            # "Altri giorni": the slots after the last day shown (offers cap slots per day).
            buttons.append(
                {
                    "title": "Altri giorni",
                    "payload": inform("appointment_when", f"dopo il {last_day:%d/%m/%Y}"),
                }
            )
        kind, description = offer.get("kind", "match"), offer.get("description", "")
        if kind == "match" and not description:
            kind = "first"
        dispatcher.utter_message(
            response=f"utter_appointments_slots_{kind}", buttons=buttons, description=description
        )
        return []


class ActionAskAppointmentConfirmed(Action):
    """The summary to confirm, worded for the form that asks."""

    def name(self) -> str:
        return "action_ask_appointment_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        form = tracker.active_loop_name
        chosen = tracker.get_slot(SLOT)
        new_time = italian.moment_text(italian.parse_instant(chosen)) if chosen else ""
        if form == "form_appointments_book":
            details = tracker.get_slot(DETAILS) or {}
            office = details.get("office") or {}
            dispatcher.utter_message(
                response="utter_appointments_book_summary",
                service=(details.get("service") or {}).get("name", ""),
                office=office.get("name", ""),
                address=office.get("address") or texts.NO_ADDRESS,
                when=new_time,
            )
            return []
        booking = tracker.get_slot(BOOKING) or {}
        values = texts.booking_values(booking) if booking else {}
        if form == "form_appointments_reschedule":
            dispatcher.utter_message(
                response="utter_appointments_reschedule_summary", **values, new_when=new_time
            )
        else:
            dispatcher.utter_message(response="utter_appointments_cancel_summary", **values)
        return []
