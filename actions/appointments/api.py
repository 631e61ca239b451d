"""The backend's appointment routes, as the actions use them (docs/backend.md).

Tax codes, names and contacts travel only in request bodies; nothing here logs a value the
citizen typed.
Errors: `backend_client.BackendUnavailable` (down, slow, 5xx) and `NotFound` (404)
propagate; a refused change (409, 422) comes back as `Refused`, with the next free
slots when the backend offers them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from actions import backend_client
from actions.appointments.citizen_data import channel_of

Json = dict[str, Any]


@dataclass(frozen=True)
class Refused:
    detail: str
    alternatives: list[str] = field(default_factory=list)  # ISO start times


def _outcome(body: Json) -> Json | Refused:
    # Success bodies (BookingOut) never carry "detail"; every error body does.
    if "detail" in body:
        starts = [slot["starts_at"] for slot in body.get("alternatives") or []]
        return Refused(detail=str(body["detail"]), alternatives=starts)
    return body


async def services() -> list[Json]:
    return await backend_client.get_json("/api/v1/services")


async def office(code: str) -> Json:
    return await backend_client.get_json(f"/api/v1/offices/{code}")


async def free_slots(
    office_code: str, service_code: str, first_day: date, days: int, limit: int = 200
) -> list[str]:
    params = {
        "office": office_code,
        "service": service_code,
        "date_from": first_day.isoformat(),
        "days": max(1, min(days, 60)),
        "limit": limit,
    }
    answer = await backend_client.get_json("/api/v1/slots", params)
    return [slot["starts_at"] for slot in answer["slots"]]


async def book(
    office_code: str,
    service_code: str,
    starts_at: str,
    tax_code: str,
    sender_id: str,
    citizen_name: str | None = None,
    contact: dict[str, str] | None = None,
) -> Json | Refused:
    """`contact` is {"kind": "phone" | "email", "value"}; the backend normalises it again."""
    body: Json = {
        "office_code": office_code,
        "service_code": service_code,
        "starts_at": starts_at,
        "tax_code": tax_code,
    }
    # Name and contact let the office warn the citizen if the appointment must move.
    if citizen_name:
        body["citizen_name"] = citizen_name
    if contact:
        body["contact"] = {"kind": contact["kind"], "value": contact["value"]}
    # Channel and conversation let the backend schedule the reminder the day before.
    if channel := channel_of(sender_id):
        body["channel"], body["conversation_id"] = channel
    return _outcome(await backend_client.post_json("/api/v1/bookings", body))


async def upcoming(tax_code: str) -> list[Json]:
    """The citizen's future confirmed bookings, earliest first."""
    answer = await backend_client.post_json("/api/v1/bookings/search", {"tax_code": tax_code})
    if isinstance(answer, dict):  # 422: the backend refused the tax code
        return []
    return answer


async def find(code: str, tax_code: str) -> Json | None:
    """The upcoming booking with this code, if this tax code made it."""
    return next((b for b in await upcoming(tax_code) if b["code"] == code), None)


async def cancel(code: str, tax_code: str) -> Json | Refused:
    body = {"tax_code": tax_code}
    return _outcome(await backend_client.post_json(f"/api/v1/bookings/{code}/cancel", body))


async def reschedule(code: str, tax_code: str, starts_at: str) -> Json | Refused:
    body = {"tax_code": tax_code, "starts_at": starts_at}
    return _outcome(await backend_client.post_json(f"/api/v1/bookings/{code}/reschedule", body))
