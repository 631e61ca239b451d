#!/usr/bin/env bash
# One command to set up and run the whole sportello with embedded defaults:
# SQLite, Rasa's in-memory stores, one process of each part. Ctrl-C stops everything.
source "$(dirname "$0")/lib.sh"
load_dotenv
setup_app_env
setup_bot_env
model="$("$ROOT/scripts/train.sh")"
log "Migrating and seeding the database (${DATABASE_URL:-SQLite in var/sportello.db})"
(cd "$ROOT" && PYTHONPATH="$ROOT" "$APP_VENV/bin/python" -m backend.migrate \
  && PYTHONPATH="$ROOT" "$APP_VENV/bin/python" -m backend.seed)
if [ "${SPORTELLO_ENV:-development}" = "development" ]; then
  # Console accounts to try the handoff at once (created once; var/demo-accounts.txt).
  (cd "$ROOT" && PYTHONPATH="$ROOT" "$APP_VENV/bin/python" -m backend.demo_accounts >/dev/null)
fi
cd "$ROOT"
exec "$APP_VENV/bin/python" "$ROOT/scripts/stack.py" "$model"
