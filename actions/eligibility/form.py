"""The eligibility questionnaire: one form whose questions the backend chooses.

`form_eligibility` requires two slots: `misura` (asked with buttons when the citizen did
not name a measure) and `eligibility_answer`, asked again and again. After each reply the
validation sends the facts collected so far to the backend, which answers with the facts
still missing in the order to ask them; the first one becomes the next question
(`eligibility_question`), asked by action_ask_eligibility_answer (ask.py). When nothing
is missing the form ends and action_eligibility_verdict (verdict.py) gives the verdict.

Slots of the questionnaire (all filled here, none influences the dialogue policies):
- eligibility_facts: the facts collected, {fact: true/false/number/"non_so"};
- eligibility_measure: the measure being checked (the `misura` slot is only the input);
- eligibility_question: the missing fact being asked, as the backend describes it;
- eligibility_state: "asking", "complete" (verdict due), "unavailable" (backend down,
  already told), "done" (verdict given).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import backend_client
from actions.eligibility import answers, service, statements, texts
from actions.forms import FORM_STOPPED_SLOT, CitizenFormValidation, is_new_message

FORM = "form_eligibility"
MEASURE_SLOT = "misura"
ANSWER_SLOT = "eligibility_answer"
FACTS_SLOT = "eligibility_facts"
CHECKED_SLOT = "eligibility_measure"
QUESTION_SLOT = "eligibility_question"
STATE_SLOT = "eligibility_state"


def just_activated(tracker: Tracker) -> bool:
    """True when the form was activated by the latest message (not resumed or re-run).

    `requested_slot` alone cannot tell: a session restart may leave a stale value.
    """
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "active_loop" and event.get("name") == FORM:
            return True
    return False


def latest_measure(tracker: Tracker) -> str | None:
    """The measure named in the latest message (an entity or a button's payload)."""
    return next(tracker.get_latest_entity_values("misura"), None)


class ValidateFormEligibility(CitizenFormValidation):
    interrupting_intents = frozenset({"faq", "request_human"})

    def name(self) -> str:
        return "validate_form_eligibility"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        events = await super().run(dispatcher, tracker, domain)
        if SlotSet(FORM_STOPPED_SLOT, True) in events:
            # Leaving means leaving: nothing the citizen told us is kept for next time.
            events += [SlotSet(FACTS_SLOT, None), SlotSet(STATE_SLOT, None)]
        return events

    def answer_accepted(self, before: dict[str, Any], events: list[dict[str, Any]]) -> bool:
        # Every question is asked through the same slot: progress is a new fact.
        facts = before.get(FACTS_SLOT) or {}
        return super().answer_accepted(before, events) or any(
            e.get("event") == "slot" and e.get("name") == FACTS_SLOT and e.get("value") != facts
            for e in events
        )

    async def next_requested_slot(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> EventType | None:
        return None  # get_validation_events always says what to ask next

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        requested = tracker.get_slot("requested_slot")
        if requested in (MEASURE_SLOT, ANSWER_SLOT) and not is_new_message(tracker):
            # Back from a FAQ answer: ask the same question again.
            return [SlotSet("requested_slot", requested)]
        facts: dict[str, Any] = dict(tracker.get_slot(FACTS_SLOT) or {})
        previous = dict(facts)
        measure = tracker.get_slot(CHECKED_SLOT)
        text = (tracker.latest_message or {}).get("text") or ""
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        named = latest_measure(tracker)
        activating = requested not in (MEASURE_SLOT, ANSWER_SLOT) or just_activated(tracker)
        introduce = False
        noted = None  # said after the introduction, so that the introduction comes first
        # Naming another measure mid-questionnaire switches to it, keeping the facts.
        switching = intent == "check_eligibility" and named not in (None, measure)

        if activating or switching or requested == MEASURE_SLOT:
            if activating and tracker.get_slot(STATE_SLOT) == "done" and named in (None, measure):
                facts, previous = {}, {}  # a new check after a verdict starts afresh
            if activating or named is not None:
                measure, introduce = named, True
            else:
                dispatcher.utter_message(text=texts.CHOOSE_MEASURE)
            stated = statements.facts_from_text(text, known=facts)
            facts.update(stated)
            if texts.recap(stated):
                noted = texts.NOTED.format(facts=texts.recap(stated))
        else:
            question = tracker.get_slot(QUESTION_SLOT) or {}
            value = answers.answer(question, text, intent) if question else None
            stated = statements.facts_from_text(text, known=facts)
            other = {k: v for k, v in stated.items() if k not in facts}
            if value is None and other:
                # Not this question's answer, but other facts ("l'ISEE è 7.500 euro" when
                # asked about citizenship): keep them, say so, and ask again.
                facts.update(other)
                noted = texts.NOTED.format(facts=texts.recap(other)) if texts.recap(other) else None
            elif value is None:
                self._not_understood(dispatcher, question)
            else:
                facts[question["key"]] = value
                # Anything else said in passing ("34, e due figli") is kept too, and said.
                stated = statements.facts_from_text(text, known=facts)
                extra = {k: v for k, v in stated.items() if k not in facts}
                facts.update(extra)
                if texts.recap(extra):
                    noted = texts.NOTED_TOO.format(facts=texts.recap(extra))
        return await self._next(dispatcher, measure, facts, previous, introduce, noted)

    @staticmethod
    def _not_understood(dispatcher: CollectingDispatcher, question: dict[str, Any]) -> None:
        kind = question.get("type", "boolean")
        message = texts.NOT_UNDERSTOOD.get(kind, texts.NOT_UNDERSTOOD["boolean"])
        if kind != "boolean" and question.get("max") is not None:
            low, high = texts.spoken(question.get("min") or 0), texts.spoken(question["max"])
            message += " " + texts.OUT_OF_RANGE.format(low=low, high=high)
        dispatcher.utter_message(text=message)

    async def _next(
        self,
        dispatcher: CollectingDispatcher,
        measure: str | None,
        facts: dict[str, Any],
        previous: dict[str, Any],
        introduce: bool = False,
        noted: str | None = None,
    ) -> list[EventType]:
        """Ask the backend what is still missing; the first missing fact is asked next."""
        events: list[EventType] = [
            SlotSet(FACTS_SLOT, facts),
            SlotSet(CHECKED_SLOT, measure),
            SlotSet(MEASURE_SLOT, measure),
            SlotSet(ANSWER_SLOT, None),
        ]
        missing: list[dict[str, Any]] = []
        if measure is None:
            state, requested = "asking", MEASURE_SLOT
        elif measure in service.NO_RULES:
            state, requested = "complete", None
        else:
            result = await self._check(measure, facts, previous)
            missing = (result.get("missing_facts") or []) if result else []
            state = "unavailable" if result is None else "asking" if missing else "complete"
            requested = ANSWER_SLOT if missing else None
        if missing and introduce:
            name = texts.MEASURE_NAMES.get(measure or "", measure)
            dispatcher.utter_message(text=texts.INTRO.format(name=name))
        if noted:
            dispatcher.utter_message(text=noted)
        if state == "unavailable":
            dispatcher.utter_message(text=texts.UNAVAILABLE, buttons=texts.retry_buttons(measure))
        return [
            *events,
            SlotSet(QUESTION_SLOT, missing[0] if missing else None),
            SlotSet(STATE_SLOT, state),
            SlotSet("requested_slot", requested),
        ]

    @staticmethod
    async def _check(
        measure: str, facts: dict[str, Any], previous: dict[str, Any]
    ) -> dict[str, Any] | None:
        """The backend's answer, or None when it is down (or too slow)."""
        try:
            try:
                return await service.check(measure, facts)
            except service.InvalidFacts:
                # Keep what the backend accepted before this message and ask again.
                facts.clear()
                facts.update(previous)
                return await service.check(measure, facts)
        except (backend_client.BackendUnavailable, backend_client.NotFound, service.InvalidFacts):
            return None
