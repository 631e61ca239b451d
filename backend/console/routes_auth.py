"""Signing in and out of the console, and who am I."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status

from backend.api.deps import SessionDep
from backend.api.schemas.errors import ErrorOut
from backend.console import audit, login, sessions
from backend.console.auth import CurrentOperator, current_session
from backend.console.schemas import CONSOLE_ERRORS, LoginIn, OperatorOut, SessionOut
from backend.models import OperatorSession

router = APIRouter(prefix="/api/console", tags=["console"], responses=CONSOLE_ERRORS)
SessionRow = Annotated[OperatorSession, Depends(current_session)]

_LOGIN_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorOut, "description": "Nome utente o password non corretti."},
    423: {"model": ErrorOut, "description": "Account bloccato per troppi tentativi."},
}


@router.post("/login", response_model=SessionOut, responses=_LOGIN_ERRORS)
def sign_in(body: LoginIn, request: Request, response: Response, session: SessionDep) -> SessionOut:
    operator = login.authenticate(session, body.username, body.password)
    # A new login replaces the browser's previous session instead of leaving it alive.
    previous = sessions.lookup(session, request.cookies.get(sessions.COOKIE_NAME))
    if previous is not None:
        sessions.delete_session(session, previous)
    token, row = sessions.create(session, operator)
    audit.record(session, "login", operator_id=operator.id)
    session.commit()
    sessions.set_cookie(response, token)
    return SessionOut(operator=OperatorOut.model_validate(operator), csrf_token=row.csrf_token)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def sign_out(operator: CurrentOperator, row: SessionRow, session: SessionDep) -> Response:
    sessions.delete_session(session, row)
    audit.record(session, "logout", operator_id=operator.id)
    session.commit()
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    sessions.clear_cookie(response)
    return response


@router.get("/me", response_model=SessionOut)
def me(operator: CurrentOperator, row: SessionRow) -> SessionOut:
    return SessionOut(operator=OperatorOut.model_validate(operator), csrf_token=row.csrf_token)
