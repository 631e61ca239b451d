"""Who and where: offices one may transfer to, and colleagues (online or not)."""

from datetime import timedelta

from fastapi import APIRouter
from sqlalchemy.orm import selectinload

from backend.api.deps import SessionDep
from backend.console import scope
from backend.console.auth import CurrentOperator
from backend.console.schemas import CONSOLE_ERRORS, ColleagueOut, OfficeRef
from backend.models import Office, Operator
from backend.services import clock

router = APIRouter(prefix="/api/console", tags=["console"], responses=CONSOLE_ERRORS)
# The contract's "online": the console was seen in the last two minutes.
ONLINE_WITHIN = timedelta(seconds=120)


def is_online(operator: Operator) -> bool:
    seen = operator.last_seen_at
    return seen is not None and clock.now() - seen <= ONLINE_WITHIN


@router.get("/offices", response_model=list[OfficeRef])
def offices(operator: CurrentOperator, session: SessionDep) -> list[Office]:
    return list(session.scalars(scope.offices_query(operator)))


@router.get("/operators", response_model=list[ColleagueOut])
def colleagues(operator: CurrentOperator, session: SessionDep) -> list[ColleagueOut]:
    query = scope.colleagues_query(operator).options(selectinload(Operator.offices))
    return [
        ColleagueOut(
            id=other.id,
            display_name=other.display_name,
            role=other.role,  # type: ignore[arg-type]
            online=is_online(other),
            offices=[OfficeRef.model_validate(o) for o in other.offices],
        )
        for other in session.scalars(query)
    ]
