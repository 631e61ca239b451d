"""The console's "Statistiche" in Chromium: SVG charts with captions and data tables.

Reuses the real backend process and the browser of test_console_browser.py (its
module-scoped fixtures run again for this module: a backend of its own).
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine, delete
from sqlalchemy.orm import Session

from backend.analytics.pseudonyms import pseudonym
from backend.models import ConversationEvent
from backend.services import clock
from tests.app.backend.test_console_browser import (  # noqa: F401  (fixtures)
    SCREENSHOTS,
    Backend,
    backend,
    browser,
    cli,
    page,
    sign_in,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def events(backend: Backend, engine: Engine) -> Iterator[list[str]]:  # noqa: F811
    """Today's events of 12 web conversations, sent as the gateway does; removed after."""
    ids = [f"web:stats-{backend.tag}-{n}" for n in range(12)]
    batch = []
    for n, cid in enumerate(ids):
        batch.append({"kind": "conversation_started", "channel": "web", "conversation_id": cid})
        batch.append({"kind": "intent", "label": "faq", "channel": "web", "conversation_id": cid})
        key = "did" if n < 10 else "naspi"
        batch.append({"kind": "faq", "label": key, "channel": "web", "conversation_id": cid})
    request = urllib.request.Request(
        f"{backend.url}/api/analytics/events",
        data=json.dumps({"events": batch}).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {backend.token}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert json.loads(response.read()) == {"stored": len(batch)}
    yield ids
    today = clock.today()
    with Session(engine) as session:
        session.execute(
            delete(ConversationEvent).where(
                ConversationEvent.conversation.in_([pseudonym(today, cid) for cid in ids])
            )
        )
        session.commit()


def test_supervisor_sees_charts_with_captions_and_tables(
    backend: Backend,  # noqa: F811
    page: Page,  # noqa: F811
    events: list[str],
):
    username = f"sara-{backend.tag}"
    cli(backend.env, "create-operator", username, "Sara Supervisora", "--role", "supervisor")
    sign_in(page, backend, username=username)
    expect(page.locator("#who-name")).to_have_text("Sara Supervisora (Supervisore)")
    page.click("#tabs >> text=Statistiche")
    expect(page.locator("#stats-title")).to_be_focused()
    expect(page.locator("#stats-status")).to_contain_text("Dati dal")

    figures = page.locator("#stats-figures figure.chart")
    expect(figures.first).to_be_visible()
    conversations = page.locator("figure.chart", has_text="Conversazioni al giorno, per canale")
    chart = conversations.locator("svg[role=img]")
    expect(chart).to_be_visible()
    # The SVG is named by its caption, and its numbers are in a table too.
    caption_id = chart.get_attribute("aria-labelledby")
    expect(page.locator(f"#{caption_id}")).to_have_text("Conversazioni al giorno, per canale")
    assert chart.locator("rect").count() >= 1
    conversations.locator("summary").click()
    expect(conversations.locator("table tbody tr").first).to_contain_text("12")
    faq = page.locator("figure.chart", has_text="Domande frequenti più richieste")
    expect(faq.locator("svg[role=img] rect")).to_have_count(2)
    expect(faq.locator("svg")).to_contain_text("did")
    expect(page.locator(".key-figures")).to_contain_text("Conversazioni")

    today = datetime.now(UTC).astimezone(clock.local_zone()).date().isoformat()
    href = page.locator("#stats-csv").get_attribute("href")
    start = page.input_value("#stats-from")
    assert href == f"/api/console/analytics/export.csv?from={start}&to={today}"
    csv = page.request.get(f"{backend.url}{href}")
    assert csv.status == 200 and "text/csv" in csv.headers["content-type"]
    assert "faq,,,non indicata,naspi,<10" in csv.text()
    page.screenshot(path=SCREENSHOTS / "console-statistiche.png", full_page=True)


def test_the_default_period_ends_on_the_italian_day_whatever_the_browser_clock(
    backend: Backend,  # noqa: F811
    page: Page,  # noqa: F811
):
    # 23:30 UTC is already tomorrow in Italy: a UTC date would leave today's data out.
    page.clock.set_fixed_time(datetime(2026, 12, 6, 23, 30, tzinfo=UTC))
    username = f"ugo-{backend.tag}"
    cli(backend.env, "create-operator", username, "Ugo Supervisore", "--role", "supervisor")
    sign_in(page, backend, username=username)
    page.click("#tabs >> text=Statistiche")
    expect(page.locator("#stats-status")).to_contain_text("Dati dal")
    today = clock.today()
    assert page.input_value("#stats-to") == today.isoformat()
    assert page.input_value("#stats-from") == (today - timedelta(days=29)).isoformat()


def test_operators_do_not_see_the_statistics_tab(backend: Backend, page: Page):  # noqa: F811
    sign_in(page, backend)
    page.wait_for_selector("#queue-lists .group")
    assert page.is_hidden("#tabs a[data-view=stats]")
    page.goto(f"{backend.url}/console/#/statistiche")
    expect(page.locator("#view-stats")).to_be_hidden()
