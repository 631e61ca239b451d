"""Redaction of handed-off conversations: the shared patterns of `redaction.text`.

Applied to every citizen and bot line before it is stored (docs/handoff.md). The same
patterns redact every log line of every process (docs/privacy.md, `redaction.logs`).
"""

from redaction.text import EMAIL, IBAN, PHONE, TAX_CODE, redact

__all__ = ["EMAIL", "IBAN", "PHONE", "TAX_CODE", "redact"]
