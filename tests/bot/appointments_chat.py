"""Replays appointment conversations through the real actions, the way Rasa calls them.

Each citizen message becomes the tracker Rasa's FormAction sends to the form's
validation action (latest message, `requested_slot`, the form's ActionExecuted, the
candidate slots); the actions run in rasa-sdk's ActionExecutor with the real domain, and
their events are applied to the conversation. Questions and submit actions run the same
way. What Rasa itself decides (which action comes next) is covered by the story tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk.executor import ActionExecutor

ROOT = Path(__file__).resolve().parents[2]


def load_domain() -> dict[str, Any]:
    """bot/domain/*.yml merged, as Rasa sends it to the action server."""
    domain: dict[str, Any] = {"slots": {}, "forms": {}, "responses": {}, "actions": []}
    for path in sorted((ROOT / "bot" / "domain").glob("*.yml")):
        part = yaml.safe_load(path.read_text(encoding="utf-8"))
        for key in ("slots", "forms", "responses"):
            domain[key].update(part.get(key) or {})
        domain["actions"] += part.get("actions") or []
    return domain


DOMAIN = load_domain()
EXECUTOR = ActionExecutor()
EXECUTOR.register_package("actions")


@dataclass
class Reply:
    events: list[dict[str, Any]]
    responses: list[dict[str, Any]]

    @property
    def said(self) -> list[str]:
        """Response names (or texts) in order."""
        return [r.get("response") or r.get("text") or "" for r in self.responses]

    @property
    def set(self) -> dict[str, Any]:
        return {e["name"]: e["value"] for e in self.events if e["event"] == "slot"}

    @property
    def rejected(self) -> bool:
        return any(e["event"] == "action_execution_rejected" for e in self.events)


@dataclass
class Chat:
    form: str
    sender_id: str = "web:bot-tests-0001"
    slots: dict[str, Any] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    active: bool = False
    latest: dict[str, Any] = field(default_factory=dict)

    @property
    def requested(self) -> str | None:
        return self.slots.get("requested_slot")

    def _state(self, extra: list[dict[str, Any]], active_loop: str | None) -> dict[str, Any]:
        return {
            "sender_id": self.sender_id,
            "slots": dict(self.slots),
            "latest_message": self.latest,
            "events": self.events + extra,
            "paused": False,
            "followup_action": None,
            "active_loop": {"name": active_loop} if active_loop else {},
            "latest_action_name": "action_listen",
        }

    async def run(self, action: str, extra: list[dict[str, Any]] | None = None) -> Reply:
        active_loop = self.form if self.active else None
        answer = await EXECUTOR.run(
            {
                "next_action": action,
                "sender_id": self.sender_id,
                "tracker": self._state(extra or [], active_loop),
                "domain": DOMAIN,
            }
        )
        assert answer is not None
        reply = Reply(answer["events"], answer["responses"])
        # Rasa records the form, not its validation action, as the action that ran.
        ran = self.form if action.startswith("validate_") else action
        self.events += [{"event": "action", "name": ran}, *reply.events]
        self._apply(reply.events)
        return reply

    def _apply(self, events: list[dict[str, Any]]) -> None:
        for event in events:
            if event["event"] == "slot":
                self.slots[event["name"]] = event["value"]
            elif event["event"] == "active_loop":
                self.active = bool(event.get("name"))

    def _from_intent(self, intent: str) -> dict[str, Any]:
        """Values of `from_intent` mappings whose conditions hold, as Rasa fills them."""
        found: dict[str, Any] = {}
        for name, slot in DOMAIN["slots"].items():
            for mapping in slot.get("mappings") or []:
                if mapping.get("type") != "from_intent" or mapping.get("intent") != intent:
                    continue
                conditions = mapping.get("conditions") or [{}]
                if any(
                    c.get("active_loop") in (None, self.form)
                    and c.get("requested_slot") in (None, self.requested)
                    for c in conditions
                ):
                    found[name] = mapping["value"]
        return found

    def next_slot(self) -> str | None:
        required = DOMAIN["forms"][self.form]["required_slots"]
        return next((s for s in required if self.slots.get(s) is None), None)

    async def say(
        self, text: str, intent: str = "inform", entities: dict[str, str] | None = None
    ) -> Reply:
        """The citizen's message, then the form's validation, as Rasa runs them."""
        self.latest = {
            "text": text,
            "intent": {"name": intent, "confidence": 1.0},
            "entities": [{"entity": k, "value": v} for k, v in (entities or {}).items()],
        }
        self.events.append({"event": "user", "text": text, "parse_data": self.latest})
        if "comune" in (entities or {}):  # the only slot with a mapping Rasa applies itself
            self.slots["comune"] = entities["comune"]
        required = DOMAIN["forms"][self.form]["required_slots"]
        if self.active:  # the slots Rasa extracted from this message
            candidates = {"comune": self.slots["comune"]} if "comune" in (entities or {}) else {}
            candidates.update(self._from_intent(intent))
        else:  # at activation, every required slot already filled
            candidates = {s: self.slots[s] for s in required if self.slots.get(s) is not None}
        # At activation Rasa marks the form active first (an ActiveLoop event), then
        # validates the slots already filled; `requested_slot` is still the old value.
        extra = [] if self.active else [{"event": "active_loop", "name": self.form}]
        extra += [
            {"event": "slot", "name": "requested_slot", "value": self.requested},
            {"event": "action", "name": self.form},
            *({"event": "slot", "name": k, "value": v} for k, v in candidates.items()),
        ]
        activating, self.active = not self.active, True
        reply = await self.run(f"validate_{self.form}", extra)
        if activating and not reply.events:
            # Nothing from the first call: Rasa validates again on the tracker from
            # before the activation (FormAction.do -> validate).
            self.active = False
            reply = await self.run(f"validate_{self.form}", extra[1:])
            self.active = True
        if reply.rejected:
            return reply
        # Forms with dynamic required slots name the next one themselves.
        asked = [e for e in reply.events if e["event"] == "slot" and e["name"] == "requested_slot"]
        if asked and asked[-1]["value"] is not None:
            self.active = True
            return reply
        ended = self.slots.get("requested_slot", "") is None and any(
            e["event"] == "slot" and e["name"] == "requested_slot" for e in reply.events
        )
        if ended or self.next_slot() is None:
            self.active = False
            self.slots["requested_slot"] = None
            return reply
        self.active = True
        self.slots["requested_slot"] = self.next_slot()
        return reply

    async def ask(self) -> Reply:
        """The question for the requested slot, when a custom action asks it."""
        return await self.run(f"action_ask_{self.requested}")
