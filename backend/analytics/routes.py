"""Analytics routes: events from the gateway and the actions (service token), figures and
the CSV export for supervisors (own region) and admins (any region, or all)."""

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Response

from backend.analytics import export, figures, ingest
from backend.analytics.schemas import EventsIn, EventsStored
from backend.api.deps import ServiceAuth, SessionDep
from backend.api.errors import ApiError
from backend.api.schemas.errors import COMMON_ERRORS
from backend.console.auth import SupervisorOrAdmin
from backend.console.schemas import CONSOLE_ERRORS
from backend.models import Operator
from backend.services import clock

service_router = APIRouter(
    prefix="/api/analytics", tags=["analytics"], dependencies=[ServiceAuth], responses=COMMON_ERRORS
)
console_router = APIRouter(
    prefix="/api/console", tags=["console: statistiche"], responses=CONSOLE_ERRORS
)
MAX_DAYS = 366
DEFAULT_DAYS = 30


@service_router.post("/events", response_model=EventsStored)
def record_events(body: EventsIn, session: SessionDep) -> EventsStored:
    return EventsStored(stored=ingest.store(session, body.events))


def _scope(
    operator: Operator, start: date | None, end: date | None, region: str | None
) -> figures.Scope:
    end = end or clock.today()
    start = start or end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        raise ApiError(422, "La data di inizio è successiva a quella di fine.")
    if (end - start).days >= MAX_DAYS:
        raise ApiError(422, f"Scegli un periodo di al massimo {MAX_DAYS} giorni.")
    if operator.role != "admin":
        # A supervisor sees their own region, whatever they ask for.
        if not operator.region:
            raise ApiError(403, "Il tuo utente non ha una regione: chiedi a un amministratore.")
        region = operator.region
    return figures.Scope(start, end, region or None)


From = Annotated[date | None, Query(alias="from", description="Primo giorno (incluso)")]
To = Annotated[date | None, Query(alias="to", description="Ultimo giorno (incluso)")]
Region = Annotated[str | None, Query(max_length=60, description="Solo amministratori")]


@console_router.get("/analytics")
def analytics(
    operator: SupervisorOrAdmin,
    session: SessionDep,
    start: From = None,
    end: To = None,
    region: Region = None,
) -> dict:
    return figures.compute(session, _scope(operator, start, end, region))


@console_router.get("/analytics/export.csv", response_class=Response)
def analytics_csv(
    operator: SupervisorOrAdmin,
    session: SessionDep,
    start: From = None,
    end: To = None,
    region: Region = None,
) -> Response:
    scope = _scope(operator, start, end, region)
    body = export.to_csv(figures.compute(session, scope))
    name = f"sportello-statistiche-{scope.start}-{scope.end}.csv"
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
