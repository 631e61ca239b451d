"""Security headers on every gateway response (pure ASGI, like the backend's).

The gateway serves three kinds of things: JSON for the channels, the demo page, and the
widget script that the Region's own site embeds from another origin. So:

- every response: `X-Content-Type-Options: nosniff` (a browser runs widget.js only
  because it is served as JavaScript), `Referrer-Policy: no-referrer` and a
  Permissions-Policy that denies what the sportello never uses;
- the demo page, the JSON answers and everything else: a strict Content-Security-Policy
  with `frame-ancestors 'none'` (nobody may frame the page to trick citizens). The demo
  page keeps its one inline <style>, allowed by its hash only; the widget builds its
  CSS with a constructed stylesheet, which CSP does not restrict, so it also runs on a
  Region page whose CSP forbids inline styles (`style-src 'self'`);
- /docs and /redoc are left without CSP (Swagger UI and ReDoc load from a CDN with an
  inline script; they show the API's description only, never data).

No X-Frame-Options or Cross-Origin-Resource-Policy on /static: the widget script must
stay loadable by the embedding site.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COMMON = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}
DOCS_PATHS = ("/docs", "/redoc")
STATIC_PREFIX = "/static/"


def inline_style_hashes(html: str) -> list[str]:
    """CSP source expressions ('sha256-...') for each <style> element of a page."""
    bodies = re.findall(r"<style>(.*?)</style>", html, flags=re.DOTALL)
    return [
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
        for body in bodies
    ]


def content_security_policy(demo_page: Path | None = None) -> str:
    """The gateway's CSP: the demo page's inline style is allowed by hash, nothing else."""
    hashes = inline_style_hashes(demo_page.read_text()) if demo_page else []
    styles = " ".join(["'self'", *hashes])
    return (
        "default-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self' data:; "
        f"style-src {styles}; object-src 'none'; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    )


class GatewaySecurityHeaders:
    def __init__(self, app: ASGIApp, csp: str) -> None:
        self.app = app
        self.csp = csp

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in COMMON.items():
                    headers.setdefault(name, value)
                if not path.startswith(DOCS_PATHS):
                    headers.setdefault("Content-Security-Policy", self.csp)
                if not path.startswith(STATIC_PREFIX):
                    # The widget script is embedded by other sites; nothing else is.
                    headers.setdefault("X-Frame-Options", "DENY")
            await send(message)

        await self.app(scope, receive, send_with_headers)
