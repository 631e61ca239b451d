"""Custom actions of the sportello (rasa-sdk). They hold no data: they call the backend.

rasa-sdk imports this package when the action server starts: from then on no log record
of the process carries a tax code, phone number, e-mail or IBAN (docs/privacy.md).
"""

from redaction.logs import install as _install_log_redaction

_install_log_redaction()
