"""The backend's handoff routes (docs/handoff.md), through the one backend client."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from actions import backend_client
from actions.handoff import conversation

Json = dict[str, Any]


async def create(tracker: Tracker, reason: str) -> Json:
    """Create (or find) the conversation's handoff; raises BackendUnavailable."""
    body = {
        "conversation_id": tracker.sender_id,
        "channel": conversation.channel_of(tracker.sender_id),
        "reason": reason,
        "comune": tracker.get_slot("comune"),
        "office_code": tracker.get_slot("appointment_office"),
        "context": conversation.context(tracker),
        "transcript": conversation.transcript(tracker),
    }
    answer = await backend_client.post_json("/api/handoffs", body)
    if "id" not in answer:
        # A 4xx the backend explained: not something the citizen can fix by retrying.
        raise backend_client.BackendUnavailable(str(answer.get("detail", "refused")))
    return answer


async def leave_ticket(handoff_id: int, message: str, contact: Json) -> Json:
    body = {
        "message": message,
        "contact_preference": contact["preference"],
        "contact_value": contact.get("value"),
    }
    answer = await backend_client.post_json(f"/api/handoffs/{handoff_id}/ticket", body)
    if "reference" not in answer:
        raise backend_client.BackendUnavailable(str(answer.get("detail", "refused")))
    return answer
