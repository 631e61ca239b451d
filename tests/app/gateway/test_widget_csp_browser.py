"""The widget under a strict Content-Security-Policy, in Debian's Chromium.

The Region's site embeds widget.js from the gateway's origin. Its pages may forbid inline
styles and scripts; the widget must still draw itself and talk to the gateway (CORS),
with no CSP violation. The gateway's own demo page runs under the gateway's CSP.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from playwright.sync_api import Browser, Page, sync_playwright

from integrations.app import create_app
from tests.app.gateway.fakes import FakeRasa, serve
from tests.app.gateway.test_widget_browser import ARGS, CHROMIUM

HOST_PAGE = """<!doctype html>
<html lang="it"><head><meta charset="utf-8"><title>Regione - Lavoro</title>
<link rel="stylesheet" href="/site.css"></head>
<body><h1>Lavoro</h1>
<script src="{gateway}/static/widget.js" defer data-endpoint="{gateway}/api/web/messages"
        data-title="Sportello virtuale Lavoro" data-color="#0b5394"></script>
</body></html>"""
# What a careful Region would send: no inline anything, the gateway named for the widget.
HOST_CSP = (
    "default-src 'none'; script-src 'self' {gateway}; connect-src {gateway}; "
    "style-src 'self'; img-src 'self'; base-uri 'none'; frame-ancestors 'none'"
)

# Violations reach the page as events; record them before any script of the page runs.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation',
    e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: apt-get install -y chromium (see scripts/lib.sh)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="it-IT")
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    page.console_messages = []  # type: ignore[attr-defined]
    page.on("console", lambda m: page.console_messages.append(m.text))  # type: ignore[attr-defined]
    yield page
    context.close()


def region_site() -> tuple[FastAPI, dict[str, str]]:
    config: dict[str, str] = {}
    app = FastAPI()

    @app.get("/")
    def home() -> HTMLResponse:
        gateway = config["gateway"]
        return HTMLResponse(
            HOST_PAGE.format(gateway=gateway),
            headers={"Content-Security-Policy": HOST_CSP.format(gateway=gateway)},
        )

    @app.get("/site.css")
    def site_css() -> HTMLResponse:
        return HTMLResponse("body{font-family:sans-serif}", media_type="text/css")

    return app, config


def chat(page: Page, text: str, expected: str) -> None:
    page.click("button.spc-launch")
    page.wait_for_selector(".spc-dialog", state="visible")
    page.fill("#spc-input", text)
    page.keyboard.press("Enter")
    page.wait_for_selector(f".spc-bot >> text={expected}")


def assert_styled_without_violations(page: Page) -> None:
    launcher = page.locator("button.spc-launch")
    assert launcher.evaluate("b => getComputedStyle(b).position") == "fixed"
    dialog = page.locator(".spc-dialog")
    assert dialog.evaluate("d => getComputedStyle(d).flexDirection") == "column"
    assert page.evaluate("() => window.__violations") == []
    refused = [m for m in page.console_messages if "Content Security Policy" in m]  # type: ignore[attr-defined]
    assert refused == []


def test_the_widget_runs_on_a_region_page_that_forbids_inline_styles(
    page: Page, make_settings, fake_rasa: FakeRasa
):
    site, config = region_site()
    with serve(site) as site_url:
        settings = make_settings(widget_allowed_origins=[site_url])
        with serve(create_app(settings)) as gateway_url:
            config["gateway"] = gateway_url
            page.goto(site_url)
            page.wait_for_selector("button.spc-launch")
            chat(page, "come funziona?", "Hai scritto: come funziona?")
            assert_styled_without_violations(page)


def test_the_widget_cannot_talk_to_a_gateway_that_does_not_allow_the_site(
    page: Page, make_settings, fake_rasa: FakeRasa
):
    site, config = region_site()
    with serve(site) as site_url:
        settings = make_settings(widget_allowed_origins=["https://altra-regione.example.it"])
        with serve(create_app(settings)) as gateway_url:
            config["gateway"] = gateway_url
            page.goto(site_url)
            page.click("button.spc-launch")
            page.fill("#spc-input", "ciao")
            page.keyboard.press("Enter")
            page.wait_for_timeout(1500)
            # The browser blocks the answer (no Access-Control-Allow-Origin): no reply.
            assert page.locator(".spc-bot >> text=Hai scritto").count() == 0
            assert any("CORS" in m for m in page.console_messages)  # type: ignore[attr-defined]


def test_the_demo_page_runs_under_the_gateways_own_csp(
    page: Page, make_settings, fake_rasa: FakeRasa
):
    with serve(create_app(make_settings())) as gateway_url:
        page.goto(gateway_url)
        page.wait_for_selector("button.spc-launch")
        # The demo page's inline style is allowed by hash: it applied.
        header = page.locator("header")
        assert header.evaluate("h => getComputedStyle(h).backgroundColor") == "rgb(11, 83, 148)"
        chat(page, "come funziona?", "Hai scritto: come funziona?")
        assert_styled_without_violations(page)
