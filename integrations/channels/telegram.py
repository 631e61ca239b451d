"""Telegram through python-telegram-bot 22: a webhook with a secret token, inline buttons."""

from __future__ import annotations

import hmac
import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from telegram import Bot, CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Forbidden, InvalidToken, TelegramError

from integrations.channels.base import ChannelAdapter, Delivery, split_text
from integrations.channels.webhook import (
    ACCEPTED,
    TOO_LARGE,
    disabled,
    json_object,
    read_limited,
    refuse,
)
from integrations.messages import Button, InboundMessage, Reply
from integrations.settings import GatewaySettings

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/api/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)
MAX_TEXT_CHARS = 4096  # Bot API sendMessage limit
MAX_CALLBACK_BYTES = 64  # Bot API limit of callback_data
# Updates the gateway acts on; setWebhook asks Telegram for these only.
ALLOWED_UPDATES = ["message", "callback_query"]
# What PTB and our parser may raise on an update of a shape they do not know (found by
# tests/app/gateway/test_parsers_properties.py: a null chat, a date out of range...).
NOT_UNDERSTOOD = (
    TelegramError,
    KeyError,
    TypeError,
    ValueError,
    AttributeError,
    OverflowError,
    OSError,
)
# /start opens every Telegram conversation: the assistant greets, as on the widget.
START_TEXT = "ciao"
REFUSED = (
    "Telegram ha rifiutato il messaggio: il cittadino potrebbe aver bloccato il bot o "
    "cancellato la chat. Il messaggio non è stato consegnato: contatta il cittadino in un "
    "altro modo."
)


def callback_data(button: Button) -> str:
    if len(button.payload.encode()) <= MAX_CALLBACK_BYTES:
        return button.payload
    # Telegram carries back at most 64 bytes. The title is what the citizen read, and the
    # assistant understands it as typed text.
    return button.title.encode()[:MAX_CALLBACK_BYTES].decode(errors="ignore")


def keyboard(buttons: list[Button]) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    # One button per row: titles are whole Italian phrases, too long side by side.
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.title, callback_data=callback_data(b))] for b in buttons]
    )


class TelegramChannel(ChannelAdapter):
    name = "telegram"

    def __init__(self, settings: GatewaySettings) -> None:
        secret = settings.telegram_webhook_secret.get_secret_value().strip()
        super().__init__(log_key=secret.encode())
        self._secret = secret.encode()
        self.bot = Bot(
            settings.telegram_bot_token.get_secret_value().strip(),
            base_url=settings.telegram_api_base_url,
        )

    async def start(self) -> None:
        try:
            await self.bot.initialize()  # getMe: a wrong token shows up now, in the log
        except TelegramError as exc:
            # Never log the exception's text: PTB puts the token in it.
            log.warning("telegram: getMe failed at startup (%s)", type(exc).__name__)

    async def aclose(self) -> None:
        await self.bot.shutdown()

    def verify(self, secret_header: str | None) -> bool:
        # Constant time: the comparison must not tell an attacker how much they got right.
        return secret_header is not None and hmac.compare_digest(
            secret_header.encode(), self._secret
        )

    def parse(self, update: Update) -> InboundMessage | None:
        """The citizen's message in this update; None for updates the assistant ignores."""
        update_id = str(update.update_id)
        query = update.callback_query
        if query is not None:
            chat_id = query.message.chat.id if query.message else query.from_user.id
            return InboundMessage(
                channel=self.name,
                sender_id=str(chat_id),
                text=query.data or "",
                message_id=update_id,
            )
        message = update.message  # edited messages, channel posts, joins: not for us
        if message is None:
            return None
        sender = str(message.chat.id)
        if message.text is not None:
            words = message.text.split(maxsplit=1)
            is_start = bool(words) and words[0].split("@")[0] == "/start"
            text = START_TEXT if is_start else message.text
            return InboundMessage(
                channel=self.name, sender_id=sender, text=text, message_id=update_id
            )
        if message.effective_attachment is not None:  # photo, voice, sticker, document...
            return InboundMessage(
                channel=self.name,
                sender_id=sender,
                text="",
                message_id=update_id,
                kind="unsupported",
            )
        return None

    async def answer_callback(self, query: CallbackQuery) -> None:
        try:
            # Stops the spinner on the citizen's button; the reply follows as a message.
            await self.bot.answer_callback_query(query.id)
        except TelegramError as exc:
            log.warning("telegram: answerCallbackQuery failed (%s)", type(exc).__name__)

    async def send(self, recipient_id: str, replies: list[Reply]) -> None:
        for reply in replies:
            pieces = split_text(reply.text, MAX_TEXT_CHARS)
            for i, piece in enumerate(pieces):
                markup = keyboard(reply.buttons) if i == len(pieces) - 1 else None
                await self.bot.send_message(chat_id=recipient_id, text=piece, reply_markup=markup)

    async def notify(self, recipient_id: str, replies: list[Reply]) -> Delivery:
        try:
            await self.send(recipient_id, replies)
        except (Forbidden, BadRequest, InvalidToken) as exc:
            # Refused for good (bot blocked, chat gone): retrying would change nothing.
            # Network errors and timeouts propagate: the caller tries again later.
            who = self.pseudonym(recipient_id)
            log.warning("telegram: message to %s refused (%s)", who, type(exc).__name__)
            return Delivery(sent=False, detail=REFUSED)
        return Delivery(sent=True)


def build_router() -> APIRouter:
    router = APIRouter(tags=["telegram"])

    @router.post(WEBHOOK_PATH, summary="Telegram webhook (Bot API updates)")
    async def webhook(request: Request) -> JSONResponse:
        state = request.app.state
        channel: TelegramChannel | None = state.telegram
        if channel is None:
            return disabled("Telegram")
        # Refused before the body is even read: only Telegram knows the secret.
        if not channel.verify(request.headers.get(SECRET_HEADER)):
            return refuse(403, "Token segreto mancante o errato.")
        raw = await read_limited(request)
        if raw is None:
            return refuse(413, TOO_LARGE)
        data = json_object(raw)
        if data is None or not isinstance(data.get("update_id"), int):
            return refuse(400, "Aggiornamento Telegram non valido.")
        try:
            update = Update.de_json(data, channel.bot)
            message = channel.parse(update)
        except NOT_UNDERSTOOD as exc:
            # From Telegram (the secret matched) but of a shape PTB does not know:
            # answering an error would only make Telegram retry it.
            log.warning("telegram: update not understood (%s), ignored", type(exc).__name__)
            return JSONResponse(ACCEPTED)
        if update.callback_query is not None:
            state.tasks.spawn(channel.answer_callback(update.callback_query))
        if message is not None:
            state.tasks.spawn(state.router.handle(message, channel, deliver=True))
        return JSONResponse(ACCEPTED)

    return router
