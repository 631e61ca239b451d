"""Operators' passwords: argon2id hashes (argon2-cffi), never the password itself."""

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 12


@lru_cache
def _hasher() -> PasswordHasher:
    # argon2-cffi's defaults follow RFC 9106's second recommended option (argon2id,
    # 64 MiB, 3 passes); when a new release raises them, logins rehash (see verify).
    return PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with other parameters than today's."""
    try:
        return _hasher().check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


@lru_cache
def _dummy_hash() -> str:
    return hash_password("not-a-password-of-anyone")


def spend_verify_time(password: str) -> None:
    """Verify against a dummy hash, so unknown usernames take as long as wrong passwords."""
    verify(_dummy_hash(), password)
