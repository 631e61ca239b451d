"""WhatsApp Cloud API: verify-token challenge, signed webhooks, the 24-hour window."""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from integrations.channels.base import ChannelAdapter, Delivery
from integrations.channels.webhook import (
    ACCEPTED,
    TOO_LARGE,
    disabled,
    json_object,
    read_limited,
    refuse,
)
from integrations.channels.whatsapp_api import (
    GraphClient,
    GraphError,
    reply_messages,
    template_message,
)
from integrations.messages import InboundMessage, Reply
from integrations.redis_store import RedisStore
from integrations.settings import GatewaySettings

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/api/whatsapp/webhook"
SIGNATURE_HEADER = "X-Hub-Signature-256"
# Free-form messages are allowed only within 24 hours of the citizen's last message
# (WhatsApp Business messaging policy); the margin covers clocks and slow deliveries.
WINDOW_SECONDS = 24 * 3600 - 300
# A reaction or a "number changed" notice is not something to answer.
IGNORED_TYPES = {"reaction", "system"}
OUTSIDE_WINDOW = (
    "Il cittadino non scrive su WhatsApp da più di 24 ore (o l'ora del suo ultimo messaggio "
    "non è nota): WhatsApp consente solo un modello di messaggio approvato, e nessun modello "
    "è configurato (WHATSAPP_TEMPLATE_NAME). Il messaggio non è stato inviato: contatta il "
    "cittadino in un altro modo."
)


