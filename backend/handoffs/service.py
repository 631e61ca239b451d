"""Creating a handoff and leaving a ticket: what the action server asks for.

Each operation commits, then tells the consoles. A handoff is live (`waiting`) when its
queue is open now and someone who may take it is online, and its mode could be written
to Redis (otherwise the gateway could not bring the citizen's messages); else a ticket.
"""

import hashlib
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from backend.analytics import ingest as analytics
from backend.api.errors import ApiError
from backend.console import audit
from backend.handoffs import contact, events, mode
from backend.handoffs.queue import CREATED, online_operators
from backend.handoffs.redaction import redact
from backend.handoffs.routing import find_queue, queue_open
from backend.handoffs.schemas import HandoffIn, TicketIn
from backend.models import Handoff, HandoffMessage
from backend.services import clock

OPEN = ("waiting", "active", "ticket")
NOT_FOUND = "Richiesta di contatto con un operatore non trovata."


def open_handoff(session: Session, conversation_id: str) -> Handoff | None:
    return session.scalar(
        select(Handoff)
        .where(Handoff.conversation_id == conversation_id, Handoff.status.in_(OPEN))
        .order_by(Handoff.id.desc())
        .limit(1)
    )


def _lock_conversation(session: Session, conversation_id: str) -> None:
    """Serialise creations for one conversation, so that two requests make one handoff."""
    if session.get_bind().dialect.name != "postgresql":
        return  # SQLite has a single writer
    key = int.from_bytes(hashlib.sha256(conversation_id.encode()).digest()[:8], signed=True)
    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def _redacted(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list):
        return [_redacted(item) for item in value]
    if isinstance(value, dict):
        return {str(k): _redacted(v) for k, v in value.items()}
    return value


def create(session: Session, data: HandoffIn, now: datetime | None = None) -> tuple[Handoff, bool]:
    """The conversation's open handoff if it has one (False), else a new one (True)."""
    now = now or clock.now()
    _lock_conversation(session, data.conversation_id)
    existing = open_handoff(session, data.conversation_id)
    if existing is not None:
        return existing, False
    queue = find_queue(session, data.office_code, data.comune)
    live = queue_open(session, queue, now) and bool(online_operators(session, queue, now))
    handoff = Handoff(
        conversation_id=data.conversation_id,
        channel=data.channel,
        status="waiting" if live else "ticket",
        reason=data.reason,
        office_id=queue.office.id if queue.office else None,
        office=queue.office,
        region=queue.region,
        context=_redacted(data.context),
        created_at=now,
    )
    session.add(handoff)
    session.flush()
    analytics.record_handoff(session, handoff)
    for number, line in enumerate(data.transcript):
        session.add(
            HandoffMessage(
                handoff_id=handoff.id,
                uid=f"t:{handoff.id}:{number}",
                sender=line.sender,
                text=redact(line.text),
                at=line.at,
            )
        )
    if live and not mode.set_mode(data.conversation_id, handoff.id, "waiting"):
        handoff.status = "ticket"
    audit.record(session, CREATED, handoff_id=handoff.id, detail=_kind(handoff))
    session.commit()
    events.publish("handoff_created", handoff)
    return handoff, True


def _kind(handoff: Handoff) -> str:
    return "live" if handoff.status == "waiting" else "ticket"


def submit_ticket(
    session: Session, handoff_id: int, data: TicketIn, now: datetime | None = None
) -> Handoff:
    """Store the citizen's message and how they want an answer."""
    now = now or clock.now()
    handoff = session.get(Handoff, handoff_id, with_for_update=True)
    if handoff is None:
        raise ApiError(404, NOT_FOUND)
    if handoff.status != "ticket":
        raise ApiError(
            409,
            "Questa richiesta non aspetta un messaggio: è già in carico a un operatore o chiusa.",
        )
    handoff.contact_preference = data.contact_preference
    handoff.contact_value = contact.validated(data.contact_preference, data.contact_value)
    message = redact(data.message.strip())
    # The same message sent again (a retried request) is stored once.
    uid = f"ticket:{handoff.id}:{hashlib.sha256(message.encode()).hexdigest()[:32]}"
    if session.scalar(select(HandoffMessage.id).where(HandoffMessage.uid == uid)) is None:
        session.add(
            HandoffMessage(handoff_id=handoff.id, uid=uid, sender="citizen", text=message, at=now)
        )
        audit.record(
            session, "ticket_message", handoff_id=handoff.id, detail=data.contact_preference
        )
    session.commit()
    events.publish("handoff_updated", handoff)
    return handoff
