"""Booking, listing, cancelling and moving appointments; the calendar file of one.

The tax code travels only in request bodies, never in a URL (URLs end up in access logs).
"""

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import APIRouter, Path, Response

from backend.api.deps import ServiceAuth, SessionDep
from backend.api.errors import ApiError
from backend.api.schemas.appointments import (
    BOOKING_CODE,
    BookingIn,
    BookingOut,
    ProblemOut,
    RescheduleIn,
    SearchIn,
    SlotOut,
    TaxCodeIn,
)
from backend.api.schemas.errors import COMMON_ERRORS, ErrorOut
from backend.services import bookings, clock, ics

router = APIRouter(
    prefix="/api/v1/bookings",
    tags=["appointments"],
    dependencies=[ServiceAuth],
    responses=COMMON_ERRORS,
)

_STATUS = {
    bookings.NotFound: 404,
    bookings.NotBookable: 422,
    bookings.SlotTaken: 409,
    bookings.Conflict: 409,
}
_NOT_FOUND = {404: {"model": ErrorOut, "description": "Prenotazione non trovata."}}
_CHANGE_ERRORS = {
    **_NOT_FOUND,
    409: {
        "model": ProblemOut,
        "description": "Orario appena occupato (con alternative) o appuntamento non modificabile.",
    },
    422: {"model": ProblemOut, "description": "Richiesta o orario non valido (con alternative)."},
}
CodePath = Path(pattern=BOOKING_CODE, description="Codice di prenotazione.")


@contextmanager
def problems_as_http() -> Iterator[None]:
    try:
        yield
    except bookings.BookingProblem as problem:
        raise ApiError(
            _STATUS[type(problem)],
            problem.message,
            alternatives=[SlotOut.of(s) for s in problem.alternatives],
        ) from problem


@router.post(
    "",
    status_code=201,
    response_model=BookingOut,
    summary="Prenota un appuntamento",
    description=(
        "Prenota un posto nell'orario scelto. Se l'orario è appena stato preso da altri "
        "risponde 409 con i prossimi orari liberi. Con canale e conversazione salva il "
        "promemoria del giorno prima."
    ),
    responses=_CHANGE_ERRORS,
)
def create_booking(body: BookingIn, session: SessionDep) -> BookingOut:
    with problems_as_http():
        booking = bookings.book(
            session,
            office_code=body.office_code,
            service_code=body.service_code,
            starts_at=body.starts_at,
            tax_code=body.tax_code,
            now=clock.now(),
            channel=body.channel,
            conversation_id=body.conversation_id,
            citizen_name=body.citizen_name,
            contact=(body.contact.kind, body.contact.value) if body.contact else None,
        )
    return BookingOut.of(booking)


@router.post(
    "/search",
    response_model=list[BookingOut],
    summary="Appuntamenti di un cittadino",
    description="Gli appuntamenti futuri e confermati del codice fiscale, dal più vicino.",
)
def search_bookings(body: SearchIn, session: SessionDep) -> list[BookingOut]:
    found = bookings.list_for(
        session,
        tax_code=body.tax_code,
        now=clock.now(),
        include_past=body.include_past,
        include_cancelled=body.include_cancelled,
    )
    return [BookingOut.of(b) for b in found]


@router.post(
    "/{code}/cancel",
    response_model=BookingOut,
    summary="Disdici un appuntamento",
    description="Serve il codice fiscale usato per prenotare. Disdire due volte non è un errore.",
    responses=_CHANGE_ERRORS,
)
def cancel_booking(body: TaxCodeIn, session: SessionDep, code: str = CodePath) -> BookingOut:
    with problems_as_http():
        booking = bookings.cancel(session, code=code, tax_code=body.tax_code, now=clock.now())
    return BookingOut.of(booking)


@router.post(
    "/{code}/reschedule",
    response_model=BookingOut,
    summary="Sposta un appuntamento",
    description=(
        "Sposta l'appuntamento a un altro orario dello stesso servizio e ufficio. Se il "
        "nuovo orario è pieno risponde 409 con le alternative e l'appuntamento resta com'era."
    ),
    responses=_CHANGE_ERRORS,
)
def reschedule_booking(body: RescheduleIn, session: SessionDep, code: str = CodePath) -> BookingOut:
    with problems_as_http():
        booking = bookings.reschedule(
            session, code=code, tax_code=body.tax_code, starts_at=body.starts_at, now=clock.now()
        )
    return BookingOut.of(booking)


@router.get(
    "/{code}/ics",
    response_class=Response,
    summary="File di calendario (.ics) dell'appuntamento",
    description="Non contiene dati personali: ufficio, servizio, orario e codice.",
    responses={
        200: {"content": {"text/calendar": {"schema": {"type": "string"}}}},
        **_NOT_FOUND,
    },
)
def booking_ics(session: SessionDep, code: str = CodePath) -> Response:
    with problems_as_http():
        booking = bookings.by_code(session, code)
    return Response(
        content=ics.for_booking(booking, clock.now()),
        media_type="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="appuntamento-{booking.code}.ics"'},
    )
