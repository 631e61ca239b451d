"""The backend's FastAPI application."""

from fastapi import FastAPI

from backend.api.routes import comuni, health, offices


def create_app() -> FastAPI:
    app = FastAPI(
        title="Sportello virtuale CPI - backend",
        version="0.1.0",
        description=(
            "Uffici, appuntamenti e regole dei requisiti "
            "per lo sportello virtuale dei Centri per l'Impiego."
        ),
    )
    app.include_router(health.router)
    app.include_router(offices.router)
    app.include_router(comuni.router)
    return app


app = create_app()
