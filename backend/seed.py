"""Load reference data into the database: ISTAT comuni and the CPI offices.

Idempotent: run it after every migration (`make seed`); offices are matched by code and
comuni by ISTAT code, so edits to backend/data/offices.yml are applied in place.
"""

import logging
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.db import get_sessionmaker
from backend.models import Comune, Office
from backend.reference.comuni import load_comuni, search_key

log = logging.getLogger(__name__)
OFFICES_FILE = Path(__file__).parent / "data" / "offices.yml"
COVERED_REGIONS = ("Calabria", "Lazio")
_OFFICE_FIELDS = ("name", "region", "province", "comune", "address", "phone", "email", "notes")


def load_offices_file(path: Path = OFFICES_FILE) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def seed_offices(session: Session, data: dict[str, Any]) -> dict[str, Office]:
    existing = {o.code: o for o in session.scalars(select(Office))}
    offices: dict[str, Office] = {}
    for entry in data["offices"]:
        office = existing.get(entry["code"]) or Office(code=entry["code"])
        for field in _OFFICE_FIELDS:
            setattr(office, field, entry.get(field))
        office.opening_hours = entry.get("opening_hours") or data["default_hours"]
        office.hours_verified = bool(entry.get("opening_hours"))
        office.services = entry.get("services") or data["default_services"]
        office.sources = entry.get("sources", [])
        office.verified = bool(entry.get("verified", False))
        session.add(office)
        offices[office.code] = office
    session.flush()
    return offices


def _competent_office(
    record_name: str, province: str, data: dict[str, Any], offices: dict[str, Office]
) -> Office | None:
    by_seat = [
        e
        for e in data["offices"]
        if e["comune"] == record_name or record_name in e.get("serves", [])
    ]
    if by_seat:
        # A comune with several CPI (Roma) goes to the one marked as default, if any.
        chosen = next((e for e in by_seat if e.get("province_default")), by_seat[0])
        return offices[chosen["code"]]
    default = next(
        (e for e in data["offices"] if e["province"] == province and e.get("province_default")),
        None,
    )
    return offices[default["code"]] if default else None


def seed_comuni(session: Session, data: dict[str, Any], offices: dict[str, Office]) -> int:
    existing = {c.istat_code: c for c in session.scalars(select(Comune))}
    for record in load_comuni():
        comune = existing.get(record.istat_code) or Comune(istat_code=record.istat_code)
        comune.name = record.name
        comune.search_key = search_key(record.name)
        comune.province = record.province
        comune.region = record.region
        office = None
        if record.region in COVERED_REGIONS:
            office = _competent_office(record.name, record.province, data, offices)
        comune.office_id = office.id if office else None
        session.add(comune)
    return len(load_comuni())


def seed_all(session: Session) -> None:
    data = load_offices_file()
    offices = seed_offices(session, data)
    count = seed_comuni(session, data, offices)
    session.commit()
    log.info("seeded %d offices and %d comuni", len(offices), count)


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    with get_sessionmaker()() as session:
        seed_all(session)


if __name__ == "__main__":
    main()
