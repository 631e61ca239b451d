"""What happens to every citizen's message, whatever the channel."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from integrations.messages import InboundMessage, Reply
from integrations.rasa_client import AssistantUnavailable, RasaClient

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
    """Sends each message to the assistant, one at a time per conversation, in order."""

    def __init__(self, rasa: RasaClient) -> None:
        self._rasa = rasa
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

    async def handle(self, message: InboundMessage) -> list[Reply]:
        async with self._serialised(message.conversation_id):
            try:
                replies = await self._rasa.send(message.conversation_id, message.text)
            except AssistantUnavailable:
                return [ASSISTANT_DOWN]
        # Every message gets an answer: silence would look like a broken service.
        return replies or [NO_ANSWER]
