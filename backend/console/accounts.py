"""Creating and changing operators' accounts: shared by the admin routes and the CLI."""

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.api.errors import ApiError
from backend.console import passwords, sessions
from backend.models import Office, Operator
from backend.services import clock

# Login names: lowercase letters, digits, dot, dash, underscore; 3 to 80 characters.
USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{2,79}")


@dataclass
class AccountFields:
    username: str
    display_name: str
    role: str
    region: str | None
    office_codes: list[str]
    password: str


def normalise_username(username: str) -> str:
    return username.strip().lower()


def check_password(password: str) -> None:
    if len(password) < passwords.MIN_LENGTH:
        raise ApiError(422, f"La password deve avere almeno {passwords.MIN_LENGTH} caratteri.")


def resolve_offices(
    session: Session, codes: list[str], role: str, region: str | None
) -> list[Office]:
    """The offices named by code, all in the region; the region must exist for non-admins."""
    known_regions = set(session.scalars(select(Office.region).distinct()))
    if region is not None and region not in known_regions:
        raise ApiError(422, f"Regione sconosciuta: «{region[:60]}».")
    if role != "admin" and region is None:
        raise ApiError(422, "Operatori e supervisori devono avere una regione.")
    wanted = sorted(set(codes))
    offices = list(session.scalars(select(Office).where(Office.code.in_(wanted))))
    missing = sorted(set(wanted) - {o.code for o in offices})
    if missing:
        raise ApiError(422, f"Ufficio sconosciuto: «{missing[0][:40]}».")
    if region is not None and any(o.region != region for o in offices):
        raise ApiError(422, "Gli uffici assegnati devono essere della regione dell'operatore.")
    return offices


def username_taken(session: Session, username: str) -> bool:
    return session.scalar(select(Operator.id).where(Operator.username == username)) is not None


def create(session: Session, fields: AccountFields) -> Operator:
    """A new active account (flushed, not committed). 409 when the username exists."""
    username = normalise_username(fields.username)
    if username_taken(session, username):
        raise ApiError(409, "Nome utente già in uso.")
    if not USERNAME.fullmatch(username):
        raise ApiError(
            422,
            "Nome utente non valido: da 3 a 80 caratteri tra lettere minuscole, cifre, "
            "punto, trattino e trattino basso.",
        )
    check_password(fields.password)
    operator = Operator(
        username=username,
        display_name=fields.display_name.strip(),
        password_hash=passwords.hash_password(fields.password),
        role=fields.role,
        region=fields.region,
        active=True,
        failed_logins=0,
        created_at=clock.now(),
        offices=resolve_offices(session, fields.office_codes, fields.role, fields.region),
    )
    session.add(operator)
    session.flush()
    return operator


def set_password(session: Session, operator: Operator, password: str) -> None:
    """A new password: unlocks the account and ends every session it had."""
    check_password(password)
    operator.password_hash = passwords.hash_password(password)
    operator.failed_logins = 0
    operator.locked_until = None
    sessions.delete_all_for(session, operator.id)
