"""The web widget's channel: the reply comes back in the HTTP response.

Messages the citizen did not ask for (an operator's, docs/handoff.md) wait in the
session's outbox, a Redis list the widget polls with `GET /api/web/updates`.
"""

from __future__ import annotations

import asyncio
import json
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field, StringConstraints, ValidationError
from redis.asyncio import Redis

from integrations import texts
from integrations.channels.base import ChannelAdapter
from integrations.dedup import Deduplicator
from integrations.messages import InboundMessage, Reply
from integrations.outbound import outbox_key

ClientId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{8,64}$")]

# Kept for importers of the first version; the texts now live in integrations/texts.py.
EMPTY_MESSAGE = texts.EMPTY_MESSAGE
# How often a retried request looks for the answer its first delivery is still producing.
RECALL_INTERVAL_SECONDS = 0.2


class WebMessageIn(BaseModel):
    session_id: ClientId = Field(description="Random id the widget keeps for its conversation.")
    text: str = Field(description="What the citizen wrote, or a button's payload.")
    message_id: ClientId | None = Field(
        default=None,
        description="Random id of this message: a retry after a network drop reuses it and "
        "gets the first delivery's replies instead of a second answer.",
    )


class WebMessagesOut(BaseModel):
    replies: list[Reply]


class WebUpdatesOut(BaseModel):
    replies: list[Reply]
    next: int = Field(description="Pass it as `after` in the next request.")


class WebChannel(ChannelAdapter):
    name = "web"

    def __init__(self) -> None:
        # Session ids are random, not personal; they are still hashed like every sender.
        super().__init__(log_key=b"sportello-web")

    async def send(self, recipient_id: str, replies: list[Reply]) -> None:
        # Replies travel back in the HTTP response; pushed messages (operators) wait in
        # the session's outbox (integrations/outbound.py) for the widget's polling.
        raise NotImplementedError("the web channel answers in the HTTP response")


async def _recall(dedup: Deduplicator, message_id: str, wait_seconds: float) -> list[Reply]:
    """The replies given to the first delivery of a retried message."""
    for _ in range(max(1, int(wait_seconds / RECALL_INTERVAL_SECONDS))):
        stored = await dedup.recall(WebChannel.name, message_id)
        if stored is not None:
            try:
                return WebMessagesOut.model_validate(json.loads(stored)).replies
            except (ValueError, ValidationError):
                break
        await asyncio.sleep(RECALL_INTERVAL_SECONDS)
    return [texts.STILL_WORKING]


def build_router() -> APIRouter:
    router = APIRouter(tags=["web"])
    channel = WebChannel()

    @router.post("/api/web/messages", response_model=WebMessagesOut)
    async def post_message(body: WebMessageIn, request: Request) -> WebMessagesOut:
        state = request.app.state
        # Scoped by session: another session can never read these replies by guessing.
        message_id = f"{body.session_id}.{body.message_id}" if body.message_id else None
        message = InboundMessage(
            channel=channel.name, sender_id=body.session_id, text=body.text, message_id=message_id
        )
        replies = await state.router.handle(message, channel)
        if message_id is None:
            return WebMessagesOut(replies=replies or [])
        if replies is None:
            wait = state.settings.rasa_timeout_seconds + 1
            return WebMessagesOut(replies=await _recall(state.dedup, message_id, wait))
        out = WebMessagesOut(replies=replies)
        await state.dedup.remember(channel.name, message_id, out.model_dump_json())
        return out

    @router.get("/api/web/updates", response_model=WebUpdatesOut)
    async def updates(
        request: Request,
        session_id: Annotated[ClientId, Query(description="The widget's session id.")],
        after: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    ) -> WebUpdatesOut:
        """Messages pushed to this session (an operator's) from position `after` on."""
        key = outbox_key(request.app.state.store.prefix, session_id)

        async def read(redis: Redis) -> tuple[int, list[str]]:
            length = await redis.llen(key)
            # Past the end: the outbox expired and started again, so all of it is new.
            start = after if after <= length else 0
            return start, await redis.lrange(key, start, -1)

        found = await request.app.state.store.run("web updates", read)
        if found is None:  # Redis down: nothing new, ask again later
            return WebUpdatesOut(replies=[], next=after)
        start, items = found
        replies: list[Reply] = []
        for item in items:
            try:
                replies.append(Reply.model_validate_json(item))
            except ValidationError:
                # Keep the positions right: an unreadable item still counts.
                continue
        return WebUpdatesOut(replies=replies, next=start + len(items))

    return router
