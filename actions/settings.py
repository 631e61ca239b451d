"""Action-server settings, read once from the environment (see .env.example).

Plain dataclass: the Rasa environment pins pydantic 1, so no pydantic-settings here.
"""

import os
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class ActionSettings:
    backend_url: str
    backend_service_token: str
    backend_timeout_seconds: float
    timezone: str
    # Where citizens download a booking's .ics ("<url>/<code>.ics"); empty: no link, the
    # confirmation tells them to note the date instead (see docs/conversations.md).
    calendar_base_url: str


@lru_cache
def get_settings() -> ActionSettings:
    return ActionSettings(
        backend_url=os.environ.get("BACKEND_URL", "http://127.0.0.1:8000").rstrip("/"),
        backend_service_token=os.environ.get(
            "BACKEND_SERVICE_TOKEN", "dev-service-token-change-me"
        ),
        backend_timeout_seconds=float(os.environ.get("BACKEND_TIMEOUT_SECONDS", "4")),
        timezone=os.environ.get("TIMEZONE", "Europe/Rome"),
        calendar_base_url=os.environ.get("CALENDAR_BASE_URL", "").rstrip("/"),
    )
