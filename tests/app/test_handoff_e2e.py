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

import hashlib
import hmac
import json
import os
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from backend.services import clock
from backend.services.calendar import closed_reason
from integrations.channels.telegram import WEBHOOK_PATH as TELEGRAM_WEBHOOK
from integrations.channels.whatsapp import WEBHOOK_PATH as WHATSAPP_WEBHOOK
from tests.app.gateway.conftest import (
    TELEGRAM_SECRET,
    TELEGRAM_TOKEN,
    WHATSAPP_APP_SECRET,
    WHATSAPP_PHONE_NUMBER_ID,
    WHATSAPP_TOKEN,
    WHATSAPP_VERIFY_TOKEN,
)
from tests.app.gateway.fakes import FakeGraph, FakeTelegram, fixture, serve, wait_for
from tests.app.processes import ALL_DAY, create_operator, database_with_open_office, free_port

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from stack import Stack  # noqa: E402

pytestmark = [pytest.mark.integration, pytest.mark.stack]

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
SCREENSHOTS = ROOT / "results" / "screenshots"
OFFICE = "cpi-test-sempre-aperto"
PASSWORD = "una-password-lunga-di-prova"


@pytest.fixture(scope="module")
def fake_telegram() -> Iterator[tuple[FakeTelegram, str]]:
    fake = FakeTelegram(TELEGRAM_TOKEN)
    with serve(fake.app) as url:
        yield fake, url


@pytest.fixture(scope="module")
def fake_graph() -> Iterator[tuple[FakeGraph, str]]:
    fake = FakeGraph(WHATSAPP_TOKEN, WHATSAPP_PHONE_NUMBER_ID)
    with serve(fake.app) as url:
        yield fake, url


@pytest.fixture(scope="module")
def stack(
    tmp_path_factory: pytest.TempPathFactory,
    fake_telegram: tuple[FakeTelegram, str],
    fake_graph: tuple[FakeGraph, str],
) -> Iterator[Stack]:
    model = os.environ.get("SPORTELLO_TEST_MODEL")
    if not model or not Path(model).exists():
        pytest.skip("no trained model: run through `make test`, which trains it")
    tag = uuid.uuid4().hex[:8]
    office_name = "Centro per l'Impiego di prova (sempre aperto)"
    with database_with_open_office("sportello_e2e", OFFICE, office_name) as url:
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
            # Telegram and WhatsApp against local servers speaking their wire formats.
            "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
            "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
            "TELEGRAM_API_BASE_URL": f"{fake_telegram[1]}/bot",
            "WHATSAPP_ACCESS_TOKEN": WHATSAPP_TOKEN,
            "WHATSAPP_APP_SECRET": WHATSAPP_APP_SECRET,
            "WHATSAPP_VERIFY_TOKEN": WHATSAPP_VERIFY_TOKEN,
            "WHATSAPP_PHONE_NUMBER_ID": WHATSAPP_PHONE_NUMBER_ID,
            "WHATSAPP_GRAPH_BASE_URL": f"{fake_graph[1]}/v21.0",
            "CONSOLE_COOKIE_SECURE": "false",
        }
        create_operator(env, "giulia", OFFICE, "--display-name", "Giulia Operatrice")
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


class Console:
    """The operator's side over the console's JSON API (cookie + CSRF token)."""

    def __init__(self, stack: Stack) -> None:
        self.base = stack.urls["console"].removesuffix("/console/")
        self.http = httpx.Client(base_url=self.base, timeout=20)
        login = {"username": "giulia", "password": PASSWORD}
        self.http.post("/api/console/login", json=login).raise_for_status()
        self.http.headers["X-CSRF-Token"] = self.http.get("/api/console/me").json()["csrf_token"]

    def take_and_reply(self, handoff_id: int, text: str) -> None:
        self.http.post(f"/api/console/handoffs/{handoff_id}/take", json={}).raise_for_status()
        answer = self.http.post(f"/api/console/handoffs/{handoff_id}/messages", json={"text": text})
        answer.raise_for_status()

    def close(self, handoff_id: int) -> None:
        body = {"outcome": "risolto"}
        self.http.post(f"/api/console/handoffs/{handoff_id}/close", json=body).raise_for_status()


