"""Erasure on request, for the action server (service token; docs/privacy.md)."""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks
from pydantic import BaseModel, Field

from backend.api.deps import ServiceAuth, SessionDep
from backend.api.schemas.appointments import TaxCode
from backend.api.schemas.errors import COMMON_ERRORS
from backend.handoffs.schemas import CONVERSATION_ID
from backend.privacy import erasure

router = APIRouter(
    prefix="/api/privacy", tags=["privacy"], dependencies=[ServiceAuth], responses=COMMON_ERRORS
)


class EraseIn(BaseModel):
    conversation_id: str = Field(pattern=CONVERSATION_ID, examples=["web:abc123"])
    # Optional: also finds bookings made from other conversations with this tax code.
    tax_code: TaxCode | None = None


class UpcomingBooking(BaseModel):
    code: str
    starts_at: str = Field(description="Ora italiana con il suo scarto (ISO 8601).")
    office_name: str
    service_name: str


class EraseOut(BaseModel):
    handoffs: int = Field(description="Richieste di contatto con un operatore cancellate.")
    handoff_messages: int = Field(description="Messaggi delle conversazioni con gli operatori.")
    reminders: int = Field(description="Promemoria degli appuntamenti cancellati.")
    bookings_anonymised: int = Field(
        description="Prenotazioni passate o disdette da cui sono stati tolti nome e contatto."
    )
    redis_keys: int = Field(description="Chiavi della conversazione cancellate in Redis.")
    upcoming_bookings: list[UpcomingBooking] = Field(
        description=(
            "Appuntamenti ancora da svolgere: restano registrati presso l'ufficio fino "
            "all'appuntamento; il cittadino può disdirli."
        )
    )


@router.post("/erase", response_model=EraseOut)
def erase(body: EraseIn, session: SessionDep, background: BackgroundTasks) -> EraseOut:
    result = erasure.erase(session, body.conversation_id, body.tax_code)
    # After the answer: Rasa saves the tracker when the turn that asked for this ends.
    background.add_task(erasure.after_turn, body.conversation_id)
    return EraseOut.model_validate(result, from_attributes=True)
