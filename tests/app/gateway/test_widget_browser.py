"""The web widget in a real browser: Debian's Chromium driven by Playwright (sync API)."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from integrations.app import STATIC_DIR, create_app
from tests.app.gateway.fakes import FakeRasa, serve, wait_for
from tests.app.gateway.handoff_helpers import Backend

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[3] / "results" / "screenshots"
WIDGET = STATIC_DIR / "widget.js"
MAX_WIDGET_BYTES, MAX_WIDGET_GZIP_BYTES = 12_000, 4_500

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


def test_the_widget_stays_small(capsys):
    raw = WIDGET.read_bytes()
    zipped = len(gzip.compress(raw, compresslevel=9))
    with capsys.disabled():
        print(f"\nwidget.js: {len(raw)} bytes, {zipped} bytes gzipped")
    assert len(raw) <= MAX_WIDGET_BYTES and zipped <= MAX_WIDGET_GZIP_BYTES


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
def site(make_settings, fake_rasa: FakeRasa) -> Iterator[str]:
    """The gateway with its demo page, over real HTTP, answering through the fake Rasa."""
    with serve(create_app(make_settings())) as url:
        yield url


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="it-IT")
    page = context.new_page()
    yield page
    context.close()


def active(page: Page, selector: str) -> bool:
    return page.evaluate(f"() => document.activeElement.matches({selector!r})")


def focus_in_dialog(page: Page) -> bool:
    script = "() => document.querySelector('.spc-dialog').contains(document.activeElement)"
    return page.evaluate(script)


def open_with_keyboard(page: Page) -> None:
    for _ in range(10):
        if active(page, "button.spc-launch"):
            break
        page.keyboard.press("Tab")
    assert active(page, "button.spc-launch")
    page.keyboard.press("Enter")
    page.wait_for_selector(".spc-dialog", state="visible")


def bot_texts(page: Page) -> list[str]:
    return page.locator(".spc-bot").all_inner_texts()


def test_keyboard_only_open_use_and_close(site, page: Page, fake_rasa: FakeRasa):
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(site)
    page.wait_for_selector("button.spc-launch")
    # Until it is opened the widget is one button: no API call, nothing else loaded.
    assert requests == [f"{site}/", f"{site}/static/widget.js"]
    assert fake_rasa.received == []

    open_with_keyboard(page)
    assert active(page, "#spc-input")
    page.wait_for_selector(".spc-bot >> text=Ciao! Sono l'assistente virtuale")
    assert "Assistente: Ciao!" in page.locator("[aria-live=polite]").inner_text()

    page.keyboard.type("cos'è la DID?")
    page.keyboard.press("Enter")
    page.wait_for_selector(".spc-bot >> text=Hai scritto: cos'è la DID?")
    # The quick replies are real buttons, reached with Shift+Tab from the text box.
    page.keyboard.press("Shift+Tab")
    assert active(page, ".spc-buttons button")
    assert page.evaluate("() => document.activeElement.textContent") == "Parla con un operatore"
    page.keyboard.press("Enter")
    page.wait_for_selector(".spc-bot >> text=Hai scritto: /request_human")
    assert "Parla con un operatore" in page.locator(".spc-user").all_inner_texts()[-1]

    # Focus stays inside the dialog, both ways round.
    for key in ["Tab"] * 12 + ["Shift+Tab"] * 12:
        page.keyboard.press(key)
        assert focus_in_dialog(page), key
    page.screenshot(path=SCREENSHOTS / "widget-open-desktop.png")

    page.keyboard.press("Escape")
    page.wait_for_selector(".spc-dialog", state="hidden")
    assert active(page, "button.spc-launch")
    assert page.get_attribute("button.spc-launch", "aria-expanded") == "false"
    page.screenshot(path=SCREENSHOTS / "widget-closed-desktop.png")
    assert fake_rasa.texts_from(fake_rasa.received[0][0]) == [
        "ciao",
        "cos'è la DID?",
        "/request_human",
    ]


def test_reload_keeps_the_conversation(site, page: Page, fake_rasa: FakeRasa):
    page.goto(site)
    open_with_keyboard(page)
    page.keyboard.type("dove si trova il CPI di Cosenza?")
    page.keyboard.press("Enter")
    page.wait_for_selector(".spc-bot >> text=Hai scritto: dove si trova")
    before = page.locator(".spc-msg").all_inner_texts()
    sent = len(fake_rasa.received)

    page.reload()
    open_with_keyboard(page)
    assert page.locator(".spc-msg").all_inner_texts() == before
    assert len(fake_rasa.received) == sent  # no second greeting, nothing re-sent
    page.screenshot(path=SCREENSHOTS / "widget-after-reload.png")


def test_it_reconnects_after_a_network_drop(site, page: Page, fake_rasa: FakeRasa):
    page.goto(site)
    open_with_keyboard(page)
    page.wait_for_selector(".spc-bot >> text=Ciao!")
    page.context.set_offline(True)
    page.keyboard.type("sei ancora lì?")
    page.keyboard.press("Enter")
    page.wait_for_selector(".spc-status >> text=Connessione assente")
    page.screenshot(path=SCREENSHOTS / "widget-offline.png")
    page.context.set_offline(False)
    page.wait_for_selector(".spc-bot >> text=Hai scritto: sei ancora lì?", timeout=15_000)
    assert page.locator(".spc-status").inner_text() == ""
    wait_for(lambda: len(fake_rasa.received) == 2)
    assert [text for _, text in fake_rasa.received] == ["ciao", "sei ancora lì?"]


def test_it_fits_a_375px_phone(site, browser: Browser):
    context = browser.new_context(viewport={"width": 375, "height": 667}, has_touch=True)
    page = context.new_page()
    try:
        page.goto(site)
        page.tap("button.spc-launch")
        page.wait_for_selector(".spc-bot >> text=Ciao!")
        box = page.locator(".spc-dialog").bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
        send_box = page.locator(".spc-form button").bounding_box()
        assert send_box is not None and send_box["x"] + send_box["width"] <= 375
        page.screenshot(path=SCREENSHOTS / "widget-mobile-375.png")
    finally:
        context.close()


@pytest.mark.parametrize("color", ["#0b5394", "#f5c400"], ids=["dark-brand", "light-brand"])
def test_text_contrast_is_sufficient_for_any_brand_colour(site, page: Page, color):
    html = (
        '<!doctype html><html lang="it"><body><h1>Lavoro</h1>'
        f'<script src="/static/widget.js" data-color="{color}"></script></body></html>'
    )
    page.route(f"{site}/demo.html", lambda r: r.fulfill(body=html, content_type="text/html"))
    page.goto(f"{site}/demo.html")
    page.click("button.spc-launch")
    page.wait_for_selector(".spc-buttons button")
    page.fill("#spc-input", "ciao di nuovo")
    page.press("#spc-input", "Enter")
    page.wait_for_selector(".spc-bot >> text=Hai scritto: ciao di nuovo")
    selectors = [".spc-head h2", ".spc-user", ".spc-bot", ".spc-buttons button", ".spc-form button"]
    for selector in selectors:
        ratio = page.locator(selector).first.evaluate(CONTRAST_JS)
        assert ratio >= 4.5, (selector, ratio)
    page.click(".spc-close")
    assert page.locator("button.spc-launch").evaluate(CONTRAST_JS) >= 4.5


def test_an_operator_message_appears_by_itself_and_only_once(site, page: Page, backend: Backend):
    polls: list[str] = []
    page.on("request", lambda r: polls.append(r.url) if "/api/web/updates" in r.url else None)
    page.goto(site)
    open_with_keyboard(page)
    page.wait_for_selector(".spc-bot >> text=Ciao!")
    session = page.evaluate("() => JSON.parse(localStorage.getItem('sportello-cpi')).sessionId")
    backend.push(f"web:{session}", "Sono Anna, operatrice del CPI di Cosenza.", "hm:900")
    # No key pressed, nothing sent: the widget's polling brings it.
    page.wait_for_selector(".spc-bot >> text=Sono Anna, operatrice", timeout=10_000)
    assert "Assistente: Sono Anna" in page.locator("[aria-live=polite]").inner_text()
    assert active(page, "#spc-input")  # the citizen's typing is never interrupted
    page.screenshot(path=SCREENSHOTS / "widget-operator-message.png")

    page.reload()
    open_with_keyboard(page)
    backend.push(f"web:{session}", "Mi dici il tuo comune?", "hm:901")
    page.wait_for_selector(".spc-bot >> text=Mi dici il tuo comune?", timeout=10_000)
    shown = bot_texts(page)
    assert sum("Sono Anna" in text for text in shown) == 1
    assert sum("Mi dici il tuo comune?" in text for text in shown) == 1

    # Closed, the widget stops asking; opened again, it asks at once.
    page.keyboard.press("Escape")
    page.wait_for_timeout(300)
    before = len(polls)
    page.wait_for_timeout(3_500)
    assert len(polls) == before
    with page.expect_request(lambda r: "/api/web/updates" in r.url, timeout=2_000) as asked:
        page.click("button.spc-launch")
    assert asked.value.url.endswith(f"session_id={session}&after=2")