def open_handoffs(console: Console) -> list[dict]:
    return console.http.get("/api/console/handoffs", params={"state": "open"}).json()


def telegram_says(stack: Stack, text: str, update_id: int, chat_id: int) -> None:
    update = fixture("telegram/update_text.json")
    update["update_id"] = update_id
    update["message"]["text"] = text
    update["message"]["chat"]["id"] = chat_id
    update["message"]["from"]["id"] = chat_id
    headers = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
    url = stack.urls["widget"].rstrip("/") + TELEGRAM_WEBHOOK
    httpx.post(url, json=update, headers=headers, timeout=30).raise_for_status()


def whatsapp_says(stack: Stack, text: str, message_id: str, phone: str) -> None:
    payload = fixture("whatsapp/text.json")
    value = payload["entry"][0]["changes"][0]["value"]
    value["contacts"][0]["wa_id"] = phone
    message = value["messages"][0]
    message.update({"from": phone, "id": message_id, "text": {"body": text}})
    body = json.dumps(payload).encode()
    signature = "sha256=" + hmac.new(WHATSAPP_APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": signature}
    url = stack.urls["widget"].rstrip("/") + WHATSAPP_WEBHOOK
    httpx.post(url, content=body, headers=headers, timeout=30).raise_for_status()


def test_an_operators_reply_reaches_telegram_and_whatsapp_citizens(
    stack: Stack, fake_telegram: tuple[FakeTelegram, str], fake_graph: tuple[FakeGraph, str]
):
    if closed_reason(OFFICE, ALL_DAY, clock.today()):
        pytest.skip("today is a public holiday: every office is closed, the handoff is a ticket")
    telegram, graph = fake_telegram[0], fake_graph[0]
    console = Console(stack)
    chat_id, phone = 55501234, "393339876543"

    def telegram_texts() -> list[str]:
        return [str(p["text"]) for p in telegram.sent() if str(p["chat_id"]) == str(chat_id)]

    def whatsapp_texts() -> list[str]:
        found = []
        for body in graph.sent:
            if body["to"] != phone:
                continue
            if body["type"] == "text":
                found.append(body["text"]["body"])
            else:
                found.append(body.get("interactive", {}).get("body", {}).get("text", ""))
        return found

    try:
        hand_over(
            console,
            "telegram",
            lambda t, n: telegram_says(stack, t, 7000 + n, chat_id),
            telegram_texts,
        )
        hand_over(
            console,
            "whatsapp",
            lambda t, n: whatsapp_says(stack, t, f"wamid.e2e{n}", phone),
            whatsapp_texts,
        )
    finally:
        console.http.close()


def hand_over(console: Console, channel: str, says: Callable, texts: Callable) -> None:
    """Ask for a person on the channel, consent, get the operator's reply, then the bot."""
    before = {h["id"] for h in open_handoffs(console)}
    says("voglio parlare con un operatore", 1)
    wait_for(lambda: any("Sei d'accordo?" in t for t in texts()), timeout=30)
    says("sì", 2)
    wait_for(lambda: any("Ti ho messo in coda" in t for t in texts()), timeout=30)
    new = [h for h in open_handoffs(console) if h["id"] not in before]
    assert len(new) == 1 and new[0]["channel"] == channel
    reply = f"Buongiorno, la ricontatto io su {channel}."
    console.take_and_reply(new[0]["id"], reply)
    wait_for(lambda: reply in texts(), timeout=30)
    console.close(new[0]["id"])
    wait_for(lambda: any("assistente virtuale" in t for t in texts()[-2:]), timeout=30)
