"""Reading and writing the handoff's Redis keys and streams as the backend would."""

from __future__ import annotations

import json

import redis


class Backend:
    """The backend's side of docs/handoff.md, written straight to the real Redis."""

    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self.redis = client
        self.prefix = prefix

    def set_mode(self, conversation_id: str, status: str, handoff_id: int = 17) -> None:
        value = json.dumps({"handoff_id": handoff_id, "status": status})
        self.redis.set(f"{self.prefix}mode:{conversation_id}", value)

    def mode(self, conversation_id: str) -> str | None:
        return self.redis.get(f"{self.prefix}mode:{conversation_id}")

    def inbound(self) -> list[dict[str, str]]:
        return [fields for _, fields in self.redis.xrange(f"{self.prefix}inbound")]

    def push(self, conversation_id: str, text: str, event_id: str, **fields: str) -> str:
        entry = {
            "event_id": event_id,
            "kind": "operator_message",
            "conversation_id": conversation_id,
            "handoff_id": "17",
            "text": text,
            **fields,
        }
        return self.redis.xadd(f"{self.prefix}outbound", entry)

    def deliveries(self) -> list[dict[str, str]]:
        return [fields for fields in self.inbound() if fields["kind"] == "delivery"]

    def pending(self) -> int:
        return self.redis.xpending(f"{self.prefix}outbound", "gateway")["pending"]
