"""Administration: accounts, roles, scope by region, canned replies, audit log, the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from backend.models import AuditEntry, CannedReply, Office, Operator, OperatorSession
from backend.services import clock
from tests.app.backend.console_helpers import PASSWORD, console_client, make_operator, sign_in

ROOT = Path(__file__).resolve().parents[3]
FORBIDDEN = {"detail": "Non hai i permessi per questa operazione."}
NEW_PASSWORD = "un'altra-password-lunga"


class Console:
    """A signed-in console client that sends the CSRF token on unsafe requests."""

    def __init__(self, client, csrf: str) -> None:
        self.client, self.csrf = client, csrf

    def get(self, path: str, **params):
        return self.client.get(f"/api/console{path}", params=params)

    def post(self, path: str, body: dict):
        return self.client.post(f"/api/console{path}", json=body, headers=self._csrf())

    def patch(self, path: str, body: dict):
        return self.client.patch(f"/api/console{path}", json=body, headers=self._csrf())

    def delete(self, path: str):
        return self.client.delete(f"/api/console{path}", headers=self._csrf())

    def _csrf(self) -> dict[str, str]:
        return {"X-CSRF-Token": self.csrf}


@pytest.fixture
def as_role(db_session):
    """as_role("admin") → a Console signed in as a fresh account with that role."""
    clients = []

    def sign_in_as(role: str, **fields) -> Console:
        operator = make_operator(db_session, role=role, **fields)
        context = console_client(db_session)
        client = context.__enter__()
        clients.append(context)
        console = Console(client, sign_in(client, operator))
        console.operator = operator
        return console

    yield sign_in_as
    for context in clients:
        context.__exit__(None, None, None)


def new_account(**fields) -> dict:
    return {
        "username": f"nuovo-{uuid.uuid4().hex[:6]}",
        "display_name": "Giulia Verdi",
        "role": "operator",
        "region": "Calabria",
        "office_codes": ["cpi-cosenza", "cpi-paola"],
        "password": NEW_PASSWORD,
        **fields,
    }


def office_id(db_session, code: str) -> int:
    return db_session.scalar(select(Office.id).where(Office.code == code))


# --- accounts -------------------------------------------------------------------------


def test_an_admin_creates_an_operator_who_can_then_sign_in(as_role, db_session):
    admin = as_role("admin", region=None, offices=())
    response = admin.post("/admin/operators", new_account(username="Giulia.Verdi"))
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["username"] == "giulia.verdi"
    assert sorted(o["code"] for o in created["offices"]) == ["cpi-cosenza", "cpi-paola"]
    assert created["active"] is True
    stored = db_session.get(Operator, created["id"])
    assert stored.password_hash.startswith("$argon2id$")
    assert NEW_PASSWORD not in stored.password_hash
    with console_client(db_session) as client:
        login = {"username": "giulia.verdi", "password": NEW_PASSWORD}
        assert client.post("/api/console/login", json=login).status_code == 200


def test_passwords_shorter_than_12_characters_are_refused(as_role):
    admin = as_role("admin")
    response = admin.post("/admin/operators", new_account(password="corta-11car"))
    assert response.status_code == 422
    assert "almeno 12 caratteri" in response.json()["detail"]


def test_a_username_already_in_use_is_refused(as_role):
    admin = as_role("admin")
    assert admin.post("/admin/operators", new_account(username="doppio")).status_code == 201
    again = admin.post("/admin/operators", new_account(username="Doppio"))
    assert (again.status_code, again.json()) == (409, {"detail": "Nome utente già in uso."})


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"office_codes": ["cpi-latina"]}, "della regione dell'operatore"),
        ({"office_codes": ["cpi-inesistente"]}, "Ufficio sconosciuto"),
        ({"region": "Atlantide"}, "Regione sconosciuta"),
        ({"region": None, "office_codes": []}, "devono avere una regione"),
        ({"username": "con spazi"}, "Nome utente non valido"),
    ],
)
def test_an_account_must_make_sense(as_role, fields, message):
    response = as_role("admin").post("/admin/operators", new_account(**fields))
    assert response.status_code == 422
    assert message in response.json()["detail"]


def test_account_changes_are_audited_without_the_password(as_role, db_session):
    admin = as_role("admin")
    created = admin.post("/admin/operators", new_account(username="audit-me")).json()
    admin.patch(f"/admin/operators/{created['id']}", {"password": "ancora-un'altra-password"})
    entries = db_session.scalars(
        select(AuditEntry).where(AuditEntry.operator_id == admin.operator.id)
    ).all()
    assert [(e.action, e.detail) for e in entries if e.action != "login"] == [
        ("operator_created", "audit-me (operator)"),
        ("operator_updated", "audit-me: password"),
    ]


def test_a_new_password_unlocks_the_account_and_ends_its_sessions(as_role, db_session):
    admin = as_role("admin")
    target = as_role("operator")
    target.operator.failed_logins, target.operator.locked_until = 5, clock.now()
    db_session.flush()
    response = admin.patch(f"/admin/operators/{target.operator.id}", {"password": NEW_PASSWORD})
    assert response.status_code == 200, response.text
    assert target.get("/me").status_code == 401
    db_session.refresh(target.operator)
    assert (target.operator.failed_logins, target.operator.locked_until) == (0, None)


def test_deactivating_an_operator_ends_their_sessions(as_role, db_session):
    admin = as_role("admin")
    target = as_role("operator")
    response = admin.patch(f"/admin/operators/{target.operator.id}", {"active": False})
    assert response.json()["active"] is False
    assert target.get("/me").status_code == 401
    sessions = select(OperatorSession).where(OperatorSession.operator_id == target.operator.id)
    assert db_session.scalars(sessions).all() == []


def test_an_admin_changes_role_region_and_offices(as_role):
    admin = as_role("admin")
    target = as_role("operator")
    body = {"role": "supervisor", "region": "Lazio", "office_codes": ["cpi-latina"]}
    changed = admin.patch(f"/admin/operators/{target.operator.id}", body).json()
    assert (changed["role"], changed["region"]) == ("supervisor", "Lazio")
    assert [o["code"] for o in changed["offices"]] == ["cpi-latina"]


def test_changing_only_the_region_keeps_offices_consistent(as_role):
    admin = as_role("admin")
    target = as_role("operator")  # offices in Calabria
    response = admin.patch(f"/admin/operators/{target.operator.id}", {"region": "Lazio"})
    assert response.status_code == 422


def test_admins_cannot_lock_themselves_out(as_role):
    admin = as_role("admin")
    me = f"/admin/operators/{admin.operator.id}"
    assert admin.patch(me, {"active": False}).status_code == 409
    assert admin.patch(me, {"role": "operator"}).status_code == 409
    assert admin.patch(me, {"display_name": "Capo"}).status_code == 200


def test_an_unknown_operator_is_404(as_role):
    response = as_role("admin").patch("/admin/operators/999999", {"active": False})
    assert response.status_code == 404


# --- roles ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["operator", "supervisor"])
def test_only_admins_manage_accounts(as_role, role):
    console = as_role(role)
    target = console.operator.id
    assert console.get("/admin/operators").json() == FORBIDDEN
    assert console.post("/admin/operators", new_account()).status_code == 403
    assert console.patch(f"/admin/operators/{target}", {"role": "admin"}).status_code == 403


def test_operators_may_not_read_the_audit_log(as_role):
    response = as_role("operator").get("/admin/audit")
    assert (response.status_code, response.json()) == (403, FORBIDDEN)


def test_supervisors_read_the_audit_log_of_their_region_only(as_role, db_session):
    calabria = as_role("supervisor")
    as_role("operator", region="Lazio", offices=("cpi-latina",))
    entries = calabria.get("/admin/audit", limit=1000).json()
    assert entries, "the supervisor's own login is there"
    regions = {
        db_session.get(Operator, e["operator_id"]).region for e in entries if e["operator_id"]
    }
    assert regions == {"Calabria"}


def test_the_audit_log_is_newest_first_and_limited(as_role):
    admin = as_role("admin")
    as_role("operator")
    entries = admin.get("/admin/audit", limit=2).json()
    assert len(entries) == 2
    assert entries[0]["at"] >= entries[1]["at"]
    assert entries[0]["action"] == "login"


# --- scope: offices and colleagues ----------------------------------------------------


def test_operators_see_the_offices_of_their_region_admins_all(as_role):
    operator_offices = {o["code"] for o in as_role("operator").get("/offices").json()}
    admin_offices = {o["code"] for o in as_role("admin").get("/offices").json()}
    assert "cpi-cosenza" in operator_offices and "cpi-latina" not in operator_offices
    assert {"cpi-cosenza", "cpi-latina"} <= admin_offices


def test_colleagues_are_those_of_the_same_region_with_who_is_online(as_role, db_session):
    me = as_role("operator")
    away = make_operator(db_session, display_name="Assente")
    away.last_seen_at = clock.now().replace(year=2020)
    lazio = make_operator(db_session, region="Lazio", offices=("cpi-latina",))
    present = as_role("operator")  # just signed in: seen now
    colleagues = {c["id"]: c for c in me.get("/operators").json()}
    assert me.operator.id not in colleagues and lazio.id not in colleagues
    assert colleagues[present.operator.id]["online"] is True
    assert colleagues[away.id]["online"] is False
    assert colleagues[away.id]["offices"][0]["code"] == "cpi-cosenza"


# --- canned replies -------------------------------------------------------------------


def add_reply(db_session, title: str, office: str | None) -> CannedReply:
    reply = CannedReply(
        title=title, text="Testo", office_id=office and office_id(db_session, office)
    )
    db_session.add(reply)
    db_session.flush()
    return reply


def test_operators_read_their_offices_and_the_global_canned_replies(as_role, db_session):
    add_reply(db_session, "Globale", None)
    add_reply(db_session, "Cosenza", "cpi-cosenza")
    add_reply(db_session, "Latina", "cpi-latina")
    titles = {r["title"] for r in as_role("operator").get("/canned-replies").json()}
    assert {"Globale", "Cosenza"} <= titles
    assert "Latina" not in titles


def test_operators_may_not_manage_canned_replies(as_role, db_session):
    operator = as_role("operator")
    reply = add_reply(db_session, "Cosenza", "cpi-cosenza")
    body = {"title": "Nuova", "text": "Buongiorno", "office_id": None}
    assert operator.post("/canned-replies", body).json() == FORBIDDEN
    assert operator.delete(f"/canned-replies/{reply.id}").status_code == 403


def test_supervisors_manage_the_canned_replies_of_their_regions_offices(as_role, db_session):
    supervisor = as_role("supervisor")
    paola = {
        "title": "Orari",
        "text": "Siamo aperti...",
        "office_id": office_id(db_session, "cpi-paola"),
    }
    created = supervisor.post("/canned-replies", paola)
    assert created.status_code == 201, created.text
    latina = {**paola, "office_id": office_id(db_session, "cpi-latina")}
    assert supervisor.post("/canned-replies", latina).status_code == 403
    assert supervisor.post("/canned-replies", {**paola, "office_id": None}).status_code == 403
    assert supervisor.delete(f"/canned-replies/{created.json()['id']}").status_code == 204
    assert db_session.get(CannedReply, created.json()["id"]) is None


def test_admins_manage_global_canned_replies_and_it_is_audited(as_role, db_session):
    admin = as_role("admin")
    created = admin.post("/canned-replies", {"title": "Saluto", "text": "Buongiorno!"})
    assert created.json()["office_id"] is None
    reply_id = created.json()["id"]
    assert admin.delete(f"/canned-replies/{reply_id}").status_code == 204
    assert admin.delete(f"/canned-replies/{reply_id}").status_code == 404
    logged = db_session.scalars(
        select(AuditEntry.action).where(AuditEntry.operator_id == admin.operator.id)
    ).all()
    assert logged == ["login", "canned_reply_created", "canned_reply_deleted"]


# --- the command line -----------------------------------------------------------------


def run_cli(database_url: str, *args: str, password: str = PASSWORD):
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SPORTELLO_ADMIN_PASSWORD": password,
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.run(
        [sys.executable, "-m", "backend.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def cli_username(engine):
    """A username for the CLI to create (committed), removed with its audit rows after."""
    username = f"cli-{uuid.uuid4().hex[:8]}"
    yield username
    with Session(engine) as session:
        session.execute(delete(AuditEntry).where(AuditEntry.detail.like(f"{username} %")))
        session.execute(delete(Operator).where(Operator.username == username))
        session.commit()


def test_the_cli_creates_the_first_admin_once(database_url, engine, cli_username):
    first = run_cli(database_url, "create-admin", "--username", cli_username)
    assert first.returncode == 0, first.stderr
    assert cli_username in first.stdout
    with Session(engine) as session:
        admin = session.scalar(select(Operator).where(Operator.username == cli_username))
        assert (admin.role, admin.active) == ("admin", True)
        assert admin.password_hash.startswith("$argon2id$")
        assert (
            session.scalar(
                select(AuditEntry.action).where(AuditEntry.detail.like(f"{cli_username} %"))
            )
            == "operator_created"
        )
    again = run_cli(database_url, "create-admin", "--username", cli_username)
    assert again.returncode == 1
    assert "già in uso" in again.stderr


def test_the_cli_creates_operators_for_their_offices(database_url, engine, cli_username):
    args = ["--role", "supervisor", "--region", "Calabria", "--office", "cpi-cosenza"]
    result = run_cli(database_url, "create-operator", "--username", cli_username, *args)
    assert result.returncode == 0, result.stderr
    with Session(engine) as session:
        created = session.scalar(select(Operator).where(Operator.username == cli_username))
        assert created.role == "supervisor"
        assert [o.code for o in created.offices] == ["cpi-cosenza"]


def test_the_cli_refuses_a_short_password(database_url, cli_username):
    result = run_cli(database_url, "create-admin", "--username", cli_username, password="breve")
    assert result.returncode == 1
    assert "almeno 12 caratteri" in result.stderr
