"""Erasure on request: a citizen's conversation data, deleted from PostgreSQL and Redis.

What goes (docs/privacy.md): the conversation's handoffs with their transcripts, the
reminders of bookings made from it (they name the chat), name and contact on the
citizen's bookings whose appointment is over or cancelled, the handoff mode key, the
web widget's outbox and the Rasa tracker. What stays: upcoming bookings (the office's
record of an appointment the citizen still has; they may cancel it), the tax code's
keyed hash on bookings, and the audit log (it never holds citizens' data).

The Rasa tracker is erased twice. At once, and again after the conversation turn that
asked for the erasure: Rasa saves the tracker at the end of that turn. `after_turn`
waits for the turn by asking Rasa to replace the conversation's events with none (Rasa
serves that request only once the conversation's lock is free), which empties the
in-memory tracker store, then deletes the Redis key again (Rasa's Redis store merges a
replacement with what it holds, so only deleting the key empties it).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote

import httpx
from redis.exceptions import RedisError
from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session, joinedload

from backend.console import audit
from backend.handoffs import keys
from backend.models import Booking, Handoff, HandoffMessage, Reminder, Slot
from backend.services import clock, tax_codes
from backend.services.appointment_data import services
from backend.settings import get_settings

log = logging.getLogger(__name__)

# Rasa answers the replacement once the turn that asked for the erasure has ended.
RASA_WAIT_SECONDS = 60.0


@dataclass
class Erasure:
    handoffs: int = 0
    handoff_messages: int = 0
    reminders: int = 0
    bookings_anonymised: int = 0
    redis_keys: int = 0
    upcoming_bookings: list[dict[str, Any]] = field(default_factory=list)


def _reminder_conversation(conversation_id: str) -> tuple[str, str]:
    """Reminders keep ("web", "abc123") for the gateway's "web:abc123"."""
    channel, _, rest = conversation_id.partition(":")
    return channel, rest


def _booking_ids(session: Session, conversation_id: str, tax_code: str | None) -> set[int]:
    channel, rest = _reminder_conversation(conversation_id)
    ids = set(
        session.scalars(
            select(Reminder.booking_id).where(
                Reminder.channel == channel, Reminder.conversation_id == rest
            )
        )
    )
    if tax_code:
        ids |= set(
            session.scalars(
                select(Booking.id).where(Booking.tax_code_hash == tax_codes.lookup_hash(tax_code))
            )
        )
    return ids


def _upcoming(booking: Booking, now: datetime) -> bool:
    return booking.status == "confirmed" and booking.slot.starts_at > now


def _describe(booking: Booking) -> dict[str, Any]:
    service = services().get(booking.slot.service_code)
    return {
        "code": booking.code,
        "starts_at": clock.to_local(booking.slot.starts_at).isoformat(),
        "office_name": booking.slot.office.name,
        "service_name": service.name if service else booking.slot.service_code,
    }


def _erase_bookings(
    session: Session, conversation_id: str, tax_code: str | None, now: datetime, result: Erasure
) -> None:
    ids = _booking_ids(session, conversation_id, tax_code)
    if not ids:
        return
    channel, rest = _reminder_conversation(conversation_id)
    result.reminders = session.execute(
        delete(Reminder).where(
            or_(
                (Reminder.channel == channel) & (Reminder.conversation_id == rest),
                Reminder.booking_id.in_(ids),
            )
        )
    ).rowcount
    bookings = session.scalars(
        select(Booking)
        .where(Booking.id.in_(ids))
        .options(joinedload(Booking.slot).joinedload(Slot.office))
        .join(Booking.slot)
        .order_by(Slot.starts_at)
    ).all()
    upcoming = [b for b in bookings if _upcoming(b, now)]
    result.upcoming_bookings = [_describe(b) for b in upcoming]
    # The office still needs to reach the citizen about an appointment still to come.
    finished = [b.id for b in bookings if not _upcoming(b, now)]
    if finished:
        result.bookings_anonymised = session.execute(
            update(Booking)
            .where(
                Booking.id.in_(finished),
                or_(Booking.citizen_name.is_not(None), Booking.contact_value.is_not(None)),
            )
            .values(citizen_name=None, contact_kind=None, contact_value=None)
            .execution_options(synchronize_session=False)
        ).rowcount


def redis_keys(conversation_id: str) -> list[str]:
    settings = get_settings()
    names = [keys.mode_key(conversation_id)]
    channel, rest = _reminder_conversation(conversation_id)
    if channel == "web":
        names.append(f"{settings.gateway_redis_prefix}web:outbox:{rest}")
    if settings.rasa_tracker_key_prefix:
        names.append(f"{settings.rasa_tracker_key_prefix}{conversation_id}")
    return names


def _delete_keys(conversation_id: str) -> int:
    names = redis_keys(conversation_id)
    try:
        return int(keys.call(lambda r: r.delete(*names)))
    except (RedisError, OSError) as exc:
        log.warning("Redis unavailable (%s): conversation keys not erased", type(exc).__name__)
        return 0


def erase(
    session: Session, conversation_id: str, tax_code: str | None = None, now: datetime | None = None
) -> Erasure:
    """Erase the conversation's data; commit; say what was erased and what is kept."""
    now = now or clock.now()
    result = Erasure()
    ids = list(
        session.scalars(select(Handoff.id).where(Handoff.conversation_id == conversation_id))
    )
    if ids:
        result.handoff_messages = session.execute(
            delete(HandoffMessage).where(HandoffMessage.handoff_id.in_(ids))
        ).rowcount
        result.handoffs = session.execute(delete(Handoff).where(Handoff.id.in_(ids))).rowcount
    _erase_bookings(session, conversation_id, tax_code, now, result)
    # Accountability without personal data: what was erased, never whose.
    audit.record(
        session,
        "privacy_erased",
        detail=(
            f"handoff {result.handoffs}, messaggi {result.handoff_messages}, "
            f"promemoria {result.reminders}, prenotazioni anonimizzate "
            f"{result.bookings_anonymised}"
        ),
    )
    session.commit()
    result.redis_keys = _delete_keys(conversation_id)
    return result


def after_turn(conversation_id: str) -> None:
    """Once Rasa has saved the turn that asked for the erasure, erase its tracker again."""
    settings = get_settings()
    if settings.rasa_url:
        url = f"{settings.rasa_url.rstrip('/')}/conversations/{quote(conversation_id, safe=':')}"
        try:
            httpx.put(f"{url}/tracker/events", json=[], timeout=RASA_WAIT_SECONDS)
        except httpx.HTTPError as exc:
            log.warning("Rasa tracker not replaced (%s)", type(exc).__name__)
    _delete_keys(conversation_id)
