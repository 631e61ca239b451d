"""`rasa` with two performance fixes for Rasa 3.6: same arguments, same behaviour.

    python -m bot.rasa_server run --enable-api --model models ...

Rasa checks every response of the action server with `jsonschema.validate(result,
schema)`, and jsonschema's `validate` first checks the schema itself against its
meta-schema (draft 2020-12, with dynamic references) on every call: 20-50 ms of CPU
per custom action on our machines, while the check of the response takes 0.7 ms. A
form turn runs two or three custom actions, so this was a third of the Rasa server's
CPU under load (py-spy, scripts/bench.py). Here the schema is checked once and the
compiled validator reused; valid and invalid responses are treated exactly as before
(same exception, same message).

And one more: every event read back from the tracker store (each message reads the whole
conversation) looked up its class by walking all subclasses of `Event`, testing each for
abstractness: 11 % of the server's CPU under load. The lookup is now a dictionary built
once, with Rasa's own walk for a name it does not hold.
"""

from __future__ import annotations

import sys
from typing import Any


def patch_action_response_validation() -> None:
    from jsonschema import validators
    from jsonschema.exceptions import best_match
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    schema = RemoteAction.action_response_format_spec()
    validator_class = validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)

    def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        # What jsonschema.validate does, minus the schema's own check on every call.
        error = best_match(validator.iter_errors(result))
        if error is None:
            return True
        error.message += (
            f". Failed to validate Action server response from API, "
            f"make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error

    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]


def patch_event_type_lookup() -> None:
    import rasa.shared.utils.common
    from rasa.shared.core.events import Event

    walk = Event.resolve_by_type
    # The first class of Rasa's walk wins for each name, as in its own loop.
    by_name: dict[str, type[Event]] = {}
    for cls in rasa.shared.utils.common.all_subclasses(Event):
        by_name.setdefault(cls.type_name, cls)

    def resolve_by_type(type_name: str, default: type[Event] | None = None) -> Any:
        found = by_name.get(type_name)
        return found if found is not None else walk(type_name, default)

    Event.resolve_by_type = staticmethod(resolve_by_type)  # type: ignore[method-assign]


def main() -> None:
    patch_action_response_validation()
    patch_event_type_lookup()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
