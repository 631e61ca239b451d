"""Who is calling the console: FastAPI dependencies for the session cookie and roles.

Every console route depends on `current_operator` (or on `require_roles(...)`, which
builds on it): 401 without a valid session, 403 for an unsafe request without the
session's CSRF token, 403 for a role that may not. The WebSocket authenticates with
the same cookie and, against cross-site WebSocket hijacking, checks the Origin.
"""

import hmac
from collections.abc import Callable
from datetime import timedelta
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, HTTPException, Request, WebSocket, status
from sqlalchemy.orm import Session

from backend.api.deps import SessionDep
from backend.console import sessions
from backend.models import Operator, OperatorSession
from backend.services import clock
from backend.settings import get_settings

CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# last_seen_at is written at most this often, not on every request.
SEEN_EVERY = timedelta(seconds=30)

NOT_SIGNED_IN = "Accesso richiesto."
BAD_CSRF = "Token CSRF mancante o non valido."
FORBIDDEN = "Non hai i permessi per questa operazione."


def touch(session: Session, operator: Operator) -> None:
    """Mark the operator as seen now (commits), unless that was said in the last 30 s."""
    now = clock.now()
    if operator.last_seen_at is None or now - operator.last_seen_at >= SEEN_EVERY:
        operator.last_seen_at = now
        session.commit()


def current_operator(request: Request, session: SessionDep) -> Operator:
    row = sessions.lookup(session, request.cookies.get(sessions.COOKIE_NAME))
    if row is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail=NOT_SIGNED_IN)
    if request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        # Constant-time: the token is the only thing a cross-site request cannot know.
        if not hmac.compare_digest(sent.encode(), row.csrf_token.encode()):
            raise HTTPException(status.HTTP_403_FORBIDDEN, detail=BAD_CSRF)
    request.state.console_session = row
    operator = row.operator
    touch(session, operator)
    return operator


CurrentOperator = Annotated[Operator, Depends(current_operator)]


def current_session(request: Request, _: CurrentOperator) -> OperatorSession:
    """The console session `current_operator` found for this request (for /me, /logout)."""
    return request.state.console_session


def require_roles(*roles: str) -> Callable[[Operator], Operator]:
    """A dependency giving the signed-in operator if their role is one of `roles`, else 403."""
    allowed = frozenset(roles)

    def dependency(operator: CurrentOperator) -> Operator:
        if operator.role not in allowed:
            raise HTTPException(status.HTTP_403_FORBIDDEN, detail=FORBIDDEN)
        return operator

    return dependency


AdminOperator = Annotated[Operator, Depends(require_roles("admin"))]
SupervisorOrAdmin = Annotated[Operator, Depends(require_roles("supervisor", "admin"))]


def origin_allowed(websocket: WebSocket) -> bool:
    origin = websocket.headers.get("origin")
    if origin is None:
        # Browsers always send Origin on a WebSocket handshake (RFC 6455 §4.1), so a
        # handshake without it is no page riding on the operator's cookie.
        return True
    origin = origin.rstrip("/")
    if origin in get_settings().console_allowed_origins:
        return True
    # Same host and port as the request, whatever the scheme: behind a proxy that ends
    # TLS the backend sees ws:// while the page is https:// (gorilla/websocket does the
    # same). A page of another site has another host.
    host = urlsplit(origin).netloc
    return bool(host) and host == websocket.headers.get("host")


def operator_from_websocket(websocket: WebSocket, session: Session) -> Operator | None:
    """The signed-in operator of a WebSocket handshake, or None (then close with 1008).

    None also when the page that opens it is from another origin: cookies go with
    cross-site WebSocket handshakes (SameSite does not cover every browser and case).
    """
    if not origin_allowed(websocket):
        return None
    row = sessions.lookup(session, websocket.cookies.get(sessions.COOKIE_NAME))
    if row is None:
        return None
    touch(session, row.operator)
    return row.operator
