"""The gateway's channel: Rasa's REST channel, plus what the assistant understood of the turn.

    POST /webhooks/gateway/webhook {"sender": ..., "message": ...}
    -> {"messages": [the REST channel's messages],
        "turn": {"latest_message": {"intent": {...}, "response_selector": {faq key}},
                 "slots": {the slots that place the conversation}}}

The gateway's analytics (integrations/analytics.py) count intents, FAQ topics and
fallbacks by province. The REST channel's answer carries none of that, and reading the
tracker back over Rasa's HTTP API after every reply cost a second request, a second
read of the whole conversation from the tracker store, and made the conversation's next
message wait for it (scripts/bench.py: 8 % of Rasa's CPU, half the gateway's). So the
turn is taken from the tracker as Rasa saves it: importing this module wraps
`MessageProcessor.save_tracker` to note, for the conversations this channel is waiting
for and no others, the intent, the FAQ key and the place slots. Nothing else leaves
Rasa: no text, no other slot (names, contacts and tax codes stay in the tracker).

Configured in bot/credentials.yml; the plain `rest` channel stays for the benchmark's
bare-Rasa target and for tools.
"""

from __future__ import annotations

import logging
from asyncio import CancelledError
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.processor import MessageProcessor
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)

# Slots that place a conversation, for the analytics by province (bot/domain).
PLACE_SLOTS = ("comune", "appointment_office")
RETRIEVAL_INTENT = "faq"

# Conversations whose turn this channel is waiting for -> the turn, once saved.
_awaited: dict[str, dict[str, Any] | None] = {}


def turn_of(tracker: DialogueStateTracker) -> dict[str, Any]:
    """Intent, FAQ key and place slots of the tracker's latest turn, in the tracker
    state's shape (`GET /conversations/<id>/tracker`), so readers need not care which."""
    parse = tracker.latest_message.parse_data if tracker.latest_message else {}
    latest: dict[str, Any] = {"intent": dict(parse.get("intent") or {})}
    selector = (parse.get("response_selector") or {}).get(RETRIEVAL_INTENT) or {}
    key = (selector.get("response") or {}).get("intent_response_key")
    if key:
        latest["response_selector"] = {RETRIEVAL_INTENT: {"response": {"intent_response_key": key}}}
    slots = {name: tracker.get_slot(name) for name in PLACE_SLOTS if name in tracker.slots}
    return {"latest_message": latest, "slots": slots}


def _install_hook() -> None:
    original = MessageProcessor.save_tracker
    if getattr(original, "_notes_turns", False):
        return

    async def save_tracker(self: MessageProcessor, tracker: DialogueStateTracker) -> None:
        await original(self, tracker)
        if tracker.sender_id in _awaited:
            _awaited[tracker.sender_id] = turn_of(tracker)

    save_tracker._notes_turns = True  # type: ignore[attr-defined]
    MessageProcessor.save_tracker = save_tracker  # type: ignore[method-assign]


_install_hook()


class GatewayInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "gateway"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("gateway_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            sender_id = await self._extract_sender(request)
            text = self._extract_message(request)
            collector = CollectingOutputChannel()
            _awaited[sender_id] = None
            try:
                await on_new_message(
                    UserMessage(
                        text,
                        collector,
                        sender_id,
                        input_channel=self._extract_input_channel(request),
                        metadata=self.get_metadata(request),
                    )
                )
            except CancelledError:
                # What the REST channel does: the messages so far, logged without the text.
                logger.error("gateway channel: a message timed out")
            except Exception:
                logger.exception("gateway channel: a message failed")
            finally:
                turn = _awaited.pop(sender_id, None)
            return response.json({"messages": collector.messages, "turn": turn})

        return webhook
