"""Sending through the WhatsApp Cloud API (Graph API), within its documented limits."""

from __future__ import annotations

import re
from typing import Any

import httpx

from integrations.channels.base import ChannelError, shorten, split_text, text_with_options
from integrations.messages import Button, Reply

Message = dict[str, Any]

# Limits of the Cloud API's message objects (developers.facebook.com/docs/whatsapp/cloud-api).
MAX_TEXT_CHARS = 4096
MAX_INTERACTIVE_BODY = 1024
MAX_REPLY_BUTTONS, MAX_BUTTON_TITLE, MAX_BUTTON_ID = 3, 20, 256
MAX_LIST_ROWS, MAX_ROW_TITLE, MAX_ROW_DESCRIPTION, MAX_ROW_ID = 10, 24, 72, 200
MAX_TEMPLATE_PARAMETER = 1024
LIST_BUTTON = "Scegli un'opzione"
TEMPLATE_LANGUAGE = "it"


class GraphError(ChannelError):
    """The Graph API refused or could not be reached."""

    def __init__(self, message: str, *, transient: bool = False) -> None:
        super().__init__(message)
        # Unreachable, rate-limited or a server error: trying again later may work.
        self.transient = transient


def text_message(text: str) -> Message:
    return {"type": "text", "text": {"preview_url": False, "body": text}}


def _button_id(button: Button, limit: int) -> str:
    # The id comes back when the citizen taps; a payload too long to fit is replaced by
    # the title, which the assistant understands as typed text.
    return button.payload if len(button.payload) <= limit else button.title[:limit]


def _interactive(body: str, buttons: list[Button]) -> Message:
    if len(buttons) <= MAX_REPLY_BUTTONS and all(len(b.title) <= MAX_BUTTON_TITLE for b in buttons):
        action: dict[str, Any] = {
            "buttons": [
                {"type": "reply", "reply": {"id": _button_id(b, MAX_BUTTON_ID), "title": b.title}}
                for b in buttons
            ]
        }
        kind = "button"
    else:
        rows = []
        for b in buttons:
            row = {"id": _button_id(b, MAX_ROW_ID), "title": shorten(b.title, MAX_ROW_TITLE)}
            if len(b.title) > MAX_ROW_TITLE:  # the whole title stays readable below
                row["description"] = shorten(b.title, MAX_ROW_DESCRIPTION)
            rows.append(row)
        action = {"button": LIST_BUTTON, "sections": [{"rows": rows}]}
        kind = "list"
    return {
        "type": "interactive",
        "interactive": {"type": kind, "body": {"text": body}, "action": action},
    }


def reply_messages(reply: Reply) -> list[Message]:
    """The messages that show one reply: reply buttons (up to 3), a list (up to 10 rows),
    else plain text with numbered options."""
    if not reply.buttons or len(reply.buttons) > MAX_LIST_ROWS:
        return [text_message(t) for t in split_text(text_with_options(reply), MAX_TEXT_CHARS)]
    if len(reply.text) <= MAX_INTERACTIVE_BODY:
        return [_interactive(reply.text, reply.buttons)]
    lead = [text_message(t) for t in split_text(reply.text, MAX_TEXT_CHARS)]
    return [*lead, _interactive(LIST_BUTTON + ":", reply.buttons)]


def template_message(name: str, replies: list[Reply]) -> Message:
    # Template parameters may not contain new lines, tabs or more than 4 spaces in a row.
    text = re.sub(r"\s+", " ", " ".join(r.text for r in replies)).strip()
    return {
        "type": "template",
        "template": {
            "name": name,
            "language": {"code": TEMPLATE_LANGUAGE},
            "components": [
                {
                    "type": "body",
                    "parameters": [{"type": "text", "text": shorten(text, MAX_TEMPLATE_PARAMETER)}],
                }
            ],
        },
    }


class GraphClient:
    def __init__(self, base_url: str, phone_number_id: str, access_token: str) -> None:
        self._path = f"/{phone_number_id}/messages"
        self._client = httpx.AsyncClient(
            base_url=base_url,
            headers={"Authorization": f"Bearer {access_token}"},
            timeout=10.0,
        )

    async def send(self, to: str, message: Message) -> None:
        body = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to}
        try:
            response = await self._client.post(self._path, json={**body, **message})
        except httpx.HTTPError as exc:
            raise GraphError(
                f"Graph API unreachable ({type(exc).__name__})", transient=True
            ) from None
        if response.status_code >= 400:
            try:
                code = response.json()["error"]["code"]
            except (ValueError, KeyError, TypeError):
                code = "?"
            raise GraphError(
                f"Graph API HTTP {response.status_code}, error code {code}",
                transient=response.status_code == 429 or response.status_code >= 500,
            )

    async def aclose(self) -> None:
        await self._client.aclose()
