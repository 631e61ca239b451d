"""Action-server settings, read once from the environment (see .env.example).

Plain dataclass: the Rasa environment pins pydantic 1, so no pydantic-settings here.
"""

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

DEV_SERVICE_TOKEN = "dev-service-token-change-me"
# Where the repository's default secrets are accepted ("test": the suites run on them).
DEVELOPMENT_ENVS = {"development", "test"}
MIN_SECRET_CHARS = 16


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
        backend_service_token=os.environ.get("BACKEND_SERVICE_TOKEN", DEV_SERVICE_TOKEN),
        backend_timeout_seconds=float(os.environ.get("BACKEND_TIMEOUT_SECONDS", "4")),
        timezone=os.environ.get("TIMEZONE", "Europe/Rome"),
        calendar_base_url=os.environ.get("CALENDAR_BASE_URL", "").rstrip("/"),
    )


def refuse_default_secrets(environ: Mapping[str, str] = os.environ) -> None:
    """Stop the action server when it would call the backend with a known token.

    Outside development (SPORTELLO_ENV other than development or test) the token must be
    set, not the repository's default or a placeholder, and 16 characters or more. The
    message names the variable, never its value.
    """
    env = environ.get("SPORTELLO_ENV", "development").strip() or "development"
    if env in DEVELOPMENT_ENVS:
        return
    token = environ.get("BACKEND_SERVICE_TOKEN", DEV_SERVICE_TOKEN).strip()
    if not token or token == DEV_SERVICE_TOKEN or "change" in token.lower():
        why = "is empty, the repository's default or a placeholder"
    elif len(token) < MIN_SECRET_CHARS:
        why = f"is shorter than {MIN_SECRET_CHARS} characters"
    else:
        return
    raise SystemExit(
        f"action server refusing to start: BACKEND_SERVICE_TOKEN {why} "
        f"(SPORTELLO_ENV={env}); set it in the environment"
    )


# rasa-sdk imports every module of the package when the action server starts (and the
# backend client imports this one): a production server with a default token stops here.
refuse_default_secrets()
