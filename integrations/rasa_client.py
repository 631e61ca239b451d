"""Talking to the Rasa servers over their REST channel."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from typing import Any
from urllib.parse import quote

import httpx

from integrations.messages import Button, Reply
from integrations.privacy_notice import with_link

log = logging.getLogger(__name__)
# The tracker read is off the citizen's path, but must not pile up behind a slow Rasa.
TRACKER_TIMEOUT_SECONDS = 3.0
# Requests in flight to one Rasa server at a time: citizens' messages, tracker reads.
# Enough to keep a server busy while it waits for the action server; the rest wait here,
# in order, instead of in httpx's connection pool (whose queue costs CPU quadratic in its
# length: half the gateway's CPU at 200 citizens, scripts/bench.py) or inside Rasa.
MAX_MESSAGES_IN_FLIGHT = 32
MAX_TRACKER_READS_IN_FLIGHT = 32


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


class RasaClient:
    def __init__(
        self, servers: list[str], timeout: float, public_base_url: str = "http://127.0.0.1:8080"
    ) -> None:
        self._servers = servers
        self._public_base_url = public_base_url
        self._timeout = timeout
        per_server = MAX_MESSAGES_IN_FLIGHT + MAX_TRACKER_READS_IN_FLIGHT
        # A connection for every request allowed in flight, kept alive between requests.
        connections = per_server * max(1, len(servers))
        self._client = httpx.AsyncClient(
            timeout=timeout,
            limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
        )
        self._messages = {s: asyncio.Semaphore(MAX_MESSAGES_IN_FLIGHT) for s in servers}
        self._reads = {s: asyncio.Semaphore(MAX_TRACKER_READS_IN_FLIGHT) for s in servers}

    async def send(self, conversation_id: str, text: str) -> list[Reply]:
        server = pick_server(self._servers, conversation_id)
        try:
            # The timeout covers the wait for a turn too: the citizen hears within it.
            async with asyncio.timeout(self._timeout), self._messages[server]:
                response = await self._client.post(
                    f"{server}/webhooks/rest/webhook",
                    json={"sender": conversation_id, "message": text},
                )
            response.raise_for_status()
            return parse_rasa_replies(response.json(), self._public_base_url)
        except (httpx.HTTPError, ValueError, TimeoutError) as exc:
            log.warning("Rasa server %s failed: %s", server, type(exc).__name__)
            raise AssistantUnavailable from exc

    async def tracker_state(self, conversation_id: str) -> dict[str, Any] | None:
        """The conversation's current state without its events (latest message, slots).

        For the analytics (integrations/analytics.py); None when Rasa does not answer.
        """
        server = pick_server(self._servers, conversation_id)
        try:
            async with asyncio.timeout(TRACKER_TIMEOUT_SECONDS), self._reads[server]:
                response = await self._client.get(
                    f"{server}/conversations/{quote(conversation_id, safe=':')}/tracker",
                    params={"include_events": "NONE"},
                )
            response.raise_for_status()
            state = response.json()
        except (httpx.HTTPError, ValueError, TimeoutError) as exc:
            log.info("tracker of a conversation not read from %s: %s", server, type(exc).__name__)
            return None
        return state if isinstance(state, dict) else None

    async def aclose(self) -> None:
        await self._client.aclose()
