"""What arrives on the inbound stream: a citizen's message, a cancel, a delivery report.

Synchronous (the ORM is), run by the consumer in a worker thread. Each handler commits
its own change; the consumer acknowledges the entry only afterwards. `uid` makes a
redelivered message harmless: stored once, and a notice for it has a fixed event id.
"""

import hashlib
import logging
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.console import audit
from backend.handoffs import events, mode, outbound, texts
from backend.handoffs.redaction import redact
from backend.handoffs.service import open_handoff
from backend.handoffs.views import message_with_name
from backend.models import Handoff, HandoffMessage
from backend.services import clock

log = logging.getLogger(__name__)

MAX_TEXT = 4000
_UID_MAX = 80


def _uid(raw: str) -> str:
    # The column holds 80 characters; longer ids from a channel become a stable hash.
    if len(raw) <= _UID_MAX:
        return raw
    return "h:" + hashlib.sha256(raw.encode()).hexdigest()


def _at(raw: str | None) -> datetime:
    try:
        at = datetime.fromisoformat((raw or "").replace("Z", "+00:00"))
    except ValueError:
        return clock.now()
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _handoff_id(fields: dict[str, str]) -> int | None:
    try:
        return int(fields.get("handoff_id", ""))
    except ValueError:
        return None


def target(session: Session, fields: dict[str, str]) -> Handoff | None:
    """The conversation's open handoff, else the one the entry names (if it is its own)."""
    conversation_id = fields.get("conversation_id", "")
    found = open_handoff(session, conversation_id)
    if found is not None:
        return found
    named = _handoff_id(fields)
    handoff = session.get(Handoff, named) if named is not None else None
    return handoff if handoff is not None and handoff.conversation_id == conversation_id else None


def store_message(session: Session, fields: dict[str, str]) -> None:
    uid = _uid(fields.get("uid", ""))
    conversation_id = fields.get("conversation_id", "")
    if not uid or not conversation_id:
        log.warning("inbound message without uid or conversation: dropped")
        return
    if session.scalar(select(HandoffMessage.id).where(HandoffMessage.uid == uid)) is not None:
        return  # a redelivery: already stored
    handoff = target(session, fields)
    if handoff is None or handoff.status in ("closed", "cancelled"):
        # The mode key outlived the handoff (or the gateway read it just before it went):
        # tell the citizen, and make sure the assistant answers their next message.
        handoff_id = handoff.id if handoff else (_handoff_id(fields) or 0)
        mode.clear_mode(conversation_id, handoff.id if handoff else None)
        outbound.produce(
            "notice", conversation_id, handoff_id, texts.already_closed(), f"ev:notice:{uid}"
        )
        return
    message = HandoffMessage(
        handoff_id=handoff.id,
        uid=uid,
        sender="citizen",
        text=redact(fields.get("text", "")[:MAX_TEXT]),
        at=_at(fields.get("at")),
    )
    session.add(message)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()  # stored meanwhile by another consumer
        return
    events.publish(
        "message", handoff, message=message_with_name(session, message).model_dump(mode="json")
    )


def cancel(session: Session, fields: dict[str, str]) -> None:
    """The citizen cancelled while waiting: back to the assistant."""
    handoff = target(session, fields)
    if handoff is None or handoff.status not in ("waiting", "active"):
        return  # already closed, cancelled, or a ticket the citizen cannot cancel here
    # Active too: the gateway had already sent the citizen back to the assistant when
    # an operator took it at the same moment; the console shows it as cancelled.
    handoff.status = "cancelled"
    handoff.closed_at = clock.now()
    audit.record(session, "cancel", handoff_id=handoff.id, detail="annullata dal cittadino")
    session.commit()
    mode.clear_mode(handoff.conversation_id, handoff.id)
    events.publish("handoff_updated", handoff)


def delivery(session: Session, fields: dict[str, str]) -> None:
    """The gateway's report on an operator message: delivered, or why not."""
    event_id = fields.get("event_id", "")
    if not event_id.startswith("hm:"):
        return  # only operator messages are tracked
    try:
        message = session.get(HandoffMessage, int(event_id[3:]))
    except ValueError:
        return
    if message is None or message.sender != "operator":
        return
    if fields.get("ok") == "1":
        message.delivered_at = clock.now()
        message.delivery_error = None
    else:
        detail = fields.get("detail", "").strip()
        message.delivery_error = (detail or "Messaggio non consegnato.")[:300]
    session.commit()
    events.publish(
        "message",
        message.handoff,
        message=message_with_name(session, message).model_dump(mode="json"),
    )


HANDLERS = {"message": store_message, "cancel": cancel, "delivery": delivery}


def handle(session: Session, fields: dict[str, str]) -> None:
    handler = HANDLERS.get(fields.get("kind", ""))
    if handler is None:
        log.warning("inbound entry of unknown kind %r: dropped", fields.get("kind", "")[:20])
        return
    handler(session, fields)
