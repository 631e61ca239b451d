"""The eligibility API as the actions call it."""

from __future__ import annotations

from typing import Any

from backend.services import clock


def post(client: Any, headers: dict[str, str], measure: str, body: dict[str, Any]) -> Any:
    return client.post(f"/api/v1/eligibility/{measure}/check", json=body, headers=headers)


def test_measures_are_listed_with_their_period(backend_client, service_headers):
    response = backend_client.get(
        "/api/v1/eligibility/measures",
        params={"reference_date": "2025-06-01"},
        headers=service_headers,
    )
    measures = {m["code"]: m for m in response.json()}
    assert set(measures) == {"adi", "sfl", "gol", "rdc", "naspi"}
    assert measures["rdc"]["in_force"] is False
    assert measures["gol"]["in_force"] is True
    assert measures["gol"]["valid_to"] == "2026-06-30"


def test_a_check_answers_verdict_reasons_sources_missing_facts_and_next_steps(
    backend_client, service_headers
):
    body = {"facts": {"age": 30, "isee": 12000}, "reference_date": "2025-03-01"}
    result = post(backend_client, service_headers, "sfl", body).json()
    assert result["verdict"] == "not_eligible"
    assert result["verdict_text"] == "Da quello che mi hai detto, non hai i requisiti"
    assert result["decided_by"][0]["text"] == "ISEE non superiore a 10.140 €"
    assert result["decided_by"][0]["source"]
    assert result["missing_facts"] == []
    assert result["next_steps"]
    assert result["summary"].endswith(": ISEE non superiore a 10.140 €.")


def test_the_reference_date_defaults_to_today(backend_client, service_headers):
    result = post(backend_client, service_headers, "rdc", {"facts": {}}).json()
    # Italy's date, not the server's: around midnight UTC they differ.
    assert result["reference_date"] == clock.today().isoformat()
    assert result["verdict"] == "not_eligible"
    assert result["see_also"] == ["adi", "sfl"]


def test_missing_facts_come_one_question_at_a_time_in_order(backend_client, service_headers):
    result = post(backend_client, service_headers, "naspi", {"reference_date": "2026-02-01"}).json()
    assert result["complete"] is False
    first = result["missing_facts"][0]
    assert first["key"] == "was_employee"
    assert first["type"] == "boolean"
    assert first["question"].startswith("Il lavoro che hai perso era un lavoro dipendente")


def test_non_so_is_accepted(backend_client, service_headers):
    facts = {
        "unemployed": "non_so",
        "receives_income_support": False,
        "short_time_work": False,
        "low_income_worker": False,
    }
    result = post(
        backend_client, service_headers, "gol", {"facts": facts, "reference_date": "2026-01-15"}
    ).json()
    assert result["verdict"] == "to_verify"
    assert result["complete"] is True


def test_unknown_measure_and_bad_facts_get_italian_errors(backend_client, service_headers):
    missing = post(backend_client, service_headers, "bonus", {"facts": {}})
    assert missing.status_code == 404
    assert missing.json()["detail"].startswith("Misura non trovata")
    bad = post(backend_client, service_headers, "sfl", {"facts": {"age": "trenta"}})
    assert bad.status_code == 422
    assert bad.json()["detail"] == (
        "Richiesta non valida: «età» va indicato come un numero intero, o «non_so»."
    )
    far = post(backend_client, service_headers, "sfl", {"reference_date": "0001-01-01"})
    assert far.status_code == 422
    assert "tra il 1990 e il 2100" in far.json()["detail"]
