"""Finding a comune in what a citizen wrote ("abito a san giovanni in fiore")."""

from fastapi import APIRouter, HTTPException, Query

from backend.api.deps import ServiceAuth, SessionDep
from backend.api.schemas import ComuneOut
from backend.api.schemas.errors import COMMON_ERRORS, ErrorOut
from backend.models import Comune
from backend.services.comuni import find_in_text

router = APIRouter(
    prefix="/api/v1/comuni", tags=["comuni"], dependencies=[ServiceAuth], responses=COMMON_ERRORS
)


@router.get(
    "/find",
    response_model=ComuneOut,
    responses={404: {"model": ErrorOut, "description": "Nessun comune nel testo."}},
)
def find_comune(session: SessionDep, text: str = Query(min_length=1, max_length=500)) -> Comune:
    found = find_in_text(session, text)
    if found is None:
        raise HTTPException(status_code=404, detail="Non trovo nessun comune in questo testo.")
    return found
