"""The backend's /metrics: Prometheus text format, route templates, the queue, the token."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.orm import Session

from backend.models import Handoff
from backend.services import clock
from backend.settings import get_settings


@pytest.fixture
def metrics_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    yield monkeypatch
    get_settings.cache_clear()


def samples(text: str) -> dict[str, list]:
    found: dict[str, list] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found.setdefault(sample.name, []).append(sample)
    return found


def test_metrics_expose_latency_by_route_template_and_the_open_queue(
    backend_client, db_session: Session, metrics_env
):
    for status in ("waiting", "waiting", "ticket"):
        db_session.add(
            Handoff(conversation_id="web:metrics-test", channel="web", status=status,
                    reason="request_human", region="Calabria", context={},
                    created_at=clock.now())
        )  # fmt: skip
    db_session.flush()
    backend_client.get("/api/v1/offices/no-such-office")  # 401 without token: still measured
    backend_client.get("/no/such/path/42")
    response = backend_client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    found = samples(response.text)
    latency = found["sportello_backend_http_request_duration_seconds_count"]
    routes = {s.labels["route"] for s in latency}
    assert "/api/v1/offices/{code}" in routes
    assert "unmatched" in routes
    assert not [r for r in routes if "no-such-office" in r or "42" in r]
    open_by_status = {s.labels["status"]: s.value for s in found["sportello_handoffs_open"]}
    assert open_by_status["waiting"] >= 2 and open_by_status["ticket"] >= 1
    assert set(open_by_status) == {"waiting", "active", "ticket"}


def test_metrics_token_and_production(backend_client, metrics_env):
    metrics_env.setenv("METRICS_TOKEN", "a-long-metrics-token-0123456789")
    get_settings.cache_clear()
    assert backend_client.get("/metrics").status_code == 401
    wrong = {"Authorization": "Bearer nope"}
    assert backend_client.get("/metrics", headers=wrong).status_code == 401
    right = {"Authorization": "Bearer a-long-metrics-token-0123456789"}
    assert backend_client.get("/metrics", headers=right).status_code == 200
    # Production without a token: not there at all.
    metrics_env.setenv("METRICS_TOKEN", "")
    production = {"sportello_env": "production", "metrics_token": ""}
    settings = get_settings().model_copy(update=production)
    metrics_env.setattr("backend.metrics.get_settings", lambda: settings)
    assert backend_client.get("/metrics").status_code == 404
