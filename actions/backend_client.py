"""The one async client through which actions reach the backend."""

from __future__ import annotations

import logging
from typing import Any

import httpx

from actions.settings import get_settings

log = logging.getLogger(__name__)


class BackendUnavailable(Exception):
    """The backend did not answer in time or answered with a server error."""


class NotFound(Exception):
    """The backend answered 404; `detail` is its Italian message."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


_client: httpx.AsyncClient | None = None


def _get_client() -> httpx.AsyncClient:
    # One pooled client per process: opening a connection per action costs latency.
    global _client
    if _client is None:
        settings = get_settings()
        _client = httpx.AsyncClient(
            base_url=settings.backend_url,
            timeout=settings.backend_timeout_seconds,
            headers={"Authorization": f"Bearer {settings.backend_service_token}"},
        )
    return _client


async def get_json(path: str, params: dict[str, Any] | None = None) -> Any:
    try:
        response = await _get_client().get(path, params=params)
    except httpx.HTTPError as exc:
        log.warning("backend unreachable on GET %s: %s", path, type(exc).__name__)
        raise BackendUnavailable(str(exc)) from exc
    if response.status_code == 404:
        raise NotFound(response.json().get("detail", "Non trovato."))
    if response.status_code >= 400:
        log.warning("backend answered %s on GET %s", response.status_code, path)
        raise BackendUnavailable(f"HTTP {response.status_code}")
    return response.json()


async def post_json(path: str, body: dict[str, Any]) -> Any:
    """POST to the backend. 404 raises NotFound; 409 and 422 return their JSON body
    (slot taken, invalid code...) so the action can explain it; 5xx and timeouts raise
    BackendUnavailable."""
    try:
        response = await _get_client().post(path, json=body)
    except httpx.HTTPError as exc:
        log.warning("backend unreachable on POST %s: %s", path, type(exc).__name__)
        raise BackendUnavailable(str(exc)) from exc
    if response.status_code == 404:
        raise NotFound(response.json().get("detail", "Non trovato."))
    if response.status_code >= 500 or response.status_code in (401, 403):
        log.warning("backend answered %s on POST %s", response.status_code, path)
        raise BackendUnavailable(f"HTTP {response.status_code}")
    return response.json()


async def competent_office(comune: str) -> dict[str, Any]:
    return await get_json("/api/v1/offices/competent", {"comune": comune})


async def find_comune_in_text(text: str) -> dict[str, Any] | None:
    try:
        return await get_json("/api/v1/comuni/find", {"text": text})
    except NotFound:
        return None
