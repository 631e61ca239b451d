#!/usr/bin/env bash
# Train the Rasa model only when its inputs changed; print the model's path.
# The fingerprint covers the pipeline, the domain, stories, rules, NLU data and the
# custom NLU component, so a second `make run` with nothing changed skips training.
source "$(dirname "$0")/lib.sh"
setup_bot_env

fingerprint() {
  (cd "$ROOT" && find config.yml bot/domain bot/data bot/components nlu_data -type f \
      -not -name '*.pyc' -print0 | sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-16
}

fp="$(fingerprint)"
model="$MODELS_DIR/sportello-$fp.tar.gz"
if [ -f "$model" ]; then
  log "Model up to date: $(basename "$model")"
else
  log "Training the Rasa model (inputs changed; a few minutes on 2 cores)"
  mkdir -p "$MODELS_DIR"
  start=$(date +%s)
  (cd "$ROOT" && PYTHONPATH="$ROOT" "$BOT_VENV/bin/rasa" train \
      --config config.yml --domain bot/domain --data bot/data nlu_data \
      --out "$MODELS_DIR" --fixed-model-name "sportello-$fp" >&2)
  log "Model trained in $(( $(date +%s) - start ))s: $(basename "$model")"
  # Keep the three newest models; older ones only fill the disk.
  ls -1t "$MODELS_DIR"/sportello-*.tar.gz 2>/dev/null | tail -n +4 | xargs -r rm -f
fi
echo "$model"
