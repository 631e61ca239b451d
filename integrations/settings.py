"""Gateway settings, read once from the environment (see .env.example and docs/channels.md)."""

import re
import socket
from functools import lru_cache
from typing import Annotated, Literal

from pydantic import SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# Telegram accepts only these characters in a webhook secret token (Bot API, setWebhook).
TELEGRAM_SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
# Secrets we choose ourselves must be long enough not to be guessed.
MIN_OWN_SECRET_CHARS = 16
# "http://sportello-rasa-{1..3}:5005" names three servers (docker-compose.yml's replicas).
URL_RANGE = re.compile(r"\{(\d+)\.\.(\d+)\}")
# The backend's development token, printed in the repository (backend/settings.py).
DEV_SERVICE_TOKEN = "dev-service-token-change-me"  # noqa: S105 (the known default)
# Where defaults and placeholders are accepted; anywhere else the gateway refuses to
# start with them. "test" counts as development (the test suite runs on the defaults).
DEVELOPMENT_ENVS = {"development", "test"}


def _value(secret: SecretStr) -> str:
    return secret.get_secret_value().strip()


class GatewaySettings(BaseSettings):
    # Startup errors must not print the tokens they complain about.
    model_config = SettingsConfigDict(extra="ignore", hide_input_in_errors=True)

    sportello_env: Literal["development", "test", "production"] = "development"
    public_base_url: str = "http://127.0.0.1:8080"
    backend_url: str = "http://127.0.0.1:8000"
    # The gateway fetches citizens' .ics calendar files from the backend with this token.
    backend_service_token: SecretStr = SecretStr(DEV_SERVICE_TOKEN)
    rasa_urls: Annotated[list[str], NoDecode] = ["http://127.0.0.1:5005"]
    rasa_timeout_seconds: float = 10.0
    widget_allowed_origins: Annotated[list[str], NoDecode] = [
        "http://127.0.0.1:8080",
        "http://localhost:8080",
    ]
    max_message_chars: int = 2000

    # Redis: deduplication, rate limits, WhatsApp's last inbound time. Optional: without
    # it the gateway still answers, only without those guards.
    redis_url: str = "redis://127.0.0.1:6379/0"
    redis_key_prefix: str = "sportello:gateway:"
    rate_limit_per_minute: int = 20
    dedup_ttl_seconds: int = 86400

    # Handoff to an operator (docs/handoff.md): the mode keys and both streams live under
    # this prefix, shared with the backend (the gateway's own keys use redis_key_prefix).
    handoff_enabled: bool = True
    handoff_redis_prefix: str = "sportello:handoff:"
    # This process's name in the outbound stream's group "gateway": stable across
    # restarts, one per replica. Empty: "gateway-<host name>", which differs per container
    # and survives its restarts (a recreated container's entries are claimed by the others).
    gateway_consumer_name: str = ""
    # A channel API failing while delivering an operator's message: this many attempts,
    # the first retry after handoff_retry_seconds, then doubling; then reported unsent.
    handoff_delivery_attempts: int = 5
    handoff_retry_seconds: float = 2.0

    # Analytics (docs/analytics.md): conversation starts, intents, FAQ keys and fallbacks
    # sent in batches to the backend's POST /api/analytics/events every few seconds.
    analytics_enabled: bool = True
    analytics_flush_seconds: float = 5.0
    # /metrics needs "Authorization: Bearer <token>". Empty: /metrics is open in
    # development and test, and answers 404 in production.
    metrics_token: SecretStr = SecretStr("")

    # Telegram: enabled when both the bot token and the webhook secret are set.
    telegram_bot_token: SecretStr = SecretStr("")
    telegram_webhook_secret: SecretStr = SecretStr("")
    telegram_api_base_url: str = "https://api.telegram.org/bot"

    # WhatsApp Cloud API: enabled when the four values below are set.
    whatsapp_access_token: SecretStr = SecretStr("")
    whatsapp_app_secret: SecretStr = SecretStr("")
    whatsapp_verify_token: SecretStr = SecretStr("")
    whatsapp_phone_number_id: str = ""
    whatsapp_graph_base_url: str = "https://graph.facebook.com/v21.0"
    # Approved template (language "it", one body parameter) for messages sent outside
    # the 24-hour customer-service window; empty: such messages are reported unsent.
    whatsapp_template_name: str = ""

    @field_validator("rasa_urls", "widget_allowed_origins", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip().rstrip("/") for item in value.split(",") if item.strip()]
        return value

    @field_validator("rasa_urls")
    @classmethod
    def _expand_ranges(cls, value: list[str]) -> list[str]:
        """One URL per replica: "http://rasa-{1..3}:5005" is rasa-1, rasa-2 and rasa-3."""
        urls: list[str] = []
        for item in value:
            found = URL_RANGE.search(item)
            if found is None:
                urls.append(item)
                continue
            first, last = int(found.group(1)), int(found.group(2))
            if last < first:
                raise ValueError(f"RASA_URLS: empty range in {item!r}")
            head, tail = item[: found.start()], item[found.end() :]
            urls.extend(f"{head}{i}{tail}" for i in range(first, last + 1))
        return urls

    @field_validator("gateway_consumer_name")
    @classmethod
    def _consumer_name(cls, value: str) -> str:
        return value.strip() or f"gateway-{socket.gethostname()}"

    @field_validator("telegram_api_base_url", "whatsapp_graph_base_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    def _telegram_values(self) -> dict[str, str]:
        return {
            "TELEGRAM_BOT_TOKEN": _value(self.telegram_bot_token),
            "TELEGRAM_WEBHOOK_SECRET": _value(self.telegram_webhook_secret),
        }

    def _whatsapp_values(self) -> dict[str, str]:
        return {
            "WHATSAPP_ACCESS_TOKEN": _value(self.whatsapp_access_token),
            "WHATSAPP_APP_SECRET": _value(self.whatsapp_app_secret),
            "WHATSAPP_VERIFY_TOKEN": _value(self.whatsapp_verify_token),
            "WHATSAPP_PHONE_NUMBER_ID": self.whatsapp_phone_number_id.strip(),
        }

    @property
    def telegram_enabled(self) -> bool:
        return all(self._telegram_values().values())

    @property
    def whatsapp_enabled(self) -> bool:
        return all(self._whatsapp_values().values())

    @model_validator(mode="after")
    def _check_channel_secrets(self) -> "GatewaySettings":
        secret = _value(self.telegram_webhook_secret)
        if secret and not TELEGRAM_SECRET_PATTERN.match(secret):
            # Telegram would refuse it in setWebhook: fail now, not at the first message.
            raise ValueError("TELEGRAM_WEBHOOK_SECRET: 1-256 characters A-Z a-z 0-9 _ - only")
        if self.sportello_env in DEVELOPMENT_ENVS:
            return self
        problems: list[str] = []
        token = _value(self.backend_service_token)
        if not token or token == DEV_SERVICE_TOKEN or "change" in token.lower():
            problems.append(
                "BACKEND_SERVICE_TOKEN is empty, the repository's default or a placeholder"
            )
        elif len(token) < MIN_OWN_SECRET_CHARS:
            problems.append(
                f"BACKEND_SERVICE_TOKEN is shorter than {MIN_OWN_SECRET_CHARS} characters"
            )
        own_secrets = {"TELEGRAM_WEBHOOK_SECRET", "WHATSAPP_VERIFY_TOKEN"}
        for values in (self._telegram_values(), self._whatsapp_values()):
            if not any(values.values()):
                continue  # channel not configured at all: disabled, nothing to refuse
            for name, value in values.items():
                if not value or "change" in value.lower():
                    problems.append(f"{name} is empty or a placeholder")
                elif name in own_secrets and len(value) < MIN_OWN_SECRET_CHARS:
                    problems.append(f"{name} is shorter than {MIN_OWN_SECRET_CHARS} characters")
        if problems:
            # A half-configured channel in production either refuses every citizen or,
            # worse, accepts forged requests; a default token opens the backend's API to
            # anyone who read the repository: refuse to start instead.
            raise ValueError(
                "; ".join(problems)
                + f" (refused in {self.sportello_env}: set them in the environment)"
            )
        return self


@lru_cache
def get_settings() -> GatewaySettings:
    return GatewaySettings()
