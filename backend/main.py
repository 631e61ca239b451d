"""The backend's FastAPI application."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from backend.analytics.routes import console_router as analytics_console
from backend.analytics.routes import service_router as analytics_service
from backend.api import errors
from backend.api.routes import bookings, comuni, eligibility, health, offices, services, slots
from backend.api.security_headers import SecurityHeaders
from backend.console import ui as console_ui
from backend.console.api import router as console_router
from backend.handoffs import background as handoff_background
from backend.handoffs import routes_console as handoff_console
from backend.handoffs import routes_service as handoff_service
from backend.metrics import RequestMetrics
from backend.metrics import router as metrics_router
from backend.privacy import background as privacy_background
from backend.privacy import routes as privacy_routes
from backend.settings import Settings
from redaction.logs import configure_service_logging


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    # Consumes citizens' messages and shares console events (backend/handoffs/); purges
    # what is past its retention period (backend/privacy/).
    async with handoff_background.lifespan(app), privacy_background.lifespan(app):
        yield


def create_app() -> FastAPI:
    # No tax code, phone number, e-mail or IBAN in any log line (docs/privacy.md).
    configure_service_logging()
    # Read the environment now, not at the first request: outside development the
    # backend refuses to start (even to be imported) with the repository's secrets.
    Settings()
    app = FastAPI(
        title="Sportello virtuale CPI - backend",
        version="0.1.0",
        description=(
            "Uffici, appuntamenti e regole dei requisiti "
            "per lo sportello virtuale dei Centri per l'Impiego."
        ),
        lifespan=lifespan,
    )
    errors.install(app)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(RequestMetrics)
    app.include_router(health.router)
    app.include_router(offices.router)
    app.include_router(comuni.router)
    app.include_router(services.router)
    app.include_router(slots.router)
    app.include_router(bookings.router)
    app.include_router(eligibility.router)
    app.include_router(handoff_service.router)
    app.include_router(privacy_routes.router)
    app.include_router(console_router)
    app.include_router(handoff_console.router)
    app.include_router(analytics_service)
    app.include_router(analytics_console)
    app.include_router(metrics_router)
    console_ui.mount(app)
    return app


app = create_app()
