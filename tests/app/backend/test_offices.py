"""Offices and competence: which CPI serves a comune, as the actions ask it."""

from __future__ import annotations

from typing import Any


def competent(client: Any, headers: dict[str, str], comune: str) -> Any:
    return client.get("/api/v1/offices/competent", params={"comune": comune}, headers=headers)


def test_cosenza_is_served_by_its_cpi_with_address_and_hours(backend_client, service_headers):
    body = competent(backend_client, service_headers, "Cosenza").json()
    assert body["covered"] is True
    office = body["office"]
    assert office["name"] == "Centro per l'Impiego di Cosenza"
    assert "Via Giulia" in office["address"]
    assert office["opening_hours"]["mon"] == [["09:00", "12:30"]]
    assert office["sources"], "every office names where its data come from"


def test_lookup_ignores_case_accents_and_accepts_short_forms(backend_client, service_headers):
    assert competent(backend_client, service_headers, "ciro marina").json()["comune"]["name"] == (
        "Cirò Marina"
    )
    body = competent(backend_client, service_headers, "reggio").json()
    assert body["comune"]["name"] == "Reggio di Calabria"
    assert body["office"]["code"] == "cpi-reggio-calabria"


def test_a_comune_without_its_own_cpi_goes_to_the_province_default(backend_client, service_headers):
    body = competent(backend_client, service_headers, "San Giovanni in Fiore").json()
    assert body["office"]["code"] == "cpi-cosenza"


def test_every_comune_of_calabria_and_lazio_has_a_competent_office(db_session):
    from sqlalchemy import func, select

    from backend.models import Comune

    missing = db_session.scalar(
        select(func.count())
        .select_from(Comune)
        .where(Comune.region.in_(["Calabria", "Lazio"]), Comune.office_id.is_(None))
    )
    covered = db_session.scalar(
        select(func.count()).select_from(Comune).where(Comune.region.in_(["Calabria", "Lazio"]))
    )
    assert covered == 404 + 378
    assert missing == 0


def test_a_comune_elsewhere_is_reported_as_not_covered(backend_client, service_headers):
    body = competent(backend_client, service_headers, "Milano").json()
    assert body["covered"] is False
    assert body["office"] is None
    assert body["comune"]["region"] == "Lombardia"


def test_roma_lists_its_other_cpi(backend_client, service_headers):
    body = competent(backend_client, service_headers, "Roma").json()
    assert body["office"]["code"] == "cpi-roma-cinecitta"
    assert len(body["other_offices"]) >= 2


def test_unknown_comune_gets_an_italian_404(backend_client, service_headers):
    response = competent(backend_client, service_headers, "Paperopoli")
    assert response.status_code == 404
    assert "Non trovo il comune" in response.json()["detail"]


def test_a_comune_is_found_inside_free_text(backend_client, service_headers):
    def find(text: str) -> Any:
        return backend_client.get(
            "/api/v1/comuni/find", params={"text": text}, headers=service_headers
        )

    assert find("abito a san giovanni in fiore").json()["name"] == "San Giovanni in Fiore"
    assert find("sono di reggio calabria").json()["name"] == "Reggio di Calabria"
    assert find("Vibo").json()["name"] == "Vibo Valentia"
    assert find("non lo so").status_code == 404


def test_calls_without_the_service_token_are_refused(backend_client):
    assert competent(backend_client, {}, "Cosenza").status_code == 401
    wrong = {"Authorization": "Bearer nope"}
    assert competent(backend_client, wrong, "Cosenza").status_code == 401


def test_health_checks_the_database(backend_client):
    assert backend_client.get("/health").json() == {"status": "ok"}


def test_on_a_public_holiday_the_office_is_said_closed_today(
    backend_client, service_headers, monkeypatch
):
    from datetime import date

    from backend.api.routes import offices

    monkeypatch.setattr(offices, "today", lambda: date(2026, 12, 25))  # a Friday
    body = competent(backend_client, service_headers, "Cosenza").json()
    assert "festivo" in body["closed_today"]

    monkeypatch.setattr(offices, "today", lambda: date(2026, 12, 22))  # an ordinary Tuesday
    assert competent(backend_client, service_headers, "Cosenza").json()["closed_today"] is None
