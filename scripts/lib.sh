# Shared helpers for the project's scripts. Sourced, never executed.
# Everything is installed from the package registries into .venv/ inside the checkout.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV_DIR="${VENV_DIR:-$ROOT/.venv}"
BOT_VENV="$VENV_DIR/bot"
APP_VENV="$VENV_DIR/app"
VAR_DIR="${VAR_DIR:-$ROOT/var}"
SPACY_MODEL_DIR="${SPACY_MODEL_DIR:-$VAR_DIR/spacy/it_blank}"
MODELS_DIR="${MODELS_DIR:-$ROOT/models}"
export SPACY_MODEL_DIR
# Rasa 3.6 pins SQLAlchemy 1.4, which warns about 2.0 on every start: noise, not ours.
export SQLALCHEMY_SILENCE_UBER_WARNING=1 RASA_TELEMETRY_ENABLED=false
mkdir -p "$VAR_DIR"

log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }

# Rasa 3.6 needs Python 3.8-3.10. PYTHON310 wins; then python3.10 on PATH (pyenv shims
# included); then the pyenv install location used on the project's machines.
find_python310() {
  if [ -n "${PYTHON310:-}" ]; then echo "$PYTHON310"; return; fi
  local candidate
  for candidate in $(command -v python3.10 2>/dev/null) \
      "$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")"/versions/3.10.*/bin/python3.10; do
    if [ -x "$candidate" ] && "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
      echo "$candidate"; return
    fi
  done
  echo "Python 3.10 not found: install it and set PYTHON310=/path/to/python3.10" >&2
  return 1
}

find_python311() {
  if [ -n "${PYTHON311:-}" ]; then echo "$PYTHON311"; return; fi
  local candidate
  for candidate in $(command -v python3.11 2>/dev/null) $(command -v python3 2>/dev/null); do
    if "$candidate" -c 'import sys; assert sys.version_info[:2] >= (3, 11)' 2>/dev/null; then
      echo "$candidate"; return
    fi
  done
  echo "Python 3.11 not found: install it and set PYTHON311=/path/to/python3.11" >&2
  return 1
}

# Create or refresh a virtualenv; reinstall only when its requirement files changed.
# usage: ensure_venv DIR PYTHON REQ_IN LOCK
ensure_venv() {
  local dir="$1" python="$2" req="$3" lock="$4"
  local stamp="$dir/.installed" want
  want="$(cat "$req" "$lock" | sha256sum | cut -c1-16)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return; fi
  log "Installing $(basename "$dir") environment ($("$python" --version)); this takes a few minutes the first time"
  [ -x "$dir/bin/python" ] || "$python" -m venv "$dir"
  "$dir/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade "pip<25"
  "$dir/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req" -c "$lock"
  echo "$want" > "$stamp"
}

setup_bot_env() {
  ensure_venv "$BOT_VENV" "$(find_python310)" "$ROOT/requirements/bot.in" "$ROOT/requirements/bot.lock"
  if [ ! -f "$SPACY_MODEL_DIR/meta.json" ]; then
    log "Building the blank Italian spaCy pipeline in $SPACY_MODEL_DIR"
    "$BOT_VENV/bin/python" "$ROOT/scripts/build_spacy_it.py" "$SPACY_MODEL_DIR"
  fi
}

setup_app_env() {
  ensure_venv "$APP_VENV" "$(find_python311)" "$ROOT/requirements/app.in" "$ROOT/requirements/app.lock"
}

# Load .env if present so that both `make run` and the tests see the same settings.
load_dotenv() {
  if [ -f "$ROOT/.env" ]; then set -a; . "$ROOT/.env"; set +a; fi
}

# Debian's Chromium, which the widget's browser tests drive through Playwright (never
# `playwright install`: it downloads a browser build from outside the package registries).
ensure_chromium() {
  if [ -x /usr/bin/chromium ]; then return; fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "Chromium is missing (/usr/bin/chromium) and apt-get is not available:" \
         "install Chromium to run the browser tests" >&2
    return 1
  fi
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  log "Installing Chromium for the browser tests (apt-get, about 20 s)"
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
}
