"""The console's authentication and administration JSON, on the wire."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from backend.api.schemas.errors import ErrorOut
from backend.console.passwords import MIN_LENGTH

Role = Literal["operator", "supervisor", "admin"]
# No control characters: PostgreSQL refuses NUL in text, and no name contains them.
PLAIN_TEXT = r"^[^\x00-\x1f\x7f]*$"
# argon2 takes any length; this only keeps huge bodies from costing CPU.
PASSWORD_MAX = 256

CONSOLE_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorOut, "description": "Accesso richiesto: nessuna sessione valida."},
    403: {"model": ErrorOut, "description": "Token CSRF mancante o ruolo non autorizzato."},
    422: {"model": ErrorOut, "description": "Richiesta non valida (dettaglio in italiano)."},
}


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=80, pattern=PLAIN_TEXT)
    password: str = Field(min_length=1, max_length=PASSWORD_MAX)


class OfficeRef(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str


class OperatorOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    display_name: str
    role: Role
    region: str | None
    offices: list[OfficeRef]


class SessionOut(BaseModel):
    operator: OperatorOut
    # Send it back in the X-CSRF-Token header of every POST, PATCH, PUT and DELETE.
    csrf_token: str


class ColleagueOut(BaseModel):
    id: int
    display_name: str
    role: Role
    # Seen by the console in the last two minutes.
    online: bool
    offices: list[OfficeRef]


class CannedReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=120, pattern=PLAIN_TEXT)
    text: str = Field(min_length=1, max_length=4000)
    # Null: for every office (admins only).
    office_id: int | None = Field(None, ge=1, le=2**31 - 1)


class CannedReplyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    text: str
    office_id: int | None


class AdminOperatorOut(OperatorOut):
    active: bool
    locked_until: datetime | None
    last_seen_at: datetime | None
    created_at: datetime


class OperatorCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=3, max_length=80, pattern=PLAIN_TEXT)
    display_name: str = Field(min_length=1, max_length=120, pattern=PLAIN_TEXT)
    role: Role
    region: str | None = Field(None, max_length=60, pattern=PLAIN_TEXT)
    office_codes: list[str] = Field(default_factory=list, max_length=100)
    password: str = Field(min_length=MIN_LENGTH, max_length=PASSWORD_MAX)


class OperatorUpdate(BaseModel):
    """Only the fields sent change; `password` sets a new one and ends their sessions."""

    model_config = ConfigDict(extra="forbid")

    display_name: str | None = Field(None, min_length=1, max_length=120, pattern=PLAIN_TEXT)
    role: Role | None = None
    region: str | None = Field(None, max_length=60, pattern=PLAIN_TEXT)
    office_codes: list[str] | None = Field(None, max_length=100)
    active: bool | None = None
    password: str | None = Field(None, min_length=MIN_LENGTH, max_length=PASSWORD_MAX)


class AuditOut(BaseModel):
    id: int
    at: datetime
    operator_id: int | None
    operator_username: str | None
    action: str
    handoff_id: int | None
    detail: str | None
