"""The state of a queue: who could answer now, where a handoff stands, how long it waits."""

import math
import statistics
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from backend.handoffs.routing import Queue
from backend.handoffs.visibility import Viewer
from backend.models import AuditEntry, Handoff, Operator
from backend.settings import get_settings

DEFAULT_WAIT = timedelta(minutes=5)
ESTIMATE_WINDOW = timedelta(days=7)
# Audit entry written when a handoff is created, with detail "live" or "ticket": tickets
# are answered hours later and must not count in the live queue's waiting time.
CREATED = "handoff_created"


def in_queue(office_id: int | None, region: str) -> ColumnElement[bool]:
    if office_id is not None:
        return Handoff.office_id == office_id
    return and_(Handoff.office_id.is_(None), Handoff.region == region)


def _queue_clause(queue: Queue) -> ColumnElement[bool]:
    return in_queue(queue.office.id if queue.office else None, queue.region)


def online_operators(session: Session, queue: Queue, now: datetime) -> list[Operator]:
    """Operators and supervisors seen recently who may take a handoff of this queue."""
    since = now - timedelta(seconds=get_settings().operator_online_seconds)
    candidates = session.scalars(
        select(Operator).where(
            Operator.active.is_(True),
            Operator.role.in_(("operator", "supervisor")),
            Operator.last_seen_at >= since,
        )
    )
    office_id = queue.office.id if queue.office else None
    return [op for op in candidates if Viewer.of(op).can_see(office_id, queue.region)]


def position(session: Session, handoff: Handoff) -> int:
    """1 for the first waiting handoff of its queue."""
    ahead = session.scalar(
        select(func.count())
        .select_from(Handoff)
        .where(
            in_queue(handoff.office_id, handoff.region or ""),
            Handoff.status == "waiting",
            Handoff.id <= handoff.id,
        )
    )
    return max(1, ahead or 0)


def typical_wait(session: Session, queue: Queue, now: datetime) -> timedelta:
    """Median wait of the queue's live handoffs taken in the last 7 days (else 5 min)."""
    tickets = select(AuditEntry.handoff_id).where(
        AuditEntry.action == CREATED,
        AuditEntry.detail == "ticket",
        AuditEntry.handoff_id.is_not(None),
    )
    rows = session.execute(
        select(Handoff.created_at, Handoff.taken_at).where(
            _queue_clause(queue),
            Handoff.taken_at >= now - ESTIMATE_WINDOW,
            Handoff.id.not_in(tickets),
        )
    ).all()
    waits = [(taken - created).total_seconds() for created, taken in rows]
    if not waits:
        return DEFAULT_WAIT
    return timedelta(seconds=statistics.median(waits))


def estimated_wait_minutes(typical: timedelta, place: int) -> int:
    return max(1, math.ceil(typical.total_seconds() * place / 60))
