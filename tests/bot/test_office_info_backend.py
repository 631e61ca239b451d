"""The office answer and its form against the real backend (uvicorn + PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import backend_client
from actions.messages import BACKEND_DOWN
from actions.offices.office_info import ActionOfficeInfo, ValidateFormOfficeInfo
from actions.settings import get_settings
from tests.bot.backend_server import free_port
from tests.bot.eligibility_chat import load_domain

FORM = "form_office_info"


def tracker(text: str, intent: str, slots: dict[str, Any], events: list | None = None) -> Tracker:
    message = {"text": text, "intent": {"name": intent}, "entities": []}
    # Rasa hands the form's validation the slots to validate after the form's own action.
    history = events or [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": text, "parse_data": message},
        {"event": "action", "name": FORM},
        *({"event": "slot", "name": name, "value": value} for name, value in slots.items()),
    ]
    all_slots = {"requested_slot": "comune", "form_stopped": False, **slots}
    return Tracker("web:t", all_slots, message, history, False, None, {"name": FORM}, FORM)


async def run(action: Any, track: Tracker) -> tuple[list[dict], list[dict]]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, track, load_domain())
    return events, dispatcher.messages


@pytest.mark.usefixtures("live_backend")
async def test_the_competent_office_of_a_comune():
    _, messages = await run(ActionOfficeInfo(), tracker("Cosenza", "inform", {"comune": "Cosenza"}))
    text = messages[0]["text"]
    assert text.startswith("📍 Centro per l'Impiego di Cosenza")
    assert "Orari indicativi: lunedì 9:00-12:30" in text
    assert "Oggi " in text or "Per oggi" in text


@pytest.mark.usefixtures("live_backend")
async def test_a_comune_outside_the_covered_regions_and_an_unknown_one():
    _, messages = await run(ActionOfficeInfo(), tracker("Milano", "inform", {"comune": "Milano"}))
    assert "Milano è in Lombardia" in messages[0]["text"]
    _, messages = await run(ActionOfficeInfo(), tracker("Xyzzy", "inform", {"comune": "Xyzzy"}))
    assert "Controlla come è scritto" in messages[0]["text"]


@pytest.mark.usefixtures("live_backend")
async def test_the_form_reads_the_comune_through_the_backend():
    events, _ = await run(
        ValidateFormOfficeInfo(), tracker("vivo a lamezia", "inform", {"comune": "lamezia"})
    )
    assert {"event": "slot", "timestamp": None, "name": "comune", "value": "Lamezia Terme"} in (
        events
    )


async def test_a_faq_interrupts_the_form_once():
    events, _ = await run(ValidateFormOfficeInfo(), tracker("cos'è la DID?", "faq", {}))
    assert [e["event"] for e in events] == ["action_execution_rejected"]
    # Back from the FAQ answer the same message is not an interruption any more.
    resumed = [
        {"event": "user", "text": "cos'è la DID?"},
        {"event": "action_execution_rejected", "name": FORM},
        {"event": "action", "name": "utter_faq"},
        {"event": "action", "name": FORM},
    ]
    events, _ = await run(ValidateFormOfficeInfo(), tracker("cos'è la DID?", "faq", {}, resumed))
    assert "action_execution_rejected" not in [e["event"] for e in events]


async def test_backend_down_offers_to_retry_or_a_person(monkeypatch):
    monkeypatch.setenv("BACKEND_URL", f"http://127.0.0.1:{free_port()}")
    get_settings.cache_clear()
    backend_client._client = None
    try:
        _, messages = await run(ActionOfficeInfo(), tracker("Rende", "inform", {"comune": "Rende"}))
    finally:
        if backend_client._client is not None:
            await backend_client._client.aclose()
        backend_client._client = None
        get_settings.cache_clear()
    assert messages[0]["text"] == BACKEND_DOWN
    assert [b["title"] for b in messages[0]["buttons"]] == ["Riprova", "Parla con un operatore"]
