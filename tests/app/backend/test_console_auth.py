"""Signing in to the console: cookie, CSRF, lockout, passwords, sessions, audit."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from pydantic import ValidationError
from sqlalchemy import select

from backend.console import passwords
from backend.console.sessions import COOKIE_NAME
from backend.models import AuditEntry, Operator, OperatorSession
from backend.services import clock
from backend.settings import Settings
from tests.app.backend.console_helpers import PASSWORD, console_client, make_operator, sign_in

WRONG = "Nome utente o password non corretti."
LOCKED = "Account bloccato per troppi tentativi: riprova tra 15 minuti."


@pytest.fixture
def client(db_session):
    with console_client(db_session) as client:
        yield client


def login(client, username: str, password: str):
    return client.post("/api/console/login", json={"username": username, "password": password})


def actions(db_session, operator_id: int | None = None) -> list[tuple[str, str | None]]:
    query = select(AuditEntry).order_by(AuditEntry.id)
    if operator_id is not None:
        query = query.where(AuditEntry.operator_id == operator_id)
    return [(e.action, e.detail) for e in db_session.scalars(query)]


def test_signing_in_returns_the_operator_and_a_csrf_token(client, db_session):
    operator = make_operator(db_session, display_name="Anna Rossi")
    response = login(client, operator.username, PASSWORD)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["operator"] == {
        "id": operator.id,
        "username": operator.username,
        "display_name": "Anna Rossi",
        "role": "operator",
        "region": "Calabria",
        "offices": [
            {
                "id": operator.offices[0].id,
                "code": "cpi-cosenza",
                "name": "Centro per l'Impiego di Cosenza",
            }
        ],
    }
    assert len(body["csrf_token"]) >= 32


def test_the_session_cookie_is_httponly_secure_samesite_strict_for_eight_hours(client, db_session):
    operator = make_operator(db_session)
    cookie = login(client, operator.username, PASSWORD).headers["set-cookie"]
    flags = [part.strip().lower() for part in cookie.split(";")]
    assert flags[0].startswith(f"{COOKIE_NAME}=")
    assert {"httponly", "secure", "samesite=strict", "path=/", "max-age=28800"} <= set(flags)


def test_the_database_keeps_only_the_hash_of_the_cookie_token(client, db_session):
    operator = make_operator(db_session)
    login(client, operator.username, PASSWORD)
    token = client.cookies[COOKIE_NAME]
    row = db_session.scalar(
        select(OperatorSession).where(OperatorSession.operator_id == operator.id)
    )
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in (row.token_hash, row.csrf_token)
    assert row.expires_at - row.created_at == timedelta(hours=8)


def test_me_tells_who_is_signed_in_with_the_same_csrf_token(client, db_session):
    operator = make_operator(db_session)
    csrf = sign_in(client, operator)
    me = client.get("/api/console/me")
    assert me.status_code == 200
    assert me.json()["operator"]["username"] == operator.username
    assert me.json()["csrf_token"] == csrf


def test_usernames_are_not_case_sensitive(client, db_session):
    operator = make_operator(db_session, username="mario.bianchi")
    assert login(client, " Mario.Bianchi ", PASSWORD).status_code == 200
    assert client.get("/api/console/me").json()["operator"]["id"] == operator.id


def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(client, db_session):
    operator = make_operator(db_session)
    wrong_password = login(client, operator.username, "non-è-la-password")
    unknown_user = login(client, "nessuno-con-questo-nome", PASSWORD)
    assert wrong_password.status_code == unknown_user.status_code == 401
    assert wrong_password.json() == unknown_user.json() == {"detail": WRONG}
    assert COOKIE_NAME not in client.cookies


def test_an_unknown_username_is_audited_without_operator_and_without_the_name(client, db_session):
    login(client, "utente-inesistente", "qualcosa-di-segreto")
    entry = db_session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (entry.action, entry.operator_id) == ("login_failed", None)
    assert "utente-inesistente" not in (entry.detail or "")
    assert "qualcosa-di-segreto" not in (entry.detail or "")


def test_five_wrong_passwords_in_a_row_lock_the_account_for_15_minutes(client, db_session):
    operator = make_operator(db_session)
    answers = [login(client, operator.username, f"sbagliata-{n}") for n in range(5)]
    assert [a.status_code for a in answers] == [401, 401, 401, 401, 423]
    assert answers[-1].json() == {"detail": LOCKED}
    db_session.refresh(operator)
    assert operator.locked_until - clock.now() > timedelta(minutes=14)


def test_a_locked_account_refuses_the_right_password(client, db_session):
    operator = make_operator(db_session, failed_logins=5)
    operator.locked_until = clock.now() + timedelta(minutes=15)
    db_session.flush()
    response = login(client, operator.username, PASSWORD)
    assert response.status_code == 423
    assert response.json() == {"detail": LOCKED}
    assert COOKIE_NAME not in client.cookies


def test_the_right_password_works_again_once_the_lock_has_expired(client, db_session):
    operator = make_operator(db_session)
    for n in range(5):
        login(client, operator.username, f"sbagliata-{n}")
    assert login(client, operator.username, PASSWORD).status_code == 423
    operator.locked_until = clock.now() - timedelta(seconds=1)  # 15 minutes later
    db_session.flush()
    assert login(client, operator.username, PASSWORD).status_code == 200
    db_session.refresh(operator)
    assert (operator.failed_logins, operator.locked_until) == (0, None)


def test_a_successful_login_resets_the_count_of_failures(client, db_session):
    operator = make_operator(db_session)
    for n in range(4):
        login(client, operator.username, f"sbagliata-{n}")
    assert login(client, operator.username, PASSWORD).status_code == 200
    assert login(client, operator.username, "sbagliata-di-nuovo").status_code == 401
    db_session.refresh(operator)
    assert operator.failed_logins == 1


def test_a_deactivated_account_cannot_sign_in_and_its_session_stops_working(client, db_session):
    operator = make_operator(db_session)
    sign_in(client, operator)
    operator.active = False
    db_session.flush()
    assert client.get("/api/console/me").status_code == 401
    assert login(client, operator.username, PASSWORD).json() == {"detail": WRONG}


def test_an_unsafe_request_needs_the_sessions_csrf_token(client, db_session):
    operator = make_operator(db_session)
    csrf = sign_in(client, operator)
    refused = {"detail": "Token CSRF mancante o non valido."}
    missing = client.post("/api/console/logout")
    wrong = client.post("/api/console/logout", headers={"X-CSRF-Token": csrf[:-1] + "x"})
    assert (missing.status_code, missing.json()) == (403, refused)
    assert (wrong.status_code, wrong.json()) == (403, refused)
    assert client.post("/api/console/logout", headers={"X-CSRF-Token": csrf}).status_code == 204


def test_another_sessions_csrf_token_is_not_accepted(db_session):
    operator = make_operator(db_session)
    with console_client(db_session) as first, console_client(db_session) as second:
        sign_in(first, operator)
        other_csrf = sign_in(second, operator)
        response = first.post("/api/console/logout", headers={"X-CSRF-Token": other_csrf})
        assert response.status_code == 403


def test_logging_out_deletes_the_session_and_the_cookie(client, db_session):
    operator = make_operator(db_session)
    csrf = sign_in(client, operator)
    token = client.cookies[COOKIE_NAME]
    response = client.post("/api/console/logout", headers={"X-CSRF-Token": csrf})
    assert response.status_code == 204
    assert f'{COOKIE_NAME}=""' in response.headers["set-cookie"]
    assert (
        db_session.scalar(select(OperatorSession).where(OperatorSession.operator_id == operator.id))
        is None
    )
    client.cookies.set(COOKIE_NAME, token)  # a stolen copy is no use either
    assert client.get("/api/console/me").status_code == 401


def test_signing_in_again_replaces_the_previous_session(client, db_session):
    operator = make_operator(db_session)
    sign_in(client, operator)
    first = client.cookies[COOKIE_NAME]
    sign_in(client, operator)
    assert client.cookies[COOKIE_NAME] != first
    stored = db_session.scalars(
        select(OperatorSession.token_hash).where(OperatorSession.operator_id == operator.id)
    ).all()
    assert stored == [hashlib.sha256(client.cookies[COOKIE_NAME].encode()).hexdigest()]


def test_an_expired_session_is_refused(client, db_session):
    operator = make_operator(db_session)
    sign_in(client, operator)
    row = db_session.scalar(
        select(OperatorSession).where(OperatorSession.operator_id == operator.id)
    )
    row.expires_at = clock.now() - timedelta(seconds=1)
    db_session.flush()
    response = client.get("/api/console/me")
    assert (response.status_code, response.json()) == (401, {"detail": "Accesso richiesto."})


def test_a_made_up_cookie_is_refused(client):
    client.cookies.set(COOKIE_NAME, "x" * 43)
    assert client.get("/api/console/me").status_code == 401


def test_passwords_are_stored_as_argon2id_hashes():
    stored = passwords.hash_password(PASSWORD)
    assert stored.startswith("$argon2id$")
    assert passwords.verify(stored, PASSWORD)
    assert not passwords.verify(stored, PASSWORD + "!")
    assert not passwords.verify("not-a-hash", PASSWORD)


def test_a_hash_made_with_weaker_parameters_is_replaced_at_login(client, db_session):
    weak = PasswordHasher(time_cost=1, memory_cost=8192).hash(PASSWORD)
    operator = make_operator(db_session, password_hash=weak)
    assert passwords.needs_rehash(weak)
    sign_in(client, operator)
    db_session.refresh(operator)
    assert operator.password_hash != weak
    assert not passwords.needs_rehash(operator.password_hash)


def test_being_seen_is_written_at_most_every_30_seconds(client, db_session):
    operator = make_operator(db_session)
    sign_in(client, operator)
    client.get("/api/console/me")
    db_session.refresh(operator)
    first_seen = operator.last_seen_at
    assert first_seen is not None and clock.now() - first_seen < timedelta(seconds=5)
    client.get("/api/console/me")
    db_session.refresh(operator)
    assert operator.last_seen_at == first_seen
    operator.last_seen_at = clock.now() - timedelta(seconds=31)
    db_session.flush()
    client.get("/api/console/me")
    db_session.refresh(operator)
    assert clock.now() - operator.last_seen_at < timedelta(seconds=5)


def test_logins_failures_and_logouts_are_in_the_audit_log(client, db_session):
    operator = make_operator(db_session)
    login(client, operator.username, "sbagliata-davvero")
    csrf = sign_in(client, operator)
    client.post("/api/console/logout", headers={"X-CSRF-Token": csrf})
    logged = actions(db_session, operator.id)
    assert [action for action, _ in logged] == ["login_failed", "login", "logout"]
    assert "sbagliata-davvero" not in str(logged)


def test_a_login_sent_as_a_form_is_refused(client, db_session):
    # A cross-site HTML form cannot send JSON: refusing forms stops login CSRF.
    operator = make_operator(db_session)
    response = client.post(
        "/api/console/login",
        content=f'{{"username": "{operator.username}", "password": "{PASSWORD}"}}',
        headers={"Content-Type": "text/plain"},
    )
    assert response.status_code == 422
    assert COOKIE_NAME not in client.cookies


def test_production_refuses_a_cookie_without_secure():
    with pytest.raises(ValidationError, match="CONSOLE_COOKIE_SECURE"):
        Settings(
            sportello_env="production",
            backend_service_token="a-real-secret",
            tax_code_hash_key="another-real-secret",
            console_cookie_secure=False,
        )


def test_operators_are_never_shown_password_hashes(client, db_session):
    operator = make_operator(db_session)
    sign_in(client, operator)
    assert "argon2" not in client.get("/api/console/me").text
    assert isinstance(db_session.get(Operator, operator.id).password_hash, str)
