"""Public link to a booking's calendar file (.ics).

The backend serves it only to holders of the service token; citizens get it here, from
the link in their booking confirmation. The file names the office, the service and the
time, and nothing about the citizen; the 6-character code (32^6, about a billion) is the
only key, as on a paper appointment slip.
"""

from __future__ import annotations

import logging

import httpx
from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import JSONResponse

log = logging.getLogger(__name__)
# Confirmation codes: 6 characters without the ambiguous 0/O/1/I (backend's alphabet).
CODE_PATTERN = r"^[2-9A-HJ-NP-Z]{6}$"


def build_router() -> APIRouter:
    router = APIRouter(tags=["calendar"])

    @router.get("/api/calendar/{code}.ics", response_class=Response)
    async def booking_calendar(
        request: Request, code: str = Path(pattern=CODE_PATTERN)
    ) -> Response:
        settings = request.app.state.settings
        token = settings.backend_service_token.get_secret_value()
        try:
            async with httpx.AsyncClient(timeout=5) as client:
                answer = await client.get(
                    f"{settings.backend_url}/api/v1/bookings/{code}/ics",
                    headers={"Authorization": f"Bearer {token}"},
                )
        except httpx.HTTPError as exc:
            log.warning("backend unreachable for a calendar file: %s", type(exc).__name__)
            return JSONResponse(
                status_code=503,
                content={"detail": "Il calendario non è disponibile ora: riprova più tardi."},
            )
        if answer.status_code == 404:
            return JSONResponse(status_code=404, content={"detail": "Prenotazione non trovata."})
        if answer.status_code != 200:
            return JSONResponse(
                status_code=503,
                content={"detail": "Il calendario non è disponibile ora: riprova più tardi."},
            )
        return Response(
            content=answer.content,
            media_type="text/calendar; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="appuntamento-{code}.ics"'},
        )

    return router
