#!/usr/bin/env bash
# `rasa data validate`, failing on every warning except two that Rasa 3.6 raises on a
# correct project: responses uttered only by custom actions or forms (the validator
# cannot see them used), and the retrieval intent `faq` counted twice (see faq.yml).
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
UTTERED_BY_ACTIONS='utter_ask_rephrase|utter_offer_human|utter_offer_human_form|utter_handoff_[a-z_]+|utter_ask_handoff_[a-z_]+|utter_default|utter_form_stopped|utter_ask_form_[a-z_]+|utter_eligibility_[a-z_]+|utter_ask_appointment_[a-z_]+|utter_appointments_[a-z_]+|utter_privacy_[a-z_]+|utter_ask_privacy_[a-z_]+'
out="$(PYTHONPATH="$ROOT" "$BOT_VENV/bin/rasa" data validate \
  --config config.yml --domain bot/domain --data bot/data nlu_data 2>&1)" || {
  echo "$out" >&2; exit 1; }
warnings="$(echo "$out" | grep -E 'UserWarning|WARNING' \
  | grep -vE "The utterance '($UTTERED_BY_ACTIONS)' is not used in any story or rule" \
  | grep -vE "duplicated intents have been found across multiple domain files: faq" || true)"
if [ -n "$warnings" ]; then
  echo "$warnings" >&2
  echo "rasa data validate: warnings above must be fixed" >&2
  exit 1
fi
log "Rasa data valid"
