"""Services, slots and bookings on the wire.

Times go out as Italian local time with their offset ("2026-12-01T09:00:00+01:00"); times
coming in may carry any offset, and are read as Italian local time when they have none.
"""

import re
from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, model_validator

from backend.models import Booking
from backend.services import tax_codes
from backend.services.appointment_data import ServiceDef, services
from backend.services.clock import local_zone, to_local
from backend.services.slots import FreeSlot

Channel = Literal["web", "telegram", "whatsapp"]

OFFICE_CODE = r"^[a-z0-9-]{1,40}$"
SERVICE_CODE = r"^[a-z_]{1,40}$"
BOOKING_CODE = r"^[A-Za-z0-9 -]{4,20}$"


def _valid_tax_code(raw: str) -> str:
    return tax_codes.normalise(raw)


def _instant(value: datetime) -> datetime:
    # Checked before any arithmetic: year 1 or 9999 with an offset would overflow.
    if not 2000 <= value.year <= 2100:
        raise ValueError("La data deve essere tra il 2000 e il 2100.")
    if value.tzinfo is None:
        value = value.replace(tzinfo=local_zone())
    return value.astimezone(UTC)


TaxCode = Annotated[
    str,
    Field(
        min_length=11,
        max_length=24,
        description=(
            "Codice fiscale della persona (16 caratteri, o 11 cifre se provvisorio), "
            "controllato con il suo carattere di controllo. Non viene mai salvato in chiaro."
        ),
        examples=["RSSMRA85M01H501Q"],
    ),
    AfterValidator(_valid_tax_code),
]
Instant = Annotated[
    datetime,
    Field(description="Inizio dell'appuntamento (ISO 8601; senza fuso: ora italiana)."),
    AfterValidator(_instant),
]


class ServiceOut(BaseModel):
    code: str
    name: str
    description: str
    duration_minutes: int
    capacity: int = Field(description="Persone per fascia oraria.")
    documents: list[str] = Field(description="Cosa portare all'appuntamento.")

    @classmethod
    def of(cls, service: ServiceDef) -> "ServiceOut":
        return cls.model_validate(service.model_dump())


class SlotOut(BaseModel):
    starts_at: datetime
    ends_at: datetime
    free_places: int

    @classmethod
    def of(cls, slot: FreeSlot) -> "SlotOut":
        return cls(
            starts_at=to_local(slot.starts_at),
            ends_at=to_local(slot.ends_at),
            free_places=slot.free_places,
        )


class SlotsOut(BaseModel):
    office_code: str
    office_name: str
    service_code: str
    service_name: str
    duration_minutes: int
    slots: list[SlotOut] = Field(description="Orari con posti liberi, dal più vicino.")


class ProblemOut(BaseModel):
    """A booking that could not be made: why, and free slots to offer instead."""

    detail: str
    alternatives: list[SlotOut] = Field(
        default=[], description="I prossimi orari liberi dello stesso servizio nello stesso CPI."
    )


def _citizen_name(raw: str) -> str:
    name = " ".join(raw.split())
    # Letters of any alphabet, apostrophes, hyphens, dots and spaces: names, not payloads.
    if not name or any(not (c.isalpha() or c in " '’-.") for c in name):
        raise ValueError("Il nome può contenere solo lettere, spazi, apostrofi e trattini.")
    return name


def _contact(value: "ContactIn") -> "ContactIn":
    if value.kind == "phone":
        digits = re.sub(r"[\s./-]", "", value.value)
        digits = re.sub(r"^(\+39|0039)", "", digits)
        if not re.fullmatch(r"3\d{8,9}|0\d{5,10}", digits):
            raise ValueError("Numero di telefono italiano non valido.")
        return ContactIn(kind="phone", value="+39" + digits)
    email = value.value.strip().lower()
    if not re.fullmatch(r"[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}", email):
        raise ValueError("Indirizzo e-mail non valido.")
    return ContactIn(kind="email", value=email)


class ContactIn(BaseModel):
    kind: Literal["phone", "email"]
    value: str = Field(min_length=3, max_length=200, examples=["+393331234567"])


class BookingIn(BaseModel):
    office_code: str = Field(pattern=OFFICE_CODE, examples=["cpi-cosenza"])
    service_code: str = Field(pattern=SERVICE_CODE, examples=["accoglienza_did"])
    starts_at: Instant
    tax_code: TaxCode
    channel: Channel | None = Field(
        None, description="Canale da cui il cittadino prenota: lì riceverà il promemoria."
    )
    conversation_id: str | None = Field(
        None,
        pattern=r"^[A-Za-z0-9_.:+@-]{1,128}$",
        description="Conversazione sul canale (per il promemoria del giorno prima).",
    )
    citizen_name: Annotated[
        str | None,
        Field(None, min_length=2, max_length=120, description="Nome e cognome."),
        AfterValidator(lambda v: None if v is None else _citizen_name(v)),
    ] = None
    contact: Annotated[
        ContactIn | None,
        Field(None, description="Telefono o e-mail, se l'ufficio deve avvisare di un cambio."),
        AfterValidator(lambda v: None if v is None else _contact(v)),
    ] = None

    @model_validator(mode="after")
    def _channel_with_conversation(self) -> "BookingIn":
        if (self.channel is None) != (self.conversation_id is None):
            raise ValueError("Indica sia il canale sia la conversazione, oppure nessuno dei due.")
        return self


class TaxCodeIn(BaseModel):
    tax_code: TaxCode


class SearchIn(TaxCodeIn):
    include_past: bool = False
    include_cancelled: bool = False


class RescheduleIn(TaxCodeIn):
    starts_at: Instant


class BookingOfficeOut(BaseModel):
    code: str
    name: str
    comune: str
    address: str | None
    phone: str | None
    email: str | None


class BookingServiceOut(BaseModel):
    code: str
    name: str


class BookingOut(BaseModel):
    code: str = Field(description="Codice di prenotazione da comunicare al cittadino.")
    status: Literal["confirmed", "cancelled"]
    office: BookingOfficeOut
    service: BookingServiceOut
    starts_at: datetime
    ends_at: datetime
    documents: list[str]
    reminder_at: datetime | None = Field(description="Quando partirà il promemoria, se previsto.")
    cancelled_at: datetime | None
    ics_url: str = Field(description="Percorso del file iCalendar dell'appuntamento.")

    @classmethod
    def of(cls, booking: Booking) -> "BookingOut":
        slot, office = booking.slot, booking.slot.office
        service = services().get(slot.service_code)
        reminder = booking.reminder
        return cls(
            code=booking.code,
            status="cancelled" if booking.status == "cancelled" else "confirmed",
            office=BookingOfficeOut(
                code=office.code,
                name=office.name,
                comune=office.comune,
                address=office.address,
                phone=office.phone,
                email=office.email,
            ),
            service=BookingServiceOut(
                code=slot.service_code, name=service.name if service else slot.service_code
            ),
            starts_at=to_local(slot.starts_at),
            ends_at=to_local(slot.ends_at),
            documents=list(service.documents) if service else [],
            reminder_at=(
                to_local(reminder.due_at)
                if reminder is not None and reminder.status == "scheduled"
                else None
            ),
            cancelled_at=to_local(booking.cancelled_at) if booking.cancelled_at else None,
            ics_url=f"/api/v1/bookings/{booking.code}/ics",
        )
