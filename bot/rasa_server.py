"""`rasa` with four performance fixes for Rasa 3.6: same arguments, same behaviour.

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

And a third: Rasa opened a new HTTP session, and so a new connection, for every call to
the action server (`EndpointConfig.request`), several per form turn: 8 % of its CPU
under load, and a connection set-up on the citizen's wait. Each endpoint now keeps one
session per event loop, its connections kept alive for a shorter time than the action
server's (Sanic's 5 s), so that a connection the server is closing is never reused.

And a fourth: every parse and every action prediction runs Rasa's graph of components
through dask, which first cuts the graph down to the targets and then schedules it:
6 % of the server's CPU, for graphs of a dozen nodes run one message at a time. The
graph is now run by a plain depth-first walk, the cut-down graph kept per set of targets;
nodes get the same inputs and give the same outputs.
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


# Shorter than the action server's keep-alive (Sanic's default, 5 s).
KEEPALIVE_SECONDS = 2.0


def patch_endpoint_sessions() -> None:
    import asyncio

    import aiohttp
    from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, EndpointConfig

    # (endpoint id, loop id) -> (endpoint, session); the endpoint is held so its id stays its.
    kept: dict[tuple[int, int], tuple[EndpointConfig, aiohttp.ClientSession]] = {}

    class _Reused:
        """`async with` on a kept session: enter gives it, exit leaves it open."""

        def __init__(self, session: aiohttp.ClientSession) -> None:
            self._session = session

        async def __aenter__(self) -> aiohttp.ClientSession:
            return self._session

        async def __aexit__(self, *exc: object) -> None:
            return None

    def session(self: EndpointConfig) -> Any:
        key = (id(self), id(asyncio.get_running_loop()))
        entry = kept.get(key)
        if entry is None or entry[1].closed:
            auth = (
                aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"])
                if self.basic_auth
                else None
            )
            # What Rasa's own session() builds, plus the connector's keep-alive.
            fresh = aiohttp.ClientSession(
                headers=self.headers,
                auth=auth,
                timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
                connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_SECONDS),
            )
            entry = kept[key] = (self, fresh)
        return _Reused(entry[1])

    EndpointConfig.session = session  # type: ignore[method-assign]


def patch_graph_runner() -> None:
    from rasa.engine.exceptions import GraphRunError
    from rasa.engine.graph import GraphSchema
    from rasa.engine.runner.dask import DaskGraphRunner

    def run(
        self: DaskGraphRunner,
        inputs: dict[str, Any] | None = None,
        targets: list[str] | None = None,
    ) -> dict[str, Any]:
        run_targets = list(targets) if targets else list(self._graph_schema.target_names)
        schemas: dict[tuple[str, ...], GraphSchema] = self.__dict__.setdefault(
            "_minimal_schemas", {}
        )
        key = tuple(run_targets)
        if key not in schemas:
            schemas[key] = self._graph_schema.minimal_graph_schema(run_targets)
        nodes = schemas[key].nodes
        # What dask is given: each input as (name, value), each node called with the
        # results of its needs, a need that is neither passed as its bare name.
        results: dict[str, Any] = {}
        for name, value in (inputs or {}).items():
            if isinstance(value, str) and (value in nodes or value in results):
                raise GraphRunError(
                    f"Input value '{value}' clashes with a node name. Make sure that none "
                    f"of the input names passed to the `run` method are the same as node "
                    f"names in the graph schema."
                )
            results[name] = (name, value)

        def result_of(name: str) -> Any:
            if name not in results:
                if name not in nodes:
                    return name
                needs = [result_of(need) for need in nodes[name].needs.values()]
                results[name] = self._instantiated_nodes[name](*needs)
            return results[name]

        try:
            return dict(result_of(target) for target in run_targets)
        except RuntimeError as error:
            raise GraphRunError("Error running runner.") from error

    DaskGraphRunner.run = run  # type: ignore[method-assign]


def main() -> None:
    patch_action_response_validation()
    patch_event_type_lookup()
    patch_endpoint_sessions()
    patch_graph_runner()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
