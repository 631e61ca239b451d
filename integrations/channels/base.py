"""The small interface every channel adapter implements."""

from abc import ABC, abstractmethod

from integrations.messages import Reply


class ChannelAdapter(ABC):
    """Turns a channel's inbound request into normalised messages and sends replies back.

    Channels that answer in the HTTP response (the web widget) return the replies from
    the route; channels with a push API (Telegram, WhatsApp) implement `send`.
    """

    name: str

    @abstractmethod
    async def send(self, recipient_id: str, replies: list[Reply]) -> None:
        """Deliver replies to the citizen on this channel."""


def text_with_options(reply: Reply) -> str:
    """Fallback for channels that cannot show buttons: the options as a numbered list."""
    if not reply.buttons:
        return reply.text
    options = "\n".join(f"{i}. {b.title}" for i, b in enumerate(reply.buttons, start=1))
    return f"{reply.text}\n\n{options}"
