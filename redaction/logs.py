"""Tax codes, phone numbers, e-mails and IBANs never reach a log file (docs/privacy.md).

`install()` runs once at the start of every process of the sportello (backend and
gateway in their app factory, the action server when rasa-sdk imports `actions`). It
wraps the log record factory, so that every record of every logger, ours and the
libraries', is redacted when it is created, whatever handler later writes it; and it
attaches `RedactingFilter` to the handlers that already exist, for records made
elsewhere (a `logging.makeLogRecord`).

A record is rewritten only when something was found: message and arguments are
redacted one by one, keeping the arguments' shape (uvicorn's access formatter unpacks
them), and a traceback's text is redacted too.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any

from redaction.text import redact

_MARK = "_sportello_redacted"


def _redact_arg(value: Any) -> Any:
    if isinstance(value, (int, float, bool)) or value is None:
        return value  # "%d" must keep its number; numbers alone are never a phone here
    text = value if isinstance(value, str) else str(value)
    clean = redact(text)
    return value if clean == text else clean


def redact_record(record: logging.LogRecord) -> logging.LogRecord:
    """The same record, its message, arguments and traceback text redacted."""
    if getattr(record, _MARK, False):
        return record
    if isinstance(record.msg, str):
        record.msg = redact(record.msg)
    elif record.msg is not None:
        text = str(record.msg)
        clean = redact(text)
        if clean != text:
            record.msg = clean
    if isinstance(record.args, dict):
        record.args = {key: _redact_arg(value) for key, value in record.args.items()}
    elif isinstance(record.args, tuple):
        record.args = tuple(_redact_arg(value) for value in record.args)
    if record.exc_info and not record.exc_text:
        # Formatters reuse exc_text: format the traceback once, redacted.
        record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
    elif record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    setattr(record, _MARK, True)
    return record


class RedactingFilter(logging.Filter):
    """A logging filter that redacts each record and lets it through."""

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True


_FILTER = RedactingFilter()


def _attach(handler: logging.Handler) -> None:
    if _FILTER not in handler.filters:
        handler.addFilter(_FILTER)


def install(logger_names: tuple[str, ...] = ("uvicorn", "uvicorn.error", "uvicorn.access")) -> None:
    """Redact every log record of this process from now on. Safe to call twice."""
    factory: Callable[..., logging.LogRecord] = logging.getLogRecordFactory()
    if not getattr(factory, _MARK, False):

        def redacting_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            return redact_record(factory(*args, **kwargs))

        setattr(redacting_factory, _MARK, True)
        logging.setLogRecordFactory(redacting_factory)
    for name in ("", *logger_names):
        for handler in logging.getLogger(name).handlers:
            _attach(handler)
    if logging.lastResort is not None:
        _attach(logging.lastResort)


SERVICE_FORMAT = "%(asctime)s %(levelname)s %(name)s - %(message)s"


def configure_service_logging() -> None:
    """INFO logs of our own modules to stderr, redacted, in the backend and the gateway.

    uvicorn configures only its own loggers: without a root handler every INFO line of the
    application (messages handled, handoffs, deliveries) would be dropped. A handler that
    is already there (pytest's, a deployment's logging config) is left alone.
    """
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(SERVICE_FORMAT))
        root.addHandler(handler)
        if root.level == logging.WARNING:  # the default: nobody chose a level
            root.setLevel(os.environ.get("LOG_LEVEL", "INFO").upper())
    install()
