"""Personal data out of what is stored and logged: one copy for every process.

Standard library only and Python 3.10-compatible, so that both environments (the Rasa
side on 3.10, backend and gateway on 3.11) import the same patterns; it imports nothing
of either. `redaction.text.redact` for texts, `redaction.logs.install` for log records.
"""
