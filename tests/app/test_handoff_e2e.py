"""Handoff end to end, in a real browser, across the four real processes.

A citizen in the web widget asks for a person and consents; an operator signs in to the
console, takes the conversation and replies; the citizen sees the reply; the operator
closes; the assistant answers the citizen's next message. Screenshots of each step go to
results/screenshots/handoff-*.png.

The backend runs on a database of its own with an office open round the clock in
Calabria, so the region's queue is open whatever the hour (docs/handoff.md: live needs
an open office and an operator online).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from backend.migrate import upgrade
from backend.models import Office
from backend.seed import seed_all
from backend.services import clock
from backend.services.calendar import WEEKDAYS, closed_reason
from tests.app.conftest import create_database, drop_database

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from stack import Stack  # noqa: E402

pytestmark = [pytest.mark.integration, pytest.mark.stack]

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
SCREENSHOTS = ROOT / "results" / "screenshots"
ALL_DAY = {day: [["00:00", "23:59:59"]] for day in WEEKDAYS}
OFFICE = "cpi-test-sempre-aperto"
PASSWORD = "una-password-lunga-di-prova"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    model = os.environ.get("SPORTELLO_TEST_MODEL")
    if not model or not Path(model).exists():
        pytest.skip("no trained model: run through `make test`, which trains it")
    name = f"sportello_e2e_{uuid.uuid4().hex[:8]}"
    url = create_database(name)
    tag = uuid.uuid4().hex[:8]
    try:
        upgrade(url)
        engine = create_engine(url)
        with Session(engine) as session:
            seed_all(session)
            session.add(
                Office(
                    code=OFFICE,
                    name="Centro per l'Impiego di prova (sempre aperto)",
                    region="Calabria",
                    province="CS",
                    comune="Cosenza",
                    opening_hours=ALL_DAY,
                    hours_verified=True,
                    services=["accoglienza_did"],
                    verified=False,
                    sources=[],
                )
            )
            session.commit()
        engine.dispose()
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "SPORTELLO_ENV": "test",
            "BACKEND_PORT": str(free_port()),
            "ACTIONS_PORT": str(free_port()),
            "RASA_PORT": str(free_port()),
            "GATEWAY_PORT": str(free_port()),
            "HANDOFF_REDIS_PREFIX": f"sportello:e2e:{tag}:",
            "REDIS_KEY_PREFIX": f"sportello:e2e-gw:{tag}:",
            "HANDOFF_STREAMS_ENABLED": "true",
            "SPORTELLO_ADMIN_PASSWORD": PASSWORD,
        }
        subprocess.run(
            [
                str(ROOT / ".venv" / "app" / "bin" / "python"),
                "-m",
                "backend.cli",
                "create-operator",
                "--username",
                "giulia",
                "--display-name",
                "Giulia Operatrice",
                "--region",
                "Calabria",
                "--office",
                OFFICE,
            ],
            env={**env, "PYTHONPATH": str(ROOT)},
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        stack = Stack(model=Path(model), env=env, log_dir=tmp_path_factory.mktemp("logs"))
        stack.start()
        try:
            stack.wait_healthy(timeout=300)
            yield stack
        except BaseException:
            for log in sorted(stack.log_dir.glob("*.log")):
                print(f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}")
            raise
        finally:
            stack.stop()
    finally:
        drop_database(name)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: apt-get install -y chromium (see scripts/lib.sh)")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


def new_page(browser: Browser) -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="it-IT")
    return context.new_page()


def citizen_says(page: Page, text: str) -> None:
    page.fill("#spc-input", text)
    page.press("#spc-input", "Enter")


def test_a_citizen_is_handed_to_an_operator_and_back_to_the_assistant(
    stack: Stack, browser: Browser
):
    if closed_reason(OFFICE, ALL_DAY, clock.today()):
        pytest.skip("today is a public holiday: every office is closed, the handoff is a ticket")
    # The operator signs in first: being online is what makes the handoff live.
    console = new_page(browser)
    console.goto(stack.urls["console"])
    console.fill("#login-username", "giulia")
    console.fill("#login-password", PASSWORD)
    console.press("#login-password", "Enter")
    console.wait_for_selector("#queue-lists .group")

    citizen = new_page(browser)
    citizen.goto(stack.urls["widget"])
    citizen.click("button.spc-launch")
    citizen.wait_for_selector(".spc-bot >> text=Ciao! Sono l'assistente virtuale")
    citizen_says(citizen, "voglio parlare con un operatore")
    citizen.wait_for_selector(".spc-bot >> text=Sei d'accordo?", timeout=30_000)
    citizen.click(".spc-buttons button >> text=Sì, passami a un operatore")
    citizen.wait_for_selector(".spc-bot >> text=Ti ho messo in coda", timeout=30_000)
    citizen_says(citizen, "Vorrei sapere se posso fare un tirocinio")
    citizen.screenshot(path=str(SCREENSHOTS / "handoff-1-citizen-queued.png"))

    item = console.locator("#queue-lists a[data-id]").first
    expect(item).to_be_visible(timeout=20_000)
    item.click()
    transcript = console.locator(".transcript")
    expect(transcript).to_contain_text("voglio parlare con un operatore")
    expect(transcript).to_contain_text("posso fare un tirocinio", timeout=20_000)
    console.click("text=Prendi in carico")
    console.fill("#reply-text", "Buongiorno, sono Giulia del Centro per l'Impiego. Certo!")
    console.press("#reply-text", "Enter")
    expect(transcript.locator(".msg-operator").last).to_contain_text("sono Giulia")
    console.screenshot(path=str(SCREENSHOTS / "handoff-2-console-reply.png"))

    # The widget polls its updates: the operator's reply appears without any action.
    citizen.wait_for_selector(".spc-bot >> text=sono Giulia del Centro", timeout=20_000)
    citizen.screenshot(path=str(SCREENSHOTS / "handoff-3-citizen-sees-reply.png"))

    console.click("text=Chiudi con esito")
    console.select_option("#close-outcome", "risolto")
    console.click("#close-dialog button[type=submit]")
    expect(console.locator("#close-dialog")).to_be_hidden()

    citizen.wait_for_selector(".spc-bot >> text=assistente virtuale", timeout=20_000)
    bot_lines = citizen.locator(".spc-bot").count()
    citizen_says(citizen, "cos'è la DID?")
    expect(citizen.locator(".spc-bot").nth(bot_lines)).to_contain_text(
        "Dichiarazione di Immediata Disponibilità", timeout=30_000
    )
    citizen.screenshot(path=str(SCREENSHOTS / "handoff-4-assistant-again.png"))
    citizen.context.close()
    console.context.close()
