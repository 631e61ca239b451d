"""The appointment data files agree with the offices and with the holidays package."""

from __future__ import annotations

import holidays

from backend.seed import load_offices_file
from backend.services.appointment_data import calendar_rules, services


def test_every_office_offers_only_known_services():
    data = load_offices_file()
    known = set(services())
    assert set(data["default_services"]) <= known
    for office in data["offices"]:
        assert set(office.get("services") or []) <= known, office["code"]


def test_local_holidays_and_closures_name_real_offices_and_subdivisions():
    codes = {office["code"] for office in load_offices_file()["offices"]}
    rules = calendar_rules()
    assert set(rules.local_holidays) <= codes
    assert set(rules.local_holidays.values()) <= set(holidays.Italy.subdivisions)
    for closure in rules.closures:
        assert closure.office in codes
        assert closure.first_day <= closure.last_day


def test_every_service_has_a_length_and_documents_to_bring():
    for service in services().values():
        assert service.duration_minutes >= 15
        assert service.documents
