"""Human mode: while an operator has the conversation, the assistant is not consulted.

The backend writes each conversation's mode to Redis (docs/handoff.md, "Redis: the
conversation's mode"); the gateway reads it for every message, after the guards every
channel shares and before Rasa. In human mode the message goes to the backend's inbound
stream instead, in order, and the citizen gets no reply from the assistant: the
operator answers. Redis down: the mode cannot be known and the assistant answers.
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone

from redis.asyncio import Redis

from integrations import texts
from integrations.messages import InboundMessage, Reply
from integrations.redis_store import RedisStore

log = logging.getLogger(__name__)

# The citizen's words that cancel a handoff still waiting for an operator (whole message,
# whatever the case, accents or punctuation) and the payload of the button that does it.
CANCEL_WORDS = {"annulla", "stop", "basta"}
CANCEL_PAYLOAD = "/handoff_cancel"
# A waiting citizen is told their message was forwarded at most this often: often enough
# never to be left wondering, not so often that every line they type gets an echo.
WAITING_NOTE_SECONDS = 120
WAITING, ACTIVE = "waiting", "active"
# Outcomes of a cancel.
CANCELLED, NOT_WAITING, FAILED = "cancelled", "not waiting", "failed"
# The backend may take the handoff at this very moment: the mode is deleted only if it is
# still "waiting", atomically with the cancel entry, and never if that entry failed (a
# script stops at its first error).
CANCEL_SCRIPT = """
local current = redis.call('GET', KEYS[1])
if not current then return 0 end
local ok, mode = pcall(cjson.decode, current)
if not ok or type(mode) ~= 'table' or mode['status'] ~= 'waiting' then return 0 end
redis.call('XADD', KEYS[2], '*', unpack(ARGV))
redis.call('DEL', KEYS[1])
return 1
"""


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def is_cancel(text: str) -> bool:
    if text.strip() == CANCEL_PAYLOAD:
        return True
    bare = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in bare if not unicodedata.combining(c))
    return re.sub(r"[\W_]+", "", bare) in CANCEL_WORDS


@dataclass(frozen=True)
class Mode:
    handoff_id: str
    status: str


def parse_mode(raw: str) -> Mode | None:
    try:
        value = json.loads(raw)
        handoff_id = value["handoff_id"]
    except (ValueError, KeyError, TypeError):
        return None
    # Any status other than "waiting" is treated as "active": the operator answers.
    return Mode(handoff_id=str(handoff_id), status=str(value.get("status") or ACTIVE))


class HandoffGate:
    """Decides, for one message, whether the assistant or an operator gets it."""

    def __init__(self, handoff_store: RedisStore, gateway_store: RedisStore) -> None:
        # Keys under the prefix shared with the backend: mode keys, the inbound stream.
        self._shared = handoff_store
        # The gateway's own keys: when a waiting citizen was last told "forwarded".
        self._own = gateway_store
        self.inbound_stream = handoff_store.key("inbound")

    def _mode_key(self, conversation_id: str) -> str:
        return self._shared.key("mode", conversation_id)

    async def mode(self, conversation_id: str) -> Mode | None:
        """The conversation's mode; None for the assistant (no key, or Redis down)."""
        key = self._mode_key(conversation_id)
        raw = await self._shared.run("handoff mode", lambda redis: redis.get(key))
        if raw is None:
            return None
        mode = parse_mode(raw)
        if mode is None:
            log.warning("handoff: unreadable mode value ignored, the assistant answers")
        return mode

    async def intercept(self, message: InboundMessage, text: str, who: str) -> list[Reply] | None:
        """None: the assistant answers. Else the replies (maybe none) in human mode."""
        mode = await self.mode(message.conversation_id)
        if mode is None:
            return None
        if mode.status == WAITING and is_cancel(text):
            outcome = await self._cancel(message, mode)
            if outcome == CANCELLED:
                log.info("%s: %s cancelled handoff %s", message.channel, who, mode.handoff_id)
                # A new handoff gets its "forwarded" note at the first message again.
                noted = self._note_key(message.channel, who)
                await self._own.run("handoff note", lambda redis: redis.delete(noted))
                return [texts.HANDOFF_CANCELLED]
            if outcome == FAILED:
                return [texts.HANDOFF_NOT_FORWARDED]
            # Taken (or closed) meanwhile: the cancel word is now an ordinary message.
            mode = await self.mode(message.conversation_id)
            if mode is None:
                return None
        return await self._forward(message, mode, text, who)

    async def _forward(
        self, message: InboundMessage, mode: Mode, text: str, who: str
    ) -> list[Reply]:
        uid = f"{message.channel}:{message.message_id}" if message.message_id else None
        fields = self._fields(message, mode, "message", text, uid)
        added = await self._shared.run(
            "handoff forward", lambda redis: redis.xadd(self.inbound_stream, fields)
        )
        if added is None:
            # Never silence, never a message lost without the citizen knowing.
            log.warning("%s: message from %s NOT forwarded to the operator", message.channel, who)
            return [texts.HANDOFF_NOT_FORWARDED]
        log.info("%s: message from %s forwarded, handoff %s", message.channel, who, mode.handoff_id)
        if mode.status == WAITING and await self._note_due(message.channel, who):
            return [texts.HANDOFF_FORWARDED]
        return []

    @staticmethod
    def _fields(
        message: InboundMessage, mode: Mode, kind: str, text: str, uid: str | None = None
    ) -> dict[str, str]:
        return {
            "uid": uid or str(uuid.uuid4()),
            "kind": kind,
            "conversation_id": message.conversation_id,
            "handoff_id": mode.handoff_id,
            "text": text,
            "at": utc_now(),
        }

    async def _cancel(self, message: InboundMessage, mode: Mode) -> str:
        key = self._mode_key(message.conversation_id)
        fields = self._fields(message, mode, "cancel", "")
        args = [item for pair in fields.items() for item in pair]
        outcome = await self._shared.run(
            "handoff cancel",
            lambda redis: redis.eval(CANCEL_SCRIPT, 2, key, self.inbound_stream, *args),
        )
        if outcome is None:
            return FAILED
        return CANCELLED if int(outcome) == 1 else NOT_WAITING

    def _note_key(self, channel: str, who: str) -> str:
        return self._own.key("handoff", "noted", channel, who)

    async def _note_due(self, channel: str, who: str) -> bool:
        key = self._note_key(channel, who)

        async def claim(redis: Redis) -> bool:
            return bool(await redis.set(key, "1", nx=True, ex=WAITING_NOTE_SECONDS))

        claimed = await self._own.run("handoff note", claim)
        # Redis down here (it answered a moment ago): tell the citizen rather than not.
        return claimed is None or claimed
