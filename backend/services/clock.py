"""The current time, in one place: UTC instants, and dates as they are in Italy."""

from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from backend.settings import get_settings


@lru_cache
def local_zone() -> ZoneInfo:
    # Offices' hours and citizens' dates are Italian wall-clock times (TIMEZONE).
    return ZoneInfo(get_settings().timezone)


def now() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    """Today's date in Italy (not the server's), which decides which law applies."""
    return now().astimezone(local_zone()).date()


def to_local(instant: datetime) -> datetime:
    return instant.astimezone(local_zone())
