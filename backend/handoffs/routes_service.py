"""Handoff routes for the action server (service token): create, ticket, look up."""

from fastapi import APIRouter, Path, Response, status

from backend.api.deps import ServiceAuth, SessionDep
from backend.api.errors import ApiError
from backend.api.schemas.errors import COMMON_ERRORS, ErrorOut
from backend.handoffs import service
from backend.handoffs.schemas import (
    CONVERSATION_ID,
    HandoffId,
    HandoffIn,
    HandoffStatusOut,
    TicketIn,
    TicketOut,
)
from backend.handoffs.views import status_out
from backend.services import clock

router = APIRouter(
    prefix="/api/handoffs", tags=["handoffs"], dependencies=[ServiceAuth], responses=COMMON_ERRORS
)
_NOT_FOUND = {404: {"model": ErrorOut, "description": service.NOT_FOUND}}
_CONFLICT = {409: {"model": ErrorOut, "description": "La richiesta non è un ticket aperto."}}


@router.post(
    "",
    response_model=HandoffStatusOut,
    status_code=status.HTTP_201_CREATED,
    responses={200: {"model": HandoffStatusOut, "description": "Già aperta: la stessa."}},
)
def create_handoff(body: HandoffIn, session: SessionDep, response: Response) -> HandoffStatusOut:
    now = clock.now()
    handoff, created = service.create(session, body, now)
    if not created:
        response.status_code = status.HTTP_200_OK
    return status_out(session, handoff, now)


@router.post("/{handoff_id}/ticket", response_model=TicketOut, responses=_NOT_FOUND | _CONFLICT)
def submit_ticket(handoff_id: HandoffId, body: TicketIn, session: SessionDep) -> TicketOut:
    handoff = service.submit_ticket(session, handoff_id, body)
    return TicketOut(id=handoff.id, status=handoff.status, reference=f"T-{handoff.id}")


@router.get(
    "/by-conversation/{conversation_id:path}",
    response_model=HandoffStatusOut,
    responses=_NOT_FOUND,
)
def by_conversation(
    session: SessionDep, conversation_id: str = Path(pattern=CONVERSATION_ID)
) -> HandoffStatusOut:
    handoff = service.open_handoff(session, conversation_id)
    if handoff is None:
        raise ApiError(404, service.NOT_FOUND)
    return status_out(session, handoff, clock.now())
