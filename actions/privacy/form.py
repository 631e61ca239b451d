"""The erasure form: one question, whether the citizen confirms the erasure."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.forms import CitizenFormValidation

CONFIRM = "privacy_erase_confirm"


class ValidateFormDeleteMyData(CitizenFormValidation):
    # "cos'è la privacy?" while asked to confirm: answered, then the question again.
    interrupting_intents = frozenset({"faq"})

    def name(self) -> str:
        return "validate_form_delete_my_data"

    async def validate_privacy_erase_confirm(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        # Only a yes or a no (the buttons, or words the NLU reads as affirm / deny).
        return {CONFIRM: value if isinstance(value, bool) else None}
