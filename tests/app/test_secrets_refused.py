"""Outside development the services refuse to start with the repository's secrets.

Each service is started as a real process (import of its app, uvicorn, the action
server) with SPORTELLO_ENV=production: with a default, placeholder or short secret it
exits non-zero with an English message naming the variable, and never prints the value.
`test` counts as development, like `development` itself (the suites run on defaults).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP_PYTHON = ROOT / ".venv" / "app" / "bin" / "python"
BOT_BIN = ROOT / ".venv" / "bot" / "bin"
SECRET_NAMES = (
    "SPORTELLO_ENV",
    "BACKEND_SERVICE_TOKEN",
    "TAX_CODE_HASH_KEY",
    "CONSOLE_COOKIE_SECURE",
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_WEBHOOK_SECRET",
    "WHATSAPP_ACCESS_TOKEN",
    "WHATSAPP_APP_SECRET",
    "WHATSAPP_VERIFY_TOKEN",
    "WHATSAPP_PHONE_NUMBER_ID",
)
GOOD_TOKEN = "Zq3v9L-k2Pw8sXr4tYb-real-service-token"
GOOD_KEY = "c0ffee-real-hash-key-0123456789abcdef"
SHORT = "Sh0rtT0ken9"


def run(command: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in SECRET_NAMES}
    return subprocess.run(
        command,
        cwd=ROOT,
        env={**base, "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        timeout=90,
    )


def refused(result: subprocess.CompletedProcess[str], *names: str, hidden: str = "") -> str:
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    for name in names:
        assert name in output, output
    if hidden:
        assert hidden not in output
        assert hidden[-8:] not in output  # not even the end of it
    return output


# --- backend -----------------------------------------------------------------------------

IMPORT_BACKEND = [str(APP_PYTHON), "-c", "import backend.main"]


def test_the_backend_refuses_the_default_secrets():
    output = refused(
        run(IMPORT_BACKEND, SPORTELLO_ENV="production"),
        "BACKEND_SERVICE_TOKEN",
        "TAX_CODE_HASH_KEY",
        "refusing to start",
    )
    assert "dev-service-token" not in output and "dev-tax-code" not in output


@pytest.mark.parametrize("weak", [SHORT, "please-change-me-before-going-live", "   "])
def test_the_backend_refuses_a_weak_service_token_without_printing_it(weak):
    result = run(
        IMPORT_BACKEND,
        SPORTELLO_ENV="production",
        BACKEND_SERVICE_TOKEN=weak,
        TAX_CODE_HASH_KEY=GOOD_KEY,
    )
    output = refused(result, "BACKEND_SERVICE_TOKEN", hidden=weak.strip() or "")
    assert GOOD_KEY not in output and GOOD_KEY[-8:] not in output


def test_uvicorn_exits_instead_of_serving_the_backend_with_default_secrets():
    command = [str(APP_PYTHON), "-m", "uvicorn", "--port", "0", "backend.main:app"]
    refused(
        run(command, SPORTELLO_ENV="production", TAX_CODE_HASH_KEY=GOOD_KEY),
        "BACKEND_SERVICE_TOKEN",
        hidden=GOOD_KEY,
    )


@pytest.mark.parametrize("env", ["development", "test"])
def test_development_and_test_start_on_the_defaults(env):
    result = run(IMPORT_BACKEND, SPORTELLO_ENV=env)
    assert result.returncode == 0, result.stderr
    result = run([str(APP_PYTHON), "-c", "import integrations.app"], SPORTELLO_ENV=env)
    assert result.returncode == 0, result.stderr


def test_the_backend_starts_in_production_with_real_secrets():
    result = run(
        IMPORT_BACKEND,
        SPORTELLO_ENV="production",
        BACKEND_SERVICE_TOKEN=GOOD_TOKEN,
        TAX_CODE_HASH_KEY=GOOD_KEY,
    )
    assert result.returncode == 0, result.stderr


# --- gateway -----------------------------------------------------------------------------

IMPORT_GATEWAY = [str(APP_PYTHON), "-c", "import integrations.app"]


def test_the_gateway_refuses_the_default_service_token():
    output = refused(
        run(IMPORT_GATEWAY, SPORTELLO_ENV="production"), "BACKEND_SERVICE_TOKEN", "refused in"
    )
    assert "dev-service-token" not in output


def test_the_gateway_refuses_a_half_configured_channel_without_printing_its_token():
    telegram_token = "7012345678:AAHrealLookingButSecretToken"
    result = run(
        IMPORT_GATEWAY,
        SPORTELLO_ENV="production",
        BACKEND_SERVICE_TOKEN=GOOD_TOKEN,
        TELEGRAM_BOT_TOKEN=telegram_token,
    )
    output = refused(result, "TELEGRAM_WEBHOOK_SECRET", hidden=telegram_token)
    assert GOOD_TOKEN not in output and GOOD_TOKEN[-8:] not in output


def test_the_gateway_starts_in_production_with_real_secrets():
    result = run(IMPORT_GATEWAY, SPORTELLO_ENV="production", BACKEND_SERVICE_TOKEN=GOOD_TOKEN)
    assert result.returncode == 0, result.stderr


# --- action server (bot environment) -----------------------------------------------------


@pytest.fixture
def bot_bin() -> Path:
    if not (BOT_BIN / "python").exists():
        pytest.skip("the bot environment (.venv/bot) is not installed")
    return BOT_BIN


@pytest.mark.parametrize("token", [None, SHORT])
def test_the_action_server_refuses_a_default_or_short_token(bot_bin, token):
    env = {"SPORTELLO_ENV": "production"}
    if token:
        env["BACKEND_SERVICE_TOKEN"] = token
    command = [str(bot_bin / "rasa"), "run", "actions", "--actions", "actions", "--port", "0"]
    output = refused(run(command, **env), "BACKEND_SERVICE_TOKEN", "refusing to start")
    if token:
        assert token not in output


def test_the_action_server_accepts_a_real_token_and_development_defaults(bot_bin):
    check = [str(bot_bin / "python"), "-c", "import actions.settings"]
    result = run(check, SPORTELLO_ENV="production", BACKEND_SERVICE_TOKEN=GOOD_TOKEN)
    assert result.returncode == 0, result.stderr
    assert run(check, SPORTELLO_ENV="test").returncode == 0
