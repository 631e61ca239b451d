"""The audit log: who did what, when. Short details only, never citizens' data."""

from sqlalchemy.orm import Session

from backend.models import AuditEntry
from backend.services import clock

DETAIL_MAX = 300


def record(
    session: Session,
    action: str,
    *,
    operator_id: int | None = None,
    handoff_id: int | None = None,
    detail: str | None = None,
) -> AuditEntry:
    """Add an entry to the session; the caller commits it with the action it records."""
    entry = AuditEntry(
        at=clock.now(),
        action=action,
        operator_id=operator_id,
        handoff_id=handoff_id,
        detail=detail[:DETAIL_MAX] if detail else None,
    )
    session.add(entry)
    return entry
