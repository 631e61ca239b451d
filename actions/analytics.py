"""Analytics events the actions send to the backend (docs/analytics.md): codes, never text.

Best effort: a backend that fails costs a figure, never the citizen's answer.
"""

from __future__ import annotations

import logging

from rasa_sdk import Tracker

from actions import backend_client

log = logging.getLogger(__name__)

# The gateway names conversations "<channel>:<sender id>" (docs/handoff.md).
CHANNELS = frozenset({"web", "telegram", "whatsapp"})


def channel_of(sender_id: str) -> str:
    prefix = sender_id.split(":", 1)[0] if ":" in sender_id else ""
    return prefix if prefix in CHANNELS else "other"


async def record(tracker: Tracker, kind: str, label: str) -> None:
    """Send one event of this conversation (today, in the province of its comune if any)."""
    event = {
        "kind": kind,
        "label": label,
        "channel": channel_of(tracker.sender_id),
        "conversation_id": tracker.sender_id,
    }
    comune = tracker.get_slot("comune")
    if isinstance(comune, str) and comune:
        event["comune"] = comune
    try:
        await backend_client.post_json("/api/analytics/events", {"events": [event]})
    except (backend_client.BackendUnavailable, backend_client.NotFound):
        log.info("analytics: %s event not recorded (backend unavailable)", kind)
