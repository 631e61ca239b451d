"""Suggested replies: the FAQ answers Rasa finds most likely for the citizen's message.

Rasa 3.6's `POST /model/parse` puts the response selector's ranking under
`response_selector.faq.ranking`: items `{"id", "confidence", "intent_response_key":
"faq/did"}`. The texts come from bot/domain/faq.yml (`utter_faq/<key>`, buttons left
out), read once. Rasa down, slow or answering nonsense: no suggestions, never an error.
"""

import logging
from functools import lru_cache
from pathlib import Path
from typing import Any

import httpx
import yaml

from backend.handoffs.schemas import Suggestion
from backend.settings import ROOT, get_settings

# Placeholder of the privacy notice's address in the FAQ texts (integrations/privacy_notice.py).
PRIVACY_LINK_MARK = "%PRIVACY_URL%"

log = logging.getLogger(__name__)

RETRIEVAL_INTENT = "faq"
LIMIT = 3
_ACRONYMS = {"did", "cpi", "naspi", "adi", "sfl", "gol", "rdc", "spid", "isee", "inps"}


def _title(key: str) -> str:
    words = [w.upper() if w in _ACRONYMS else w for w in key.split("_")]
    title = " ".join(words)
    return title[0].upper() + title[1:] if title else key


@lru_cache
def faq_answers(domain_dir: Path) -> dict[str, str]:
    """FAQ key ("did") → the answer's text (its first variant)."""
    directory = domain_dir if domain_dir.is_absolute() else ROOT / domain_dir
    with (directory / "faq.yml").open(encoding="utf-8") as fh:
        responses = (yaml.safe_load(fh) or {}).get("responses", {})
    answers = {}
    for name, variants in responses.items():
        if name.startswith(f"utter_{RETRIEVAL_INTENT}/") and variants:
            text = (variants[0] or {}).get("text")
            if isinstance(text, str):
                answers[name.split("/", 1)[1]] = text.strip()
    return answers


def rank(parse: dict[str, Any], answers: dict[str, str]) -> list[Suggestion]:
    """The best FAQ answers of a parse result, most likely first."""
    selector = (parse.get("response_selector") or {}).get(RETRIEVAL_INTENT) or {}
    found: list[Suggestion] = []
    for item in selector.get("ranking") or []:
        full_key = str(item.get("intent_response_key", ""))
        key = full_key.split("/", 1)[1] if "/" in full_key else ""
        if key in answers and all(s.key != key for s in found):
            confidence = float(item.get("confidence") or 0.0)
            found.append(
                Suggestion(key=key, title=_title(key), text=answers[key], confidence=confidence)
            )
    found.sort(key=lambda s: s.confidence, reverse=True)
    return found[:LIMIT]


async def suggest(text: str) -> list[Suggestion]:
    settings = get_settings()
    try:
        answers = faq_answers(settings.bot_domain_dir)
        async with httpx.AsyncClient(timeout=settings.rasa_parse_timeout_seconds) as client:
            response = await client.post(
                f"{settings.rasa_url.rstrip('/')}/model/parse", json={"text": text}
            )
            response.raise_for_status()
            found = rank(response.json(), answers)
    except (httpx.HTTPError, OSError, ValueError, yaml.YAMLError, AttributeError, TypeError) as exc:
        log.warning("no suggested replies (%s)", type(exc).__name__)
        return []
    # The gateway fills this mark in the assistant's replies; an operator's text is sent
    # as written, so the link must already be complete here.
    link = settings.public_base_url.rstrip("/") + "/privacy"
    return [s.model_copy(update={"text": s.text.replace(PRIVACY_LINK_MARK, link)}) for s in found]
