"""A per-sender rate limit, shared by every gateway process through Redis."""

from __future__ import annotations

import time

from redis.asyncio import Redis

from integrations.redis_store import RedisStore


class RateLimiter:
    """At most `per_minute` messages per sender in each calendar minute.

    A fixed window is enough here: the limit only stops floods (scripts, stuck clients)
    before they reach the assistant; a citizen who types fast is answered politely.
    """

    def __init__(self, store: RedisStore, per_minute: int) -> None:
        self._store = store
        self._per_minute = per_minute

    async def allow(self, channel: str, sender_key: str) -> bool:
        window = str(int(time.time() // 60))
        key = self._store.key("rate", channel, sender_key, window)

        async def count(redis: Redis) -> int:
            async with redis.pipeline(transaction=True) as pipe:
                pipe.incr(key)
                pipe.expire(key, 120)
                hits, _ = await pipe.execute()
            return int(hits)

        hits = await self._store.run("rate limit", count)
        # Redis down: no limit rather than no service.
        return hits is None or hits <= self._per_minute
