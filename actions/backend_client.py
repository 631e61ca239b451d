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


async def _request(method: str, path: str, *, explain_client_errors: bool, **kwargs: Any) -> Any:
    try:
        response = await _get_client().request(method, path, **kwargs)
    except httpx.HTTPError as exc:
        log.warning("backend unreachable on %s %s: %s", method, path, type(exc).__name__)
        raise BackendUnavailable(str(exc)) from exc
    status = response.status_code
    if status == 404:
        raise NotFound(response.json().get("detail", "Non trovato."))
    explained = explain_client_errors and status < 500 and status not in (401, 403)
    if status >= 400 and not explained:
        log.warning("backend answered %s on %s %s", status, method, path)
        raise BackendUnavailable(f"HTTP {status}")
    return response.json()


async def get_json(path: str, params: dict[str, Any] | None = None) -> Any:
    """GET from the backend. 404 raises NotFound; any other error BackendUnavailable."""
    return await _request("GET", path, explain_client_errors=False, params=params)


async def post_json(path: str, body: dict[str, Any]) -> Any:
    """POST to the backend. 404 raises NotFound; other 4xx (slot taken, invalid code...)
    return their JSON body so the action can explain it; 5xx, 401/403 and timeouts raise
    BackendUnavailable."""
    return await _request("POST", path, explain_client_errors=True, json=body)


async def competent_office(comune: str) -> dict[str, Any]:
    return await get_json("/api/v1/offices/competent", {"comune": comune})


async def find_comune_in_text(text: str) -> dict[str, Any] | None:
    try:
        return await get_json("/api/v1/comuni/find", {"text": text})
    except NotFound:
        return None
