"""Wire formats of the analytics routes (docs/analytics.md)."""

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

EventKind = Literal[
    "conversation_started",
    "intent",
    "faq",
    "fallback",
    "eligibility_check",
    "booking",
    "cancellation",
    "handoff",
]
MAX_BATCH = 500


class EventIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: EventKind
    # Intent name, FAQ key ("did"), "measure:verdict" ("adi:likely_eligible"): codes only,
    # never what the citizen wrote.
    label: str | None = Field(None, pattern=r"^[a-z0-9_][a-z0-9_:/.-]{0,79}$")
    # As the handoff API accepts it.
    channel: str = Field(pattern=r"^[a-z0-9_-]{1,20}$")
    # Hashed with the day before it is stored; never stored as sent.
    conversation_id: str = Field(min_length=1, max_length=160)
    # The Italian day the event happened (default: today in Italy).
    day: date | None = None
    # Where the conversation is, if it said: only the province is kept.
    province: str | None = Field(None, pattern=r"^[A-Z]{2}$")
    office_code: str | None = Field(None, max_length=40)
    comune: str | None = Field(None, max_length=120)


class EventsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    events: list[EventIn] = Field(max_length=MAX_BATCH)


class EventsStored(BaseModel):
    stored: int
