"""Accounts for the web: sign-up, sign-in with rate limits, password-reset tokens, password changes,
session generations, language choice.

Passwords must have at least `MIN_PASSWORD` characters and a zxcvbn score of at least `MIN_SCORE` (its own
frequency lists, with the e-mail address and name as words to refuse). Every change of password, sign-out
and deactivation moves the user's session generation on, which ends every session signed in before.

Reset tokens are signed (itsdangerous) and bound to the current password hash, so a token stops
working as soon as the password changes and after `RESET_MAX_AGE` seconds. Sign-in limits:
`signin_limits.py`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select, update
from zxcvbn import zxcvbn

from workflow.models import User
from workflow.notices import account_mail
from workflow.services.signin_limits import SignInLimits
from workflow.services.users import check_password, create_user, find_user_id, hash_password, timing_hash

RESET_MAX_AGE = 3600
VERIFY_MAX_AGE = 3 * 24 * 3600
MIN_PASSWORD = 10
MIN_SCORE = 3  # zxcvbn: 3 = "safely unguessable: moderate protection from offline slow-hash scenario"
ZXCVBN_MAX_LENGTH = 72  # zxcvbn refuses longer input; the first 72 characters bound the score from below


class AccountError(Exception):
    """A refusal with a code the web layer translates."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class SignIn:
    user_id: int | None
    limited: bool = False
    generation: int = 0


def check_strength(password: str, *user_inputs: str | None) -> None:
    """Refuse a short password, or one zxcvbn finds guessable (common, a pattern, the user's own name or
    address); a refusal is an AccountError with code password_short or password_weak."""
    if len(password) < MIN_PASSWORD:
        raise AccountError("password_short")
    words = []
    for value in filter(None, user_inputs):
        words += [value, *filter(None, re.split(r"[@.\s_+-]+", value))]
    if zxcvbn(password[:ZXCVBN_MAX_LENGTH], user_inputs=words)["score"] < MIN_SCORE:
        raise AccountError("password_weak")


NEXT_GENERATION = update(User).values(session_generation=User.session_generation + 1)


def end_sessions(connection, user_id: int) -> int:
    """Move the user's session generation on (every session signed in before ends); the new one."""
    connection.execute(NEXT_GENERATION.where(User.id == user_id))
    return connection.execute(select(User.session_generation).where(User.id == user_id)).scalar_one()


def sign_out(db, user_id: int) -> None:
    with db.begin() as connection:
        end_sessions(connection, user_id)


def change_password(db, user_id: int, current: str, new: str) -> int:
    """Set a new password after checking the current one; ends every other session. The new generation
    (for the session that made the change)."""
    with db.connect() as connection:
        row = connection.execute(
            select(User.password_hash, User.email, User.name, User.organisation).where(User.id == user_id)
        ).one()
    if not check_password(row.password_hash, current):
        raise AccountError("current_wrong")
    check_strength(new, row.email, row.name, row.organisation)
    with db.begin() as connection:
        connection.execute(update(User).where(User.id == user_id).values(password_hash=hash_password(new)))
        return end_sessions(connection, user_id)


def record_signin(db, user_id: int, now) -> None:
    """Remember when the user last signed in (the administrator's list of users shows it)."""
    with db.begin() as connection:
        connection.execute(update(User).where(User.id == user_id).values(last_signin_at=now))


def make_limits(redis_url: str | None) -> SignInLimits:
    return SignInLimits(redis_url)


def authenticate(db, limits: SignInLimits, email: str, password: str, address: str) -> SignIn:
    """Check a password; refuses (limited=True) past the failures allowed for the account or address.
    The attempt is counted before the password is checked, so parallel attempts cannot slip through."""
    slots = limits.attempt(email, address)
    if not slots.allowed:
        return SignIn(None, limited=True)
    with db.connect() as connection:
        row = connection.execute(
            select(User.id, User.password_hash, User.active, User.session_generation).where(
                User.email == email.strip().lower()
            )
        ).first()
    if row is None or not row.active:
        check_password(timing_hash(), password)  # same cost whether or not the account exists
        return SignIn(None)
    if not check_password(row.password_hash, password):
        return SignIn(None)
    limits.succeeded(slots)
    return SignIn(row.id, generation=row.session_generation)


def sign_up(
    workflow, email: str, name: str, password: str, organisation: str | None, kind: str, language: str
) -> int:
    """Create an applicant account (a company or an individual) and mail the link that confirms the
    address (through the outbox); refuses a taken e-mail or a guessable password."""
    check_strength(password, email, name, organisation)
    with workflow.db.begin() as connection:
        if find_user_id(connection, email) is not None:
            raise AccountError("email_taken")
        org = organisation.strip() if kind == "company" and organisation else None
        user_id = create_user(
            connection, email, name.strip(), password, organisation=org, language=language, verified=False
        )
        outbox_id = account_mail.add(connection, user_id, "verify_email", workflow.clock())
    workflow.committed([outbox_id])
    return user_id


