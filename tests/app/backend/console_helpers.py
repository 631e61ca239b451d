"""Console test helpers: operators in the rolled-back session, a client, signing in.

The client talks to https://testserver because the session cookie is Secure: a cookie
jar never sends it over plain http (browsers make an exception only for localhost).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.console import passwords
from backend.models import Office, Operator
from backend.services import clock

PASSWORD = "una-password-lunga-abbastanza"
BASE_URL = "https://testserver"


@lru_cache
def _password_hash() -> str:
    # One argon2id hash for every test operator: hashing costs ~50 ms and 64 MiB.
    return passwords.hash_password(PASSWORD)


def make_operator(
    session: Session,
    role: str = "operator",
    region: str | None = "Calabria",
    offices: tuple[str, ...] = ("cpi-cosenza",),
    **fields: Any,
) -> Operator:
    """A flushed operator (in the test's transaction) whose password is PASSWORD."""
    username = fields.pop("username", f"{role}-{uuid.uuid4().hex[:8]}")
    values: dict[str, Any] = {
        "display_name": f"Test {username}",
        "password_hash": _password_hash(),
        "active": True,
        "failed_logins": 0,
        "created_at": clock.now(),
        **fields,
    }
    operator = Operator(
        username=username,
        role=role,
        region=region,
        offices=list(session.scalars(select(Office).where(Office.code.in_(offices)))),
        **values,
    )
    session.add(operator)
    session.flush()
    return operator


@contextmanager
def console_client(db_session: Session) -> Iterator[TestClient]:
    from backend.api.deps import get_session
    from backend.main import create_app

    app = create_app()
    app.dependency_overrides[get_session] = lambda: db_session
    with TestClient(app, base_url=BASE_URL) as client:
        yield client


def sign_in(client: TestClient, operator: Operator, password: str = PASSWORD) -> str:
    """Sign the client in as the operator; returns the session's CSRF token."""
    response = client.post(
        "/api/console/login", json={"username": operator.username, "password": password}
    )
    assert response.status_code == 200, response.text
    return response.json()["csrf_token"]
