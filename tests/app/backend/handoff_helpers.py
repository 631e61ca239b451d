"""Handoff test helpers (fixtures `now`, `redis_prefix`, `redis_client`: conftest.py).

The instants are chosen in a week without holidays: Monday 23 November 2026, when every
seeded office opens 09:00-12:30 (and only in the morning on Mondays).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
import redis
from sqlalchemy.orm import Session

from backend.services import clock

MONDAY_OPEN = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # 10:00 in Rome
MONDAY_CLOSED = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)  # 14:00 in Rome


def set_now(monkeypatch: pytest.MonkeyPatch, instant: datetime) -> None:
    monkeypatch.setattr(clock, "now", lambda: instant)


def outbound(client: redis.Redis, prefix: str) -> list[dict[str, str]]:
    return [fields for _, fields in client.xrange(f"{prefix}outbound")]


def handoff_body(conversation_id: str | None = None, **fields: Any) -> dict[str, Any]:
    return {
        "conversation_id": conversation_id or f"web:{uuid.uuid4().hex[:12]}",
        "channel": "web",
        "reason": "request_human",
        "comune": "Cosenza",
        "office_code": None,
        "context": {"intents": ["request_human"], "comune": "Cosenza", "misura": "adi"},
        "transcript": [
            {
                "sender": "citizen",
                "text": "voglio parlare con qualcuno",
                "at": "2026-11-23T08:59:00Z",
            },
            {"sender": "bot", "text": "Ti passo a un operatore.", "at": "2026-11-23T08:59:01Z"},
        ],
        **fields,
    }


@contextmanager
def shared_session(session: Session) -> Iterator[Session]:
    """The test's session as a consumer's session factory gives it (never closed here)."""
    yield session
