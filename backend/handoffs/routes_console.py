"""The console's handoff routes and its WebSocket (docs/handoff.md, "Handoffs" table).

Every route needs a signed-in operator (401) and, for POSTs, the session's CSRF token
(403); a handoff the operator may not see answers 404.
"""

import asyncio
import json
from typing import Literal

from fastapi import APIRouter, Query, WebSocket, WebSocketDisconnect, status
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from starlette.concurrency import run_in_threadpool

from backend.api.deps import SessionDep
from backend.api.errors import ApiError
from backend.console.auth import CurrentOperator, operator_from_websocket, touch
from backend.handoffs import events, operations, suggestions
from backend.handoffs.schemas import (
    CloseIn,
    HandoffDetail,
    HandoffId,
    HandoffSummary,
    MessageOut,
    Suggestion,
    TextIn,
    TransferIn,
)
from backend.handoffs.views import detail, last_messages, message_with_name, summary
from backend.handoffs.visibility import Viewer
from backend.models import Handoff, HandoffMessage, Operator
from backend.services import clock

router = APIRouter(prefix="/api/console", tags=["console: conversazioni"])

OPEN = ("waiting", "active", "ticket")
CLOSED_LIST_LIMIT = 200
# While the console is open its operator counts as online (docs/handoff.md: 2 minutes).
HEARTBEAT_SECONDS = 30.0


@router.get("/handoffs", response_model=list[HandoffSummary])
def list_handoffs(
    operator: CurrentOperator,
    session: SessionDep,
    state: Literal["open", "closed"] = Query("open"),
) -> list[HandoffSummary]:
    query = (
        select(Handoff)
        .where(Viewer.of(operator).clause())
        .options(selectinload(Handoff.office), selectinload(Handoff.operator))
    )
    if state == "open":
        handoffs = list(session.scalars(query.where(Handoff.status.in_(OPEN)).order_by(Handoff.id)))
    else:
        newest = query.where(Handoff.status.not_in(OPEN)).order_by(Handoff.id.desc())
        handoffs = list(reversed(list(session.scalars(newest.limit(CLOSED_LIST_LIMIT)))))
    last = last_messages(session, [h.id for h in handoffs])
    now = clock.now()
    return [summary(h, last.get(h.id), now) for h in handoffs]


@router.get("/handoffs/{handoff_id}", response_model=HandoffDetail)
def get_handoff(
    handoff_id: HandoffId, operator: CurrentOperator, session: SessionDep
) -> HandoffDetail:
    handoff = operations.visible(session, operator, handoff_id)
    return detail(session, handoff, clock.now())


@router.post("/handoffs/{handoff_id}/take", response_model=HandoffDetail)
def take(handoff_id: HandoffId, operator: CurrentOperator, session: SessionDep) -> HandoffDetail:
    handoff = operations.take(session, operator, handoff_id)
    return detail(session, handoff, clock.now())


@router.post(
    "/handoffs/{handoff_id}/messages",
    response_model=MessageOut,
    status_code=status.HTTP_201_CREATED,
)
def reply(
    handoff_id: HandoffId, body: TextIn, operator: CurrentOperator, session: SessionDep
) -> MessageOut:
    message = operations.reply(session, operator, handoff_id, body.text)
    return _out(session, message)


@router.post(
    "/handoffs/{handoff_id}/notes", response_model=MessageOut, status_code=status.HTTP_201_CREATED
)
def add_note(
    handoff_id: HandoffId, body: TextIn, operator: CurrentOperator, session: SessionDep
) -> MessageOut:
    message = operations.note(session, operator, handoff_id, body.text)
    return _out(session, message)


def _out(session: Session, message: HandoffMessage) -> MessageOut:
    return message_with_name(session, message)


@router.post("/handoffs/{handoff_id}/transfer", response_model=HandoffDetail)
def transfer(
    handoff_id: HandoffId, body: TransferIn, operator: CurrentOperator, session: SessionDep
) -> HandoffDetail:
    if (body.operator_id is None) == (body.office_code is None):
        raise ApiError(422, "Indica un collega oppure un ufficio, non entrambi.")
    if body.operator_id is not None:
        handoff = operations.transfer_to_operator(session, operator, handoff_id, body.operator_id)
    else:
        handoff = operations.transfer_to_office(
            session, operator, handoff_id, body.office_code or ""
        )
    return detail(session, handoff, clock.now())


@router.post("/handoffs/{handoff_id}/close", response_model=HandoffDetail)
def close(
    handoff_id: HandoffId, body: CloseIn, operator: CurrentOperator, session: SessionDep
) -> HandoffDetail:
    handoff = operations.close(session, operator, handoff_id, body.outcome)
    return detail(session, handoff, clock.now())


@router.get("/handoffs/{handoff_id}/suggestions", response_model=list[Suggestion])
async def suggest(
    handoff_id: HandoffId, operator: CurrentOperator, session: SessionDep
) -> list[Suggestion]:
    text = await run_in_threadpool(_last_citizen_text, session, operator, handoff_id)
    return await suggestions.suggest(text) if text else []


def _last_citizen_text(session: Session, operator: Operator, handoff_id: HandoffId) -> str:
    handoff = operations.visible(session, operator, handoff_id)
    return (
        session.scalar(
            select(HandoffMessage.text)
            .where(HandoffMessage.handoff_id == handoff.id, HandoffMessage.sender == "citizen")
            .order_by(HandoffMessage.id.desc())
            .limit(1)
        )
        or ""
    )


@router.websocket("/ws")
async def live_events(websocket: WebSocket, session: SessionDep) -> None:
    operator = await run_in_threadpool(operator_from_websocket, websocket, session)
    if operator is None:
        await websocket.close(code=1008)
        return
    viewer = await run_in_threadpool(Viewer.of, operator)
    # Give the connection back to the pool: the socket may stay open for hours.
    await run_in_threadpool(session.commit)
    await websocket.accept()
    connection = events.hub.connect(viewer)
    try:
        await websocket.send_text(json.dumps({"type": "ready"}))
        await _pump(websocket, connection, session, operator)
    except WebSocketDisconnect:
        pass
    finally:
        events.hub.disconnect(connection)


async def _pump(
    websocket: WebSocket, connection: events.Connection, session: Session, operator: Operator
) -> None:
    """Send events until the console goes away; keep its operator marked as online."""
    loop = asyncio.get_running_loop()
    last_touch = loop.time()
    receiving = asyncio.ensure_future(websocket.receive_text())
    try:
        while True:
            getting = asyncio.ensure_future(connection.queue.get())
            done, _ = await asyncio.wait(
                {receiving, getting}, timeout=HEARTBEAT_SECONDS, return_when=asyncio.FIRST_COMPLETED
            )
            if getting in done:
                await websocket.send_text(json.dumps(getting.result(), default=str))
            else:
                getting.cancel()  # an asyncio.Queue loses nothing to a cancelled get()
            if receiving in done:
                receiving.result()  # raises WebSocketDisconnect when the console closed
                receiving = asyncio.ensure_future(websocket.receive_text())
            if loop.time() - last_touch >= HEARTBEAT_SECONDS:
                await run_in_threadpool(touch, session, operator)
                last_touch = loop.time()
    finally:
        receiving.cancel()
