"""The appointment data files: bookable services and calendar rules."""

from datetime import date, time
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "appointments"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ServiceDef(_Strict):
    code: str = Field(pattern=r"^[a-z_]{2,40}$")
    name: str
    description: str
    duration_minutes: int = Field(ge=5, le=480)
    capacity: int = Field(ge=1, le=100)
    documents: list[str]


class Closure(_Strict):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    office: str
    first_day: date = Field(alias="from")
    last_day: date = Field(alias="to")
    reason: str
    source: str | None = None


class ReminderRule(_Strict):
    days_before: int = Field(ge=0, le=14)
    at: time


class CalendarRules(_Strict):
    window_days: int = Field(ge=1, le=365)
    min_notice_hours: int = Field(ge=0, le=24 * 30)
    reminder: ReminderRule
    local_holidays: dict[str, str] = {}
    closures: list[Closure] = []


def _read(name: str) -> object:
    with (DATA_DIR / name).open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@lru_cache
def services() -> dict[str, ServiceDef]:
    """Bookable services by code, in the order of the data file."""
    data = _read("services.yml")
    assert isinstance(data, dict)
    defs = [ServiceDef.model_validate(entry) for entry in data["services"]]
    return {d.code: d for d in defs}


@lru_cache
def calendar_rules() -> CalendarRules:
    return CalendarRules.model_validate(_read("calendar.yml"))
