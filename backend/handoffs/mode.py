"""The conversation's mode in Redis: while the key exists, the gateway skips the assistant.

Value `{"handoff_id": 17, "status": "waiting" | "active"}`. Written when a live handoff
is created, taken or transferred; deleted when it is closed or cancelled. The 7-day
expiry is only a safety net for a key a crash left behind.
"""

import json
import logging

from redis.exceptions import RedisError

from backend.handoffs import keys

log = logging.getLogger(__name__)

TTL_SECONDS = 7 * 24 * 3600


def set_mode(conversation_id: str, handoff_id: int, status: str) -> bool:
    """True when written; False (logged) when Redis is unavailable."""
    value = json.dumps({"handoff_id": handoff_id, "status": status})
    try:
        keys.call(lambda r: r.set(keys.mode_key(conversation_id), value, ex=TTL_SECONDS))
    except (RedisError, OSError) as exc:
        log.warning(
            "Redis unavailable (%s): mode of handoff %s not set", type(exc).__name__, handoff_id
        )
        return False
    return True


def get_mode(conversation_id: str) -> dict[str, object] | None:
    raw = keys.call(lambda r: r.get(keys.mode_key(conversation_id)))
    return json.loads(raw) if raw else None


def clear_mode(conversation_id: str, handoff_id: int | None = None) -> bool:
    """Delete the key (only if it names `handoff_id`, when given). False if Redis is down."""
    key = keys.mode_key(conversation_id)
    try:
        if handoff_id is not None:
            raw = keys.call(lambda r: r.get(key))
            if raw and json.loads(raw).get("handoff_id") != handoff_id:
                return True  # a newer handoff of the same conversation owns it
        keys.call(lambda r: r.delete(key))
    except (RedisError, OSError) as exc:
        log.warning(
            "Redis unavailable (%s): mode of handoff %s not cleared", type(exc).__name__, handoff_id
        )
        return False
    return True
