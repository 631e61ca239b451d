"""Console accounts for a development run (`make run`), so the console can be tried at once.

Creates, only when no account exists yet, an admin and an operator of the Cosenza office
(region Calabria, which also takes the region's shared queue), with random passwords
written to var/demo-accounts.txt (readable by the owner only) and printed by `make run`.
Refused outside development: a Region creates its real first admin with
`python -m backend.cli create-admin`.
"""

import os
import secrets
import sys
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.console import accounts, audit
from backend.db import make_engine
from backend.models import Operator
from backend.settings import ROOT, get_settings

ACCOUNTS_FILE = ROOT / "var" / "demo-accounts.txt"
DEMO = (
    ("admin", "Amministratore", "admin", None, []),
    ("operatore", "Operatore CPI Cosenza", "operator", "Calabria", ["cpi-cosenza"]),
)


def ensure(path: Path = ACCOUNTS_FILE) -> str | None:
    """Create the demo accounts if there is no account; the accounts file's text, if any."""
    settings = get_settings()
    if settings.sportello_env != "development":
        raise SystemExit("demo accounts are for development only (SPORTELLO_ENV)")
    engine = make_engine(settings.database_url)
    try:
        with Session(engine) as session:
            if session.scalar(select(func.count(Operator.id))):
                return path.read_text(encoding="utf-8") if path.exists() else None
            lines = []
            for username, name, role, region, offices in DEMO:
                password = secrets.token_urlsafe(12)
                fields = accounts.AccountFields(username, name, role, region, offices, password)
                accounts.create(session, fields)
                audit.record(session, "operator_created", detail=f"{username} (demo)")
                lines.append(f"  {role:<9} user {username:<10} password {password}")
            session.commit()
    finally:
        engine.dispose()
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "\n".join(lines) + "\n"
    # Owner-only from the first byte: the passwords are real for this local database.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    return text


if __name__ == "__main__":
    text = ensure()
    print(text.rstrip() if text else "  (accounts already exist: see var/demo-accounts.txt)")
    sys.exit(0)
