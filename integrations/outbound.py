"""Operators' messages to citizens: the gateway consumes the backend's outbound stream.

docs/handoff.md, "Redis streams". Every entry is delivered on the citizen's channel, then
recorded as delivered (7 days, by event id) and acknowledged in one transaction, so a
crash before the acknowledgement brings the entry back and the event id stops a second
delivery. After an operator's message the outcome goes back to the backend on the
inbound stream (`kind: delivery`), for the console's "consegnato" or the reason why not.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError, ResponseError

from integrations import texts
from integrations.channels.base import ChannelAdapter
from integrations.handoff import utc_now
from integrations.messages import Reply

log = logging.getLogger(__name__)

GROUP = "gateway"
BLOCK_MS = 2000
# Entries another consumer has held this long are taken over (it probably died).
CLAIM_IDLE_MS = 30_000
CLAIM_EVERY_SECONDS = 10.0
BATCH = 50
DELIVERED_TTL_SECONDS = 7 * 24 * 3600
OUTBOX_TTL_SECONDS = 24 * 3600
# Redis down: wait this long before trying again, doubling up to the maximum.
REDIS_RETRY_SECONDS, REDIS_RETRY_MAX_SECONDS = 1.0, 30.0
WEB_SESSION = re.compile(r"^[A-Za-z0-9_-]{8,64}$")  # the widget's ClientId

Entry = tuple[str, dict[str, str]]


@dataclass(frozen=True)
class Outcome:
    ok: bool
    # Italian, for the operator: why the message did not arrive (or how it was sent).
    detail: str = ""
    # The web widget's outbox: (list key, reply JSON) pushed with the acknowledgement.
    outbox: tuple[str, str] | None = None


def outbox_key(gateway_prefix: str, session_id: str) -> str:
    return f"{gateway_prefix}web:outbox:{session_id}"


class OutboundConsumer:
    """One asyncio task reading the `gateway` group of `<handoff prefix>outbound`."""

    def __init__(
        self,
        redis_url: str,
        *,
        handoff_prefix: str,
        gateway_prefix: str,
        consumer: str,
        adapters: dict[str, ChannelAdapter | None],
        web: ChannelAdapter,
        attempts: int = 5,
        retry_seconds: float = 2.0,
    ) -> None:
        # A client of its own: blocking reads need a longer socket timeout than the
        # per-message guards (redis_store.py) can afford.
        self._redis = Redis.from_url(
            redis_url,
            decode_responses=True,
            socket_connect_timeout=1.0,
            socket_timeout=BLOCK_MS / 1000 + 5,
            retry=Retry(NoBackoff(), 0),
        )
        self.stream = handoff_prefix + "outbound"
        self.inbound = handoff_prefix + "inbound"
        self._delivered = handoff_prefix + "delivered:"
        self._gateway_prefix = gateway_prefix
        self.consumer = consumer
        self._adapters = adapters
        self._web = web
        self._attempts = max(1, attempts)
        self._retry_seconds = retry_seconds
        # Entry id -> (failed attempts, monotonic time of the next one): channel API
        # failures that may pass. Kept in memory: a restart simply tries again.
        self._retries: dict[str, tuple[int, float]] = {}
        self._next_claim = 0.0
        self._claim_cursor = "0-0"
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        # True while waiting (blocking read, back-off): stopping then loses nothing.
        self._idle = False

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbound-consumer")

    async def stop(self, timeout: float = 5.0) -> None:
        """Let the entry being delivered finish, then stop; never hangs the shutdown."""
        self._stopping = True
        task, deadline = self._task, time.monotonic() + timeout
        while task is not None and not task.done():
            if self._idle or time.monotonic() > deadline:
                # Again on each turn: redis-py can swallow a cancellation that lands
                # while it takes a connection from its pool.
                task.cancel()
            await asyncio.wait({task}, timeout=0.05)
        await self._redis.aclose()

    async def _wait(self, seconds: float) -> None:
        self._idle = True
        try:
            if not self._stopping:  # stop() cancels only a task it sees idle
                await asyncio.sleep(seconds)
        finally:
            self._idle = False

    async def _run(self) -> None:
        backoff, ready, down = REDIS_RETRY_SECONDS, False, False
        while not self._stopping:
            try:
                if not ready:
                    await self._create_group()
                    ready = True
                await self._cycle()
                if down:
                    log.info("outbound: Redis reachable again, deliveries resume")
                backoff, down = REDIS_RETRY_SECONDS, False
            except ResponseError as exc:
                # The stream (and its group) was deleted under us: create them again.
                ready = False
                log.warning("outbound: Redis refused a command (%s), retrying", exc)
                await self._wait(backoff)
                backoff = min(backoff * 2, REDIS_RETRY_MAX_SECONDS)
            except (RedisError, OSError) as exc:
                if not down:
                    log.warning(
                        "outbound: Redis unavailable (%s): operators' messages wait in the "
                        "stream, retrying",
                        type(exc).__name__,
                    )
                down = True
                await self._wait(backoff)
                backoff = min(backoff * 2, REDIS_RETRY_MAX_SECONDS)
            except Exception as exc:  # a bug must not stop every delivery for good
                log.error("outbound: unexpected %s, retrying", type(exc).__name__)
                await self._wait(backoff)
                backoff = min(backoff * 2, REDIS_RETRY_MAX_SECONDS)

    async def _create_group(self) -> None:
        try:
            await self._redis.xgroup_create(self.stream, GROUP, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def _read(self, start: str, block: int | None = None) -> list[Entry]:
        self._idle = block is not None
        if self._idle and self._stopping:
            self._idle = False
            return []
        try:
            answer = await self._redis.xreadgroup(
                GROUP, self.consumer, {self.stream: start}, count=BATCH, block=block
            )
        finally:
            self._idle = False
        return [entry for _, entries in answer or [] for entry in entries]

    async def _cycle(self) -> None:
        # Conversations with an earlier entry still undelivered: their later entries wait,
        # so that a citizen reads the operator's messages in the order they were written.
        held: set[str] = set()
        # 1. Our own pending entries (a crash, or a channel failure waiting to be retried).
        after = "0"
        while not self._stopping:
            entries = await self._read(after)
            for entry in entries:
                await self._handle(entry, held)
            if len(entries) < BATCH:
                break
            after = entries[-1][0]
        # 2. Entries another gateway process took and never acknowledged.
        if time.monotonic() >= self._next_claim and not self._stopping:
            self._next_claim = time.monotonic() + CLAIM_EVERY_SECONDS
            answer = await self._redis.xautoclaim(
                self.stream, GROUP, self.consumer, CLAIM_IDLE_MS, self._claim_cursor, count=BATCH
            )
            self._claim_cursor = answer[0]
            for entry in answer[1]:
                await self._handle(entry, held)
        # 3. New entries, waiting up to BLOCK_MS (less when a retry falls due sooner).
        if self._stopping:
            return
        block = BLOCK_MS
        if self._retries:
            due = min(when for _, when in self._retries.values()) - time.monotonic()
            block = int(min(BLOCK_MS, max(10, due * 1000)))
        for entry in await self._read(">", block):
            await self._handle(entry, held)

    async def _handle(self, entry: Entry, held: set[str]) -> None:
        entry_id, fields = entry
        if not fields:  # deleted from the stream while pending: nothing to deliver
            await self._redis.xack(self.stream, GROUP, entry_id)
            return
        conversation = fields.get("conversation_id", "")
        retry = self._retries.get(entry_id)
        if self._stopping or conversation in held or (retry and retry[1] > time.monotonic()):
            held.add(conversation)
            return
        event_id = fields.get("event_id") or f"entry:{entry_id}"
        if await self._redis.exists(self._delivered + event_id):
            log.info("outbound: event %s already delivered, acknowledged again", event_id)
            await self._redis.xack(self.stream, GROUP, entry_id)
            self._retries.pop(entry_id, None)
            return
        try:
            outcome = await self._deliver(conversation, fields.get("text", ""))
        except RedisError:
            raise
        except Exception as exc:
            # The channel's API failed (network, 5xx): try again later, a bounded number
            # of times. Only the type is logged: the text may carry a bot token.
            failures = (retry[0] if retry else 0) + 1
            if failures < self._attempts:
                wait = self._retry_seconds * 2 ** (failures - 1)
                self._retries[entry_id] = (failures, time.monotonic() + wait)
                held.add(conversation)
                log.warning(
                    "outbound: event %s not delivered (%s), attempt %d of %d, next in %.0f s",
                    event_id,
                    type(exc).__name__,
                    failures,
                    self._attempts,
                    wait,
                )
                return
            outcome = Outcome(ok=False, detail=texts.delivery_gave_up(failures))
        await self._finish(entry_id, fields, event_id, outcome)
        self._retries.pop(entry_id, None)

    async def _deliver(self, conversation_id: str, text: str) -> Outcome:
        channel, _, recipient = conversation_id.partition(":")
        if not recipient or not text.strip():
            return Outcome(ok=False, detail="Messaggio o conversazione non validi: non consegnato.")
        reply = Reply(text=text)
        if channel == self._web.name:
            if not WEB_SESSION.match(recipient):
                return Outcome(ok=False, detail=texts.channel_unavailable(channel))
            key = outbox_key(self._gateway_prefix, recipient)
            return Outcome(ok=True, outbox=(key, reply.model_dump_json()))
        adapter = self._adapters.get(channel)
        if adapter is None:
            return Outcome(ok=False, detail=texts.channel_unavailable(channel))
        delivery = await adapter.notify(recipient, [reply])
        return Outcome(ok=delivery.sent, detail=delivery.detail)

    async def _finish(
        self, entry_id: str, fields: dict[str, str], event_id: str, outcome: Outcome
    ) -> None:
        kind = fields.get("kind", "")
        conversation = fields.get("conversation_id", "")
        async with self._redis.pipeline(transaction=True) as pipe:
            if outcome.outbox is not None:
                key, item = outcome.outbox
                pipe.rpush(key, item)
                pipe.expire(key, OUTBOX_TTL_SECONDS)
            ok = "1" if outcome.ok else "0"
            pipe.set(self._delivered + event_id, ok, ex=DELIVERED_TTL_SECONDS)
            if kind == "operator_message":
                pipe.xadd(
                    self.inbound,
                    {
                        "uid": f"delivery:{event_id}",
                        "kind": "delivery",
                        "event_id": event_id,
                        "ok": ok,
                        "detail": outcome.detail,
                        "conversation_id": conversation,
                        "handoff_id": fields.get("handoff_id", ""),
                        "at": utc_now(),
                    },
                )
            pipe.xack(self.stream, GROUP, entry_id)
            await pipe.execute()
        channel, _, recipient = conversation.partition(":")
        adapter = self._adapters.get(channel) or self._web
        log.info(
            "outbound: %s %s for %s on %s: %s",
            kind or "entry",
            event_id,
            adapter.pseudonym(recipient),
            channel,
            "delivered" if outcome.ok else "NOT delivered",
        )
