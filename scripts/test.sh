#!/usr/bin/env bash
# One command to set up and pass every check: lint, Rasa data validation, the model's
# training, unit and integration tests (real PostgreSQL and Redis), story tests and
# the NLU evaluation. CI runs exactly this (.ci/run).
source "$(dirname "$0")/lib.sh"
setup_app_env
setup_bot_env
ensure_chromium
cd "$ROOT"
export PYTHONPATH="$ROOT"

log "Lint (ruff)"
"$APP_VENV/bin/ruff" check .
"$APP_VENV/bin/ruff" format --check .

log "rasa data validate"
"$ROOT/scripts/validate_data.sh"

model="$("$ROOT/scripts/train.sh")"
export SPORTELLO_TEST_MODEL="$model"

log "Story tests"
"$BOT_VENV/bin/rasa" test core --model "$model" --stories bot/tests \
  --fail-on-prediction-errors --out results/stories >/dev/null
log "Story tests passed"

log "Bot environment tests: actions and NLU components (pytest)"
"$BOT_VENV/bin/python" -m pytest -c tests/bot/pytest.ini --rootdir "$ROOT" -p no:cacheprovider tests/bot

log "App environment tests: backend, gateway, compose, end-to-end slice (pytest)"
"$APP_VENV/bin/python" -m pytest tests/app "$@"

log "NLU evaluation on the held-out split"
"$ROOT/scripts/evaluate_nlu.sh"
