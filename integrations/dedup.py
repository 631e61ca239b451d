"""Retried deliveries are processed once: the first one claims the message id in Redis.

Telegram and Meta retry a webhook when our answer is late or lost, and the widget retries
after a network drop; without this the assistant would hear (and answer) twice.
"""

from __future__ import annotations

from redis.asyncio import Redis

from integrations.redis_store import RedisStore

PENDING = "\x00pending"


class Deduplicator:
    def __init__(self, store: RedisStore, ttl_seconds: int) -> None:
        self._store = store
        self._ttl = ttl_seconds

    async def first_delivery(self, channel: str, message_id: str) -> bool:
        """True for the first delivery of this id (and whenever Redis is down)."""
        key = self._store.key("dedup", channel, message_id)

        async def claim(redis: Redis) -> bool:
            return bool(await redis.set(key, PENDING, nx=True, ex=self._ttl))

        claimed = await self._store.run("deduplication", claim)
        # Redis down: better to answer a retried message twice than a new one never.
        return claimed is None or claimed

    async def remember(self, channel: str, message_id: str, result: str) -> None:
        """Keep what the first delivery produced, for channels that answer in the response."""
        key = self._store.key("dedup", channel, message_id)
        await self._store.run("deduplication", lambda redis: redis.set(key, result, ex=self._ttl))

    async def recall(self, channel: str, message_id: str) -> str | None:
        """What the first delivery produced; None while it is still being processed."""
        key = self._store.key("dedup", channel, message_id)
        value = await self._store.run("deduplication", lambda redis: redis.get(key))
        return None if value in (None, PENDING) else value
