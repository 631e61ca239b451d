"""The web widget's channel: the reply comes back in the HTTP response."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field, StringConstraints

from integrations.channels.base import ChannelAdapter
from integrations.messages import InboundMessage, Reply

SessionId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{8,64}$")]

EMPTY_MESSAGE = Reply(text="Il messaggio è vuoto: scrivi la tua domanda e te la giro.")


class WebMessageIn(BaseModel):
    session_id: SessionId = Field(description="Random id the widget keeps for its conversation.")
    text: str = Field(description="What the citizen wrote, or a button's payload.")


class WebMessagesOut(BaseModel):
    replies: list[Reply]


class WebChannel(ChannelAdapter):
    name = "web"

    async def send(self, recipient_id: str, replies: list[Reply]) -> None:
        # Replies travel back in the HTTP response; pushed messages (operators) arrive
        # through the widget's polling of its conversation (see the handoff issue).
        raise NotImplementedError("the web channel answers in the HTTP response")


def build_router() -> APIRouter:
    router = APIRouter(tags=["web"])
    channel = WebChannel()

    @router.post("/api/web/messages", response_model=WebMessagesOut)
    async def post_message(body: WebMessageIn, request: Request) -> WebMessagesOut:
        settings = request.app.state.settings
        text = body.text.strip()
        if not text:
            return WebMessagesOut(replies=[EMPTY_MESSAGE])
        if len(text) > settings.max_message_chars:
            return WebMessagesOut(
                replies=[
                    Reply(
                        text=(
                            "Il messaggio è troppo lungo: riassumilo in meno di "
                            f"{settings.max_message_chars} caratteri, per favore."
                        )
                    )
                ]
            )
        message = InboundMessage(channel=channel.name, sender_id=body.session_id, text=text)
        replies = await request.app.state.router.handle(message)
        return WebMessagesOut(replies=replies)

    return router
