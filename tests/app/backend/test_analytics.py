"""Analytics: events in (service token), figures and the suppressed CSV out (console).

A region and offices of the test's own, so that whatever other tests committed to the
shared database never enters the figures; every row lives in the rolled-back session.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.analytics import ingest
from backend.analytics.pseudonyms import pseudonym
from backend.models import Booking, Comune, ConversationEvent, Handoff, Office, Slot
from backend.services import clock
from backend.settings import get_settings
from tests.app.backend.console_helpers import console_client, make_operator, sign_in

REGION = "Regione di prova"
DAY = date(2026, 11, 23)  # the `now` fixture's Monday
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=clock.local_zone())


@pytest.fixture
def offices(db_session: Session) -> dict[str, Office]:
    """Two offices of the test region, in provinces ZA and ZB, each with a comune."""
    made = {}
    for province in ("ZA", "ZB"):
        office = Office(
            code=f"test-an-{province.lower()}-{uuid.uuid4().hex[:6]}",
            name=f"CPI di prova {province}",
            region=REGION,
            province=province,
            comune=f"Comune {province}",
            opening_hours={},
            services=["accoglienza_did"],
        )
        db_session.add(office)
        db_session.flush()
        db_session.add(
            Comune(
                istat_code=f"9{uuid.uuid4().int % 10**5:05d}",
                name=f"Provatown {province}",
                search_key=f"provatown {province.lower()}",
                province=province,
                region=REGION,
                office_id=office.id,
            )
        )
        made[province] = office
    db_session.flush()
    return made


@pytest.fixture
def now(monkeypatch: pytest.MonkeyPatch) -> Iterator[datetime]:
    """A Monday afternoon, in a deployment whose region is the test's own: events that
    name no place count there (DEFAULT_REGION)."""
    monkeypatch.setattr(clock, "now", lambda: NOW)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DEFAULT_REGION", REGION)
        get_settings.cache_clear()
        yield NOW
    get_settings.cache_clear()


def post_events(client, headers, events: list[dict]) -> None:
    response = client.post("/api/analytics/events", json={"events": events}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json() == {"stored": len(events)}


def event(kind: str, conversation: str, channel: str = "web", **fields) -> dict:
    return {"kind": kind, "conversation_id": conversation, "channel": channel,
            "day": DAY.isoformat(), **fields}  # fmt: skip


def seed(client, headers, offices, db_session: Session) -> None:
    """12 web + 9 telegram conversations; intents, FAQ, fallbacks; checks; handoffs."""
    za = offices["ZA"].code
    events = []
    for n in range(12):
        cid = f"web:an-{n}"
        events.append(event("conversation_started", cid))
        events.append(event("intent", cid, label="faq"))
        events.append(event("faq", cid, label="did"))
        where = {"comune": "Provatown ZA"} if n < 10 else {}
        events.append(event("eligibility_check", cid, label="adi:likely_eligible", **where))
        if n < 10:  # the same ten name an office of province ZA
            events.append(event("intent", cid, label="book_appointment", office_code=za))
    for n in range(9):
        cid = f"telegram:an-{n}"
        events.append(event("conversation_started", cid, channel="telegram"))
        events.append(event("intent", cid, channel="telegram", label="nlu_fallback"))
        events.append(event("fallback", cid, channel="telegram", label="nlu_fallback"))
    post_events(client, headers, events)
    # Two web conversations reach an operator (ZA), waited 60 s and 300 s.
    for n, waited in ((0, 60), (1, 300)):
        created = NOW - timedelta(hours=2)
        handoff = Handoff(
            conversation_id=f"web:an-{n}", channel="web", status="closed", reason="fallback",
            office_id=offices["ZA"].id, office=offices["ZA"], region=REGION, context={},
            created_at=created, taken_at=created + timedelta(seconds=waited),
        )  # fmt: skip
        db_session.add(handoff)
        db_session.flush()
        ingest.record_handoff(db_session, handoff)
    db_session.flush()


def book(db_session: Session, office: Office, n: int, **fields) -> Booking:
    starts = NOW - timedelta(days=1) + timedelta(minutes=30 * n)
    slot = Slot(office_id=office.id, service_code="accoglienza_did", starts_at=starts,
                ends_at=starts + timedelta(minutes=30), capacity=1, booked=1)  # fmt: skip
    db_session.add(slot)
    db_session.flush()
    booking = Booking(code=f"T{uuid.uuid4().hex[:8].upper()}", slot_id=slot.id,
                      tax_code_hash=f"{n:064d}", created_at=NOW - timedelta(days=2),
                      updated_at=NOW, **fields)  # fmt: skip
    db_session.add(booking)
    db_session.flush()
    return booking


def test_events_are_stored_without_ids_and_learn_the_province(
    backend_client, service_headers, offices, db_session: Session, now
):
    post_events(backend_client, service_headers, [
        event("conversation_started", "web:secret-id-1"),
        event("intent", "web:secret-id-1", label="faq"),
    ])  # fmt: skip
    # Later the same conversation names a comune: its earlier events of the day learn it.
    post_events(backend_client, service_headers, [
        event("intent", "web:secret-id-1", label="office_info", comune="Provatown ZB"),
    ])  # fmt: skip
    rows = list(db_session.scalars(select(ConversationEvent).where(
        ConversationEvent.conversation == pseudonym(DAY, "web:secret-id-1"))))  # fmt: skip
    assert len(rows) == 3
    assert {(r.province, r.region) for r in rows} == {("ZB", REGION)}
    assert all("secret" not in (r.label or "") + r.conversation for r in rows)
    # Another day, another pseudonym: a citizen cannot be followed across days.
    assert pseudonym(DAY, "web:secret-id-1") != pseudonym(
        DAY + timedelta(days=1), "web:secret-id-1"
    )


def test_events_need_the_service_token_and_refuse_text_labels(backend_client, service_headers, now):
    body = {"events": [event("intent", "web:x", label="faq")]}
    assert backend_client.post("/api/analytics/events", json=body).status_code == 401
    body = {"events": [event("intent", "web:x", label="Ho perso il lavoro")]}
    response = backend_client.post("/api/analytics/events", json=body, headers=service_headers)
    assert response.status_code == 422
    body = {"events": [event("intent", "web:x", label="faq", day="2020-01-01")]}
    response = backend_client.post("/api/analytics/events", json=body, headers=service_headers)
    assert response.status_code == 422


def test_figures_for_a_supervisor_of_the_region(
    backend_client, service_headers, offices, db_session: Session, now
):
    seed(backend_client, service_headers, offices, db_session)
    book(db_session, offices["ZA"], 1)  # past, not marked: to verify
    book(db_session, offices["ZA"], 2, attended=False)
    book(db_session, offices["ZA"], 3, status="cancelled", cancelled_at=NOW)
    supervisor = make_operator(db_session, role="supervisor", region=REGION, offices=())
    with console_client(db_session) as client:
        sign_in(client, supervisor)
        params = {"from": "2026-11-20", "to": "2026-11-23"}
        response = client.get("/api/console/analytics", params=params)
    assert response.status_code == 200, response.text
    figures = response.json()
    assert figures["region"] == REGION
    assert figures["summary"] == {
        "conversations": 21, "handed_off": 2, "handoff_rate": round(2 / 21, 4),
        "containment": round(19 / 21, 4), "messages": 12 + 10 + 9, "fallbacks": 9,
        "conversations_with_fallback": 9, "fallback_rate": round(9 / 31, 4),
    }  # fmt: skip
    assert figures["conversations"] == [
        {"day": "2026-11-23", "channel": "telegram", "conversations": 9},
        {"day": "2026-11-23", "channel": "web", "conversations": 12},
    ]
    assert figures["handoffs"] == [{"day": "2026-11-23", "channel": "web", "conversations": 2}]
    overall = {"channel": None, "taken": 2, "median_seconds": 180, "p90_seconds": 300}
    assert figures["waiting"][0] == overall
    # The ten conversations that named an office of ZA count there, all day long.
    faq = {(r["province"], r["label"]): r["messages"] for r in figures["faq"]}
    assert faq == {("ZA", "did"): 10, (None, "did"): 2}
    intents = {(r["province"], r["label"]): r["conversations"] for r in figures["intents"]}
    assert intents[("ZA", "book_appointment")] == 10
    assert intents[(None, "nlu_fallback")] == 9
    checks = {
        (r["measure"], r["verdict"], r["province"], r["checks"]) for r in figures["eligibility"]
    }
    assert checks == {("adi", "likely_eligible", "ZA", 10), ("adi", "likely_eligible", None, 2)}
    bookings = {r["item"]: r["bookings"] for r in figures["bookings"]}
    assert bookings == {"booked": 3, "cancelled": 1, "no_show": 1, "to_verify": 1}


def test_other_regions_see_nothing_and_operators_are_refused(
    backend_client, service_headers, offices, db_session: Session, now
):
    seed(backend_client, service_headers, offices, db_session)
    lazio = make_operator(db_session, role="supervisor", region="Lazio", offices=())
    operator = make_operator(db_session, role="operator", region=REGION, offices=())
    admin = make_operator(db_session, role="admin", region=None, offices=())
    params = {"from": "2026-11-23", "to": "2026-11-23"}
    with console_client(db_session) as client:
        assert client.get("/api/console/analytics", params=params).status_code == 401
        sign_in(client, operator)
        assert client.get("/api/console/analytics", params=params).status_code == 403
        assert client.get("/api/console/analytics/export.csv", params=params).status_code == 403
        sign_in(client, lazio)
        # Asking for another region does not widen a supervisor's view.
        asked = client.get("/api/console/analytics", params={**params, "region": REGION}).json()
        assert asked["region"] == "Lazio"
        assert asked["summary"]["conversations"] < 21 or asked["summary"]["handed_off"] != 2
        sign_in(client, admin)
        mine = client.get("/api/console/analytics", params={**params, "region": REGION}).json()
        assert mine["summary"]["conversations"] == 21
        backwards = {"from": "2026-11-23", "to": "2026-11-01"}
        bad = client.get("/api/console/analytics", params=backwards)
        assert bad.status_code == 422


def test_csv_suppresses_groups_under_ten_citizens(
    backend_client, service_headers, offices, db_session: Session, now
):
    seed(backend_client, service_headers, offices, db_session)
    supervisor = make_operator(db_session, role="supervisor", region=REGION, offices=())
    with console_client(db_session) as client:
        sign_in(client, supervisor)
        params = {"from": "2026-11-23", "to": "2026-11-23"}
        response = client.get("/api/console/analytics/export.csv", params=params)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["sezione", "giorno", "canale", "provincia", "voce", "valore"]
    cells = {(r[0], r[2], r[3], r[4]): r[5] for r in rows[1:]}
    assert cells[("conversazioni", "web", "", "conversazioni")] == "12"
    assert cells[("conversazioni", "telegram", "", "conversazioni")] == "<10"  # 9 citizens
    assert cells[("passaggi_operatore", "web", "", "conversazioni")] == "<10"
    # A rate beside a suppressed term is suppressed too: it would give the term back.
    assert cells[("passaggi_operatore", "web", "", "tasso_passaggio")] == "<10"
    assert cells[("contenimento", "web", "", "tasso_contenimento")] == "<10"
    assert cells[("attesa", "", "", "attesa_mediana_secondi")] == "<10"
    assert cells[("intenti", "", "ZA", "book_appointment")] == "10"
    assert cells[("intenti", "", "non indicata", "nlu_fallback")] == "<10"
    assert cells[("faq", "", "ZA", "did")] == "10"
    assert cells[("faq", "", "non indicata", "did")] == "<10"
    assert cells[("requisiti", "", "ZA", "adi:likely_eligible")] == "10"
    assert cells[("requisiti", "", "non indicata", "adi:likely_eligible")] == "<10"
    assert cells[("fallback", "", "", "tasso_fallback")] == "<10"
    # No totals, and not the "faq" intent, which is the sum of the FAQ topics.
    assert not [r for r in rows if r[4] == "faq" or "total" in r[4]]
    assert "an-" not in response.text
