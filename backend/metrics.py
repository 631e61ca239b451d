"""Prometheus metrics of the backend: `GET /metrics` (docs/analytics.md, "Metrics").

- `sportello_backend_http_request_duration_seconds{method, route, status}`: by route
  template (`/api/console/handoffs/{handoff_id}`), never the raw path, so ids do not
  multiply the series;
- `sportello_handoffs_open{status}`: waiting, active and ticket handoffs, counted when
  Prometheus scrapes (one indexed GROUP BY);
- `sportello_handoff_stream_pending{stream, group}` and `..._lag`: entries read but not
  acknowledged, and not yet read, by each consumer group of the handoff streams.

The registry is the backend's own: the gateway's metrics live in its process.
"""

import hmac
import time
from typing import Annotated

from fastapi import APIRouter, Header, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, Histogram
from prometheus_client.exposition import generate_latest
from redis.exceptions import RedisError
from sqlalchemy import func, select
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.api.deps import SessionDep
from backend.api.errors import ApiError
from backend.handoffs import keys
from backend.models import Handoff
from backend.settings import get_settings

REGISTRY = CollectorRegistry()
REQUEST_SECONDS = Histogram(
    "sportello_backend_http_request_duration_seconds",
    "Time to answer an HTTP request, by route template and status.",
    ["method", "route", "status"],
    registry=REGISTRY,
)
HANDOFFS_OPEN = Gauge(
    "sportello_handoffs_open", "Open handoffs by status.", ["status"], registry=REGISTRY
)
STREAM_PENDING = Gauge(
    "sportello_handoff_stream_pending",
    "Stream entries delivered to a consumer group and not yet acknowledged.",
    ["stream", "group"],
    registry=REGISTRY,
)
STREAM_LAG = Gauge(
    "sportello_handoff_stream_lag",
    "Stream entries not yet delivered to a consumer group.",
    ["stream", "group"],
    registry=REGISTRY,
)
OPEN_STATUSES = ("waiting", "active", "ticket")

router = APIRouter(include_in_schema=False)


class RequestMetrics:
    """Pure ASGI middleware: the latency of every HTTP request (WebSockets pass)."""

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
            # The router writes the matched route into the scope; unmatched paths share
            # one label, so scanners cannot create a series per path.
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            REQUEST_SECONDS.labels(scope["method"], route, str(status)).observe(
                time.perf_counter() - started
            )


def check_token(authorization: str | None) -> None:
    settings = get_settings()
    token = settings.metrics_token
    if not token:
        if settings.sportello_env == "production":
            raise ApiError(404, "Risorsa non trovata: controlla l'indirizzo della richiesta.")
        return
    expected = f"Bearer {token}".encode()
    if authorization is None or not hmac.compare_digest(authorization.encode(), expected):
        raise ApiError(401, "Token delle metriche mancante o non valido.")


def _streams() -> None:
    streams = {keys.inbound_stream(): "inbound", keys.outbound_stream(): "outbound"}
    try:
        # Not keys.call: a stream not created yet is an error that must not mark Redis
        # as down for the handoffs.
        client = keys.sync_client()
        for key, name in streams.items():
            if not client.exists(key):
                continue
            for group in client.xinfo_groups(key):
                STREAM_PENDING.labels(name, group["name"]).set(group.get("pending") or 0)
                STREAM_LAG.labels(name, group["name"]).set(group.get("lag") or 0)
    except (RedisError, OSError):
        pass  # no stream yet, or Redis down: the gauges keep their last values


@router.get("/metrics")
def metrics(session: SessionDep, authorization: Annotated[str | None, Header()] = None) -> Response:
    check_token(authorization)
    counts = dict(
        session.execute(
            select(Handoff.status, func.count())
            .where(Handoff.status.in_(OPEN_STATUSES))
            .group_by(Handoff.status)
        ).all()
    )
    for status in OPEN_STATUSES:
        HANDOFFS_OPEN.labels(status).set(counts.get(status, 0))
    _streams()
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
