"""The operator console in a real browser (Debian's Chromium, Playwright sync API).

The backend runs as its own uvicorn process on the test PostgreSQL database and the real
Redis, as in production: the page, the JSON API, the WebSocket, the inbound stream
consumer. The test plays the action server (service API) and the gateway (Redis streams).
"""

from __future__ import annotations

import json
import os
import secrets
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

from backend.models import AuditEntry, CannedReply, Handoff, Office, Operator, OperatorSession
from backend.services import clock
from backend.services.calendar import closed_reason
from tests.app.processes import ALL_DAY, always_open_office, free_port

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[3]
PYTHON = sys.executable
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
SCREENSHOTS = ROOT / "results" / "screenshots"
PASSWORD = "password-della-prova-123"
# Open all day, every day: the handoff is live whatever the hour of the test run.


# Contrast ratio of an element's text on its background, from computed styles.
CONTRAST_JS = """el => {
  const rgb = s => s.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lin = v => v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
  const lum = c => c.map(v => lin(v / 255))
      .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
  const style = getComputedStyle(el);
  let bg = style.backgroundColor, node = el;
  while (bg === 'rgba(0, 0, 0, 0)' && node.parentElement) {
    node = node.parentElement; bg = getComputedStyle(node).backgroundColor;
  }
  if (bg === 'rgba(0, 0, 0, 0)') bg = 'rgb(255, 255, 255)';
  const [a, b] = [lum(rgb(style.color)), lum(rgb(bg))];
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


def contrast(page: Page, selector: str) -> float:
    """The contrast ratio of the first match, read again if a live update re-rendered it
    meanwhile (a detached element has no computed colours)."""
    for _ in range(20):
        ratio = page.locator(selector).first.evaluate(
            f"el => el.isConnected ? ({CONTRAST_JS})(el) : null"
        )
        if ratio is not None:
            return ratio
        page.wait_for_timeout(100)
    raise AssertionError(f"{selector} kept being re-rendered")


@dataclass
class Backend:
    url: str
    token: str
    prefix: str
    redis: redis.Redis
    office: Office
    env: dict[str, str]
    tag: str  # in every username this module creates, for the clean-up

    @property
    def username(self) -> str:
        return f"giulia-{self.tag}"


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


def cli(env: dict[str, str], command: str, username: str, name: str, *options: str) -> None:
    """An account made with A's command line, as a Region's administrator would."""
    command_line = [
        *(PYTHON, "-m", "backend.cli", command, "--username", username),
        *("--display-name", name, "--region", "Calabria", *options),
    ]
    env = {**env, "SPORTELLO_ADMIN_PASSWORD": PASSWORD}
    result = subprocess.run(command_line, env=env, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def cleanup(engine: Engine, office: Office, tag: str) -> None:
    """Remove what this module committed: the shared database outlives it."""
    with Session(engine) as session:
        ids = list(session.scalars(select(Operator.id).where(Operator.username.contains(tag))))
        query = select(Handoff.id).where(
            or_(Handoff.office_id == office.id, Handoff.conversation_id.contains(tag))
        )
        handoff_ids = list(session.scalars(query))
        session.execute(
            delete(AuditEntry).where(
                or_(
                    AuditEntry.operator_id.in_(ids),
                    AuditEntry.handoff_id.in_(handoff_ids),
                    AuditEntry.detail.contains(tag),
                )
            )
        )
        session.execute(delete(Handoff).where(Handoff.id.in_(handoff_ids)))
        session.execute(delete(CannedReply).where(CannedReply.office_id == office.id))
        session.execute(delete(OperatorSession).where(OperatorSession.operator_id.in_(ids)))
        session.execute(delete(Operator).where(Operator.id.in_(ids)))
        session.execute(delete(Office).where(Office.id == office.id))
        session.commit()


@pytest.fixture(scope="module")
def backend(database_url: str, engine: Engine, tmp_path_factory) -> Iterator[Backend]:
    office = always_open_office(
        f"test-console-{uuid.uuid4().hex[:8]}", "Centro per l'Impiego di prova (console)"
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
    tag = uuid.uuid4().hex[:6]
    cli(env, "create-operator", f"giulia-{tag}", "Giulia Operatrice", "--office", office.code)
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
        yield Backend(url, env["BACKEND_SERVICE_TOKEN"], prefix, client, office, env, tag)
    except BaseException:
        print(log.read_text(errors="replace")[-4000:])
        raise
    finally:
        process.terminate()
        process.wait(timeout=15)
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)
        client.close()
        cleanup(engine, office, tag)


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


def sign_in(
    page: Page, backend: Backend, password: str = PASSWORD, username: str | None = None
) -> None:
    page.goto(f"{backend.url}/console")
    page.wait_for_selector("#login-form")
    page.fill("#login-username", username or backend.username)
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
    conversation_id = f"web:console-{backend.tag}-{uuid.uuid4().hex[:8]}"
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
    sent = [
        e
        for e in outbound(backend)
        if e["kind"] == "operator_message" and e["conversation_id"] == conversation_id
    ]
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
    readable = [
        ".tabs a",
        "#who-name",
        ".meta",
        ".msg-head",
        ".msg-note .msg-text",
        ".delivery.ok",
        ".item-office",
        ".owner",
        ".hint",
        ".context dt",
        "button.primary",
    ]
    for selector in readable:
        ratio = contrast(page, selector)
        assert ratio >= 4.5, (selector, ratio)

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


def close_with(page: Page, outcome: str) -> None:
    page.click("text=Chiudi con esito")
    page.select_option("#close-outcome", outcome)
    page.click("#close-dialog button[type=submit]")
    expect(page.locator("#close-dialog")).to_be_hidden()


def test_without_websocket_it_polls_and_offers_canned_replies(
    backend: Backend, engine: Engine, page: Page
):
    with Session(engine) as session:
        text = "Porti un documento d'identità e il codice fiscale."
        session.add(CannedReply(title="Documenti", text=text, office_id=backend.office.id))
        session.commit()
    # A proxy that refuses WebSockets: the console says so and polls every 5 s.
    page.route_web_socket("**/api/console/ws", lambda ws: ws.close())
    sign_in(page, backend)
    expect(page.locator("#connection")).to_contain_text("ogni 5 secondi")
    conversation_id = f"web:polling-{backend.tag}-{uuid.uuid4().hex[:8]}"
    handoff_id = create_handoff(backend, conversation_id)["id"]
    item = page.locator(f"#queue-lists a[data-id='{handoff_id}']")
    expect(item).to_be_visible(timeout=12_000)

    item.click()
    page.click("text=Prendi in carico")
    expect(page.locator("#reply-text")).to_be_focused()
    page.select_option("#canned", label="Documenti")
    page.click("text=Inserisci")
    expect(page.locator("#reply-text")).to_have_value(text)
    expect(page.locator("#reply-text")).to_be_focused()
    page.click(".composer button[type=submit]")
    reply = page.locator(".msg-operator").last
    expect(reply).to_contain_text("documento d'identità")
    # WhatsApp-like refusal reported by the gateway: the operator sees why.
    (event_id,) = [
        e["event_id"]
        for e in outbound(backend)
        if e["kind"] == "operator_message" and e["conversation_id"] == conversation_id
    ]
    backend.redis.xadd(
        f"{backend.prefix}inbound",
        {"uid": f"delivery:{event_id}", "kind": "delivery", "event_id": event_id, "ok": "0",
         "detail": "Il cittadino non scrive da più di 24 ore.",
         "at": datetime.now(UTC).isoformat()},
    )  # fmt: skip
    expect(reply.locator(".delivery.failed")).to_have_text(
        "Non consegnato: Il cittadino non scrive da più di 24 ore.", timeout=12_000
    )
    expect(page.locator("#announce")).to_contain_text("Messaggio non consegnato")

    # Escape leaves the dialog and gives focus back to the button that opened it.
    page.click("text=Chiudi con esito")
    expect(page.locator("#close-dialog")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#close-dialog")).to_be_hidden()
    expect(page.get_by_role("button", name="Chiudi con esito")).to_be_focused()
    close_with(page, "risolto")
    expect(item).to_have_count(0)


def test_transfer_to_another_office_hands_the_conversation_over(backend: Backend, page: Page):
    sign_in(page, backend)
    conversation_id = f"web:transfer-{backend.tag}-{uuid.uuid4().hex[:8]}"
    handoff_id = create_handoff(backend, conversation_id)["id"]
    page.goto(f"{backend.url}/console/#/coda/{handoff_id}")
    page.click("text=Prendi in carico")
    expect(page.locator("#reply-text")).to_be_focused()

    page.click("text=Trasferisci")
    expect(page.locator("#transfer-dialog")).to_be_visible()
    page.get_by_label("Alla coda di un altro ufficio").check()
    expect(page.locator("#transfer-operator")).to_be_hidden()
    page.select_option("#transfer-office", label="Centro per l'Impiego di Cosenza")
    page.screenshot(path=SCREENSHOTS / "console-transfer-dialog.png")
    page.click("#transfer-dialog button[type=submit]")
    expect(page.locator("#transfer-dialog")).to_be_hidden()
    # Cosenza's queue is not this operator's: the conversation leaves the screen.
    expect(page.locator("#conv-title")).to_have_text("Nessuna conversazione aperta")
    expect(page.locator(f"#queue-lists a[data-id='{handoff_id}']")).to_have_count(0)
    expect(page.locator("#announce")).to_contain_text("non è più tra quelle che puoi vedere")
    transferred = [
        e for e in outbound(backend)
        if e["conversation_id"] == conversation_id and e["kind"] == "transferred"
    ]  # fmt: skip
    assert len(transferred) == 1


def test_admin_creates_an_operator_and_a_canned_reply_and_reads_the_audit_log(
    backend: Backend, page: Page
):
    admin = f"admin-{backend.tag}"
    cli(backend.env, "create-admin", admin, "Anna Amministratrice")
    sign_in(page, backend, username=admin)
    expect(page.locator("#who-name")).to_have_text("Anna Amministratrice (Amministratore)")
    page.click("#tabs >> text=Amministrazione")
    expect(page.locator("#admin-title")).to_be_focused()

    page.fill("#new-username", f"mario-{backend.tag}")
    page.fill("#new-display", "Mario Rossi")
    page.select_option("#new-role", "operator")
    page.get_by_label(backend.office.name, exact=True).check()
    page.fill("#new-password", PASSWORD)
    page.click("text=Crea operatore")
    expect(page.locator("#ops-status")).to_have_text(f"Operatore mario-{backend.tag} creato.")
    row = page.locator("tr", has_text=f"mario-{backend.tag}")
    expect(row).to_contain_text("Mario Rossi")
    expect(row).to_contain_text(backend.office.name)
    expect(row).to_contain_text("Attivo")

    page.fill("#canned-title", "Orari di apertura")
    page.fill("#canned-text", "Siamo aperti dal lunedì al venerdì, dalle 9 alle 12:30.")
    page.select_option("#canned-office", label=backend.office.name)
    page.click("text=Aggiungi")
    expect(page.locator("#canned-status")).to_have_text("Risposta aggiunta.")
    expect(page.locator(".canned-list")).to_contain_text("Orari di apertura")
    page.screenshot(path=SCREENSHOTS / "console-admin.png", full_page=True)

    # A password too short: the Italian detail from the API, nothing created.
    page.fill("#new-username", f"breve-{backend.tag}")
    page.fill("#new-display", "Password corta")
    page.fill("#new-password", "corta")
    page.click("text=Crea operatore")
    expect(page.locator("#ops-status")).not_to_be_empty()
    expect(page.locator("#ops-status")).to_have_class("error")
    expect(page.locator("tr", has_text=f"breve-{backend.tag}")).to_have_count(0)

    page.click("#tabs >> text=Registro attività")
    log = page.locator("#audit-body table")
    expect(log).to_contain_text("Utente creato")
    expect(log).to_contain_text("Risposta pronta creata")
    expect(log).to_contain_text(admin)
    page.screenshot(path=SCREENSHOTS / "console-audit.png")
