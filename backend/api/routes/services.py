"""The services a citizen or an employer can book at a CPI."""

from fastapi import APIRouter

from backend.api.deps import ServiceAuth
from backend.api.schemas.appointments import ServiceOut
from backend.api.schemas.errors import COMMON_ERRORS
from backend.services.appointment_data import services

router = APIRouter(
    prefix="/api/v1/services",
    tags=["appointments"],
    dependencies=[ServiceAuth],
    responses=COMMON_ERRORS,
)


@router.get("", response_model=list[ServiceOut], summary="Servizi prenotabili")
def list_services() -> list[ServiceOut]:
    return [ServiceOut.of(s) for s in services().values()]
