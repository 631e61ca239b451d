"""A conversation with the eligibility questionnaire, replayed as Rasa would run it.

Rasa is not started: each citizen message is added to a tracker the way Rasa records it
(user event, entity slot, the form's action), then the same custom actions the action
server would run are called through a CollectingDispatcher: the form's validation, then
its ask action, or the verdict when the form ends. An interruption (the validation
rejecting the form) is answered by the rule's response and the form runs again, as
bot/data/eligibility/rules.yml says.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.eligibility.ask import ActionAskEligibilityAnswer
from actions.eligibility.form import FORM, ValidateFormEligibility
from actions.eligibility.verdict import ActionEligibilityVerdict

DOMAIN_DIR = Path(__file__).resolve().parents[2] / "bot" / "domain"
# What the rules answer when the form is rejected for these intents.
INTERRUPTION_RESPONSES = {"faq": "utter_faq", "request_human": "form_handoff"}


def load_domain() -> dict[str, Any]:
    domain: dict[str, Any] = {"slots": {}, "forms": {}, "responses": {}}
    for path in sorted(DOMAIN_DIR.glob("*.yml")):
        part = yaml.safe_load(path.read_text(encoding="utf-8"))
        for key in domain:
            domain[key].update(part.get(key) or {})
    return domain


class Chat:
    def __init__(self) -> None:
        self.domain = load_domain()
        self.slots: dict[str, Any] = dict.fromkeys(self.domain["slots"])
        self.slots["requested_slot"] = None
        self.events: list[dict[str, Any]] = []
        self.active = False
        self.message: dict[str, Any] = {}
        self.replies: list[dict[str, Any]] = []

    async def say(self, text: str, intent: str = "inform", misura: str | None = None) -> None:
        """The citizen writes `text`; the replies of this turn end up in `self.replies`."""
        entities = [{"entity": "misura", "value": misura}] if misura else []
        self.message = {"text": text, "intent": {"name": intent}, "entities": entities}
        self.events += [
            {"event": "action", "name": "action_listen"},
            {"event": "user", "text": text, "parse_data": self.message},
        ]
        if misura:
            self._set("misura", misura)  # action_extract_slots: misura is from_entity
        self.replies = []
        if not self.active:
            assert intent == "check_eligibility", "only check_eligibility starts the form"
            self.active = True
            self.events.append({"event": "active_loop", "name": FORM})
        await self._form()

    async def _form(self) -> None:
        events = await self._run(ValidateFormEligibility(), form_running=True)
        rejected = [e for e in events if e["event"] == "action_execution_rejected"]
        if rejected:
            intent = self.message["intent"]["name"]
            response = INTERRUPTION_RESPONSES[intent]
            self.events += [*rejected, {"event": "action", "name": response}]
            self.replies.append({"response": response})
            if intent == "request_human":  # the rule deactivates the form
                self.active = False
                self.slots["requested_slot"] = None
                return
            await self._form()
            return
        self.events.append({"event": "action", "name": FORM})
        requested = self.slots["requested_slot"]
        if any(e["event"] == "active_loop" for e in events) or requested is None:
            self.active = False
            await self._run(ActionEligibilityVerdict())
        elif requested == "misura":
            self.replies.append({"response": "utter_ask_form_eligibility_misura"})
        else:
            await self._run(ActionAskEligibilityAnswer())

    async def _run(self, action: Action, form_running: bool = False) -> list[dict[str, Any]]:
        # The form's validation sees the tracker Rasa builds for it: the form's own action
        # last, after the citizen's message (or after the answer to an interruption).
        events = [*self.events, {"event": "action", "name": FORM}] if form_running else self.events
        tracker = Tracker(
            "web:test",
            dict(self.slots),
            self.message,
            events,
            False,
            None,
            {"name": FORM} if self.active else {},
            FORM if form_running else "action_listen",
        )
        dispatcher = CollectingDispatcher()
        result = await action.run(dispatcher, tracker, self.domain)
        for event in result:
            if event["event"] == "slot":
                self._set(event["name"], event["value"])
        self.replies += dispatcher.messages
        return result

    def _set(self, name: str, value: Any) -> None:
        self.slots[name] = value
        self.events.append({"event": "slot", "name": name, "value": value})

    # What the tests look at.
    @property
    def texts(self) -> str:
        return "\n".join(r.get("text") or r.get("response") or "" for r in self.replies)

    @property
    def question(self) -> str | None:
        asked = self.slots["eligibility_question"]
        return asked["key"] if asked and self.slots["requested_slot"] else None

    @property
    def buttons(self) -> list[str]:
        return [b["title"] for r in self.replies for b in r.get("buttons") or []]

    @property
    def facts(self) -> dict[str, Any]:
        return self.slots["eligibility_facts"] or {}
