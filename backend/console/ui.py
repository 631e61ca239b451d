"""The console's web page: static files (HTML, ES modules, CSS) under /console/.

No build step: what is in `static/` is what the browser gets. The strict CSP set by
`backend.api.security_headers` holds because the page has no inline script or style.
"""

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

STATIC_DIR = Path(__file__).resolve().parent / "static"


def mount(app: FastAPI) -> None:
    @app.get("/console", include_in_schema=False)
    def console_without_slash() -> RedirectResponse:
        # Relative URLs in the page (console.css, console.js) need the trailing slash.
        return RedirectResponse("/console/", status_code=308)

    app.mount("/console", StaticFiles(directory=STATIC_DIR, html=True), name="console")
