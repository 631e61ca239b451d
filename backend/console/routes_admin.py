"""Administration: operators' accounts (admins) and the audit log (admins, supervisors)."""

from fastapi import APIRouter, HTTPException, Path, Query, status
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from backend.api.deps import SessionDep
from backend.api.errors import ApiError
from backend.console import accounts, audit, sessions
from backend.console.auth import AdminOperator, SupervisorOrAdmin
from backend.console.schemas import (
    CONSOLE_ERRORS,
    AdminOperatorOut,
    AuditOut,
    OperatorCreate,
    OperatorUpdate,
)
from backend.models import AuditEntry, Operator

router = APIRouter(prefix="/api/console/admin", tags=["console admin"], responses=CONSOLE_ERRORS)
NOT_FOUND = "Operatore non trovato."


@router.get("/operators", response_model=list[AdminOperatorOut])
def list_operators(_: AdminOperator, session: SessionDep) -> list[Operator]:
    query = select(Operator).options(selectinload(Operator.offices)).order_by(Operator.username)
    return list(session.scalars(query))


@router.post("/operators", response_model=AdminOperatorOut, status_code=201)
def create_operator(body: OperatorCreate, admin: AdminOperator, session: SessionDep) -> Operator:
    fields = accounts.AccountFields(**body.model_dump())
    operator = accounts.create(session, fields)
    audit.record(
        session,
        "operator_created",
        operator_id=admin.id,
        detail=f"{operator.username} ({operator.role})",
    )
    session.commit()
    return operator


@router.patch("/operators/{operator_id}", response_model=AdminOperatorOut)
def update_operator(
    body: OperatorUpdate,
    admin: AdminOperator,
    session: SessionDep,
    operator_id: int = Path(ge=1, le=2**31 - 1),
) -> Operator:
    operator = session.get(Operator, operator_id)
    if operator is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=NOT_FOUND)
    sent = body.model_fields_set
    if operator.id == admin.id and (
        ("active" in sent and body.active is False) or ("role" in sent and body.role != "admin")
    ):
        # Otherwise the last admin could lock everybody out of the administration.
        raise ApiError(409, "Non puoi disattivare il tuo account né togliergli il ruolo admin.")
    role = body.role if "role" in sent and body.role else operator.role
    region = body.region if "region" in sent else operator.region
    if {"role", "region", "office_codes"} & sent:
        codes = body.office_codes
        if codes is None:
            codes = [office.code for office in operator.offices]
        operator.offices = accounts.resolve_offices(session, codes, role, region)
    operator.role, operator.region = role, region
    if body.display_name is not None:
        operator.display_name = body.display_name.strip()
    if body.active is not None:
        operator.active = body.active
        if not body.active:
            sessions.delete_all_for(session, operator.id)
    if body.password is not None:
        accounts.set_password(session, operator, body.password)
    # Names of the changed fields only, never their values (a password above all).
    changed = ", ".join(sorted(sent)) or "nessuna modifica"
    audit.record(
        session,
        "operator_updated",
        operator_id=admin.id,
        detail=f"{operator.username}: {changed}",
    )
    session.commit()
    return operator


@router.get("/audit", response_model=list[AuditOut])
def audit_log(
    viewer: SupervisorOrAdmin, session: SessionDep, limit: int = Query(200, ge=1, le=1000)
) -> list[AuditOut]:
    """Newest first. Supervisors see the entries of their region's operators."""
    query = (
        select(AuditEntry, Operator.username)
        .outerjoin(Operator, Operator.id == AuditEntry.operator_id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(limit)
    )
    if viewer.role != "admin":
        query = query.where(Operator.region == viewer.region)
    return [
        AuditOut(
            id=entry.id,
            at=entry.at,
            operator_id=entry.operator_id,
            operator_username=username,
            action=entry.action,
            handoff_id=entry.handoff_id,
            detail=entry.detail,
        )
        for entry, username in session.execute(query)
    ]
