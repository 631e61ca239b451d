"""Every error is JSON with an Italian detail; tax codes stay out of answers and logs."""

from __future__ import annotations

import logging

from fastapi.testclient import TestClient
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from backend.api.deps import get_session
from backend.main import create_app
from backend.services import tax_codes
from tests.app.backend.helpers import days_ahead, free_slots, tax_code


def test_unknown_paths_and_methods_answer_in_italian(backend_client, service_headers):
    assert backend_client.get("/api/v1/nowhere", headers=service_headers).json() == {
        "detail": "Risorsa non trovata: controlla l'indirizzo della richiesta."
    }
    response = backend_client.delete("/api/v1/services", headers=service_headers)
    assert response.status_code == 405
    assert response.json()["detail"] == "Metodo non consentito per questo indirizzo."


def test_malformed_bodies_answer_in_italian_field_by_field(backend_client, service_headers):
    headers = {**service_headers, "Content-Type": "application/json"}
    broken = backend_client.post("/api/v1/bookings", content=b"{not json", headers=headers)
    assert broken.status_code == 422
    assert broken.json()["detail"].startswith("Richiesta non valida")
    empty = backend_client.post("/api/v1/bookings", json={}, headers=service_headers)
    assert empty.status_code == 422
    fields = {e["field"]: e["message"] for e in empty.json()["errors"]}
    assert fields["body.office_code"] == "campo obbligatorio"
    assert fields["body.tax_code"] == "campo obbligatorio"
    bad_date = backend_client.get(
        "/api/v1/slots",
        params={"office": "cpi-cosenza", "service": "accoglienza_did", "date_from": "ieri"},
        headers=service_headers,
    )
    assert bad_date.json()["detail"] == (
        "Richiesta non valida: «query.date_from»: data non valida (formato AAAA-MM-GG)."
    )


def test_tax_codes_never_reach_the_logs(database_url, service_headers, caplog):
    """Even with every SQL statement and its parameters logged, only the hash shows."""
    caplog.set_level(logging.INFO)
    logging.getLogger("sqlalchemy.engine").disabled = False
    engine = create_engine(database_url, echo=True)
    with engine.connect() as conn:
        outer = conn.begin()
        session = Session(bind=conn, join_transaction_mode="create_savepoint")
        app = create_app()
        app.dependency_overrides[get_session] = lambda: session
        with TestClient(app) as client:
            slot = free_slots(
                client, service_headers, "cpi-cosenza", "accoglienza_did", date_from=days_ahead(5)
            )[0]
            body = {
                "office_code": "cpi-cosenza",
                "service_code": "accoglienza_did",
                "starts_at": slot["starts_at"],
                "tax_code": tax_code(77),
            }
            client.post("/api/v1/bookings", json=body, headers=service_headers)
            client.post("/api/v1/bookings", json=body, headers=service_headers)  # 409
            client.post(
                "/api/v1/bookings/search", json={"tax_code": tax_code(77)}, headers=service_headers
            )
            wrong = {**body, "tax_code": tax_code(77)[:-1] + "Z"}
            client.post("/api/v1/bookings", json=wrong, headers=service_headers)
        session.close()
        outer.rollback()
    engine.dispose()
    assert "INSERT INTO bookings" in caplog.text, "SQL was logged"
    assert tax_codes.lookup_hash(tax_code(77)) in caplog.text
    assert tax_code(77) not in caplog.text
    assert tax_code(77)[:-1] not in caplog.text
