"""The gateway's FastAPI application: channels, handoff to operators, demo page, widget."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from http import HTTPStatus
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from integrations import calendar, metrics, privacy_notice
from integrations.analytics import AnalyticsRecorder
from integrations.background import BackgroundTasks
from integrations.channels import telegram, web, whatsapp
from integrations.conversation import ConversationRouter
from integrations.dedup import Deduplicator
from integrations.handoff import HandoffGate
from integrations.outbound import OutboundConsumer
from integrations.rasa_client import RasaClient
from integrations.rate_limit import RateLimiter
from integrations.redis_store import RedisStore
from integrations.security_headers import GatewaySecurityHeaders, content_security_policy
from integrations.settings import GatewaySettings, get_settings
from redaction.logs import configure_service_logging

STATIC_DIR = Path(__file__).parent / "static"
# Starlette's own errors are in English ("Not Found", "There was an error parsing the
# body"); citizens' widgets may show them: they are answered in Italian. Details our
# routes raise themselves are already Italian and pass as they are.
STARLETTE_DETAILS = {"There was an error parsing the body"} | {s.phrase for s in HTTPStatus}
ITALIAN_DETAILS = {
    400: "Richiesta non valida: il corpo della richiesta non è leggibile.",
    404: "Indirizzo non trovato.",
    405: "Metodo non consentito per questo indirizzo.",
}
# Queued messages get this long to finish when the gateway stops.
DRAIN_SECONDS = 15.0

log = logging.getLogger(__name__)


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    # No tax code, phone number, e-mail or IBAN in any log line (docs/privacy.md).
    configure_service_logging()
    # httpx logs every request URL at INFO, and Telegram's URLs carry the bot token;
    # PTB logs every Bot API call's parameters (chat ids, citizens' texts) at DEBUG.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("telegram").setLevel(logging.INFO)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        rasa = RasaClient(
            settings.rasa_urls, settings.rasa_timeout_seconds, settings.public_base_url
        )
        store = RedisStore(settings.redis_url, settings.redis_key_prefix)
        handoff_store = RedisStore(settings.redis_url, settings.handoff_redis_prefix)
        app.state.settings = settings
        app.state.store = store
        app.state.dedup = Deduplicator(store, settings.dedup_ttl_seconds)
        analytics = None
        if settings.analytics_enabled:
            analytics = AnalyticsRecorder(
                backend_url=settings.backend_url,
                token=settings.backend_service_token.get_secret_value(),
                store=store,
                flush_seconds=settings.analytics_flush_seconds,
            )
            analytics.start()
        app.state.router = ConversationRouter(
            rasa,
            dedup=app.state.dedup,
            limiter=RateLimiter(store, settings.rate_limit_per_minute),
            max_chars=settings.max_message_chars,
            handoff=HandoffGate(handoff_store, store) if settings.handoff_enabled else None,
            analytics=analytics,
        )
        app.state.tasks = BackgroundTasks()
        app.state.telegram = (
            telegram.TelegramChannel(settings) if settings.telegram_enabled else None
        )
        app.state.whatsapp = (
            whatsapp.WhatsAppChannel(settings, store) if settings.whatsapp_enabled else None
        )
        log.info(
            "channels: web on, Telegram %s, WhatsApp %s; handoff %s",
            "on" if app.state.telegram else "off (not configured)",
            "on" if app.state.whatsapp else "off (not configured)",
            "on" if settings.handoff_enabled else "off",
        )
        if app.state.telegram:
            await app.state.telegram.start()
        outbound = None
        if settings.handoff_enabled:
            outbound = OutboundConsumer(
                settings.redis_url,
                handoff_prefix=settings.handoff_redis_prefix,
                gateway_prefix=settings.redis_key_prefix,
                consumer=settings.gateway_consumer_name,
                adapters={"telegram": app.state.telegram, "whatsapp": app.state.whatsapp},
                web=web.WebChannel(),
                attempts=settings.handoff_delivery_attempts,
                retry_seconds=settings.handoff_retry_seconds,
            )
            outbound.start()
        app.state.outbound = outbound
        try:
            yield
        finally:
            if outbound is not None:
                await outbound.stop()
            await app.state.tasks.drain(DRAIN_SECONDS)
            if analytics is not None:
                await analytics.stop()  # sends what is left
            for channel in (app.state.telegram, app.state.whatsapp):
                if channel is not None:
                    await channel.aclose()
            await rasa.aclose()
            await store.aclose()
            await handoff_store.aclose()

    app = FastAPI(
        title="Sportello virtuale CPI - gateway",
        version="0.2.0",
        description="Canali dei cittadini (widget web, Telegram, WhatsApp) verso l'assistente.",
        lifespan=lifespan,
    )
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.widget_allowed_origins,
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type"],
    )
    app.add_middleware(metrics.RequestMetrics)
    # Outermost: CORS preflight answers and errors carry the headers too.
    app.add_middleware(
        GatewaySecurityHeaders, csp=content_security_policy(STATIC_DIR / "index.html")
    )

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        # Citizens' widgets may show this: plain Italian, no stack of pydantic errors.
        return JSONResponse(
            status_code=422,
            content={"detail": "Richiesta non valida: controlla il formato del messaggio."},
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail
        if detail in STARLETTE_DETAILS:
            detail = ITALIAN_DETAILS.get(exc.status_code, "Richiesta non valida.")
        return JSONResponse(
            status_code=exc.status_code, content={"detail": detail}, headers=exc.headers
        )

    @app.get("/health", tags=["health"])
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    app.include_router(web.build_router())
    app.include_router(calendar.build_router())
    app.include_router(privacy_notice.build_router())
    app.include_router(telegram.build_router())
    app.include_router(whatsapp.build_router())
    app.include_router(metrics.build_router())

    @app.get("/", include_in_schema=False)
    async def demo_page() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html")

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app


app = create_app()
