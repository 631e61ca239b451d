"""Producer of the outbound stream: what the gateway delivers on the citizen's channel.

Entries are flat string maps (docs/handoff.md): event_id, kind, conversation_id,
handoff_id, text. The gateway delivers each event_id once, so an id derived from what
caused the event (a message id, an inbound uid) makes a repeated production harmless.
"""

import logging
import uuid

from redis.exceptions import RedisError

from backend.handoffs import keys

log = logging.getLogger(__name__)

KINDS = frozenset({"operator_message", "taken", "closed", "transferred", "notice"})
# Far more than the gateway ever leaves unread; keeps the stream from growing forever.
MAX_LEN = 100_000


def new_event_id() -> str:
    return f"ev:{uuid.uuid4()}"


def produce(
    kind: str, conversation_id: str, handoff_id: int, text: str, event_id: str | None = None
) -> str | None:
    """Add one entry; its event_id, or None (logged) when Redis is unavailable."""
    if kind not in KINDS:
        raise ValueError(f"unknown outbound kind {kind!r}")
    event_id = event_id or new_event_id()
    fields = {
        "event_id": event_id,
        "kind": kind,
        "conversation_id": conversation_id,
        "handoff_id": str(handoff_id),
        "text": text,
    }
    try:
        keys.call(
            lambda r: r.xadd(keys.outbound_stream(), fields, maxlen=MAX_LEN, approximate=True)
        )
    except (RedisError, OSError) as exc:
        log.warning(
            "Redis unavailable (%s): %s for handoff %s not sent",
            type(exc).__name__,
            kind,
            handoff_id,
        )
        return None
    return event_id
