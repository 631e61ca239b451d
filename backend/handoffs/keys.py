"""Redis names shared with the gateway (docs/handoff.md), and the backend's clients.

Every name starts with HANDOFF_REDIS_PREFIX. The synchronous client serves the request
handlers (the ORM and the routes are synchronous); the consumer and the console's
pub/sub listener use an asyncio client of their own.
"""

import time
from collections.abc import Callable
from functools import lru_cache
from typing import TypeVar

import redis
import redis.asyncio
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError

from backend.settings import get_settings

# A request must not hang on a Redis that is down: fail fast, the caller degrades.
_TIMEOUT_SECONDS = 1.0
# After a failure, requests skip Redis for a while instead of each waiting for it.
_RETRY_AFTER_SECONDS = 5.0
INBOUND_GROUP = "backend"
T = TypeVar("T")
_down_until = 0.0


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


BLOCKING_READ_TIMEOUT_SECONDS = 30.0


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
        get_settings().redis_url,
        decode_responses=True,
        socket_connect_timeout=_TIMEOUT_SECONDS,
        # Longer than the consumers' XREADGROUP BLOCK (5 s): redis-py's default read
        # timeout would otherwise cut every idle blocking read short.
        socket_timeout=BLOCKING_READ_TIMEOUT_SECONDS,
    )


def call(operation: Callable[[redis.Redis], T]) -> T:
    """Run one command on the synchronous client; RedisError at once while it is down."""
    global _down_until
    if time.monotonic() < _down_until:
        raise RedisConnectionError("Redis was unavailable a moment ago")
    try:
        return operation(sync_client())
    except (RedisError, OSError):
        _down_until = time.monotonic() + _RETRY_AFTER_SECONDS
        raise
