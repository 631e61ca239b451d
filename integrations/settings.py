"""Gateway settings, read once from the environment (see .env.example)."""

from functools import lru_cache
from typing import Annotated, Literal

from pydantic import field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class GatewaySettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore")

    sportello_env: Literal["development", "test", "production"] = "development"
    public_base_url: str = "http://127.0.0.1:8080"
    backend_url: str = "http://127.0.0.1:8000"
    rasa_urls: Annotated[list[str], NoDecode] = ["http://127.0.0.1:5005"]
    rasa_timeout_seconds: float = 10.0
    widget_allowed_origins: Annotated[list[str], NoDecode] = [
        "http://127.0.0.1:8080",
        "http://localhost:8080",
    ]
    max_message_chars: int = 2000

    @field_validator("rasa_urls", "widget_allowed_origins", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip().rstrip("/") for item in value.split(",") if item.strip()]
        return value


@lru_cache
def get_settings() -> GatewaySettings:
    return GatewaySettings()
