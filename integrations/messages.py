"""The normalised messages every channel adapter produces and consumes.

Wire format shared with the backend (handoff) and documented in docs/wire-formats.md.
"""

import re
from typing import Literal

from pydantic import BaseModel, Field, field_validator

# Lone UTF-16 surrogates: valid in a JSON string ("\\ud800"), impossible to encode in UTF-8.
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class Button(BaseModel):
    title: str
    # What is sent back to the assistant when the button is pressed.
    payload: str


class InboundMessage(BaseModel):
    channel: str
    # Channel-scoped id of the citizen's conversation (web session, Telegram chat, phone).
    sender_id: str
    text: str
    # The channel's own id of this message, for deduplication of retried deliveries.
    message_id: str | None = None
    # "unsupported": a photo, voice note, sticker, document...: the citizen is told that
    # only text is understood, and the assistant never sees it.
    kind: Literal["text", "unsupported"] = "text"

    @field_validator("text")
    @classmethod
    def _encodable(cls, text: str) -> str:
        # Otherwise sending it to Rasa fails, and the citizen is told the assistant is down.
        return LONE_SURROGATE.sub("\ufffd", text)

    @property
    def conversation_id(self) -> str:
        """The id under which the assistant keeps this conversation: unique across channels."""
        return f"{self.channel}:{self.sender_id}"


class Reply(BaseModel):
    text: str
    buttons: list[Button] = Field(default_factory=list)
