"""The gateway's share of the analytics (docs/analytics.md): what happened, never what was said.

- `conversation_started`: the first message of a sender on an Italian day, once across
  gateway replicas (Redis SET NX on the sender's pseudonym, kept two days).
- `intent`, `faq`, `fallback`: Rasa's answer on the gateway's channel carries what it
  understood of the turn (bot/channels/gateway_channel.py): the gateway keeps only the
  intent's name, the FAQ key and the place the conversation named. (It used to read the
  tracker back after every reply: a second request and a second read of the whole
  conversation in Rasa, for each message.)

Events go to the backend in batches (`POST /api/analytics/events`) every few seconds.
A backend or Rasa that fails costs figures, never a reply.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from integrations.redis_store import RedisStore

log = logging.getLogger(__name__)

ROME = ZoneInfo("Europe/Rome")
BATCH = 500  # the backend's limit per request
SEEN_TTL_SECONDS = 2 * 86400
FALLBACK_INTENT = "nlu_fallback"
FAQ_INTENT = "faq"
# Slots that place a conversation (bot/domain): only the province is stored.
COMUNE_SLOT = "comune"
OFFICE_SLOT = "appointment_office"


def today() -> str:
    return datetime.now(ROME).date().isoformat()


def events_of_turn(state: dict[str, Any]) -> list[dict[str, Any]]:
    """The events of one turn from a tracker state: codes and a place, no text."""
    latest = state.get("latest_message") or {}
    intent = (latest.get("intent") or {}).get("name")
    if not isinstance(intent, str) or not intent:
        return []
    slots = state.get("slots") or {}
    place = {
        "comune": slots.get(COMUNE_SLOT) if isinstance(slots.get(COMUNE_SLOT), str) else None,
        "office_code": slots.get(OFFICE_SLOT) if isinstance(slots.get(OFFICE_SLOT), str) else None,
    }
    events = [{"kind": "intent", "label": intent, **place}]
    if intent == FALLBACK_INTENT:
        events.append({"kind": "fallback", "label": intent, **place})
    if intent == FAQ_INTENT:
        selector = (latest.get("response_selector") or {}).get(FAQ_INTENT) or {}
        key = str((selector.get("response") or {}).get("intent_response_key") or "")
        if key.startswith(f"{FAQ_INTENT}/"):
            events.append({"kind": "faq", "label": key.split("/", 1)[1], **place})
    return events


class AnalyticsRecorder:
    def __init__(
        self,
        *,
        backend_url: str,
        token: str,
        store: RedisStore,
        flush_seconds: float = 5.0,
        max_pending: int = 20_000,
    ) -> None:
        self._store = store
        self._flush_seconds = flush_seconds
        self._pending: deque[dict[str, Any]] = deque(maxlen=max_pending)
        self._client = httpx.AsyncClient(
            base_url=backend_url, timeout=5.0, headers={"Authorization": f"Bearer {token}"}
        )
        self._task: asyncio.Task[None] | None = None
        # Senders this replica has already seen today (Redis holds the truth across replicas).
        self._seen_day = ""
        self._seen_today: set[str] = set()

    def _add(self, channel: str, conversation_id: str, **event: Any) -> None:
        event = {k: v for k, v in event.items() if v is not None}
        self._pending.append(
            {"channel": channel, "conversation_id": conversation_id, "day": today(), **event}
        )

    async def message_seen(self, channel: str, conversation_id: str, who: str) -> None:
        """Record conversation_started for the first message of the day of this sender."""
        day = today()
        if day != self._seen_day:
            self._seen_day, self._seen_today = day, set()
        if who in self._seen_today:
            return  # this replica already asked Redis today: no round trip per message
        key = self._store.key("analytics", "seen", day, who)

        async def first_today(redis: Any) -> bool:
            # SET NX answers None when the key was there: seen first by another replica.
            return bool(await redis.set(key, "1", nx=True, ex=SEEN_TTL_SECONDS))

        first = await self._store.run("analytics", first_today)
        if first is not None:  # None: Redis down, ask again next time
            self._seen_today.add(who)
        if first:
            self._add(channel, conversation_id, kind="conversation_started")

    def record_turn(self, channel: str, conversation_id: str, state: dict[str, Any]) -> None:
        """Record what the assistant understood of one turn (codes and a place, no text)."""
        for event in events_of_turn(state):
            self._add(channel, conversation_id, **event)

    async def flush(self) -> None:
        while self._pending:
            batch = [self._pending.popleft() for _ in range(min(BATCH, len(self._pending)))]
            try:
                response = await self._client.post("/api/analytics/events", json={"events": batch})
            except httpx.HTTPError as exc:
                self._pending.extendleft(reversed(batch))  # try again at the next flush
                log.warning("analytics: backend unreachable (%s)", type(exc).__name__)
                return
            if response.status_code >= 500:
                self._pending.extendleft(reversed(batch))
                log.warning("analytics: backend answered %s", response.status_code)
                return
            if response.status_code >= 400:
                # Refused (e.g. a day too old): sending it again would not help.
                log.warning("analytics: %d events refused (%s)", len(batch), response.status_code)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._flush_seconds)
            await self.flush()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        with contextlib.suppress(Exception):
            await self.flush()
        await self._client.aclose()
