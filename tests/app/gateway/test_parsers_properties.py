"""Property-based tests (hypothesis) of the gateway's parsers and text helpers.

Whatever arrives, the functions that turn a payload into an InboundMessage raise nothing
but the errors their route catches (so a payload can never make a 5xx); the helpers that
shape replies keep every channel's limits and lose no text. Bounded: a few hundred
examples each, deterministic, a few seconds in all.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import string
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from telegram import Update

from integrations.channels.base import shorten, split_text, text_with_options
from integrations.channels.telegram import NOT_UNDERSTOOD, TelegramChannel, callback_data
from integrations.channels.web import WebMessageIn
from integrations.channels.whatsapp import WhatsAppChannel
from integrations.channels.whatsapp_api import reply_messages
from integrations.handoff import is_cancel, parse_mode
from integrations.messages import Button, InboundMessage, Reply
from integrations.rasa_client import parse_rasa_replies, parse_turn
from integrations.redis_store import RedisStore
from integrations.settings import GatewaySettings
from tests.app.gateway.conftest import (
    TELEGRAM_SECRET,
    TELEGRAM_TOKEN,
    WHATSAPP_APP_SECRET,
    WHATSAPP_PHONE_NUMBER_ID,
    WHATSAPP_TOKEN,
    WHATSAPP_VERIFY_TOKEN,
)
from tests.app.gateway.fakes import FakeGraph

# The errors each webhook route catches around its parser (channels/telegram.py, whatsapp.py).
WHATSAPP_ERRORS = (AttributeError, TypeError, ValueError)

BOUNDED = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

# Any JSON value, and JSON objects in particular.
json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
anything = json_values
texts = st.text(max_size=300)


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """The value, or something of another type, or nothing at all."""
    return strategy | json_scalars


@pytest.fixture(scope="module")
def gateway_settings() -> GatewaySettings:
    return GatewaySettings(
        sportello_env="test",
        telegram_bot_token=TELEGRAM_TOKEN,
        telegram_webhook_secret=TELEGRAM_SECRET,
        telegram_api_base_url="http://127.0.0.1:1/bot",
        whatsapp_access_token=WHATSAPP_TOKEN,
        whatsapp_app_secret=WHATSAPP_APP_SECRET,
        whatsapp_verify_token=WHATSAPP_VERIFY_TOKEN,
        whatsapp_phone_number_id=WHATSAPP_PHONE_NUMBER_ID,
        whatsapp_graph_base_url="http://127.0.0.1:1/v21.0",
    )


@pytest.fixture(scope="module")
def telegram(gateway_settings: GatewaySettings) -> TelegramChannel:
    return TelegramChannel(gateway_settings)


@pytest.fixture(scope="module")
def whatsapp(gateway_settings: GatewaySettings) -> Iterator[WhatsAppChannel]:
    store = RedisStore("redis://127.0.0.1:1/0", "test:properties:")
    channel = WhatsAppChannel(gateway_settings, store)
    yield channel

    async def close() -> None:
        await channel.aclose()
        await store.aclose()

    asyncio.run(close())


# --- Telegram: a webhook body -> Update -> InboundMessage ----------------------------------

users = st.fixed_dictionaries(
    {"id": maybe(st.integers()), "is_bot": maybe(st.booleans()), "first_name": maybe(texts)}
)
chats = st.fixed_dictionaries(
    {"id": maybe(st.integers()), "type": maybe(st.sampled_from(["private", "group"]))}
)
messages = st.fixed_dictionaries(
    {"message_id": maybe(st.integers()), "date": maybe(st.integers()), "chat": maybe(chats)},
    optional={
        "from": maybe(users),
        "text": maybe(texts),
        "photo": maybe(
            st.lists(
                st.fixed_dictionaries(
                    {
                        "file_id": texts,
                        "file_unique_id": texts,
                        "width": st.integers(),
                        "height": st.integers(),
                    }
                ),
                max_size=2,
            )
        ),
        "sticker": anything,
        "voice": anything,
    },
)
callbacks = st.fixed_dictionaries(
    {"id": maybe(texts), "from": maybe(users), "chat_instance": maybe(texts)},
    optional={"data": maybe(texts), "message": maybe(messages)},
)
telegram_updates = st.fixed_dictionaries(
    {"update_id": st.integers(min_value=0, max_value=2**31)},
    optional={
        "message": maybe(messages),
        "edited_message": maybe(messages),
        "callback_query": maybe(callbacks),
        "channel_post": anything,
    },
)


def parse_telegram(channel: TelegramChannel, data: dict[str, Any]) -> InboundMessage | None:
    """What the webhook route does with a body whose secret matched."""
    try:
        return channel.parse(Update.de_json(data, channel.bot))
    except NOT_UNDERSTOOD:
        return None  # acknowledged and ignored by the route


@BOUNDED
@given(data=telegram_updates)
def test_telegram_updates_parse_or_fail_only_as_the_route_expects(telegram, data):
    message = parse_telegram(telegram, data)
    if message is not None:
        assert message.channel == "telegram"
        assert message.message_id == str(data["update_id"])
        assert isinstance(message.text, str) and message.sender_id


@BOUNDED
@given(text=st.text(min_size=1, max_size=500), update_id=st.integers(0, 2**31))
def test_a_telegram_text_reaches_the_assistant_as_written(telegram, text, update_id):
    data = {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": 42, "type": "private"},
            "text": text,
        },
    }
    message = parse_telegram(telegram, data)
    assert message is not None and message.sender_id == "42"
    first = text.split(maxsplit=1)[0] if text.split() else ""
    if first.split("@")[0] == "/start":
        assert message.text == "ciao"
    else:  # as written, but never a lone surrogate
        assert message.text == re.sub("[\ud800-\udfff]", "\ufffd", text)


@BOUNDED
@given(title=st.text(max_size=100), payload=st.text(max_size=200))
def test_telegram_callback_data_always_fits_in_64_bytes(title, payload):
    data = callback_data(Button(title=title, payload=payload))
    assert len(data.encode()) <= 64
    if len(payload.encode()) <= 64:
        assert data == payload


# --- WhatsApp: a webhook body -> InboundMessage list ----------------------------------------

wa_messages = st.fixed_dictionaries(
    {"from": maybe(st.text(string.digits, min_size=1, max_size=15)), "id": maybe(texts)},
    optional={
        "type": maybe(
            st.sampled_from(["text", "interactive", "button", "image", "reaction", "system"])
        ),
        "text": maybe(st.fixed_dictionaries({}, optional={"body": maybe(texts)})),
        "interactive": maybe(
            st.fixed_dictionaries(
                {},
                optional={
                    "button_reply": maybe(
                        st.fixed_dictionaries(
                            {}, optional={"id": maybe(texts), "title": maybe(texts)}
                        )
                    ),
                    "list_reply": maybe(st.fixed_dictionaries({}, optional={"id": maybe(texts)})),
                },
            )
        ),
        "button": maybe(
            st.fixed_dictionaries({}, optional={"payload": maybe(texts), "text": maybe(texts)})
        ),
    },
)
wa_values = st.fixed_dictionaries(
    {},
    optional={
        "metadata": maybe(
            st.fixed_dictionaries(
                {}, optional={"phone_number_id": maybe(st.just(WHATSAPP_PHONE_NUMBER_ID))}
            )
        ),
        "messages": maybe(st.lists(maybe(wa_messages), max_size=3)),
        "statuses": maybe(st.lists(anything, max_size=2)),
    },
)
wa_bodies = st.fixed_dictionaries(
    {},
    optional={
        "object": maybe(texts),
        "entry": maybe(
            st.lists(
                maybe(
                    st.fixed_dictionaries(
                        {},
                        optional={
                            "changes": maybe(
                                st.lists(
                                    maybe(
                                        st.fixed_dictionaries(
                                            {}, optional={"value": maybe(wa_values), "field": texts}
                                        )
                                    ),
                                    max_size=2,
                                )
                            )
                        },
                    )
                ),
                max_size=2,
            )
        ),
    },
)


@BOUNDED
@given(data=wa_bodies)
def test_whatsapp_bodies_parse_or_fail_only_as_the_route_expects(whatsapp, data):
    try:
        found = whatsapp.parse(data)
    except WHATSAPP_ERRORS:
        return  # acknowledged and ignored by the route
    for message in found:
        assert message.channel == "whatsapp"
        assert isinstance(message.sender_id, str) and isinstance(message.message_id, str)
        assert message.kind in ("text", "unsupported")


@BOUNDED
@given(data=st.dictionaries(st.text(max_size=10), anything, max_size=5))
def test_any_json_object_is_parsed_or_refused_as_the_route_expects(whatsapp, data):
    with contextlib.suppress(*WHATSAPP_ERRORS):
        assert isinstance(whatsapp.parse(data), list)


@BOUNDED
@given(text=texts, sender=st.text(string.digits, min_size=8, max_size=15))
def test_a_whatsapp_text_reaches_the_assistant(whatsapp, text, sender):
    value = {
        "metadata": {"phone_number_id": WHATSAPP_PHONE_NUMBER_ID},
        "messages": [{"from": sender, "id": "wamid.x", "type": "text", "text": {"body": text}}],
    }
    [message] = whatsapp.parse({"entry": [{"changes": [{"value": value}]}]})
    assert (message.sender_id, message.kind) == (sender, "text")
    assert message.text == re.sub("[\ud800-\udfff]", "\ufffd", text)


# --- the web widget's body ------------------------------------------------------------------


@BOUNDED
@given(body=st.dictionaries(st.sampled_from(["session_id", "text", "message_id", "x"]), anything))
def test_the_web_body_is_valid_or_a_validation_error(body):
    try:
        parsed = WebMessageIn.model_validate(body)
    except ValidationError:
        return
    assert re.fullmatch(r"[A-Za-z0-9_-]{8,64}", parsed.session_id)
    assert parsed.message_id is None or re.fullmatch(r"[A-Za-z0-9_-]{8,64}", parsed.message_id)
    assert isinstance(parsed.text, str)


# --- replies: Rasa's answer, numbered options, splitting, shortening ------------------------

buttons = st.builds(
    Button, title=st.text(min_size=1, max_size=60).filter(str.strip), payload=st.text(max_size=300)
)
replies = st.builds(
    Reply,
    text=st.text(min_size=1, max_size=5000).filter(str.strip),
    buttons=st.lists(buttons, max_size=12),
)


@BOUNDED
@given(
    body=st.lists(
        st.dictionaries(st.sampled_from(["text", "buttons", "image", "recipient_id"]), anything),
        max_size=5,
    )
)
def test_rasa_answers_of_any_shape_become_replies_with_text(body):
    for reply in parse_rasa_replies(body):
        assert reply.text == reply.text.strip() and reply.text


@BOUNDED
@given(
    body=st.one_of(
        anything,
        st.dictionaries(st.sampled_from(["messages", "turn", "other"]), anything),
    )
)
def test_gateway_channel_answers_of_any_shape_give_replies_and_a_state(body):
    turn = parse_turn(body)
    assert isinstance(turn.state, dict)
    assert all(reply.text.strip() for reply in turn.replies)


@BOUNDED
@given(reply=replies)
def test_options_as_text_keep_the_text_and_number_every_button(reply):
    shown = text_with_options(reply)
    assert shown.startswith(reply.text)
    for i, button in enumerate(reply.buttons, start=1):
        assert f"{i}. {button.title}" in shown


def no_space(text: str) -> str:
    return re.sub(r"\s+", "", text)


@BOUNDED
@given(text=st.text(max_size=3000), limit=st.integers(min_value=1, max_value=600))
def test_split_pieces_fit_the_limit_and_rejoin_to_the_text(text, limit):
    pieces = split_text(text, limit)
    assert all(0 < len(piece) <= limit for piece in pieces)
    assert all(piece.strip() for piece in pieces)  # never an empty message
    assert no_space("".join(pieces)) == no_space(text)


@BOUNDED
@given(text=st.text(max_size=500), limit=st.integers(min_value=1, max_value=200))
def test_shorten_fits_the_limit(text, limit):
    short = shorten(text, limit)
    assert len(short) <= limit
    if len(text) <= limit:
        assert short == text
    else:
        assert short.endswith("…") and text.startswith(short[:-1])


@BOUNDED
@given(reply=replies)
def test_whatsapp_messages_always_keep_the_cloud_apis_limits(reply):
    for message in reply_messages(reply):
        body = {"messaging_product": "whatsapp", "to": "393471234567", **message}
        assert FakeGraph._valid(body), message


# --- the handoff mode and the cancel words --------------------------------------------------


@BOUNDED
@given(raw=st.text(max_size=200) | json_values.map(json.dumps))
def test_any_mode_value_is_read_or_ignored(raw):
    mode = parse_mode(raw)
    assert mode is None or (isinstance(mode.handoff_id, str) and isinstance(mode.status, str))


@BOUNDED
@given(text=st.text(max_size=100))
def test_is_cancel_never_raises(text):
    assert isinstance(is_cancel(text), bool)


@pytest.mark.parametrize("text", ["annulla", " Annulla! ", "STOP", "bàsta", "/handoff_cancel"])
def test_the_cancel_words(text):
    assert is_cancel(text)
