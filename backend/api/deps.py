"""Request dependencies: a database session, and the service token the actions present."""

import hmac
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, HTTPException, status
from sqlalchemy.orm import Session

from backend.db import session_scope
from backend.settings import get_settings


def get_session() -> Iterator[Session]:
    yield from session_scope()


def require_service_token(authorization: Annotated[str | None, Header()] = None) -> None:
    expected = f"Bearer {get_settings().backend_service_token}"
    # Constant-time comparison: the token guards every citizen-facing operation.
    if authorization is None or not hmac.compare_digest(authorization.encode(), expected.encode()):
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="Autenticazione del servizio mancante o non valida.",
        )


SessionDep = Annotated[Session, Depends(get_session)]
ServiceAuth = Depends(require_service_token)
