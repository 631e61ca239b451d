"""Consumer of the inbound stream (gateway → backend), in consumer group `backend`.

At start, and after every Redis failure, the consumer first re-reads its own pending
entries (`XREADGROUP ... 0`): those it read but did not acknowledge before a crash.
Then it reads new ones (`>`, blocking), and from time to time claims entries left
pending for more than 30 s by a consumer that died (`XAUTOCLAIM`). An entry is
acknowledged only after its change is committed; redelivery is harmless (uid).

Redis down never stops the backend: the consumer logs a warning and tries again with
a growing pause. A database error leaves the entry pending, to be retried.
"""

import asyncio
import logging
from collections.abc import Callable
from contextlib import AbstractContextManager, suppress
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError, ResponseError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from backend.handoffs import citizen, keys

log = logging.getLogger(__name__)

SessionFactory = Callable[[], AbstractContextManager[Session]]
CLAIM_IDLE_MS = 30_000
BATCH = 50
MAX_BACKOFF_SECONDS = 30.0


async def pause(stop: asyncio.Event, seconds: float) -> None:
    """Wait `seconds`, or less if asked to stop."""
    with suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


class InboundConsumer:
    def __init__(
        self,
        session_factory: SessionFactory,
        name: str,
        redis_factory: Callable[[], Redis] = keys.async_client,
        block_ms: int = 5000,
        claim_every_seconds: float = 10.0,
        claim_idle_ms: int = CLAIM_IDLE_MS,
    ) -> None:
        self.session_factory = session_factory
        self.name = name
        self.redis_factory = redis_factory
        self.block_ms = block_ms
        self.claim_every_seconds = claim_every_seconds
        self.claim_idle_ms = claim_idle_ms
        self.stream = keys.inbound_stream()

    # --- one entry ------------------------------------------------------------------

    def _store(self, fields: dict[str, str]) -> None:
        with self.session_factory() as session:
            try:
                citizen.handle(session, fields)
            except BaseException:
                session.rollback()
                raise

    async def _process(self, redis: Redis, entries: list[Any]) -> int:
        """Store then acknowledge each entry, in order; stops at the first that fails."""
        done = 0
        for entry_id, fields in entries:
            if fields:  # None or {}: the entry was trimmed away meanwhile
                try:
                    await asyncio.to_thread(self._store, dict(fields))
                except SQLAlchemyError as exc:
                    # Left pending: read again after the pause (own pending list first).
                    log.warning(
                        "database error on inbound entry (%s): retrying", type(exc).__name__
                    )
                    raise _Retry from exc
                except Exception:
                    # A bug on one entry must not hold every later citizen's message.
                    log.exception("inbound entry %s could not be handled: dropped", entry_id)
            await redis.xack(self.stream, keys.INBOUND_GROUP, entry_id)
            done += 1
        return done

    # --- reading ----------------------------------------------------------------------

    async def ensure_group(self, redis: Redis) -> None:
        try:
            # From the start of the stream: entries the gateway added before the group
            # existed (the backend's first start) are citizens' messages too.
            await redis.xgroup_create(self.stream, keys.INBOUND_GROUP, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def _read(self, redis: Redis, start: str, block: int | None) -> list[Any]:
        response = await redis.xreadgroup(
            keys.INBOUND_GROUP, self.name, {self.stream: start}, count=BATCH, block=block
        )
        return response[0][1] if response else []

    async def drain_pending(self, redis: Redis) -> int:
        """Entries read earlier by this consumer and never acknowledged."""
        total = 0
        while entries := await self._read(redis, "0", None):
            total += await self._process(redis, entries)
        return total

    async def claim_abandoned(self, redis: Redis) -> int:
        total, cursor = 0, "0-0"
        while True:
            response = await redis.xautoclaim(
                self.stream, keys.INBOUND_GROUP, self.name, self.claim_idle_ms, cursor, count=BATCH
            )
            cursor, entries = response[0], response[1]
            total += await self._process(redis, entries)
            if cursor in ("0-0", b"0-0") or not entries:
                return total

    async def read_new(self, redis: Redis, block: int | None) -> int:
        return await self._process(redis, await self._read(redis, ">", block))

    async def run_once(self, redis: Redis) -> int:
        """Pending, abandoned, then what is new without waiting: for tests and startup."""
        await self.ensure_group(redis)
        total = await self.drain_pending(redis)
        total += await self.claim_abandoned(redis)
        return total + await self.read_new(redis, None)

    async def run(self, stop: asyncio.Event) -> None:
        """Until `stop` is set; survives Redis and database outages."""
        backoff = 1.0
        while not stop.is_set():
            redis = self.redis_factory()
            try:
                await self.run_once(redis)
                backoff = 1.0
                loop = asyncio.get_running_loop()
                next_claim = loop.time() + self.claim_every_seconds
                while not stop.is_set():
                    await self.read_new(redis, self.block_ms)
                    if loop.time() >= next_claim:
                        await self.claim_abandoned(redis)
                        next_claim = loop.time() + self.claim_every_seconds
            except (RedisError, OSError, _Retry) as exc:
                cause = type(exc.__cause__ or exc).__name__
                log.warning("inbound stream unavailable (%s): retrying in %.0f s", cause, backoff)
            except Exception:
                log.exception("inbound consumer failed: restarting in %.0f s", backoff)
            finally:
                await redis.aclose()
            await pause(stop, backoff)
            backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)


class _Retry(Exception):
    """An entry could not be stored now; the consumer pauses and reads it again."""
