"""The operator console in a real browser (Debian's Chromium, Playwright sync API).

The backend runs as its own uvicorn process on the test PostgreSQL database and the real
Redis, as in production: the page, the JSON API, the WebSocket, the inbound stream
consumer. The test plays the action server (service API) and the gateway (Redis streams).
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlalchemy import Engine, delete, or_, select
from sqlalchemy.orm import Session

from backend.models import AuditEntry, Handoff, Office, Operator, OperatorSession
from backend.services import clock
from backend.services.calendar import WEEKDAYS, closed_reason

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[3]
PYTHON = sys.executable
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
SCREENSHOTS = ROOT / "results" / "screenshots"
PASSWORD = "password-della-prova-123"
# Open all day, every day: the handoff is live whatever the hour of the test run.
ALL_DAY = {day: [["00:00", "23:59:59"]] for day in WEEKDAYS}


@dataclass
class Backend:
    url: str
    token: str
    prefix: str
    redis: redis.Redis
    office: Office
    username: str


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(url: str, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError("the backend exited while starting")
        try:
            with urllib.request.urlopen(f"{url}/console/", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    raise AssertionError("the backend did not start in time")


def create_operator(env: dict[str, str], username: str, office_code: str) -> None:
    command = [
        *(PYTHON, "-m", "backend.cli", "create-operator", "--username", username),
        *("--display-name", "Giulia Operatrice", "--region", "Calabria"),
        *("--office", office_code),
    ]
    env = {**env, "SPORTELLO_ADMIN_PASSWORD": PASSWORD}
    result = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def cleanup(engine: Engine, office: Office, username: str) -> None:
    with Session(engine) as session:
        operator_id = session.scalar(select(Operator.id).where(Operator.username == username))
        handoff_ids = list(
            session.scalars(select(Handoff.id).where(Handoff.office_id == office.id))
        )
        session.execute(
            delete(AuditEntry).where(
                or_(AuditEntry.operator_id == operator_id, AuditEntry.handoff_id.in_(handoff_ids))
            )
        )
        session.execute(delete(Handoff).where(Handoff.id.in_(handoff_ids)))
        session.execute(delete(OperatorSession).where(OperatorSession.operator_id == operator_id))
        session.execute(delete(Operator).where(Operator.id == operator_id))
        session.execute(delete(Office).where(Office.id == office.id))
        session.commit()


@pytest.fixture(scope="module")
def backend(database_url: str, engine: Engine, tmp_path_factory) -> Iterator[Backend]:
    office = Office(
        code=f"test-console-{uuid.uuid4().hex[:8]}",
        name="Centro per l'Impiego di prova (console)",
        region="Calabria",
        province="CS",
        comune="Cosenza",
        opening_hours=ALL_DAY,
        hours_verified=True,
        services=["accoglienza_did"],
        verified=False,
        sources=[],
    )
    with Session(engine, expire_on_commit=False) as session:
        session.add(office)
        session.commit()
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    prefix = f"test-console-{uuid.uuid4().hex[:8]}:"
    port = free_port()
    env = {
        **os.environ,
        "SPORTELLO_ENV": "test",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "BACKEND_SERVICE_TOKEN": secrets.token_urlsafe(24),
        "HANDOFF_REDIS_PREFIX": prefix,
        # This package's conftest turns the consumer off for in-process apps; this
        # backend is the only one on its own prefix, and must consume the inbound stream.
        "HANDOFF_STREAMS_ENABLED": "true",
        "STREAM_CONSUMER_NAME": "backend-console-test",
        # No Rasa in this test: the suggestions panel is simply empty.
        "RASA_URL": f"http://127.0.0.1:{free_port()}",
    }
    username = f"giulia-{uuid.uuid4().hex[:6]}"
    create_operator(env, username, office.code)
    log = tmp_path_factory.mktemp("console") / "backend.log"
    url = f"http://127.0.0.1:{port}"
    command = [PYTHON, "-m", "uvicorn", "backend.main:app", "--host", "127.0.0.1"]
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*command, "--port", str(port)], env=env, cwd=ROOT, stdout=out, stderr=out
        )
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    try:
        wait_healthy(url, process)
        yield Backend(url, env["BACKEND_SERVICE_TOKEN"], prefix, client, office, username)
    except BaseException:
        print(log.read_text(errors="replace")[-4000:])
        raise
    finally:
        process.terminate()
        process.wait(timeout=15)
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)
        client.close()
        cleanup(engine, office, username)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: apt-get install -y chromium (see scripts/lib.sh)")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="it-IT")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], errors  # no script error, no CSP violation thrown


def active_id(page: Page) -> str:
    return page.evaluate("() => document.activeElement.id")


def sign_in(page: Page, backend: Backend, password: str = PASSWORD) -> None:
    page.goto(f"{backend.url}/console")
    page.wait_for_selector("#login-form")
    page.fill("#login-username", backend.username)
    page.fill("#login-password", password)
    page.press("#login-password", "Enter")


def create_handoff(backend: Backend, conversation_id: str) -> dict:
    now = datetime.now(UTC).isoformat()
    body = {
        "conversation_id": conversation_id,
        "channel": "web",
        "reason": "request_human",
        "comune": "Cosenza",
        "office_code": backend.office.code,
        "context": {
            "intents": ["check_eligibility", "request_human"],
            "comune": "Cosenza",
            "misura": "adi",
            "booking_code": None,
            "eligibility_verdict": "da verificare",
        },
        "transcript": [
            {"sender": "citizen", "text": "mi spetta l'assegno di inclusione?", "at": now},
            {"sender": "bot", "text": "Ti faccio qualche domanda, una alla volta.", "at": now},
            {"sender": "citizen", "text": "voglio parlare con una persona", "at": now},
        ],
    }
    request = urllib.request.Request(
        f"{backend.url}/api/handoffs",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {backend.token}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 201
        return json.loads(response.read())


def outbound(backend: Backend) -> list[dict[str, str]]:
    return [fields for _, fields in backend.redis.xrange(f"{backend.prefix}outbound")]


def test_anonymous_visitor_gets_the_login_form(backend: Backend, page: Page):
    response = page.goto(f"{backend.url}/console")
    assert response is not None and response.url == f"{backend.url}/console/"
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_selector("#login-form")
    assert active_id(page) == "login-username"
    assert page.is_hidden("#tabs") and page.is_hidden("#view-work")
    assert page.title() == "Console operatori"
    page.screenshot(path=SCREENSHOTS / "console-login.png")


def test_a_wrong_password_shows_the_italian_error(backend: Backend, page: Page):
    sign_in(page, backend, password="non-e-questa-la-password")
    expect(page.locator("#login-error")).to_have_text("Nome utente o password non corretti.")
    assert active_id(page) == "login-password"
    page.screenshot(path=SCREENSHOTS / "console-login-error.png")


def test_operator_takes_replies_and_closes_a_live_conversation(backend: Backend, page: Page):
    sign_in(page, backend)
    page.wait_for_selector("#queue-lists .group")
    expect(page.locator("#who-name")).to_have_text("Giulia Operatrice (Operatore)")

    # Signed in, the operator is online: a handoff to their office is live, unless today
    # is a public holiday (then even this office is closed and it is a ticket).
    holiday = closed_reason(backend.office.code, ALL_DAY, clock.today())
    conversation_id = f"web:console{uuid.uuid4().hex[:10]}"
    created = create_handoff(backend, conversation_id)
    assert created["status"] == ("ticket" if holiday else "waiting"), created
    handoff_id = created["id"]
    group = "#group-tickets" if holiday else "#group-waiting"

    # It arrives by itself (WebSocket, or the 5 s polling), with the count in the title.
    item = page.locator(f"ul[aria-labelledby={group[1:]}] a[data-id='{handoff_id}']")
    expect(item).to_be_visible(timeout=15_000)
    expect(item).to_contain_text("Richiesta operatore")
    expect(item).to_contain_text("Web")
    expect(item).to_contain_text(backend.office.name)
    expect(item).to_contain_text("voglio parlare con una persona")
    if not holiday:
        expect(page).to_have_title("(1) Console operatori")
    page.screenshot(path=SCREENSHOTS / "console-queue.png")

    # Open it with the keyboard.
    item.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#conv-title")).to_have_text(f"Conversazione n. {handoff_id}")
    expect(page.locator("#conv-title")).to_be_focused()
    transcript = page.locator(".transcript")
    expect(transcript.locator(".msg-citizen").first).to_contain_text("assegno di inclusione")
    expect(transcript.locator(".msg-bot")).to_contain_text("Ti faccio qualche domanda")
    context = page.locator(".side .context")
    expect(context).to_contain_text("Cosenza")
    expect(context).to_contain_text("Assegno di Inclusione")
    expect(context).to_contain_text("da verificare")
    assert page.is_hidden("#reply-text")

    page.click("text=Prendi in carico")
    expect(page.locator("#reply-text")).to_be_focused()
    expect(page.locator(".suggestions")).to_contain_text("Nessun suggerimento")
    expect(item).to_have_count(0)  # no longer waiting
    mine = page.locator(f"ul[aria-labelledby=group-active] a[data-id='{handoff_id}']")
    expect(mine).to_contain_text("In carico a te")

    # Shift+Enter is a new line, Enter sends.
    page.keyboard.type("Buongiorno, sono Giulia del Centro per l'Impiego.")
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("Come posso aiutarla?")
    page.keyboard.press("Enter")
    reply = transcript.locator(".msg-operator").last
    expect(reply).to_contain_text("Buongiorno, sono Giulia del Centro per l'Impiego.")
    expect(reply).to_contain_text("Come posso aiutarla?")
    expect(page.locator("#reply-text")).to_have_value("")
    sent = [e for e in outbound(backend) if e.get("kind") == "operator_message"]
    assert len(sent) == 1
    assert sent[0]["conversation_id"] == conversation_id
    assert sent[0]["handoff_id"] == str(handoff_id)
    assert sent[0]["text"] == (
        "Buongiorno, sono Giulia del Centro per l'Impiego.\nCome posso aiutarla?"
    )

    # The gateway reports the delivery, then the citizen answers: both show up live.
    inbound = f"{backend.prefix}inbound"
    event_id = sent[0]["event_id"]
    backend.redis.xadd(
        inbound,
        {"uid": f"delivery:{event_id}", "kind": "delivery", "event_id": event_id, "ok": "1",
         "detail": "", "conversation_id": conversation_id, "handoff_id": str(handoff_id),
         "text": "", "at": datetime.now(UTC).isoformat()},
    )  # fmt: skip
    expect(reply.locator(".delivery")).to_have_text("consegnato", timeout=15_000)
    backend.redis.xadd(
        inbound,
        {"uid": f"web:{uuid.uuid4().hex}", "kind": "message", "conversation_id": conversation_id,
         "handoff_id": str(handoff_id), "text": "Vorrei sapere se ho diritto all'ADI",
         "at": datetime.now(UTC).isoformat()},
    )  # fmt: skip
    expect(transcript.locator(".msg-citizen").last).to_contain_text(
        "Vorrei sapere se ho diritto all'ADI", timeout=15_000
    )
    expect(page.locator("#announce")).to_contain_text("Cittadino: Vorrei sapere")

    page.fill("#note-text", "Richiamare dopo la verifica dell'ISEE.")
    page.click("text=Salva nota")
    expect(transcript.locator(".msg-note")).to_contain_text("Richiamare dopo la verifica")
    assert not [e for e in outbound(backend) if "ISEE" in e.get("text", "")]
    page.screenshot(path=SCREENSHOTS / "console-conversation.png", full_page=True)

    # Close with an outcome: the dialog, the citizen told, gone from the open queue.
    page.click("text=Chiudi con esito")
    dialog = page.locator("#close-dialog")
    expect(dialog).to_be_visible()
    page.select_option("#close-outcome", "appuntamento_fissato")
    page.screenshot(path=SCREENSHOTS / "console-close-dialog.png")
    dialog.locator("button[type=submit]").click()
    expect(dialog).to_be_hidden()
    expect(page.locator(f"#queue-lists a[data-id='{handoff_id}']")).to_have_count(0)
    expect(page.locator(".side .context")).to_contain_text("Appuntamento fissato")
    assert page.is_hidden("#reply-text")
    kinds = [e["kind"] for e in outbound(backend) if e["conversation_id"] == conversation_id]
    assert kinds[-1] == "closed"
    assert not backend.redis.exists(f"{backend.prefix}mode:{conversation_id}")
    expect(page).to_have_title("Console operatori")

    page.click("#tabs >> text=Chiuse")
    closed = page.locator(f"ul[aria-labelledby=group-closed] a[data-id='{handoff_id}']")
    expect(closed).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "console-closed.png")

    page.click("#logout")
    page.wait_for_selector("#login-form")
    assert active_id(page) == "login-username"
