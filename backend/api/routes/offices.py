"""Offices and which one is competent for a comune."""

from fastapi import APIRouter, HTTPException, Query
from sqlalchemy import select

from backend.api.deps import ServiceAuth, SessionDep
from backend.api.schemas import CompetentOfficeOut, ComuneOut, OfficeOut
from backend.models import Office
from backend.services.comuni import resolve

router = APIRouter(prefix="/api/v1/offices", tags=["offices"], dependencies=[ServiceAuth])


@router.get("", response_model=list[OfficeOut])
def list_offices(session: SessionDep, region: str | None = None) -> list[Office]:
    query = select(Office).order_by(Office.region, Office.name)
    if region:
        query = query.where(Office.region == region)
    return list(session.scalars(query))


@router.get("/competent", response_model=CompetentOfficeOut)
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
        comune=ComuneOut.model_validate(found),
        covered=found.office is not None,
        office=OfficeOut.model_validate(found.office) if found.office else None,
        other_offices=[OfficeOut.model_validate(o) for o in others],
    )


@router.get("/{code}", response_model=OfficeOut)
def get_office(code: str, session: SessionDep) -> Office:
    office = session.scalar(select(Office).where(Office.code == code))
    if office is None:
        raise HTTPException(status_code=404, detail="Ufficio non trovato.")
    return office
