"""The gateway's FastAPI application: channels, demo page and widget."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from integrations.channels import web
from integrations.conversation import ConversationRouter
from integrations.rasa_client import RasaClient
from integrations.settings import GatewaySettings, get_settings

STATIC_DIR = Path(__file__).parent / "static"


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        rasa = RasaClient(settings.rasa_urls, settings.rasa_timeout_seconds)
        app.state.settings = settings
        app.state.router = ConversationRouter(rasa)
        yield
        await rasa.aclose()

    app = FastAPI(
        title="Sportello virtuale CPI - gateway",
        version="0.1.0",
        description="Canali dei cittadini (widget web, Telegram, WhatsApp) verso l'assistente.",
        lifespan=lifespan,
    )
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.widget_allowed_origins,
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type"],
    )

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        # Citizens' widgets may show this: plain Italian, no stack of pydantic errors.
        return JSONResponse(
            status_code=422,
            content={"detail": "Richiesta non valida: controlla il formato del messaggio."},
        )

    @app.get("/health", tags=["health"])
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    app.include_router(web.build_router())

    @app.get("/", include_in_schema=False)
    async def demo_page() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html")

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app


app = create_app()
