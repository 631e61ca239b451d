"""Console sessions: a random token in the cookie, only its SHA-256 in the database."""

import hashlib
import secrets
from datetime import timedelta

from fastapi import Response
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from backend.models import Operator, OperatorSession
from backend.services import clock
from backend.settings import get_settings

COOKIE_NAME = "sportello_console"
# Tokens longer than this are not ours: refuse them before hashing.
_TOKEN_MAX = 100


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create(session: Session, operator: Operator) -> tuple[str, OperatorSession]:
    """A new session for the operator: the cookie token (returned once) and the row."""
    now = clock.now()
    token = secrets.token_urlsafe(32)
    row = OperatorSession(
        token_hash=token_hash(token),
        csrf_token=secrets.token_urlsafe(32),
        operator_id=operator.id,
        created_at=now,
        expires_at=now + timedelta(hours=get_settings().console_session_hours),
    )
    session.add(row)
    # Expired sessions of this operator are of no use to anybody: drop them here.
    session.execute(
        delete(OperatorSession).where(
            OperatorSession.operator_id == operator.id, OperatorSession.expires_at <= now
        )
    )
    return token, row


def lookup(session: Session, token: str | None) -> OperatorSession | None:
    """The unexpired session of an active operator for this cookie token, or None."""
    if not token or len(token) > _TOKEN_MAX:
        return None
    row = session.scalar(
        select(OperatorSession).where(OperatorSession.token_hash == token_hash(token))
    )
    if row is None or row.expires_at <= clock.now() or not row.operator.active:
        return None
    return row


def delete_session(session: Session, row: OperatorSession) -> None:
    session.delete(row)


def delete_all_for(session: Session, operator_id: int) -> None:
    """End every session of an operator (deactivated, or given a new password)."""
    session.execute(delete(OperatorSession).where(OperatorSession.operator_id == operator_id))


def set_cookie(response: Response, token: str) -> None:
    settings = get_settings()
    response.set_cookie(
        COOKIE_NAME,
        token,
        max_age=settings.console_session_hours * 3600,
        path="/",
        secure=settings.console_cookie_secure,
        httponly=True,
        samesite="strict",
    )


def clear_cookie(response: Response) -> None:
    settings = get_settings()
    response.delete_cookie(
        COOKIE_NAME,
        path="/",
        secure=settings.console_cookie_secure,
        httponly=True,
        samesite="strict",
    )
