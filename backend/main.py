"""The backend's FastAPI application."""

from fastapi import FastAPI

from backend.api import errors
from backend.api.routes import bookings, comuni, eligibility, health, offices, services, slots


def create_app() -> FastAPI:
    app = FastAPI(
        title="Sportello virtuale CPI - backend",
        version="0.1.0",
        description=(
            "Uffici, appuntamenti e regole dei requisiti "
            "per lo sportello virtuale dei Centri per l'Impiego."
        ),
    )
    errors.install(app)
    app.include_router(health.router)
    app.include_router(offices.router)
    app.include_router(comuni.router)
    app.include_router(services.router)
    app.include_router(slots.router)
    app.include_router(bookings.router)
    app.include_router(eligibility.router)
    return app


app = create_app()
