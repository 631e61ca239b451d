"""Live events for the consoles: `handoff_created`, `handoff_updated`, `message`.

An event goes to this process's WebSocket connections at once (the in-process hub),
and to the other backend processes through the Redis pub/sub channel `<prefix>console`;
each process's listener hands what the others published to its own hub. Every
connection receives only the events of handoffs its operator may see.
"""

import asyncio
import json
import logging
import os
import uuid
from dataclasses import dataclass, field
from typing import Any

from redis.exceptions import RedisError

from backend.handoffs import keys
from backend.handoffs.visibility import Viewer
from backend.models import Handoff

log = logging.getLogger(__name__)

# Tells this process's own messages apart when they come back from the channel.
ORIGIN = f"{os.getpid()}:{uuid.uuid4().hex[:8]}"
# Events a slow console may have waiting before the newest are dropped.
QUEUE_SIZE = 200


@dataclass(eq=False)
class Connection:
    viewer: Viewer
    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue[dict[str, Any]] = field(
        default_factory=lambda: asyncio.Queue(maxsize=QUEUE_SIZE)
    )

    def offer(self, event: dict[str, Any]) -> None:
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            log.warning(
                "console of operator %s is not reading: event dropped", self.viewer.operator_id
            )


class Hub:
    """This process's console connections."""

    def __init__(self) -> None:
        self._connections: set[Connection] = set()

    def connect(self, viewer: Viewer) -> Connection:
        """Called from the event loop of the WebSocket."""
        connection = Connection(viewer, asyncio.get_running_loop())
        self._connections.add(connection)
        return connection

    def disconnect(self, connection: Connection) -> None:
        self._connections.discard(connection)

    def deliver(self, message: dict[str, Any]) -> None:
        """Hand an event to every connection allowed to see it; safe from any thread."""
        scope, event = message["scope"], message["event"]
        for connection in list(self._connections):
            if connection.viewer.can_see(scope.get("office_id"), scope.get("region")):
                try:
                    connection.loop.call_soon_threadsafe(connection.offer, event)
                except RuntimeError:  # its loop is closed: the socket is gone
                    self._connections.discard(connection)


hub = Hub()


def _message(event_type: str, handoff: Handoff, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "origin": ORIGIN,
        "scope": {"office_id": handoff.office_id, "region": handoff.region},
        "event": {"type": event_type, "handoff_id": handoff.id, "status": handoff.status, **data},
    }


def publish(event_type: str, handoff: Handoff, **data: Any) -> None:
    """Tell every console that may see the handoff; call after the change is committed."""
    message = _message(event_type, handoff, data)
    hub.deliver(message)
    try:
        payload = json.dumps(message, default=str)
        keys.call(lambda r: r.publish(keys.console_channel(), payload))
    except (RedisError, OSError) as exc:
        log.warning("Redis unavailable (%s): console event not shared", type(exc).__name__)


def receive(raw: str) -> None:
    """A message from the channel: deliver it here unless this process published it."""
    try:
        message = json.loads(raw)
    except ValueError:
        return
    if isinstance(message, dict) and message.get("origin") != ORIGIN and "event" in message:
        hub.deliver(message)
