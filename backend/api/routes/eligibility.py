"""Eligibility pre-checks: ADI, SFL, GOL, RdC, NASpI, by the dated rules in the data files."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query

from backend.api.deps import ServiceAuth
from backend.api.errors import ApiError
from backend.api.schemas.eligibility import EligibilityCheckIn, EligibilityResult, MeasureOut
from backend.api.schemas.errors import COMMON_ERRORS, ErrorOut
from backend.services import clock
from backend.services.eligibility import engine
from backend.services.eligibility.facts import FactsError, parse
from backend.services.eligibility.loader import rule_book

router = APIRouter(
    prefix="/api/v1/eligibility",
    tags=["eligibility"],
    dependencies=[ServiceAuth],
    responses=COMMON_ERRORS,
)


@router.get("/measures", response_model=list[MeasureOut], summary="Misure verificabili")
def list_measures(
    reference_date: Annotated[date | None, Query(description="Predefinita: oggi.")] = None,
) -> list[MeasureOut]:
    day = reference_date or clock.today()
    return [
        MeasureOut(
            code=m.code,
            name=m.name,
            description=m.description,
            legal_basis=m.legal_basis,
            valid_from=m.valid_from,
            valid_to=m.valid_to,
            in_force=m.valid_from <= day and (m.valid_to is None or day <= m.valid_to),
            authority=m.authority,
        )
        for m in rule_book().measures.values()
    ]


@router.post(
    "/{measure}/check",
    response_model=EligibilityResult,
    summary="Verifica i requisiti di una misura",
    description=(
        "Valuta le regole della misura in vigore alla data di riferimento con i dati "
        "forniti. Risponde con il verdetto, le condizioni che lo hanno deciso e le loro "
        "fonti, i dati ancora mancanti (nell'ordine in cui chiederli, con la domanda in "
        "italiano) e i passi successivi. Un dato «non_so» porta a «da verificare al CPI»."
    ),
    responses={404: {"model": ErrorOut, "description": "Misura sconosciuta."}},
)
def check_measure(
    body: EligibilityCheckIn,
    measure: str = Path(pattern=r"^[a-z_]{2,20}$", examples=["sfl"]),
) -> EligibilityResult:
    book = rule_book()
    rules = book.measures.get(measure)
    if rules is None:
        known = ", ".join(book.measures)
        raise ApiError(404, f"Misura non trovata: scegli tra {known}.")
    try:
        facts = parse(body.facts, book.catalogue)
    except FactsError as exc:
        errors = [{"field": "body.facts", "message": m} for m in exc.messages]
        raise ApiError(422, f"Richiesta non valida: {exc.messages[0]}.", errors=errors) from exc
    return engine.check(book, rules, facts, body.reference_date or clock.today())
