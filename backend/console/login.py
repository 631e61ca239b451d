"""Checking a username and password, with the lockout after repeated failures."""

import math
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.api.errors import ApiError
from backend.console import audit, passwords
from backend.console.accounts import normalise_username
from backend.models import Operator
from backend.services import clock
from backend.settings import get_settings

WRONG_CREDENTIALS = "Nome utente o password non corretti."


def _locked(minutes_left: int) -> ApiError:
    unit = "minuto" if minutes_left == 1 else "minuti"
    return ApiError(
        423, f"Account bloccato per troppi tentativi: riprova tra {minutes_left} {unit}."
    )


def authenticate(session: Session, username: str, password: str) -> Operator:
    """The operator these credentials belong to, or ApiError 401 / 423 (committed audit).

    The row is locked while checking, so concurrent guesses cannot slip past the count.
    """
    settings = get_settings()
    now = clock.now()
    operator = session.scalar(
        select(Operator).where(Operator.username == normalise_username(username)).with_for_update()
    )
    if operator is None or not operator.active:
        # Same work and same answer as a wrong password: no hint that the name exists.
        passwords.spend_verify_time(password)
        why = "utente sconosciuto" if operator is None else "account disattivato"
        audit.record(
            session,
            "login_failed",
            operator_id=None if operator is None else operator.id,
            detail=why,
        )
        session.commit()
        raise ApiError(401, WRONG_CREDENTIALS)

    if operator.locked_until is not None:
        if operator.locked_until > now:
            audit.record(
                session, "login_failed", operator_id=operator.id, detail="account bloccato"
            )
            session.commit()
            left = math.ceil((operator.locked_until - now).total_seconds() / 60)
            raise _locked(left)
        # The lock has run out: a fresh series of attempts.
        operator.locked_until = None
        operator.failed_logins = 0

    if not passwords.verify(operator.password_hash, password):
        operator.failed_logins += 1
        detail = f"password errata ({operator.failed_logins}° tentativo)"
        locked = operator.failed_logins >= settings.login_max_failures
        if locked:
            operator.locked_until = now + timedelta(minutes=settings.login_lockout_minutes)
            detail += ": account bloccato"
        audit.record(session, "login_failed", operator_id=operator.id, detail=detail)
        session.commit()
        raise (
            _locked(settings.login_lockout_minutes) if locked else ApiError(401, WRONG_CREDENTIALS)
        )

    operator.failed_logins = 0
    operator.last_seen_at = now
    if passwords.needs_rehash(operator.password_hash):
        # Parameters grew since this hash was made: store one made with today's.
        operator.password_hash = passwords.hash_password(password)
    return operator
