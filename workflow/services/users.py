"""Users and their roles; passwords hashed with argon2id."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import insert, select

from workflow.audit.staff import append_staff_event
from workflow.db import utcnow
from workflow.models import User, UserRole

_hasher = PasswordHasher()


def use_hash_profile(profile: dict | None) -> None:
    """argon2 parameters for new hashes in this process (`PASSWORD_HASH_PROFILE`; None: argon2's
    defaults). Existing hashes keep verifying: each records its own parameters."""
    global _hasher, _timing_hash
    _hasher = PasswordHasher(**(profile or {}))
    _timing_hash = None


_timing_hash: str | None = None


def timing_hash() -> str:
    """A hash of the current profile to verify against when there is no account, so that a sign-in costs
    the same whether or not the address exists (made once per profile)."""
    global _timing_hash
    if _timing_hash is None:
        _timing_hash = _hasher.hash("timing-equaliser-not-a-password")
    return _timing_hash


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def create_user(
    connection,
    email: str,
    name: str,
    password: str | None = None,
    *,
    organisation: str | None = None,
    language: str = "ko",
    roles: list[tuple[str, str | None]] = (),
    verified: bool = True,
    granted_by: tuple[int | None, str] = (None, "system"),
) -> int:
    """Insert a user with (role, program_key or None) pairs, each grant recorded in the staff chain; returns
    the id. Accounts made by staff, the demo and tests are `verified`; self-service sign-ups confirm their
    address first."""
    user_id = connection.execute(
        insert(User)
        .values(
            email=email.strip().lower(),
            name=name,
            organisation=organisation,
            language=language,
            password_hash=hash_password(password) if password else None,
            active=True,
            email_verified_at=utcnow() if verified else None,
        )
        .returning(User.id)
    ).scalar_one()
    for role, program_key in roles:
        connection.execute(insert(UserRole).values(user_id=user_id, role=role, program_key=program_key))
        append_staff_event(connection, "grant", (user_id, name), *granted_by, utcnow(), role, program_key)
    return user_id


def find_user_id(connection, email: str) -> int | None:
    return connection.execute(select(User.id).where(User.email == email.strip().lower())).scalar()
