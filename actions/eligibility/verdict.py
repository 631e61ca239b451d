"""The verdict at the end of the questionnaire: what, why (with the legal source), what next."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import analytics, backend_client
from actions.eligibility import service, texts
from actions.eligibility.form import CHECKED_SLOT, FACTS_SLOT, STATE_SLOT
from actions.forms import FORM_STOPPED_SLOT

Message = dict[str, Any]


def _inline(text: str) -> str:
    """ "Età tra…" inside a sentence becomes "età tra…"; "ISEE" stays as it is."""
    return text[0].lower() + text[1:] if text[1:2].islower() else text


def _reason(condition: dict[str, Any]) -> str:
    mark = texts.STATUS_MARKS.get(condition["status"], texts.UNSURE_MARK)
    line = f"{mark} {condition['text']}"
    if condition["status"] not in texts.STATUS_MARKS:
        line = f"{mark} {texts.TO_VERIFY} {_inline(condition['text'])}"
    if condition.get("source"):
        line += f" — {texts.SOURCE.format(source=condition['source'])}"
    return line


def _buttons(result: dict[str, Any]) -> list[dict[str, str]]:
    buttons = [
        {"title": texts.BUTTON_NAMES[code], "payload": f'/check_eligibility{{"misura": "{code}"}}'}
        for code in result.get("see_also", [])
        if code in texts.BUTTON_NAMES
    ]
    if result["verdict"] != "not_eligible" or not buttons:
        buttons.append({"title": "Prenota un appuntamento", "payload": "/book_appointment"})
    buttons.append({"title": "Parla con un operatore", "payload": "/request_human"})
    return buttons


def render(result: dict[str, Any]) -> list[Message]:
    """The verdict as three short messages: the answer, the reasons, the next steps."""
    decided_by = result.get("decided_by") or []
    name, verdict = result["measure_name"], result["verdict_text"]
    # An ended measure (RdC): "you do not meet the requirements" would wrongly suggest it
    # is about the citizen; its summary says what happened and what replaced it.
    ended = result["verdict"] == "not_eligible" and any(
        c["id"] == "measure_period" for c in decided_by
    )
    # "Da quello che mi hai detto, non hai i requisiti" opens both: say it once.
    repeated = result["summary"].casefold().startswith(verdict.casefold())
    head = name if ended or repeated else f"{name}: {verdict[0].lower()}{verdict[1:]}."
    messages: list[Message] = [{"text": f"{head}\n{result['summary']}"}]
    if decided_by:
        reasons = "\n".join(_reason(c) for c in decided_by)
        messages.append({"text": f"{texts.REASONS}\n{reasons}"})
    lines = [f"- {step}" for step in result.get("next_steps") or []]
    page = texts.OFFICIAL_PAGES.get(result["measure"])
    if page:
        lines.append(texts.OFFICIAL_PAGE.format(url=page))
    closing = "\n".join([texts.NEXT_STEPS, *lines]) if lines else texts.NEXT_STEPS
    messages.append({"text": closing, "buttons": _buttons(result)})
    return messages


class ActionEligibilityVerdict(Action):
    def name(self) -> str:
        return "action_eligibility_verdict"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        # Left with "annulla", or the backend was down (already said): nothing to add.
        if tracker.get_slot(FORM_STOPPED_SLOT) or tracker.get_slot(STATE_SLOT) != "complete":
            return []
        measure = tracker.get_slot(CHECKED_SLOT)
        if measure in service.NO_RULES:
            dispatcher.utter_message(response=f"utter_eligibility_{measure}")
            return [SlotSet(STATE_SLOT, "done")]
        facts = tracker.get_slot(FACTS_SLOT) or {}
        try:
            result = await service.check(measure, facts)
        except (backend_client.BackendUnavailable, backend_client.NotFound, service.InvalidFacts):
            dispatcher.utter_message(text=texts.UNAVAILABLE, buttons=texts.retry_buttons(measure))
            return [SlotSet(STATE_SLOT, "unavailable")]
        if not result["complete"]:
            # The rules changed between two calls (a restart with new data): go on asking.
            buttons = texts.retry_buttons(measure, title="Continua")
            dispatcher.utter_message(text=texts.INCOMPLETE, buttons=buttons)
            return [SlotSet(STATE_SLOT, "unavailable")]
        for message in render(result):
            dispatcher.utter_message(**message)
        await analytics.record(tracker, "eligibility_check", f"{measure}:{result['verdict']}")
        # Shown to an operator if the citizen is handed over later (actions/handoff/).
        verdict = f"{result['measure_name']}: {result['verdict_text']}"
        return [SlotSet(STATE_SLOT, "done"), SlotSet("eligibility_verdict", verdict)]
