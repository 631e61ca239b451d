"""Request and response bodies of the handoff routes (docs/handoff.md)."""

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Path
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from backend.api.schemas.appointments import OFFICE_CODE

# "<channel>:<sender id>"; no control characters or spaces.
CONVERSATION_ID = r"^[a-z0-9_-]{1,20}:[^\s\x00-\x1f]{1,138}$"
PLAIN_TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f]*$"
# Database ids are 32-bit integers: a larger number is simply not found.
MAX_ID = 2_147_483_647
HandoffId = Annotated[int, Path(ge=1, le=MAX_ID)]
Reason = Literal["request_human", "fallback", "form_failures", "complaint"]
Outcome = Literal[
    "risolto", "appuntamento_fissato", "inoltrato_ufficio", "non_risolto", "cittadino_assente"
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TranscriptLine(Strict):
    sender: Literal["citizen", "bot"]
    text: str = Field(max_length=4000, pattern=PLAIN_TEXT)
    at: AwareDatetime


class HandoffIn(Strict):
    conversation_id: str = Field(pattern=CONVERSATION_ID, examples=["web:abc123"])
    channel: str = Field(pattern=r"^[a-z0-9_-]{1,20}$", examples=["web"])
    reason: Reason
    comune: str | None = Field(None, max_length=120, pattern=PLAIN_TEXT)
    office_code: str | None = Field(None, pattern=OFFICE_CODE)
    context: dict[str, Any] = Field(default_factory=dict)
    transcript: list[TranscriptLine] = Field(default_factory=list, max_length=300)


class HandoffStatusOut(BaseModel):
    id: int
    status: str
    office_name: str
    queue: Literal["office", "region"]
    position: int | None
    estimated_wait_minutes: int | None
    unavailable_reason: Literal["closed", "nobody_online"] | None
    next_opening: str | None = Field(description="Ora locale ISO 8601 della prossima apertura.")


class TicketIn(Strict):
    message: str = Field(min_length=1, max_length=2000, pattern=PLAIN_TEXT)
    contact_preference: Literal["chat", "telefono", "email"]
    contact_value: str | None = Field(None, max_length=200, pattern=PLAIN_TEXT)


class TicketOut(BaseModel):
    id: int
    status: str
    reference: str


# --- console -----------------------------------------------------------------------------


class TextIn(Strict):
    text: str = Field(min_length=1, max_length=2000, pattern=PLAIN_TEXT)


class TransferIn(Strict):
    operator_id: int | None = Field(None, ge=1, le=MAX_ID)
    office_code: str | None = Field(None, pattern=OFFICE_CODE)


class CloseIn(Strict):
    outcome: Outcome


class OfficeRef(BaseModel):
    code: str
    name: str


class OperatorRef(BaseModel):
    id: int
    display_name: str


class LastMessage(BaseModel):
    sender: str
    text: str
    at: datetime


class MessageOut(BaseModel):
    id: int
    sender: str
    text: str
    at: datetime
    operator_name: str | None
    delivered_at: datetime | None
    delivery_error: str | None


class HandoffSummary(BaseModel):
    id: int
    status: str
    channel: str
    reason: str
    office: OfficeRef | None
    region: str | None
    created_at: datetime
    waiting_seconds: int
    operator: OperatorRef | None
    last_message: LastMessage | None


class HandoffDetail(HandoffSummary):
    context: dict[str, Any]
    contact_preference: str | None
    contact_value: str | None
    outcome: str | None
    messages: list[MessageOut]


class Suggestion(BaseModel):
    key: str
    title: str
    text: str
    confidence: float