class WhatsAppChannel(ChannelAdapter):
    name = "whatsapp"

    def __init__(self, settings: GatewaySettings, store: RedisStore) -> None:
        app_secret = settings.whatsapp_app_secret.get_secret_value().strip().encode()
        super().__init__(log_key=app_secret)
        self._app_secret = app_secret
        self._verify_token = settings.whatsapp_verify_token.get_secret_value().strip().encode()
        self.phone_number_id = settings.whatsapp_phone_number_id.strip()
        self._template = settings.whatsapp_template_name.strip()
        self._store = store
        self._graph = GraphClient(
            settings.whatsapp_graph_base_url,
            self.phone_number_id,
            settings.whatsapp_access_token.get_secret_value().strip(),
        )

    async def aclose(self) -> None:
        await self._graph.aclose()

    def verify_token(self, token: str) -> bool:
        return hmac.compare_digest(token.encode(), self._verify_token)

    def verify_signature(self, raw_body: bytes, header: str | None) -> bool:
        """Meta signs the raw body with the app secret: HMAC-SHA256, hex, "sha256=" prefix."""
        if not header or not header.startswith("sha256="):
            return False
        expected = hmac.new(self._app_secret, raw_body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(header.removeprefix("sha256=").encode(), expected.encode())

    def _window_key(self, sender_id: str) -> str:
        return self._store.key("whatsapp", "last_inbound", self.pseudonym(sender_id))

    async def on_inbound(self, message: InboundMessage) -> None:
        key = self._window_key(message.sender_id)
        now = str(time.time())
        await self._store.run("WhatsApp window", lambda r: r.set(key, now, ex=2 * 24 * 3600))

    async def send(self, recipient_id: str, replies: list[Reply]) -> None:
        for reply in replies:
            for message in reply_messages(reply):
                await self._graph.send(recipient_id, message)

    async def notify(self, recipient_id: str, replies: list[Reply]) -> Delivery:
        key = self._window_key(recipient_id)
        last = await self._store.run("WhatsApp window", lambda r: r.get(key))
        try:
            if last is not None and time.time() - float(last) < WINDOW_SECONDS:
                await self.send(recipient_id, replies)
                return Delivery(sent=True)
            if not self._template:
                return Delivery(sent=False, detail=OUTSIDE_WINDOW)
            await self._graph.send(recipient_id, template_message(self._template, replies))
            return Delivery(sent=True, detail=f"Inviato con il modello «{self._template}».")
        except GraphError as exc:
            log.warning("whatsapp: message to %s not sent: %s", self.pseudonym(recipient_id), exc)
            if exc.transient:
                raise  # the caller tries again later
            return Delivery(sent=False, detail=f"WhatsApp ha rifiutato il messaggio ({exc}).")

    def parse(self, data: dict[str, Any]) -> list[InboundMessage]:
        """The citizens' messages in one webhook body; statuses are acknowledged only."""
        found: list[InboundMessage] = []
        for entry in data.get("entry") or []:
            for change in entry.get("changes") or []:
                value = change.get("value") or {}
                if (value.get("metadata") or {}).get("phone_number_id") != self.phone_number_id:
                    continue  # another number of the same business account
                for status in value.get("statuses") or []:
                    if status.get("status") == "failed":
                        codes = [e.get("code") for e in status.get("errors") or []]
                        log.warning("whatsapp: a sent message failed, error codes %s", codes)
                for item in value.get("messages") or []:
                    message = self._message(item)
                    if message is not None:
                        found.append(message)
        return found

    def _message(self, item: dict[str, Any]) -> InboundMessage | None:
        kind, sender, message_id = item.get("type"), item.get("from"), item.get("id")
        if not isinstance(sender, str) or not isinstance(message_id, str) or kind in IGNORED_TYPES:
            return None
        common = {"channel": self.name, "sender_id": sender, "message_id": message_id}
        if kind == "text":
            return InboundMessage(**common, text=str((item.get("text") or {}).get("body", "")))
        if kind == "interactive":
            interactive = item.get("interactive") or {}
            choice = interactive.get("button_reply") or interactive.get("list_reply")
            if choice:
                return InboundMessage(**common, text=str(choice.get("id", "")))
        if kind == "button":  # quick reply of a template message
            button = item.get("button") or {}
            return InboundMessage(
                **common, text=str(button.get("payload") or button.get("text") or "")
            )
        # image, audio (voice notes), video, document, sticker, location, contacts...
        return InboundMessage(**common, text="", kind="unsupported")


def build_router() -> APIRouter:
    router = APIRouter(tags=["whatsapp"])

    @router.get(WEBHOOK_PATH, summary="WhatsApp webhook verification (hub.challenge)")
    async def verify(request: Request) -> Response:
        channel: WhatsAppChannel | None = request.app.state.whatsapp
        if channel is None:
            return disabled("WhatsApp")
        params = request.query_params
        if params.get("hub.mode") == "subscribe" and channel.verify_token(
            params.get("hub.verify_token", "")
        ):
            return PlainTextResponse(params.get("hub.challenge", ""))
        return refuse(403, "Token di verifica errato.")

    @router.post(WEBHOOK_PATH, summary="WhatsApp webhook (Cloud API notifications)")
    async def webhook(request: Request) -> JSONResponse:
        state = request.app.state
        channel: WhatsAppChannel | None = state.whatsapp
        if channel is None:
            return disabled("WhatsApp")
        raw = await read_limited(request)
        if raw is None:
            return refuse(413, TOO_LARGE)
        # The signature covers the raw bytes: check it before parsing anything.
        if not channel.verify_signature(raw, request.headers.get(SIGNATURE_HEADER)):
            return refuse(403, "Firma della richiesta mancante o errata.")
        data = json_object(raw)
        if data is None:
            return refuse(400, "Notifica WhatsApp non valida.")
        try:
            messages = channel.parse(data)
        except (AttributeError, TypeError, ValueError) as exc:
            # Signed by Meta but of an unknown shape: an error would only bring retries.
            log.warning("whatsapp: notification not understood (%s), ignored", type(exc).__name__)
            return JSONResponse(ACCEPTED)
        for message in messages:
            state.tasks.spawn(state.router.handle(message, channel, deliver=True))
        return JSONResponse(ACCEPTED)

    return router
