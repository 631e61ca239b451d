"""Command line for accounts: the first admin, and operators for demos and tests.

    python -m backend.cli create-admin --username admin [--display-name ...] [--region ...]
    python -m backend.cli create-operator --username u --role operator --region Calabria \
        --office cpi-cosenza [--office ...]

The password comes from SPORTELLO_ADMIN_PASSWORD, else it is asked twice (never as an
argument: it would stay in the shell history and in the process list). The database is
DATABASE_URL, as for the backend.
"""

import argparse
import getpass
import os
import sys

from sqlalchemy.orm import Session

from backend.api.errors import ApiError
from backend.console import accounts, audit
from backend.db import make_engine
from backend.settings import get_settings

PASSWORD_ENV = "SPORTELLO_ADMIN_PASSWORD"  # noqa: S105 (the variable's name)


class CliError(Exception):
    pass


def read_password() -> str:
    password = os.environ.get(PASSWORD_ENV)
    if password:
        return password
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Ripeti la password: "):
        raise CliError("Le due password non coincidono.")
    return first


def create_account(fields: accounts.AccountFields) -> int:
    engine = make_engine(get_settings().database_url)
    try:
        with Session(engine) as session:
            operator = accounts.create(session, fields)
            audit.record(
                session,
                "operator_created",
                detail=f"{operator.username} ({operator.role}) da riga di comando",
            )
            session.commit()
            return operator.id
    finally:
        engine.dispose()


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m backend.cli", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)
    admin = commands.add_parser("create-admin", help="crea un amministratore della console")
    operator = commands.add_parser("create-operator", help="crea un operatore o supervisore")
    for sub in (admin, operator):
        sub.add_argument("--username", required=True)
        sub.add_argument("--display-name")
        sub.add_argument("--region")
    operator.add_argument("--role", choices=("operator", "supervisor"), default="operator")
    operator.add_argument("--office", action="append", default=[], dest="offices")
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    role = "admin" if args.command == "create-admin" else args.role
    username = accounts.normalise_username(args.username)
    try:
        fields = accounts.AccountFields(
            username=username,
            display_name=args.display_name or username,
            role=role,
            region=args.region,
            office_codes=getattr(args, "offices", []),
            password=read_password(),
        )
        operator_id = create_account(fields)
    except (ApiError, CliError) as exc:
        print(f"Errore: {exc}", file=sys.stderr)
        return 1
    print(f"Creato {role} «{username}» (id {operator_id}).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
