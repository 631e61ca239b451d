"""Backend settings, read once from the environment (see .env.example)."""

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
DEV_SERVICE_TOKEN = "dev-service-token-change-me"
DEV_HASH_KEY = "dev-tax-code-hash-key-change-me"
# Where the secrets printed in the repository are accepted. Anywhere else (production,
# or whatever a deployment calls itself) the backend refuses to start with them. "test"
# counts as development: the test suite starts many processes with the defaults.
DEVELOPMENT_ENVS = {"development", "test"}
MIN_SECRET_CHARS = 16


def weak_secret(value: str, default: str) -> str | None:
    """Why a secret may not be used outside development; None when it may."""
    value = value.strip()
    if not value or value == default or "change" in value.lower():
        return "is empty, the repository's default or a placeholder"
    if len(value) < MIN_SECRET_CHARS:
        return f"is shorter than {MIN_SECRET_CHARS} characters"
    return None


class Settings(BaseSettings):
    # A refused start must not print the secrets it refuses (pydantic shows the input).
    model_config = SettingsConfigDict(extra="ignore", hide_input_in_errors=True)

    sportello_env: Literal["development", "test", "production"] = "development"
    database_url: str = f"sqlite:///{ROOT / 'var' / 'sportello.db'}"
    redis_url: str = "redis://127.0.0.1:6379/0"
    # Shared secret the action server presents as "Authorization: Bearer <token>".
    backend_service_token: str = DEV_SERVICE_TOKEN
    # Key of the HMAC under which tax codes are stored for lookup (never in clear).
    tax_code_hash_key: str = DEV_HASH_KEY
    timezone: str = "Europe/Rome"

    # Operator console: the session cookie, its lifetime, the login lockout.
    # Secure cookies are accepted by browsers on http://127.0.0.1 and localhost too
    # (secure contexts), so False is only for plain-HTTP hosts in a lab.
    console_cookie_secure: bool = True
    console_session_hours: int = 8
    login_max_failures: int = 5
    login_lockout_minutes: int = 15
    # Origins, besides the backend's own, whose pages may open the console's WebSocket
    # (e.g. the public address behind a reverse proxy). Comma-separated.
    console_allowed_origins: Annotated[list[str], NoDecode] = []

    # Handoff to a job account (docs/handoff.md): the Redis keys, streams and channel
    # shared with the gateway all start with this prefix.
    handoff_redis_prefix: str = "sportello:handoff:"
    # Consume the inbound stream (citizens' messages) in this process.
    handoff_streams_enabled: bool = True
    # This process's name in the inbound stream's consumer group: keep it stable across
    # restarts (so its pending entries are read again) and distinct per replica.
    stream_consumer_name: str = "backend-1"
    # The shared queue when neither office nor comune tell the competent office.
    default_region: str = "Calabria"
    # An operator seen (request or WebSocket) within this many seconds is online.
    operator_online_seconds: int = 120
    # Rasa server asked for suggested FAQ answers, and where the FAQ texts are.
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_parse_timeout_seconds: float = 2.0
    bot_domain_dir: Path = ROOT / "bot" / "domain"
    # Where citizens reach the gateway: FAQ answers link the privacy notice under it.
    public_base_url: str = "http://127.0.0.1:8080"

    # Analytics (docs/analytics.md): key of the HMAC that turns a conversation id into the
    # pseudonym stored with its events. Empty: derived from TAX_CODE_HASH_KEY. Changing
    # it only means that a day's conversations are counted apart from the old key's.
    analytics_pseudonym_key: str = ""
    # /metrics needs "Authorization: Bearer <token>". Empty: /metrics is open in
    # development and test, and answers 404 in production.
    metrics_token: str = ""

    # Privacy (docs/privacy.md). Closed or cancelled handoffs and their transcripts are
    # deleted this many days after closing; bookings lose the citizen's name and contact,
    # and their reminders, this many days after the appointment (or its cancellation);
    # audit entries are deleted after AUDIT_RETENTION_DAYS. The backend runs the purge
    # every PURGE_INTERVAL_HOURS (0: never; then cron `python -m backend.privacy.retention`).
    transcript_retention_days: int = 30
    booking_contact_retention_days: int = 30
    audit_retention_days: int = 365
    # Entries of the handoff streams older than this are trimmed (acknowledged long before).
    stream_retention_hours: int = 24
    purge_interval_hours: float = 24.0
    # What erasure on request (POST /api/privacy/erase) also deletes in Redis: the Rasa
    # tracker (bot/endpoints.redis.yml: key_prefix "sportello" + Rasa's "tracker:") and
    # the gateway's web outbox (REDIS_KEY_PREFIX of the gateway).
    rasa_tracker_key_prefix: str = "sportello:tracker:"
    gateway_redis_prefix: str = "sportello:gateway:"

    @field_validator("console_allowed_origins", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip().rstrip("/") for item in value.split(",") if item.strip()]
        return value

    @model_validator(mode="after")
    def _refuse_default_secrets(self) -> "Settings":
        # A Region must never run production with the secrets printed in the repository.
        if self.sportello_env in DEVELOPMENT_ENVS:
            return self
        secrets = {
            "BACKEND_SERVICE_TOKEN": (self.backend_service_token, DEV_SERVICE_TOKEN),
            "TAX_CODE_HASH_KEY": (self.tax_code_hash_key, DEV_HASH_KEY),
        }
        problems = [
            f"{name} {why}"
            for name, (value, default) in secrets.items()
            if (why := weak_secret(value, default))
        ]
        if not self.console_cookie_secure:
            problems.append("CONSOLE_COOKIE_SECURE=false is not allowed")
        if problems:
            raise ValueError(
                "backend refusing to start: "
                + "; ".join(problems)
                + f" (default secrets refused in {self.sportello_env}: SPORTELLO_ENV is not "
                "development; set real secrets in the environment)"
            )
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
