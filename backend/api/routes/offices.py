"""Offices and which one is competent for a comune."""

from fastapi import APIRouter, HTTPException, Path, Query
from sqlalchemy import select

from backend.api.deps import ServiceAuth, SessionDep
from backend.api.schemas import CompetentOfficeOut, ComuneOut, OfficeOut
from backend.api.schemas.appointments import OFFICE_CODE
from backend.api.schemas.errors import COMMON_ERRORS, ErrorOut
from backend.models import Office
from backend.services.calendar import WEEKDAYS, closed_reason
from backend.services.clock import today
from backend.services.comuni import resolve

router = APIRouter(
    prefix="/api/v1/offices", tags=["offices"], dependencies=[ServiceAuth], responses=COMMON_ERRORS
)
_NOT_FOUND = {404: {"model": ErrorOut, "description": "Comune o ufficio non trovato."}}
# No control characters: PostgreSQL refuses NUL in text, and no name contains them.
PLAIN_TEXT = r"^[^\x00-\x1f]*$"


@router.get("", response_model=list[OfficeOut])
def list_offices(
    session: SessionDep, region: str | None = Query(None, max_length=60, pattern=PLAIN_TEXT)
) -> list[Office]:
    query = select(Office).order_by(Office.region, Office.name)
    if region:
        query = query.where(Office.region == region)
    return list(session.scalars(query))


@router.get("/competent", response_model=CompetentOfficeOut, responses=_NOT_FOUND)
def competent_office(
    session: SessionDep, comune: str = Query(min_length=1, max_length=120)
) -> CompetentOfficeOut:
    found = resolve(session, comune)
    if found is None:
        raise HTTPException(status_code=404, detail=f"Non trovo il comune «{comune[:60]}».")
    others: list[Office] = []
    if found.office is not None:
        others = [
            o
            for o in session.scalars(select(Office).where(Office.comune == found.name))
            if o.id != found.office.id
        ]
    return CompetentOfficeOut(
        closed_today=_closed_today(found.office),
        comune=ComuneOut.model_validate(found),
        covered=found.office is not None,
        office=OfficeOut.model_validate(found.office) if found.office else None,
        other_offices=[OfficeOut.model_validate(o) for o in others],
    )


def _closed_today(office: Office | None) -> str | None:
    day = today()
    if office is None or not office.opening_hours.get(WEEKDAYS[day.weekday()]):
        return None  # a regular closed weekday: the weekly hours already say so
    return closed_reason(office.code, office.opening_hours, day)


@router.get("/{code}", response_model=OfficeOut, responses=_NOT_FOUND)
def get_office(session: SessionDep, code: str = Path(pattern=OFFICE_CODE)) -> Office:
    office = session.scalar(select(Office).where(Office.code == code))
    if office is None:
        raise HTTPException(status_code=404, detail="Ufficio non trovato.")
    return office
