"""Every error as JSON with an Italian `detail`, and never with the values sent.

FastAPI's own validation errors are English and echo the input back (a tax code would
end up in the response and in whatever logs it): they are rewritten here, field by
field, without the input.
"""

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)

_GENERIC = {
    400: "Richiesta non valida.",
    401: "Autenticazione del servizio mancante o non valida.",
    403: "Operazione non consentita.",
    404: "Risorsa non trovata: controlla l'indirizzo della richiesta.",
    405: "Metodo non consentito per questo indirizzo.",
    406: "Formato di risposta non disponibile.",
    413: "Richiesta troppo grande.",
    415: "Formato della richiesta non supportato: usa JSON.",
    500: "Errore interno del servizio: riprova più tardi.",
}

# English details FastAPI and Starlette raise by themselves.
_KNOWN_ENGLISH = {
    "There was an error parsing the body": "Il corpo della richiesta non è leggibile: invia JSON.",
}

_MESSAGES = {
    "missing": "campo obbligatorio",
    "extra_forbidden": "campo non previsto",
    "string_type": "deve essere un testo",
    "string_too_short": "testo troppo corto (almeno {min_length} caratteri)",
    "string_too_long": "testo troppo lungo (al massimo {max_length} caratteri)",
    "string_pattern_mismatch": "formato non valido",
    "int_type": "deve essere un numero intero",
    "int_parsing": "deve essere un numero intero",
    "int_from_float": "deve essere un numero intero",
    "float_type": "deve essere un numero",
    "float_parsing": "deve essere un numero",
    "bool_type": "deve essere vero o falso",
    "bool_parsing": "deve essere vero o falso",
    "greater_than": "deve essere maggiore di {gt}",
    "greater_than_equal": "deve essere almeno {ge}",
    "less_than": "deve essere minore di {lt}",
    "less_than_equal": "deve essere al massimo {le}",
    "date_type": "data non valida (formato AAAA-MM-GG)",
    "date_parsing": "data non valida (formato AAAA-MM-GG)",
    "date_from_datetime_parsing": "data non valida (formato AAAA-MM-GG)",
    "date_from_datetime_inexact": "data non valida (formato AAAA-MM-GG)",
    "datetime_type": "data e ora non valide (formato AAAA-MM-GGTHH:MM)",
    "datetime_parsing": "data e ora non valide (formato AAAA-MM-GGTHH:MM)",
    "datetime_from_date_parsing": "data e ora non valide (formato AAAA-MM-GGTHH:MM)",
    "timezone_aware": "indica anche il fuso orario",
    "literal_error": "valore non ammesso (valori possibili: {expected})",
    "enum": "valore non ammesso (valori possibili: {expected})",
    "json_invalid": "il corpo della richiesta non è un JSON valido",
    "json_type": "il corpo della richiesta non è un JSON valido",
    "model_type": "deve essere un oggetto JSON",
    "model_attributes_type": "deve essere un oggetto JSON",
    "dict_type": "deve essere un oggetto JSON",
    "list_type": "deve essere una lista",
    "too_long": "troppi elementi (al massimo {max_length})",
    "too_short": "troppo pochi elementi (almeno {min_length})",
}


class ApiError(Exception):
    """An error answer: status, Italian detail, and extra fields (e.g. alternatives)."""

    def __init__(self, status_code: int, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.detail = detail
        self.extra = extra


def _message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind in ("value_error", "assertion_error") and "error" in ctx:
        # Our validators raise ValueError with an Italian message: use it as it is.
        return str(ctx["error"])
    template = _MESSAGES.get(kind, "valore non valido")
    try:
        return template.format(**ctx)
    except (KeyError, IndexError, ValueError):
        return "valore non valido"


def _field(loc: tuple[Any, ...]) -> str:
    names = [str(part) for part in loc]
    if names and names[0] == "body" and len(names) == 1:
        return "corpo della richiesta"
    return ".".join(names)


def italian_errors(exc: RequestValidationError) -> list[dict[str, str]]:
    return [
        {"field": _field(tuple(e.get("loc", ()))), "message": _message(e)} for e in exc.errors()
    ]


def install(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = italian_errors(exc)
        first = errors[0] if errors else {"field": "richiesta", "message": "non valida"}
        detail = f"Richiesta non valida: «{first['field']}»: {first['message'].rstrip('.')}."
        return JSONResponse(status_code=422, content={"detail": detail, "errors": errors})

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail
        # Starlette's own errors carry the English reason phrase: say it in Italian.
        if isinstance(detail, str) and detail in _KNOWN_ENGLISH:
            detail = _KNOWN_ENGLISH[detail]
        elif not isinstance(detail, str) or detail == HTTPStatus(exc.status_code).phrase:
            detail = _GENERIC.get(exc.status_code, "Richiesta non riuscita.")
        return JSONResponse(
            status_code=exc.status_code, content={"detail": detail}, headers=exc.headers
        )

    @app.exception_handler(ApiError)
    async def api_error(_: Request, exc: ApiError) -> JSONResponse:
        content = {"detail": exc.detail, **jsonable_encoder(exc.extra)}
        return JSONResponse(status_code=exc.status_code, content=content)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Method and path only: bodies may hold tax codes.
        log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
        return JSONResponse(status_code=500, content={"detail": _GENERIC[500]})
