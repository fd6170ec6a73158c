"""Accounts for the web: sign-up, sign-in with rate limits, password-reset tokens, language choice.

Reset tokens are signed (itsdangerous) and bound to the current password hash, so a token stops
working as soon as the password changes and after `RESET_MAX_AGE` seconds. Rate limits count
failed sign-ins per account and per address in Redis when REDIS_URL is set, else in this process.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select, update

from workflow.models import User
from workflow.services.users import check_password, create_user, find_user_id, hash_password

RESET_MAX_AGE = 3600
MIN_PASSWORD = 10
LIMIT_PER_ACCOUNT = 5
LIMIT_PER_ADDRESS = 20
WINDOW_SECONDS = 900
_DUMMY_HASH = hash_password("timing-equaliser-not-a-password")


class AccountError(Exception):
    """A refusal with a code the web layer translates."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class SignIn:
    user_id: int | None
    limited: bool = False


class MemoryCounter:
    """Failed attempts in a sliding window, in this process (the embedded default)."""

    def __init__(self):
        self._hits: dict[str, deque] = defaultdict(deque)
        self._lock = threading.Lock()

    def count(self, key: str, window: int) -> int:
        with self._lock:
            hits = self._hits[key]
            cutoff = time.monotonic() - window
            while hits and hits[0] < cutoff:
                hits.popleft()
            return len(hits)

    def hit(self, key: str, window: int) -> None:
        with self._lock:
            self._hits[key].append(time.monotonic())

    def clear(self, key: str) -> None:
        with self._lock:
            self._hits.pop(key, None)


class RedisCounter:
    """The same counts in Redis, shared by every worker process."""

    def __init__(self, client, prefix: str = "grants:login:"):
        self.client, self.prefix = client, prefix

    def count(self, key: str, window: int) -> int:
        value = self.client.get(self.prefix + key)
        return int(value) if value else 0

    def hit(self, key: str, window: int) -> None:
        name = self.prefix + key
        pipe = self.client.pipeline()
        pipe.incr(name)
        pipe.expire(name, window, nx=True)
        pipe.execute()

    def clear(self, key: str) -> None:
        self.client.delete(self.prefix + key)


def make_counter(redis_url: str | None):
    if not redis_url:
        return MemoryCounter()
    from redis import Redis

    return RedisCounter(Redis.from_url(redis_url))


def _keys(email: str, address: str) -> tuple[str, str]:
    account = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    return f"account:{account}", f"address:{address}"


def authenticate(db, counter, email: str, password: str, address: str) -> SignIn:
    """Check a password; refuses (limited=True) after too many failures for the account or address."""
    account_key, address_key = _keys(email, address)
    if (
        counter.count(account_key, WINDOW_SECONDS) >= LIMIT_PER_ACCOUNT
        or counter.count(address_key, WINDOW_SECONDS) >= LIMIT_PER_ADDRESS
    ):
        return SignIn(None, limited=True)
    with db.connect() as connection:
        row = connection.execute(
            select(User.id, User.password_hash, User.active).where(User.email == email.strip().lower())
        ).first()
    if row is None or not row.active:
        check_password(_DUMMY_HASH, password)  # same cost whether or not the account exists
        ok = False
    else:
        ok = check_password(row.password_hash, password)
    if not ok:
        counter.hit(account_key, WINDOW_SECONDS)
        counter.hit(address_key, WINDOW_SECONDS)
        return SignIn(None)
    counter.clear(account_key)
    return SignIn(row.id)


def sign_up(
    db, email: str, name: str, password: str, organisation: str | None, kind: str, language: str
) -> int:
    """Create an applicant account (a company or an individual); refuses a taken e-mail."""
    if len(password) < MIN_PASSWORD:
        raise AccountError("password_short")
    with db.begin() as connection:
        if find_user_id(connection, email) is not None:
            raise AccountError("email_taken")
        org = organisation.strip() if kind == "company" and organisation else None
        return create_user(connection, email, name.strip(), password, organisation=org, language=language)


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="password-reset")


def _fingerprint(password_hash: str | None) -> str:
    return hashlib.sha256((password_hash or "").encode()).hexdigest()[:16]


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
    """Set a new password from a valid token; the token dies with the old password."""
    if len(password) < MIN_PASSWORD:
        raise AccountError("password_short")
    try:
        payload = _serializer(secret).loads(token, max_age=max_age)
    except SignatureExpired:
        raise AccountError("token_expired") from None
    except BadSignature:
        raise AccountError("token_invalid") from None
    with db.begin() as connection:
        current = connection.execute(select(User.password_hash).where(User.id == payload["u"])).first()
        if current is None or _fingerprint(current.password_hash) != payload["h"]:
            raise AccountError("token_invalid")
        connection.execute(
            update(User).where(User.id == payload["u"]).values(password_hash=hash_password(password))
        )
    return payload["u"]


def set_language(db, user_id: int, language: str) -> None:
    with db.begin() as connection:
        connection.execute(update(User).where(User.id == user_id).values(language=language))
