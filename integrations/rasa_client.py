"""Talking to the Rasa servers over the gateway's channel (bot/channels/gateway_channel.py):
Rasa's REST channel messages plus what the assistant understood of the turn."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from dataclasses import dataclass, field
from typing import Any

import httpx

from integrations.messages import Button, Reply
from integrations.privacy_notice import with_link

log = logging.getLogger(__name__)
WEBHOOK = "/webhooks/gateway/webhook"
# Citizens' messages in flight to one Rasa server at a time. Enough to keep a server busy
# while it waits for the action server; the rest wait here, in order, instead of in
# httpx's connection pool (whose queue costs CPU quadratic in its length: half the
# gateway's CPU at 200 citizens, scripts/bench.py) or inside Rasa.
MAX_MESSAGES_IN_FLIGHT = 32


@dataclass
class AssistantTurn:
    """The assistant's replies to one message, and what it understood of it: the tracker
    state's `latest_message` (intent, FAQ key) and place `slots`, or {} if not told."""

    replies: list[Reply]
    state: dict[str, Any] = field(default_factory=dict)


class AssistantUnavailable(Exception):
    """No Rasa server answered in time."""


def pick_server(servers: list[str], conversation_id: str) -> str:
    """Rendezvous hashing: a conversation always lands on the same Rasa server.

    Rasa 3.6's Redis lock store is not safe when one sender's messages are split across
    servers (shared/spec/recipes.md), so the choice must be stable per sender.
    """

    def weight(server: str) -> bytes:
        return hashlib.sha256(f"{server}|{conversation_id}".encode()).digest()

    return max(servers, key=weight)


def parse_rasa_replies(body: object, public_base_url: str = "http://127.0.0.1:8080") -> list[Reply]:
    """Rasa's messages as replies; the privacy notice's mark becomes its address.

    Rasa answers a list of {"text", "buttons"?, "image"?...}: anything else in it is
    skipped, rather than taken for a failure of the assistant.
    """
    replies: list[Reply] = []
    for item in body if isinstance(body, list) else []:
        if not isinstance(item, dict):
            continue
        text = item.get("text")
        listed = item.get("buttons")
        buttons = [
            Button(title=str(b.get("title", "")), payload=str(b.get("payload", "")))
            for b in (listed if isinstance(listed, list) else [])
            if isinstance(b, dict)
        ]
        if isinstance(text, str) and text.strip():
            replies.append(Reply(text=with_link(text.strip(), public_base_url), buttons=buttons))
        elif buttons and replies:
            replies[-1].buttons.extend(buttons)
    return replies


def parse_turn(body: object, public_base_url: str = "http://127.0.0.1:8080") -> AssistantTurn:
    """The gateway channel's answer; a plain REST answer (a list) has replies only."""
    if not isinstance(body, dict):
        return AssistantTurn(parse_rasa_replies(body, public_base_url))
    state = body.get("turn")
    return AssistantTurn(
        parse_rasa_replies(body.get("messages"), public_base_url),
        state if isinstance(state, dict) else {},
    )


class RasaClient:
    def __init__(
        self, servers: list[str], timeout: float, public_base_url: str = "http://127.0.0.1:8080"
    ) -> None:
        self._servers = servers
        self._public_base_url = public_base_url
        self._timeout = timeout
        # A connection for every request allowed in flight, kept alive between requests.
        connections = MAX_MESSAGES_IN_FLIGHT * max(1, len(servers))
        self._client = httpx.AsyncClient(
            timeout=timeout,
            limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
        )
        self._messages = {s: asyncio.Semaphore(MAX_MESSAGES_IN_FLIGHT) for s in servers}

    async def send(self, conversation_id: str, text: str) -> AssistantTurn:
        server = pick_server(self._servers, conversation_id)
        try:
            # The timeout covers the wait for a turn too: the citizen hears within it.
            async with asyncio.timeout(self._timeout), self._messages[server]:
                response = await self._client.post(
                    f"{server}{WEBHOOK}", json={"sender": conversation_id, "message": text}
                )
            response.raise_for_status()
            body = response.json()
        except (httpx.HTTPError, ValueError, TimeoutError) as exc:
            log.warning("Rasa server %s failed: %s", server, type(exc).__name__)
            raise AssistantUnavailable from exc
        return parse_turn(body, self._public_base_url)

    async def aclose(self) -> None:
        await self._client.aclose()
