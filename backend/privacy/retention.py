"""Keep citizens' data only as long as the service needs it (docs/privacy.md).

`purge(session, now)` deletes what is past its retention period and returns how much:

- handoffs closed or cancelled more than TRANSCRIPT_RETENTION_DAYS ago, with their
  transcripts (open ones, tickets included, wait for an operator to close them);
- on bookings whose appointment (or cancellation) is more than
  BOOKING_CONTACT_RETENTION_DAYS old: the citizen's name and contact, and the reminder
  (which names the chat). The booking row stays, with the tax code's keyed hash: it is
  the office's record of the appointment;
- audit entries older than AUDIT_RETENTION_DAYS;
- entries of the handoff streams in Redis older than STREAM_RETENTION_HOURS.

The backend runs it every PURGE_INTERVAL_HOURS (backend/privacy/background.py); cron can
run `python -m backend.privacy.retention` instead or as well: it is idempotent.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from redis.exceptions import RedisError
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from backend.handoffs import keys
from backend.models import AuditEntry, Booking, Handoff, HandoffMessage, Reminder, Slot
from backend.services import clock
from backend.settings import Settings, get_settings

log = logging.getLogger(__name__)

FINISHED = ("closed", "cancelled")


@dataclass
class PurgeCounts:
    handoffs: int = 0
    handoff_messages: int = 0
    bookings_anonymised: int = 0
    reminders: int = 0
    audit_entries: int = 0
    stream_entries: int = 0


def _purge_handoffs(session: Session, cutoff: datetime, counts: PurgeCounts) -> None:
    finished_at = func.coalesce(Handoff.closed_at, Handoff.created_at)
    old = select(Handoff.id).where(Handoff.status.in_(FINISHED), finished_at < cutoff)
    ids = list(session.scalars(old))
    if not ids:
        return
    counts.handoff_messages = session.execute(
        delete(HandoffMessage).where(HandoffMessage.handoff_id.in_(ids))
    ).rowcount
    counts.handoffs = session.execute(delete(Handoff).where(Handoff.id.in_(ids))).rowcount


def _purge_booking_contacts(session: Session, cutoff: datetime, counts: PurgeCounts) -> None:
    past = (
        select(Booking.id)
        .join(Slot, Slot.id == Booking.slot_id)
        .where(
            or_(
                Slot.ends_at < cutoff,
                (Booking.status == "cancelled") & (Booking.cancelled_at < cutoff),
            )
        )
    )
    ids = list(session.scalars(past))
    if not ids:
        return
    counts.reminders = session.execute(
        delete(Reminder).where(Reminder.booking_id.in_(ids))
    ).rowcount
    counts.bookings_anonymised = session.execute(
        update(Booking)
        .where(
            Booking.id.in_(ids),
            or_(
                Booking.citizen_name.is_not(None),
                Booking.contact_kind.is_not(None),
                Booking.contact_value.is_not(None),
            ),
        )
        .values(citizen_name=None, contact_kind=None, contact_value=None)
        .execution_options(synchronize_session=False)
    ).rowcount


def _trim_streams(now: datetime, hours: int) -> int:
    """XTRIM MINID: stream ids start with their time in milliseconds."""
    oldest = int((now - timedelta(hours=hours)).timestamp() * 1000)
    trimmed = 0
    for stream in (keys.inbound_stream(), keys.outbound_stream()):
        try:
            # Exact: an approximate trim leaves small streams whole.
            trimmed += int(
                keys.call(lambda r, s=stream: r.xtrim(s, minid=oldest, approximate=False))
            )
        except (RedisError, OSError) as exc:
            log.warning("Redis unavailable (%s): stream %s not trimmed", type(exc).__name__, stream)
    return trimmed


def purge(
    session: Session, now: datetime | None = None, settings: Settings | None = None
) -> PurgeCounts:
    """Delete what is past its retention period; commit; return the counts."""
    now = now or clock.now()
    settings = settings or get_settings()
    counts = PurgeCounts()
    _purge_handoffs(session, now - timedelta(days=settings.transcript_retention_days), counts)
    _purge_booking_contacts(
        session, now - timedelta(days=settings.booking_contact_retention_days), counts
    )
    counts.audit_entries = session.execute(
        delete(AuditEntry).where(
            AuditEntry.at < now - timedelta(days=settings.audit_retention_days)
        )
    ).rowcount
    session.commit()
    counts.stream_entries = _trim_streams(now, settings.stream_retention_hours)
    return counts


def main() -> None:
    """`python -m backend.privacy.retention`: one purge, counts printed as JSON (cron)."""
    from backend.db import get_sessionmaker
    from redaction.logs import install

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    install()
    with get_sessionmaker()() as session:
        counts = purge(session)
    print(json.dumps(asdict(counts)))


if __name__ == "__main__":
    main()
