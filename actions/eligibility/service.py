"""The backend's eligibility check, as the actions call it."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from actions import backend_client
from actions.settings import get_settings

log = logging.getLogger(__name__)

# Garanzia Giovani has no rule in the backend: its requirements are set by each Region.
NO_RULES = frozenset({"garanzia_giovani"})
# The backend refuses reference dates before 1990; no measure is older than that.
EARLIEST = date(1990, 1, 1)


class InvalidFacts(Exception):
    """The backend refused the facts (422): a parsing bug, never the citizen's fault."""


def today() -> date:
    return datetime.now(ZoneInfo(get_settings().timezone)).date()


def reference_date(measure: str, facts: Mapping[str, Any]) -> date | None:
    """The day whose rules apply. NASpI follows the rules of the day the job ended."""
    days = facts.get("days_since_job_end")
    if measure != "naspi" or isinstance(days, bool) or not isinstance(days, int):
        return None
    return max(today() - timedelta(days=days), EARLIEST)


async def check(measure: str, facts: Mapping[str, Any]) -> dict[str, Any]:
    """The verdict and the next missing facts. Raises BackendUnavailable, InvalidFacts."""
    body: dict[str, Any] = {"facts": dict(facts)}
    day = reference_date(measure, facts)
    if day is not None:
        body["reference_date"] = day.isoformat()
    answer = await backend_client.post_json(f"/api/v1/eligibility/{measure}/check", body)
    if "verdict" not in answer:
        # Only field names, never values: the facts are personal data.
        fields = [e.get("field") for e in answer.get("errors", [])]
        log.warning("eligibility check of %s refused: %s", measure, fields)
        raise InvalidFacts(measure)
    return answer
