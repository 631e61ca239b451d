"""What every push channel's webhook route does before the message is its adapter's."""

from __future__ import annotations

import json

from fastapi import Request
from fastapi.responses import JSONResponse

# Real updates are a few kilobytes; anything this large is not from Telegram or Meta.
MAX_BODY_BYTES = 1_000_000


async def read_limited(request: Request, limit: int = MAX_BODY_BYTES) -> bytes | None:
    """The raw body, or None when it exceeds `limit` (read no further than that)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def json_object(raw: bytes) -> dict[str, object] | None:
    try:
        data = json.loads(raw)
    except ValueError:  # also UnicodeDecodeError
        return None
    return data if isinstance(data, dict) else None


def refuse(status_code: int, detail: str) -> JSONResponse:
    return JSONResponse(status_code=status_code, content={"detail": detail})


def disabled(channel: str) -> JSONResponse:
    return refuse(
        503,
        f"Il canale {channel} non è configurato su questo sportello (vedi docs/channels.md).",
    )


TOO_LARGE = "Richiesta troppo grande."
ACCEPTED = {"ok": True}
