"""What happens to every citizen's message, whatever the channel."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from integrations import metrics, texts
from integrations.analytics import AnalyticsRecorder
from integrations.channels.base import ChannelAdapter, ChannelError
from integrations.dedup import Deduplicator
from integrations.handoff import HandoffGate
from integrations.messages import InboundMessage, Reply
from integrations.rasa_client import AssistantUnavailable, RasaClient
from integrations.rate_limit import RateLimiter

log = logging.getLogger(__name__)

ASSISTANT_DOWN = Reply(
    text=(
        "Mi dispiace, in questo momento l'assistente non è raggiungibile. "
        "Riprova tra qualche minuto. Se è urgente, puoi contattare direttamente "
        "il tuo Centro per l'Impiego."
    )
)
NO_ANSWER = Reply(
    text=(
        "Scusa, non ho una risposta a questo. Puoi scriverlo con altre parole, "
        'oppure scrivere "operatore".'
    )
)


class ConversationRouter:
    """Sends each message to the assistant, one at a time per conversation, in order.

    The guards every channel shares (retried deliveries, rate limit, empty, too long or
    non-text messages) run inside the per-conversation turn, so that they too see each
    sender's messages in the order they arrived. Then, in human mode (an operator has
    the conversation, docs/handoff.md) the message goes to the operator, not to Rasa.
    """

    def __init__(
        self,
        rasa: RasaClient,
        *,
        dedup: Deduplicator | None = None,
        limiter: RateLimiter | None = None,
        max_chars: int = 2000,
        handoff: HandoffGate | None = None,
        analytics: AnalyticsRecorder | None = None,
    ) -> None:
        self._rasa = rasa
        self._analytics = analytics
        self._handoff = handoff
        self._dedup = dedup
        self._limiter = limiter
        self._max_chars = max_chars
        # conversation id -> (lock, number of messages holding or waiting for it)
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def _serialised(self, conversation_id: str) -> AsyncIterator[None]:
        lock, users = self._locks.get(conversation_id, (asyncio.Lock(), 0))
        self._locks[conversation_id] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[conversation_id]
            # Drop idle locks so memory does not grow with every citizen ever seen.
            if users == 1:
                del self._locks[conversation_id]
            else:
                self._locks[conversation_id] = (lock, users - 1)

    async def handle(
        self, message: InboundMessage, adapter: ChannelAdapter, *, deliver: bool = False
    ) -> list[Reply] | None:
        """The replies to one message (sent through the adapter when `deliver`).

        None when the message is a retried delivery that was already handled; an empty
        list when it went to an operator, who answers later (the assistant stays silent).
        """
        async with self._serialised(message.conversation_id):
            who = adapter.pseudonym(message.sender_id)
            replies = await self._replies(message, adapter, who)
            if replies is None:
                log.info("%s: retried delivery from %s ignored", message.channel, who)
                return None
            log.info("%s: message from %s, %d replies", message.channel, who, len(replies))
            if deliver and replies:
                try:
                    await adapter.send(message.sender_id, replies)
                except Exception as exc:
                    # The channel's API failed: log it and go on, never crash. Only our own
                    # errors are logged with their text: others may carry the bot token.
                    reason = str(exc) if isinstance(exc, ChannelError) else type(exc).__name__
                    log.warning("%s: replies to %s not sent: %s", message.channel, who, reason)
            return replies

    async def _replies(
        self, message: InboundMessage, adapter: ChannelAdapter, who: str
    ) -> list[Reply] | None:
        if (
            message.message_id
            and self._dedup
            and not await self._dedup.first_delivery(message.channel, message.message_id)
        ):
            return None
        await adapter.on_inbound(message)
        metrics.MESSAGES.labels(message.channel).inc()
        if self._analytics:
            await self._analytics.message_seen(message.channel, message.conversation_id, who)
        if self._limiter and not await self._limiter.allow(message.channel, who):
            return [texts.RATE_LIMITED]
        if message.kind == "unsupported":
            return [texts.ONLY_TEXT]
        text = message.text.strip()
        if not text:
            return [texts.EMPTY_MESSAGE]
        if len(text) > self._max_chars:
            return [texts.too_long(self._max_chars)]
        if self._handoff:
            human = await self._handoff.intercept(message, text, who)
            if human is not None:
                return human
        try:
            turn = await self._rasa.send(message.conversation_id, text)
        except AssistantUnavailable:
            return [ASSISTANT_DOWN]
        if self._analytics:
            self._analytics.record_turn(message.channel, message.conversation_id, turn.state)
        # Every message gets an answer: silence would look like a broken service.
        return turn.replies or [NO_ANSWER]
