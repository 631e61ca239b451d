"""Canned replies ("risposte rapide"): read by everyone, managed by supervisors and admins."""

from fastapi import APIRouter, HTTPException, Path, status
from sqlalchemy import or_, select

from backend.api.deps import SessionDep
from backend.console import audit
from backend.console.auth import FORBIDDEN, CurrentOperator, SupervisorOrAdmin
from backend.console.schemas import CONSOLE_ERRORS, CannedReplyIn, CannedReplyOut
from backend.models import CannedReply, Office, Operator

router = APIRouter(prefix="/api/console", tags=["console"], responses=CONSOLE_ERRORS)
NOT_FOUND = "Risposta rapida non trovata."


def _office_ids(session: SessionDep, operator: Operator) -> list[int] | None:
    """The offices whose replies the operator reads; None: all of them (admins)."""
    if operator.role == "admin":
        return None
    if operator.role == "supervisor" and operator.region is not None:
        return list(session.scalars(select(Office.id).where(Office.region == operator.region)))
    return [office.id for office in operator.offices]


def _may_manage(session: SessionDep, operator: Operator, office_id: int | None) -> bool:
    if operator.role == "admin":
        return True
    # A supervisor manages their region's offices' replies, not the global ones.
    office = session.get(Office, office_id) if office_id is not None else None
    return office is not None and office.region == operator.region


@router.get("/canned-replies", response_model=list[CannedReplyOut])
def list_replies(operator: CurrentOperator, session: SessionDep) -> list[CannedReply]:
    query = select(CannedReply).order_by(CannedReply.title, CannedReply.id)
    ids = _office_ids(session, operator)
    if ids is not None:
        query = query.where(or_(CannedReply.office_id.is_(None), CannedReply.office_id.in_(ids)))
    return list(session.scalars(query))


@router.post("/canned-replies", response_model=CannedReplyOut, status_code=201)
def create_reply(
    body: CannedReplyIn, operator: SupervisorOrAdmin, session: SessionDep
) -> CannedReply:
    if body.office_id is not None and session.get(Office, body.office_id) is None:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail="Ufficio sconosciuto.")
    if not _may_manage(session, operator, body.office_id):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=FORBIDDEN)
    reply = CannedReply(title=body.title.strip(), text=body.text.strip(), office_id=body.office_id)
    session.add(reply)
    session.flush()
    audit.record(
        session, "canned_reply_created", operator_id=operator.id, detail=f"risposta {reply.id}"
    )
    session.commit()
    return reply


@router.delete("/canned-replies/{reply_id}", status_code=204)
def delete_reply(
    operator: SupervisorOrAdmin, session: SessionDep, reply_id: int = Path(ge=1, le=2**31 - 1)
) -> None:
    reply = session.get(CannedReply, reply_id)
    if reply is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=NOT_FOUND)
    if not _may_manage(session, operator, reply.office_id):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=FORBIDDEN)
    session.delete(reply)
    audit.record(
        session, "canned_reply_deleted", operator_id=operator.id, detail=f"risposta {reply_id}"
    )
    session.commit()
