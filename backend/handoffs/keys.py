"""Redis names shared with the gateway (docs/handoff.md), and the backend's clients.

Every name starts with HANDOFF_REDIS_PREFIX. The synchronous client serves the request
handlers (the ORM and the routes are synchronous); the consumer and the console's
pub/sub listener use an asyncio client of their own.
"""

from functools import lru_cache

import redis
import redis.asyncio

from backend.settings import get_settings

# A request must not hang on a Redis that is down: fail fast, the caller degrades.
_TIMEOUT_SECONDS = 1.0
INBOUND_GROUP = "backend"


def prefix() -> str:
    return get_settings().handoff_redis_prefix


def mode_key(conversation_id: str) -> str:
    return f"{prefix()}mode:{conversation_id}"


def inbound_stream() -> str:
    return f"{prefix()}inbound"


def outbound_stream() -> str:
    return f"{prefix()}outbound"


def console_channel() -> str:
    return f"{prefix()}console"


@lru_cache
def _sync_client(url: str) -> redis.Redis:
    return redis.Redis.from_url(
        url,
        decode_responses=True,
        socket_connect_timeout=_TIMEOUT_SECONDS,
        socket_timeout=_TIMEOUT_SECONDS,
    )


def sync_client() -> redis.Redis:
    return _sync_client(get_settings().redis_url)


def async_client() -> redis.asyncio.Redis:
    """A new asyncio client; its owner closes it (aclose)."""
    return redis.asyncio.Redis.from_url(
        get_settings().redis_url, decode_responses=True, socket_connect_timeout=_TIMEOUT_SECONDS
    )
