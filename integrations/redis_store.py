"""The gateway's Redis, used so that a Redis outage never silences the sportello.

Deduplication, rate limits, WhatsApp's last inbound time and the handoff mode are guards,
not the service: when Redis cannot be reached the gateway logs a warning, skips them and
keeps answering (in human mode, the assistant answers: the mode cannot be read).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

T = TypeVar("T")

# After a failure, leave Redis alone for a while so that every citizen's message does not
# pay a connection timeout while it is down.
RETRY_AFTER_SECONDS = 10.0
TIMEOUT_SECONDS = 0.5


class RedisStore:
    def __init__(self, url: str, prefix: str) -> None:
        self.prefix = prefix
        # No client-side retries: a guard that waits seconds for Redis is worse than none.
        self._redis = Redis.from_url(
            url,
            decode_responses=True,
            socket_connect_timeout=TIMEOUT_SECONDS,
            socket_timeout=TIMEOUT_SECONDS,
            retry=Retry(NoBackoff(), 0),
        )
        self._down_until = 0.0

    def key(self, *parts: str) -> str:
        return self.prefix + ":".join(parts)

    async def run(self, what: str, operation: Callable[[Redis], Awaitable[T]]) -> T | None:
        """Run one operation; None when Redis is unavailable (the caller degrades)."""
        if time.monotonic() < self._down_until:
            return None
        try:
            return await operation(self._redis)
        except (RedisError, OSError) as exc:
            self._down_until = time.monotonic() + RETRY_AFTER_SECONDS
            log.warning(
                "Redis unavailable (%s) during %s: going on without it for %.0f s (no "
                "deduplication, rate limits or handoff mode: the assistant answers)",
                type(exc).__name__,
                what,
                RETRY_AFTER_SECONDS,
            )
            return None

    async def aclose(self) -> None:
        await self._redis.aclose()
