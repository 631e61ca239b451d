"""The small interface every channel adapter implements."""

from __future__ import annotations

import hashlib
import hmac
from abc import ABC, abstractmethod
from dataclasses import dataclass

from integrations.messages import InboundMessage, Reply


class ChannelError(Exception):
    """A channel's API refused or failed. Its text is safe to log: no ids, no tokens."""


@dataclass(frozen=True)
class Delivery:
    """The outcome of a message the citizen did not just prompt (reminder, operator)."""

    sent: bool
    # In Italian: shown to the operator when the message could not be delivered.
    detail: str = ""


class ChannelAdapter(ABC):
    """Turns a channel's inbound request into normalised messages and sends replies back.

    Channels that answer in the HTTP response (the web widget) return the replies from
    the route; channels with a push API (Telegram, WhatsApp) implement `send`.
    """

    name: str

    def __init__(self, log_key: bytes) -> None:
        # Key of the pseudonyms under which senders appear in logs and Redis keys.
        self._log_key = log_key

    def pseudonym(self, sender_id: str) -> str:
        """A stable, keyed hash of the sender: phone numbers and chat ids never reach logs."""
        digest = hmac.new(self._log_key, sender_id.encode(), hashlib.sha256).hexdigest()
        return digest[:16]

    async def on_inbound(self, message: InboundMessage) -> None:  # noqa: B027
        """Hook run once for every new inbound message (WhatsApp records its time)."""

    @abstractmethod
    async def send(self, recipient_id: str, replies: list[Reply]) -> None:
        """Deliver replies to a message the citizen has just sent."""

    async def notify(self, recipient_id: str, replies: list[Reply]) -> Delivery:
        """Deliver a message the citizen did not just prompt (reminder, late operator reply).

        Raises when the channel's API fails in a way that may pass (network, server
        error): the caller tries again later. `Delivery(sent=False)` when trying again
        would not help (WhatsApp's 24-hour window, a chat that blocked the bot).
        """
        await self.send(recipient_id, replies)
        return Delivery(sent=True)


def text_with_options(reply: Reply) -> str:
    """Fallback for channels that cannot show buttons: the options as a numbered list."""
    if not reply.buttons:
        return reply.text
    options = "\n".join(f"{i}. {b.title}" for i, b in enumerate(reply.buttons, start=1))
    return f"{reply.text}\n\n{options}"


def split_text(text: str, limit: int) -> list[str]:
    """Cut a long text into pieces a channel accepts, at line or word ends where possible."""
    pieces: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        if cut <= 0:
            cut = text.rfind(" ", 0, limit)
        if cut <= 0:
            cut = limit
        piece = text[:cut].rstrip()
        if piece:  # blanks at the start: nothing to send yet (never an empty message)
            pieces.append(piece)
        text = text[cut:].lstrip()
    return [*pieces, text] if text.strip() else pieces


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
