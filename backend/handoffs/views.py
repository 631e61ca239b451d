"""Handoffs as the API shows them: the actions' status view and the console's views."""

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.handoffs import queue as queues
from backend.handoffs.routing import Queue, queue_next_opening, queue_open
from backend.handoffs.schemas import (
    HandoffDetail,
    HandoffStatusOut,
    HandoffSummary,
    LastMessage,
    MessageOut,
    OfficeRef,
    OperatorRef,
)
from backend.models import Handoff, HandoffMessage, Operator
from backend.services.clock import to_local


def queue_of(handoff: Handoff) -> Queue:
    return Queue(handoff.office, handoff.region or "")


def status_out(session: Session, handoff: Handoff, now: datetime) -> HandoffStatusOut:
    """What the actions tell the citizen: place in the queue, or why it is a ticket."""
    queue = queue_of(handoff)
    position = wait = reason = opening = None
    if handoff.status == "waiting":
        position = queues.position(session, handoff)
        typical = queues.typical_wait(session, queue, now)
        wait = queues.estimated_wait_minutes(typical, position)
    elif handoff.status == "ticket":
        if queue_open(session, queue, now):
            reason = "nobody_online"
        else:
            reason = "closed"
            next_opening = queue_next_opening(session, queue, now)
            opening = to_local(next_opening).isoformat() if next_opening else None
    return HandoffStatusOut(
        id=handoff.id,
        status=handoff.status,
        office_name=queue.name,
        queue=queue.kind,  # type: ignore[arg-type]
        position=position,
        estimated_wait_minutes=wait,
        unavailable_reason=reason,  # type: ignore[arg-type]
        next_opening=opening,
    )


def _operator_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(select(Operator.id, Operator.display_name).where(Operator.id.in_(ids)))
    return {operator_id: name for operator_id, name in rows}


def last_messages(session: Session, handoff_ids: list[int]) -> dict[int, HandoffMessage]:
    """The newest line (not an internal note) of each handoff, in one query."""
    if not handoff_ids:
        return {}
    newest = (
        select(func.max(HandoffMessage.id))
        .where(HandoffMessage.handoff_id.in_(handoff_ids), HandoffMessage.sender != "note")
        .group_by(HandoffMessage.handoff_id)
    )
    rows = session.scalars(select(HandoffMessage).where(HandoffMessage.id.in_(newest)))
    return {m.handoff_id: m for m in rows}


def summary(handoff: Handoff, last: HandoffMessage | None, now: datetime) -> HandoffSummary:
    until = handoff.taken_at or handoff.closed_at or now
    return HandoffSummary(
        id=handoff.id,
        status=handoff.status,
        channel=handoff.channel,
        reason=handoff.reason,
        office=OfficeRef(code=handoff.office.code, name=handoff.office.name)
        if handoff.office
        else None,
        region=handoff.region,
        created_at=handoff.created_at,
        waiting_seconds=max(0, int((until - handoff.created_at).total_seconds())),
        operator=OperatorRef(id=handoff.operator.id, display_name=handoff.operator.display_name)
        if handoff.operator
        else None,
        last_message=LastMessage(sender=last.sender, text=last.text, at=last.at) if last else None,
    )


def message_out(message: HandoffMessage, names: dict[int, str]) -> MessageOut:
    return MessageOut(
        id=message.id,
        sender=message.sender,
        text=message.text,
        at=message.at,
        operator_name=names.get(message.operator_id) if message.operator_id else None,
        delivered_at=message.delivered_at,
        delivery_error=message.delivery_error,
    )


def detail(session: Session, handoff: Handoff, now: datetime) -> HandoffDetail:
    messages = list(
        session.scalars(
            select(HandoffMessage)
            .where(HandoffMessage.handoff_id == handoff.id)
            .order_by(HandoffMessage.id)
        )
    )
    names = _operator_names(session, {m.operator_id for m in messages if m.operator_id})
    last = next((m for m in reversed(messages) if m.sender != "note"), None)
    return HandoffDetail(
        **summary(handoff, last, now).model_dump(),
        context=handoff.context or {},
        contact_preference=handoff.contact_preference,
        contact_value=handoff.contact_value,
        outcome=handoff.outcome,
        messages=[message_out(m, names) for m in messages],
    )


def message_with_name(session: Session, message: HandoffMessage) -> MessageOut:
    ids = {message.operator_id} if message.operator_id else set()
    return message_out(message, _operator_names(session, ids))
