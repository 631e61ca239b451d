"""Without Redis: no live handoff (the gateway could not bring messages), replies marked."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from backend.handoffs import keys, operations, service
from backend.handoffs.schemas import HandoffIn
from backend.settings import get_settings
from tests.app.backend.console_helpers import make_operator
from tests.app.backend.handoff_helpers import handoff_body

pytestmark = pytest.mark.integration


@pytest.fixture
def redis_down(monkeypatch, redis_prefix):
    # Restored afterwards: the next tests must not inherit the "Redis is down" pause.
    monkeypatch.setattr(keys, "_down_until", 0.0)
    monkeypatch.setattr(get_settings(), "redis_url", "redis://127.0.0.1:1/0")


def test_without_redis_a_handoff_is_a_ticket(db_session, now, redis_down):
    make_operator(db_session, last_seen_at=now - timedelta(seconds=5))
    handoff, created = service.create(db_session, HandoffIn(**handoff_body()))
    assert created and handoff.status == "ticket"


def test_after_a_failure_requests_do_not_wait_for_redis_again(db_session, now, redis_down):
    make_operator(db_session, last_seen_at=now)
    service.create(db_session, HandoffIn(**handoff_body()))
    started = time.monotonic()
    for _ in range(5):
        service.create(db_session, HandoffIn(**handoff_body()))
    assert time.monotonic() - started < 1.0


def test_a_reply_without_redis_is_kept_and_marked_undelivered(
    db_session, now, redis_prefix, monkeypatch
):
    maria = make_operator(db_session, last_seen_at=now)
    handoff, _ = service.create(db_session, HandoffIn(**handoff_body()))
    operations.take(db_session, maria, handoff.id)
    monkeypatch.setattr(keys, "_down_until", 0.0)
    monkeypatch.setattr(get_settings(), "redis_url", "redis://127.0.0.1:1/0")
    message = operations.reply(db_session, maria, handoff.id, "Buongiorno")
    assert message.id is not None
    assert message.delivery_error == operations.UNDELIVERED
