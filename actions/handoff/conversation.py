"""What the operator receives with a handoff: the transcript and what was collected.

Read from the Rasa tracker. The backend redacts tax codes, phone numbers, e-mails and
IBANs before it stores anything (docs/handoff.md), so the transcript travels as written.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from rasa_sdk import Tracker

from actions.forms import FORM_FAILURES_FOR_OFFER, FORM_FAILURES_SLOT

# Enough for the operator to understand the case without scrolling through a long chat.
MAX_TRANSCRIPT_LINES = 40
MAX_INTENTS = 10
CHANNELS = ("web", "telegram", "whatsapp")


def channel_of(conversation_id: str) -> str:
    channel = conversation_id.partition(":")[0]
    return channel if channel in CHANNELS else "web"


def _at(event: dict[str, Any]) -> str:
    stamp = event.get("timestamp") or datetime.now(timezone.utc).timestamp()
    return datetime.fromtimestamp(float(stamp), timezone.utc).isoformat()


def _citizen_text(event: dict[str, Any]) -> str:
    text = event.get("text") or ""
    if text.startswith("/"):
        # A button: show what it meant, not its payload syntax.
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name") or text[1:]
        return f"[pulsante: {intent}]"
    return text


def transcript(tracker: Tracker) -> list[dict[str, str]]:
    lines: list[dict[str, str]] = []
    for event in tracker.events:
        kind = event.get("event")
        if kind == "user" and (event.get("text") or "").strip():
            lines.append({"sender": "citizen", "text": _citizen_text(event), "at": _at(event)})
        elif kind == "bot" and (event.get("text") or "").strip():
            lines.append({"sender": "bot", "text": event["text"], "at": _at(event)})
    return lines[-MAX_TRANSCRIPT_LINES:]


def intents(tracker: Tracker) -> list[str]:
    seen: list[str] = []
    for event in tracker.events:
        if event.get("event") != "user":
            continue
        name = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if name and name not in ("affirm", "deny", "inform", "nlu_fallback"):
            full = ((event.get("parse_data") or {}).get("response_selector") or {}).get("faq")
            key = ((full or {}).get("response") or {}).get("intent_response_key")
            label = key if name == "faq" and key else name
            if not seen or seen[-1] != label:
                seen.append(label)
    return seen[-MAX_INTENTS:]


def context(tracker: Tracker) -> dict[str, Any]:
    """What the assistant had collected, shown to the operator beside the transcript."""
    booking = tracker.get_slot("appointment_booking") or {}
    return {
        "intents": intents(tracker),
        "comune": tracker.get_slot("comune"),
        "misura": tracker.get_slot("misura") or tracker.get_slot("eligibility_measure"),
        "booking_code": tracker.get_slot("appointment_code") or booking.get("code"),
        "eligibility_verdict": tracker.get_slot("eligibility_verdict"),
    }


def reason(tracker: Tracker) -> str:
    """Why the citizen is handed over: the backend and the Osservatorio count by reason."""
    latest = ((tracker.latest_message or {}).get("intent") or {}).get("name")
    if latest == "complaint":
        return "complaint"
    if (tracker.get_slot(FORM_FAILURES_SLOT) or 0) >= FORM_FAILURES_FOR_OFFER:
        return "form_failures"
    events = list(tracker.events)
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=0)
    previous_bot = next((e for e in reversed(events[:last_user]) if e.get("event") == "bot"), None)
    template = ((previous_bot or {}).get("metadata") or {}).get("utter_action")
    if template == "utter_offer_human":
        return "fallback"
    return "request_human"
