"""Free appointment slots of one service at one office."""

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Query

from backend.api.deps import ServiceAuth, SessionDep
from backend.api.errors import ApiError
from backend.api.schemas.appointments import OFFICE_CODE, SERVICE_CODE, SlotOut, SlotsOut
from backend.api.schemas.errors import COMMON_ERRORS, ErrorOut
from backend.services import bookings, clock
from backend.services.slots import free_slots

router = APIRouter(
    prefix="/api/v1/slots",
    tags=["appointments"],
    dependencies=[ServiceAuth],
    responses=COMMON_ERRORS,
)


@router.get(
    "",
    response_model=SlotsOut,
    summary="Orari liberi",
    description=(
        "Gli orari con posti liberi nei prossimi giorni, calcolati dagli orari "
        "dell'ufficio senza festività e chiusure, e tolti quelli già pieni."
    ),
    responses={404: {"model": ErrorOut, "description": "Ufficio o servizio sconosciuto."}},
)
def list_slots(
    session: SessionDep,
    office: Annotated[str, Query(pattern=OFFICE_CODE, examples=["cpi-cosenza"])],
    service: Annotated[str, Query(pattern=SERVICE_CODE, examples=["accoglienza_did"])],
    date_from: Annotated[
        date | None, Query(description="Primo giorno (predefinito: oggi).")
    ] = None,
    days: Annotated[int, Query(ge=1, le=60, description="Quanti giorni guardare.")] = 7,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
) -> SlotsOut:
    try:
        target = bookings.resolve_target(session, office, service)
    except bookings.NotFound as problem:
        raise ApiError(404, problem.message) from problem
    except bookings.NotBookable as problem:
        raise ApiError(422, problem.message) from problem
    now = clock.now()
    first = date_from or clock.today()
    found = []
    # Days far outside the booking window have no slots: no need to compute them.
    if date(2000, 1, 1) <= first <= date(2100, 1, 1):
        found = free_slots(
            session, target.office, target.service, now, first, first + timedelta(days - 1), limit
        )
    return SlotsOut(
        office_code=target.office.code,
        office_name=target.office.name,
        service_code=target.service.code,
        service_name=target.service.name,
        duration_minutes=target.service.duration_minutes,
        slots=[SlotOut.of(s) for s in found],
    )