def resend_verification(workflow, user_id: int) -> bool:
    """Mail another confirmation link to an unconfirmed account; False if already confirmed."""
    with workflow.db.begin() as connection:
        verified = connection.execute(select(User.email_verified_at).where(User.id == user_id)).scalar()
        if verified is not None:
            return False
        outbox_id = account_mail.add(connection, user_id, "verify_email", workflow.clock())
    workflow.committed([outbox_id])
    return True


def verification_token(connection, secret: str, user_id: int) -> str | None:
    """A signed token for the user's current address (None for an inactive account)."""
    row = connection.execute(select(User.email).where(User.id == user_id, User.active)).first()
    if row is None:
        return None
    return URLSafeTimedSerializer(secret, salt="verify-email").dumps({"u": user_id, "e": row.email})


def verify_email(workflow, secret: str, token: str, max_age: int = VERIFY_MAX_AGE) -> int:
    """Mark the address confirmed from a valid token (for the address it was sent to)."""
    try:
        payload = URLSafeTimedSerializer(secret, salt="verify-email").loads(token, max_age=max_age)
    except SignatureExpired:
        raise AccountError("verify_expired") from None
    except BadSignature:
        raise AccountError("verify_invalid") from None
    with workflow.db.begin() as connection:
        connection.execute(
            update(User)
            .where(User.id == payload["u"], User.email == payload["e"], User.email_verified_at.is_(None))
            .values(email_verified_at=workflow.clock())
        )
        verified = connection.execute(
            select(User.email_verified_at).where(User.id == payload["u"], User.email == payload["e"])
        ).scalar()
    if verified is None:
        raise AccountError("verify_invalid")
    return payload["u"]


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="password-reset")


def _fingerprint(password_hash: str | None) -> str:
    return hashlib.sha256((password_hash or "").encode()).hexdigest()[:16]


def request_reset(workflow, email: str) -> None:
    """Mail a reset link (through the outbox) if the address has an active account; the same answer
    and about the same time either way (one indexed read, one insert)."""
    with workflow.db.begin() as connection:
        user_id = connection.execute(
            select(User.id).where(User.email == email.strip().lower(), User.active)
        ).scalar()
        if user_id is None:
            return
        outbox_id = account_mail.add(connection, user_id, "password_reset", workflow.clock())
    workflow.committed([outbox_id])


def reset_token_for(connection, secret: str, user_id: int) -> str | None:
    """A reset token bound to the user's current password (None for an inactive account)."""
    row = connection.execute(select(User.password_hash).where(User.id == user_id, User.active)).first()
    if row is None:
        return None
    return _serializer(secret).dumps({"u": user_id, "h": _fingerprint(row.password_hash)})


def reset_token(db, secret: str, email: str) -> tuple[int, str] | None:
    """(user id, token) for an active account, else None (the page says the same either way)."""
    with db.connect() as connection:
        row = connection.execute(
            select(User.id, User.password_hash).where(User.email == email.strip().lower(), User.active)
        ).first()
    if row is None:
        return None
    return row.id, _serializer(secret).dumps({"u": row.id, "h": _fingerprint(row.password_hash)})


def reset_password(db, secret: str, token: str, password: str, max_age: int = RESET_MAX_AGE) -> int:
    """Set a new password from a valid token; the token dies with the old password, and every session
    signed in before ends."""
    if len(password) < MIN_PASSWORD:
        raise AccountError("password_short")
    try:
        payload = _serializer(secret).loads(token, max_age=max_age)
    except SignatureExpired:
        raise AccountError("token_expired") from None
    except BadSignature:
        raise AccountError("token_invalid") from None
    with db.connect() as connection:
        current = connection.execute(
            select(User.password_hash, User.email, User.name, User.organisation).where(
                User.id == payload["u"]
            )
        ).first()
    if current is None or _fingerprint(current.password_hash) != payload["h"]:
        raise AccountError("token_invalid")
    check_strength(password, current.email, current.name, current.organisation)
    with db.begin() as connection:
        changed = connection.execute(
            update(User)
            .where(User.id == payload["u"], User.password_hash == current.password_hash)
            .values(password_hash=hash_password(password))
        ).rowcount
        if not changed:  # the same link used twice at once: only the first counts
            raise AccountError("token_invalid")
        end_sessions(connection, payload["u"])
    return payload["u"]


def set_language(db, user_id: int, language: str) -> None:
    with db.begin() as connection:
        connection.execute(update(User).where(User.id == user_id).values(language=language))
