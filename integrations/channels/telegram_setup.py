"""Register (or show, or remove) the gateway's Telegram webhook.

    python -m integrations.channels.telegram_setup            # PUBLIC_BASE_URL + webhook path
    python -m integrations.channels.telegram_setup --url https://sportello.example.it/api/telegram/webhook
    python -m integrations.channels.telegram_setup --info | --delete

Reads TELEGRAM_BOT_TOKEN, TELEGRAM_WEBHOOK_SECRET and TELEGRAM_API_BASE_URL like the
gateway. Telegram then sends the secret in every request's X-Telegram-Bot-Api-Secret-Token.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from telegram import Bot
from telegram.error import InvalidToken, TelegramError

from integrations.channels.telegram import ALLOWED_UPDATES, WEBHOOK_PATH
from integrations.settings import GatewaySettings, get_settings


async def run(settings: GatewaySettings, action: str, url: str | None) -> str:
    bot = Bot(
        settings.telegram_bot_token.get_secret_value().strip(),
        base_url=settings.telegram_api_base_url,
    )
    async with bot:
        if action == "delete":
            await bot.delete_webhook()
            return "Webhook removed."
        if action == "set":
            target = url or f"{settings.public_base_url.rstrip('/')}{WEBHOOK_PATH}"
            await bot.set_webhook(
                url=target,
                secret_token=settings.telegram_webhook_secret.get_secret_value().strip(),
                allowed_updates=ALLOWED_UPDATES,
            )
            return f"Webhook set for @{bot.username}: {target}"
        info = await bot.get_webhook_info()
        return (
            f"@{bot.username} webhook: {info.url or '(none)'}; pending updates: "
            f"{info.pending_update_count}; last error: {info.last_error_message or '-'}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="public HTTPS URL of the webhook")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--info", action="store_true", help="show the current webhook")
    group.add_argument("--delete", action="store_true", help="remove the webhook")
    args = parser.parse_args(argv)
    settings = get_settings()
    if not settings.telegram_enabled:
        print("Set TELEGRAM_BOT_TOKEN and TELEGRAM_WEBHOOK_SECRET first.", file=sys.stderr)
        return 2
    action = "info" if args.info else "delete" if args.delete else "set"
    try:
        print(asyncio.run(run(settings, action, args.url)))
    except InvalidToken:
        # Not the exception's text: PTB puts the token in it.
        print("Telegram rejected TELEGRAM_BOT_TOKEN.", file=sys.stderr)
        return 1
    except TelegramError as exc:
        print(f"Telegram refused the request: {exc.message}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
