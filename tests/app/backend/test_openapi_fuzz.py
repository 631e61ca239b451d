"""Property-based run of the whole OpenAPI: no input makes the backend answer 5xx.

schemathesis generates requests from the schema (valid and invalid ones), sends them
with the service token to the ASGI app on the test PostgreSQL database, inside one
rolled-back transaction, and fails on any server error. Bounded: 25 examples per
operation, deterministic, about 10 seconds in all. The console's operations run a second
time as a signed-in admin (8 examples each), so that their inputs are judged too.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import Case
from schemathesis.checks import not_a_server_error
from sqlalchemy.orm import Session

from backend.api.deps import get_session
from backend.main import create_app

# Raise it for a deeper local run: SPORTELLO_FUZZ_EXAMPLES=500 pytest -k fuzz
EXAMPLES_PER_OPERATION = int(os.environ.get("SPORTELLO_FUZZ_EXAMPLES", "25"))


APP = create_app()
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(autouse=True)
def _on_the_test_database(db_session: Session) -> Iterator[None]:
    APP.dependency_overrides[get_session] = lambda: db_session
    yield
    APP.dependency_overrides.clear()


@pytest.mark.timeout(120)
@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_input_makes_the_backend_fail(case: Case, service_headers: dict[str, str]) -> None:
    case.call_and_validate(headers=service_headers, checks=[not_a_server_error])


# The console's routes again, as a signed-in admin with the CSRF token: with the service
# token alone they stop at 401, so their bodies and parameters would never be judged.
CONSOLE_EXAMPLES = max(1, EXAMPLES_PER_OPERATION // 3)
console_schema = schema.include(path_regex="^/api/console/").exclude(path="/api/console/logout")


@pytest.fixture
def admin_headers(db_session: Session) -> dict[str, str]:
    from fastapi.testclient import TestClient

    from backend.console.sessions import COOKIE_NAME
    from tests.app.backend.console_helpers import BASE_URL, make_operator, sign_in

    with TestClient(APP, base_url=BASE_URL) as client:
        csrf = sign_in(client, make_operator(db_session, role="admin"))
        return {"Cookie": f"{COOKIE_NAME}={client.cookies[COOKIE_NAME]}", "X-CSRF-Token": csrf}


@pytest.mark.timeout(120)
@console_schema.parametrize()
@settings(
    max_examples=CONSOLE_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_input_makes_the_console_fail(case: Case, admin_headers: dict[str, str]) -> None:
    case.call_and_validate(headers=admin_headers, checks=[not_a_server_error])
