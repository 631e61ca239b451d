"""Retention: what is past its period is purged, what is recent or still needed is kept.

Real PostgreSQL (the test's rolled-back transaction) and Redis (a prefix of the test's own).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from backend.models import AuditEntry, Booking, Handoff, HandoffMessage, Reminder
from backend.privacy.retention import PurgeCounts, purge
from backend.settings import get_settings
from tests.app.backend.privacy_helpers import add_booking, add_handoff

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[3]
NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)


def days_ago(n: float) -> datetime:
    return NOW - timedelta(days=n)


@pytest.fixture
def clean(db_session):
    """Rows other tests committed, past their period at NOW, are purged first (rolled back
    with the test), so that the counts below are this test's own."""
    purge(db_session, NOW)
    return db_session


def test_finished_handoffs_and_their_transcripts_go_after_the_retention_period(clean):
    session = clean
    old_closed = add_handoff(session, "web:old-closed", "closed", days_ago(45), days_ago(40))
    old_cancelled = add_handoff(
        session, "web:old-cancel", "cancelled", days_ago(31), days_ago(31), messages=3
    )
    recent = add_handoff(session, "web:recent", "closed", days_ago(12), days_ago(10))
    open_ticket = add_handoff(session, "telegram:1", "ticket", days_ago(100))
    active = add_handoff(session, "web:active", "active", days_ago(60))

    counts = purge(session, NOW)

    assert counts == PurgeCounts(handoffs=2, handoff_messages=5)
    left = set(session.scalars(select(Handoff.id)))
    assert {old_closed.id, old_cancelled.id}.isdisjoint(left)
    # Recent transcripts stay; open ones wait for an operator to close them.
    assert {recent.id, open_ticket.id, active.id} <= left
    assert not session.scalars(
        select(HandoffMessage).where(
            HandoffMessage.handoff_id.in_([old_closed.id, old_cancelled.id])
        )
    ).all()


def test_the_period_is_configurable(clean, monkeypatch):
    add_handoff(clean, "web:ten-days", "closed", days_ago(12), days_ago(10))
    monkeypatch.setenv("TRANSCRIPT_RETENTION_DAYS", "7")
    get_settings.cache_clear()
    try:
        assert purge(clean, NOW).handoffs == 1
    finally:
        monkeypatch.delenv("TRANSCRIPT_RETENTION_DAYS")
        get_settings.cache_clear()


def test_bookings_lose_name_contact_and_reminder_after_the_appointment_but_stay(clean):
    session = clean
    old = add_booking(session, days_ago(40), conversation=("web", "old-booking"))
    recent = add_booking(session, days_ago(10), conversation=("web", "recent-booking"))
    future = add_booking(session, NOW + timedelta(days=5), conversation=("telegram", "42"))
    cancelled = add_booking(
        session,
        NOW + timedelta(days=20),
        status="cancelled",
        cancelled_at=days_ago(35),
        conversation=("whatsapp", "393331234567"),
    )

    counts = purge(session, NOW)

    assert counts == PurgeCounts(bookings_anonymised=2, reminders=2)
    session.expire_all()
    for booking in (old, cancelled):
        row = session.get(Booking, booking.id)
        assert row is not None  # the office's record of the appointment
        assert (row.citizen_name, row.contact_kind, row.contact_value) == (None, None, None)
        assert row.tax_code_hash == booking.tax_code_hash
    for booking in (recent, future):
        row = session.get(Booking, booking.id)
        assert (row.citizen_name, row.contact_value) == ("Mario Rossi", "+393331234567")
    reminded = set(session.scalars(select(Reminder.booking_id)))
    assert {recent.id, future.id} <= reminded
    assert {old.id, cancelled.id}.isdisjoint(reminded)
    # A second run finds nothing more to do.
    assert purge(session, NOW) == PurgeCounts()


def test_audit_entries_go_after_their_own_period(clean):
    session = clean
    session.add_all(
        [
            AuditEntry(at=days_ago(400), action="login", detail="vecchio"),
            AuditEntry(at=days_ago(366), action="take", detail="vecchio"),
            AuditEntry(at=days_ago(100), action="close", detail="recente"),
        ]
    )
    session.flush()
    assert purge(session, NOW) == PurgeCounts(audit_entries=2)
    assert [e.detail for e in session.scalars(select(AuditEntry))] == ["recente"]


def test_old_stream_entries_are_trimmed(clean, redis_client, redis_prefix):
    old_ms = int(days_ago(2).timestamp() * 1000)
    recent_ms = int((NOW - timedelta(hours=1)).timestamp() * 1000)
    for stream in ("inbound", "outbound"):
        redis_client.xadd(f"{redis_prefix}{stream}", {"text": "vecchio"}, id=f"{old_ms}-0")
        redis_client.xadd(f"{redis_prefix}{stream}", {"text": "recente"}, id=f"{recent_ms}-0")
    assert purge(clean, NOW).stream_entries == 2
    for stream in ("inbound", "outbound"):
        assert [f["text"] for _, f in redis_client.xrange(f"{redis_prefix}{stream}")] == ["recente"]


def test_the_command_for_cron_purges_and_prints_the_counts(database_url):
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "PYTHONPATH": str(ROOT),
        "SPORTELLO_ENV": "test",
    }
    done = subprocess.run(
        [sys.executable, "-m", "backend.privacy.retention"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    counts = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(counts) == set(PurgeCounts().__dict__)
