"""Prometheus metrics of the gateway: `GET /metrics` (docs/analytics.md, "Metrics").

- `sportello_gateway_http_request_duration_seconds{method, route, status}`: by route
  template, never the raw path (a session id or a booking code would make a series each);
- `sportello_gateway_messages_total{channel}`: citizens' messages, retried deliveries
  not counted;
- `sportello_gateway_background_tasks`: webhook messages queued or being answered.

The registry is the gateway's own: the backend's metrics live in its process.
"""

from __future__ import annotations

import hmac
import time
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REGISTRY = CollectorRegistry()
REQUEST_SECONDS = Histogram(
    "sportello_gateway_http_request_duration_seconds",
    "Time to answer an HTTP request, by route template and status.",
    ["method", "route", "status"],
    registry=REGISTRY,
)
MESSAGES = Counter(
    "sportello_gateway_messages",
    "Citizens' messages by channel (retried deliveries not counted).",
    ["channel"],
    registry=REGISTRY,
)
BACKGROUND = Gauge(
    "sportello_gateway_background_tasks",
    "Webhook messages queued or being answered.",
    registry=REGISTRY,
)


class RequestMetrics:
    """Pure ASGI middleware: the latency of every HTTP request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            REQUEST_SECONDS.labels(scope["method"], route, str(status)).observe(
                time.perf_counter() - started
            )


def build_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/metrics")
    async def metrics(
        request: Request, authorization: Annotated[str | None, Header()] = None
    ) -> Response:
        settings = request.app.state.settings
        token = settings.metrics_token.get_secret_value()
        if not token and settings.sportello_env == "production":
            raise HTTPException(404, "Non trovato.")
        if token:
            expected = f"Bearer {token}".encode()
            if authorization is None or not hmac.compare_digest(authorization.encode(), expected):
                raise HTTPException(401, "Token delle metriche mancante o non valido.")
        BACKGROUND.set(request.app.state.tasks.pending)
        return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)

    return router
